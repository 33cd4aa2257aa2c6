// Resolves upstream chart dependencies to verified archive bytes: lock -> cache -> repository (through mirrors).
// Returns bytes and digests; never writes the lock (only `lock --update`, fetch/lock-ops.ts, does).
import type { BuildOptions } from '../build/extension.js';
import { UserError } from '../errors.js';
import type { Output } from '../output.js';
import { readCachedArchive, readCachedRef, writeCachedArchive, writeCachedRef } from './cache.js';
import type { DownloadSession } from './download.js';
import { unreachableHint, UnreachableRepositoryError } from './messages.js';
import { releaseMemory } from '../fs/release-memory.js';
import { describeRef, distinctRefs, findLockEntry, lockKey, readLockFile, type DependencyRef, type LockEntry } from './upstream-lock.js';

export interface FetchedDependency {
  ref: DependencyRef;
  archive: Buffer;
  /** Hex sha256 of `archive` (the lock writes it as `sha256:<hex>`). */
  sha256: string;
  /** Where the repository publishes the digest, when it was downloaded from one that does. */
  publishedIn?: string;
}

export type FetchOptions = BuildOptions & {
  lockFile: string;
  /** Use a first download of a dependency whose lock entry has no digest (digest: null), for this run only. */
  trustUnpublishedDigests?: boolean;
};

/** The command that accepts archives into the lock, named in every message that needs it. */
export const ACCEPT_COMMAND = 'opta-charts lock --update';

function digestMismatch(ref: DependencyRef, expected: string, actual: string, lockFile: string): UserError {
  return new UserError(
    `chart ${describeRef(ref)}: archive sha256 does not match ${lockFile}: expected ${expected}, got ${actual}`,
    `if the new archive is intended, accept it with \`${ACCEPT_COMMAND}\`; otherwise the repository or mirror serves different bytes`,
  );
}

function notInLock(ref: DependencyRef, lockFile: string): UserError {
  return new UserError(
    `chart ${describeRef(ref)}: not in ${lockFile}`,
    `accept it with \`${ACCEPT_COMMAND}\` (records its sha256 and shows the change; review and commit it)`,
  );
}

function unpublishedDigest(entry: LockEntry, lockFile: string): UserError {
  return new UserError(
    `chart ${describeRef(entry)}: ${lockFile} has no digest for it (the repository publishes none: ${entry.reason}); a first download is not trusted`,
    `accept the archive on purpose: \`${ACCEPT_COMMAND}\` records its sha256 (review and commit it), or build with --trust-unpublished-digests (this build only; nothing is recorded)`,
  );
}

/** Several dependencies failing become one error listing each of them. */
function combineErrors(all: UserError[], what: string): UserError {
  const errors = all.filter((e, i) => all.findIndex((o) => o.message === e.message) === i);
  if (errors.length === 1) return errors[0];
  const unreachable = errors.filter((e): e is UnreachableRepositoryError => e instanceof UnreachableRepositoryError);
  const hints = [
    ...new Set([
      ...(unreachable.length ? [unreachableHint([...new Set(unreachable.map((e) => e.upstream))], unreachable[0].cacheDir)] : []),
      ...errors.filter((e) => !(e instanceof UnreachableRepositoryError)).map((e) => e.hint),
    ]),
  ].filter((h): h is string => Boolean(h));
  return new UserError(`${errors.length} ${what}:\n${errors.map((e) => `  - ${e.message}`).join('\n')}`, hints.join('\n') || undefined);
}

/** The cached archive for `ref`: the lock's digest when listed, else whatever this cache last resolved it to. */
async function fromCache(ref: DependencyRef, expectedHex: string | undefined, cacheDir: string): Promise<FetchedDependency | undefined> {
  const hex = expectedHex ?? (await readCachedRef(cacheDir, ref));
  const archive = hex ? await readCachedArchive(cacheDir, hex) : undefined;
  return archive && hex ? { ref, archive, sha256: hex } : undefined;
}

