// Used by the test suite and by `npm run bench`; not part of the CLI. Upstream locks of the stand-in charts' digests,
// written only into copies of the project, never into its own lock (test/opta-base/standins.test.ts checks that).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { serializeUpstreamLock, type DependencyRef, type LockEntry } from '../../generator/fetch/upstream-lock.js';
import { sha256Hex } from '../../generator/encoding/sha256.js';
import { readChartSources } from '../../generator/build/sources.js';
import { chartExtensions } from '../../generator/charts/extensions.js';
import { packageRoot } from '../../generator/paths.js';
import { standInArchive } from './standin-charts.js';

export const TEST_SOURCE = 'test lock: stand-in chart';

/** A published entry with the stand-in's digest (or `archive`'s). */
export function standInEntry(ref: DependencyRef, archive: Buffer = standInArchive(ref.name, ref.version)): LockEntry {
  return { name: ref.name, version: ref.version, repository: ref.repository, digest: `sha256:${sha256Hex(archive)}`, published: true, source: TEST_SOURCE };
}

/** An entry without a digest, as the project lock has for charts whose repository publishes none. */
export function unpublishedEntry(ref: DependencyRef): LockEntry {
  return { name: ref.name, version: ref.version, repository: ref.repository, digest: null, published: false, reason: 'test lock: no published digest' };
}

export function writeLock(lockFile: string, entries: LockEntry[]): void {
  mkdirSync(dirname(lockFile), { recursive: true });
  writeFileSync(lockFile, serializeUpstreamLock(entries));
}

/** The catalog's dependencies (one per distinct archive) with their upstream repositories, as opta-base's extension names them. */
export async function catalogRefs(): Promise<DependencyRef[]> {
  const options = { offline: true, mirrors: [], cacheDir: '', root: packageRoot, env: {} };
  return (await chartExtensions['opta-base'].upstream!(await readChartSources(packageRoot, 'opta-base'), options)).refs;
}

/** Writes the stand-ins' lock into a copy of the project at `source` (replacing the project's real lock). */
export async function writeStandInProjectLock(source: string, unpublished: string[] = []): Promise<string> {
  const lockFile = join(source, 'chart-templates', 'opta-base', 'upstream.lock.yaml');
  writeLock(lockFile, (await catalogRefs()).map((r) => (unpublished.includes(r.name) ? unpublishedEntry(r) : standInEntry(r))));
  return lockFile;
}
