// `opta-charts lock` (check) and `lock --update` (re-resolve and rewrite): the upstream lock against the catalog's
// dependencies and what the repositories serve now.
import { UserError } from '../errors.js';
import type { Output } from '../output.js';
import { readCachedArchive } from './cache.js';
import { openDownloadSession } from './download.js';
import { distinctRefs, fetchFromCache, fetchFromRepository, readLockFile, readLockText, visitEach, writeLockFile, type FetchOptions } from './index.js';
import {
  compareLockWithRefs,
  describeRef,
  diffLocks,
  findLockEntry,
  parseUpstreamLock,
  serializeUpstreamLock,
  type DependencyRef,
  type LockDiff,
  type LockEntry,
} from './upstream-lock.js';

/**
 * Every problem with the lock: catalog dependencies it lacks, entries nothing uses, and archives whose sha256 differs
 * from what the repository (or, with --offline, the cache) holds. An empty list means the lock is right.
 */
export async function checkUpstreamLock(refs: DependencyRef[], options: FetchOptions, output: Output): Promise<string[]> {
  const lock = await readLockFile(options.lockFile);
  const problems = compareLockWithRefs(lock, distinctRefs(refs), options.lockFile);
  const session = openDownloadSession();
  try {
    for (const ref of distinctRefs(refs)) {
      const entry = findLockEntry(lock, ref);
      if (!entry) continue;
      const expected = entry.digest.slice('sha256:'.length);
      if (options.offline) {
        if (!(await readCachedArchive(options.cacheDir, expected))) {
          problems.push(`${describeRef(ref)}: --offline: archive ${entry.digest} is not in the cache ${options.cacheDir}`);
        }
        continue;
      }
      try {
        // Always asks the repository: the point is to notice an archive that changed upstream.
        const got = await fetchFromRepository(ref, options, output, session);
        if (got.sha256 !== expected) {
          problems.push(`${describeRef(ref)}: the repository serves sha256:${got.sha256}, the lock has ${entry.digest}`);
        }
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        problems.push(e.message);
      }
    }
  } finally {
    session.transport.close();
  }
  return [...new Set(problems)];
}

/** Re-resolves every dependency (repository, or cache with --offline) and rewrites the lock; returns what changed. */
export async function updateUpstreamLock(refs: DependencyRef[], options: FetchOptions, output: Output): Promise<LockDiff> {
  const current = await readLockText(options.lockFile);
  const before = parseUpstreamLock(current, options.lockFile);
  const after: LockEntry[] = [];
  await visitEach(refs, options, 'problems resolving upstream charts (the lock is unchanged)', async (ref, session) => {
    const got = options.offline ? await fetchFromCache(ref, options.cacheDir) : await fetchFromRepository(ref, options, output, session);
    if (!got) return 'missing';
    after.push({ ...ref, digest: `sha256:${got.sha256}` });
  });

  if (current !== serializeUpstreamLock(after)) await writeLockFile(options.lockFile, after);
  return diffLocks(before, after);
}
