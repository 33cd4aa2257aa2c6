// `opta-charts lock` (check) and `lock --update` (re-resolve and rewrite): the upstream lock against the catalog's
// dependencies and what the repositories serve now.
import { UserError } from '../errors.js';
import type { Output } from '../output.js';
import { readCachedArchive } from './cache.js';
import { openDownloadSession } from './download.js';
import {
  combineErrors,
  fetchFromCache,
  fetchFromRepository,
  missingFromCacheError,
  readLockFile,
  writeLockFile,
  type FetchOptions,
} from './index.js';
import {
  compareLockWithRefs,
  describeRef,
  diffLocks,
  findLockEntry,
  lockKey,
  serializeUpstreamLock,
  type DependencyRef,
  type LockDiff,
  type LockEntry,
} from './upstream-lock.js';
import { readFile } from 'node:fs/promises';

function distinct(refs: DependencyRef[]): DependencyRef[] {
  const seen = new Map<string, DependencyRef>();
  for (const r of refs) if (!seen.has(lockKey(r))) seen.set(lockKey(r), r);
  return [...seen.values()];
}

/**
 * Every problem with the lock: catalog dependencies it lacks, entries nothing uses, and archives whose sha256 differs
 * from what the repository (or, with --offline, the cache) holds. An empty list means the lock is right.
 */
export async function checkUpstreamLock(refs: DependencyRef[], options: FetchOptions, output: Output): Promise<string[]> {
  const lock = await readLockFile(options.lockFile);
  const problems = compareLockWithRefs(lock, distinct(refs), options.lockFile);
  const session = openDownloadSession();
  try {
    for (const ref of distinct(refs)) {
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
  const before = await readLockFile(options.lockFile);
  const after: LockEntry[] = [];
  const errors: UserError[] = [];
  const missing: DependencyRef[] = [];
  const session = openDownloadSession();
  try {
    for (const ref of distinct(refs)) {
      try {
        const got = options.offline ? await fetchFromCache(ref, options.cacheDir) : await fetchFromRepository(ref, options, output, session);
        if (!got) missing.push(ref);
        else after.push({ ...ref, digest: `sha256:${got.sha256}` });
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        errors.push(e);
      }
    }
  } finally {
    session.transport.close();
  }
  if (missing.length) errors.unshift(missingFromCacheError(missing, options.cacheDir));
  if (errors.length) throw combineErrors(errors, 'problems resolving upstream charts (the lock is unchanged)');

  const current = await readFile(options.lockFile, 'utf8').catch(() => undefined);
  if (current !== serializeUpstreamLock(after)) await writeLockFile(options.lockFile, after);
  return diffLocks(before, after);
}
