// `opta-charts lock` (check) and `lock --update` (re-resolve and rewrite): the upstream lock against the catalog's
// dependencies and what the repositories serve now.
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../fs/tree.js';
import type { Output } from '../output.js';
import { readCachedArchive } from './cache.js';
import { openDownloadSession } from './download.js';
import { fetchFromCache, fetchFromRepository, visitEach, type FetchedDependency, type FetchOptions } from './dependencies.js';
import {
  ACCEPTED_SOURCE,
  compareLockWithRefs,
  describeRef,
  diffLocks,
  distinctRefs,
  findLockEntry,
  parseUpstreamLock,
  readLockFile,
  readLockText,
  serializeUpstreamLock,
  type DependencyRef,
  type LockDiff,
  type LockEntry,
} from './upstream-lock.js';

export interface LockCheck {
  /** Empty when the lock is right. */
  problems: string[];
  /** Entries without a digest (the repository publishes none and nobody accepted one yet): nothing to compare. */
  unpinned: LockEntry[];
}

/**
 * Every problem with the lock: catalog dependencies it lacks, entries nothing uses, and archives whose sha256 differs
 * from what the repository (or, with --offline, the cache) holds.
 */
export async function checkUpstreamLock(refs: DependencyRef[], options: FetchOptions, output: Output): Promise<LockCheck> {
  const lock = await readLockFile(options.lockFile);
  const unpinned: LockEntry[] = [];
  const problems = compareLockWithRefs(lock, distinctRefs(refs), options.lockFile);
  const session = openDownloadSession();
  try {
    for (const ref of distinctRefs(refs)) {
      const entry = findLockEntry(lock, ref);
      if (!entry) continue;
      if (entry.digest === null) {
        unpinned.push(entry);
        continue;
      }
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
  return { problems: [...new Set(problems)], unpinned };
}

/**
 * The entry `lock --update` records for what it resolved: the current entry when its digest is unchanged (keeping
 * where that digest came from); else the digest, published when the repository stated it, otherwise accepted on
 * purpose with the reason the repository gives none.
 */
function resolvedEntry(ref: DependencyRef, got: FetchedDependency, current: LockEntry | undefined): LockEntry {
  const digest = `sha256:${got.sha256}`;
  if (current?.digest === digest) return current;
  if (got.publishedIn) return { ...ref, digest, published: true, source: got.publishedIn };
  const reason = current?.published === false && current.reason ? current.reason : `${ref.repository} states no digest for ${ref.name} ${ref.version}`;
  return { ...ref, digest, published: false, source: ACCEPTED_SOURCE, reason };
}

/** Re-resolves every dependency (repository, or cache with --offline) and rewrites the lock; returns what changed. */
export async function updateUpstreamLock(refs: DependencyRef[], options: FetchOptions, output: Output): Promise<LockDiff> {
  const current = await readLockText(options.lockFile);
  const before = parseUpstreamLock(current, options.lockFile);
  const after: LockEntry[] = [];
  await visitEach(refs, options, 'problems resolving upstream charts (the lock is unchanged)', async (ref, session) => {
    const got = options.offline ? await fetchFromCache(ref, options.cacheDir) : await fetchFromRepository(ref, options, output, await session());
    if (!got) return 'missing';
    after.push(resolvedEntry(ref, got, findLockEntry(before, ref)));
  });

  const text = serializeUpstreamLock(after);
  // The one place the lock is written.
  if (current !== text) await writeFileAtomic(options.lockFile, text);
  return diffLocks(before, after);
}
