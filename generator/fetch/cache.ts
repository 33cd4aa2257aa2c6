// The archive cache: blobs stored by sha256, plus which blob each dependency resolved to (for --offline and for
// dependencies the lock does not list yet). Writes are atomic, so parallel builds can share one cache.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/tree.js';
import type { DependencyRef } from './upstream-lock.js';
import { sha256Hex } from '../encoding/sha256.js';

const blobPath = (cacheDir: string, hex: string) => join(cacheDir, 'archives', 'sha256', `${hex}.tgz`);
const refPath = (cacheDir: string, ref: DependencyRef) =>
  join(cacheDir, 'refs', `${ref.name}-${ref.version}-${sha256Hex(Buffer.from(ref.repository)).slice(0, 16)}.json`);

// Synchronous: a warm build reads every vendored archive from here, and each thread-pool round trip costs more than the read.
async function readOrUndefined(file: string): Promise<Buffer | undefined> {
  try {
    return readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The cached archive with this sha256 (hex), re-hashed so a damaged file counts as missing (and is removed). */
export async function readCachedArchive(cacheDir: string, hex: string): Promise<Buffer | undefined> {
  const data = await readOrUndefined(blobPath(cacheDir, hex));
  if (data && sha256Hex(data) !== hex) {
    rmSync(blobPath(cacheDir, hex), { force: true });
    return undefined;
  }
  return data;
}

export async function writeCachedArchive(cacheDir: string, archive: Buffer): Promise<string> {
  const hex = sha256Hex(archive);
  await writeFileAtomic(blobPath(cacheDir, hex), archive);
  return hex;
}

/** The sha256 (hex) a dependency last resolved to, if it was ever fetched into this cache. */
export async function readCachedRef(cacheDir: string, ref: DependencyRef): Promise<string | undefined> {
  const data = await readOrUndefined(refPath(cacheDir, ref));
  if (!data) return undefined;
  try {
    const parsed = JSON.parse(data.toString('utf8')) as DependencyRef & { sha256?: string };
    const same = parsed.name === ref.name && parsed.version === ref.version && parsed.repository === ref.repository;
    return same && typeof parsed.sha256 === 'string' ? parsed.sha256 : undefined;
  } catch {
    return undefined;
  }
}

export async function writeCachedRef(cacheDir: string, ref: DependencyRef, hex: string): Promise<void> {
  const record = { name: ref.name, version: ref.version, repository: ref.repository, sha256: hex };
  await writeFileAtomic(refPath(cacheDir, ref), `${JSON.stringify(record, null, 2)}\n`);
}