/** Downloads `ref` (through mirrors), stores it in the cache, and returns it. No lock check. */
export async function fetchFromRepository(ref: DependencyRef, options: BuildOptions, output: Output, session: DownloadSession): Promise<FetchedDependency> {
  const { downloadArchive } = await import('./download.js');
  const { archive, publishedIn } = await downloadArchive(ref, options, output, session);
  // The response's chunks are garbage now, but V8 collects only when its young generation fills, which Buffers hardly
  // do (their bytes live outside it): a minor collection (about 1 ms) frees them before the next download.
  releaseMemory('minor');
  const sha256 = await writeCachedArchive(options.cacheDir, archive);
  await writeCachedRef(options.cacheDir, ref, sha256);
  return { ref, archive, sha256, ...(publishedIn ? { publishedIn } : {}) };
}

/** What a dependency's cache says, without the network; for `--offline` lock work. */
export async function fetchFromCache(ref: DependencyRef, cacheDir: string): Promise<FetchedDependency | undefined> {
  return fromCache(ref, undefined, cacheDir);
}

function missingFromCacheError(missing: DependencyRef[], cacheDir: string): UserError {
  return new UserError(
    `--offline: ${missing.length} chart archive(s) not in the cache ${cacheDir}: ${missing.map(describeRef).join(', ')}`,
    'run once without --offline (with --mirror if the repositories are not reachable directly) to fill the cache, or point --cache-dir at a filled cache',
  );
}

/** What a visit of one dependency found: nothing in the cache (with --offline), or done. */
export type Visit = 'missing' | void;

/**
 * Visits each distinct dependency with one download session, opened on first use: a build from a warm cache loads
 * no HTTP code at all. The session knows every dependency up front, so its OCI registries each give one token. User errors and cache misses are collected, so one run reports every problem; they are thrown
 * together at the end, as one error about `what`.
 */
export async function visitEach(refs: DependencyRef[], options: FetchOptions, what: string, visit: (ref: DependencyRef, session: () => Promise<DownloadSession>) => Promise<Visit>): Promise<void> {
  let opened: DownloadSession | undefined;
  const session = async () => (opened ??= (await import('./download.js')).openDownloadSession(distinctRefs(refs)));
  const missing: DependencyRef[] = [];
  const errors: UserError[] = [];
  try {
    for (const ref of distinctRefs(refs)) {
      try {
        if ((await visit(ref, session)) === 'missing') missing.push(ref);
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        errors.push(e);
      }
    }
  } finally {
    opened?.transport.close();
  }
  if (missing.length) errors.unshift(missingFromCacheError(missing, options.cacheDir));
  if (errors.length) throw combineErrors(errors, what);
}

/**
 * Archive bytes for every dependency, verified against the upstream lock (options.lockFile), which this never writes.
 * Cached archives are used without any network request. A dependency the lock does not list is an error; one whose
 * entry has no digest is an error unless options.trustUnpublishedDigests, and then reported as trusted, not recorded.
 */
export async function fetchDependencies(refs: DependencyRef[], options: FetchOptions, output: Output): Promise<FetchedDependency[]> {
  const lock = await readLockFile(options.lockFile);
  const resolved = new Map<string, FetchedDependency>();
  const trusted: FetchedDependency[] = [];

  await visitEach(refs, options, 'problems fetching upstream charts', async (ref, session) => {
    const locked = findLockEntry(lock, ref);
    if (!locked) throw notInLock(ref, options.lockFile);
    if (locked.digest === null && !options.trustUnpublishedDigests) throw unpublishedDigest(locked, options.lockFile);
    const expectedHex = locked.digest?.replace(/^sha256:/, '');
    let got = await fromCache(ref, expectedHex, options.cacheDir);
    if (!got && options.offline) {
      // The cache may hold this dependency under another digest: that is a mismatch, not a miss.
      const other = expectedHex ? await fromCache(ref, undefined, options.cacheDir) : undefined;
      if (!other) return 'missing';
      got = other;
    }
    got ??= await fetchFromRepository(ref, options, output, await session());
    if (expectedHex && got.sha256 !== expectedHex) throw digestMismatch(ref, locked.digest!, `sha256:${got.sha256}`, options.lockFile);
    if (!expectedHex) trusted.push(got);
    resolved.set(lockKey(ref), got);
  });

  for (const t of trusted) {
    output.err(`warning: --trust-unpublished-digests: using ${describeRef(t.ref)} sha256:${t.sha256} unverified; nothing recorded (pin it with \`${ACCEPT_COMMAND}\`)`);
  }
  return refs.map((ref) => {
    const got = resolved.get(lockKey(ref))!;
    return { ...got, ref };
  });
}
