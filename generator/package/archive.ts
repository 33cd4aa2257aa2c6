// Deterministic Helm chart archives: same files in, same bytes out, on every run and machine.
import { gzipSync } from 'node:zlib';
// Only tar's header and PAX modules: the whole package costs more to load than packing a chart.
import { Header } from 'tar/header';
import { Pax } from 'tar/pax';
import type { FileTree } from '../fs/tree.js';
import { UserError } from '../errors.js';
import { sha256Hex } from '../encoding/sha256.js';

/** Used when SOURCE_DATE_EPOCH is not set: 2024-01-01T00:00:00Z. */
export const DEFAULT_SOURCE_DATE = new Date(Date.UTC(2024, 0, 1));

/** The archive timestamp: SOURCE_DATE_EPOCH (reproducible-builds.org) when set, otherwise a constant. */
export function sourceDate(env: NodeJS.ProcessEnv): Date {
  const raw = env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw === '') return DEFAULT_SOURCE_DATE;
  if (!/^\d+$/.test(raw)) throw new UserError(`SOURCE_DATE_EPOCH: "${raw}" is not a whole number of seconds`);
  const date = new Date(Number(raw) * 1000);
  if (Number.isNaN(date.getTime())) throw new UserError(`SOURCE_DATE_EPOCH: "${raw}" is beyond the last date JavaScript can represent`);
  return date;
}

// Helm's own order (pkg/chart/v2/util/save.go): metadata first, then templates, other files, subcharts.
function rank(path: string): number {
  if (path === 'Chart.yaml') return 0;
  if (path === 'Chart.lock') return 1;
  if (path === 'values.yaml') return 2;
  if (path === 'values.schema.json') return 3;
  if (path.startsWith('templates/')) return 4;
  if (path.startsWith('charts/')) return 6;
  return 5;
}

export function archiveOrder(paths: string[]): string[] {
  return [...paths].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

const BLOCK = 512;

/**
 * Part of the reproducibility contract (README, "Reproducible archives"): changing it changes every archive's bytes.
 * 6, zlib's and Go's default (so Helm's): level 9 costs about twice the time on chart text for archives under 1%
 * smaller, and gains nothing on vendored archives, which are compressed already.
 */
export const GZIP_LEVEL = 6;

function entryBlocks(path: string, content: Buffer, mtime: Date): Buffer[] {
  const fields = { path, mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', size: content.length, mtime, type: 'File' as const };
  const header = new Header(fields);
  header.encode();
  const blocks: Buffer[] = [];
  // Paths too long for ustar get a PAX extended header, as Helm's Go tar writer does.
  if (header.needPax) blocks.push(new Pax({ path, size: content.length, mtime, mode: 0o644, uid: 0, gid: 0 }).encode());
  blocks.push(header.block as Buffer, content);
  const pad = (BLOCK - (content.length % BLOCK)) % BLOCK;
  if (pad) blocks.push(Buffer.alloc(pad));
  return blocks;
}

/**
 * chart-testing scenarios (`ci/`) stay in the chart directory for `ct` and our tests, but are not shipped:
 * opta-base's carry a test-only Linkerd identity, and no installed chart needs them.
 */
export function isShipped(path: string): boolean {
  return !path.startsWith('ci/');
}

/**
 * Packs a chart as `<name>/...` entries in Helm's order, mode 0644, uid/gid 0, one mtime,
 * gzip level 6 with a fixed header (mtime 0, OS byte "unknown"), so the bytes depend only on the files.
 */
export function packChart(name: string, files: FileTree, mtime: Date = DEFAULT_SOURCE_DATE): Buffer {
  const blocks: Buffer[] = [];
  for (const path of archiveOrder(Object.keys(files).filter(isShipped))) {
    blocks.push(...entryBlocks(`${name}/${path}`, files[path], mtime));
  }
  blocks.push(Buffer.alloc(BLOCK * 2));
  const tar = Buffer.concat(blocks);
  // One output buffer of deflate's worst case (zlib's deflateBound, rounded up): zlib's default 16 KiB chunks were
  // concatenated at the end, so an archive of vendored charts was briefly in memory twice. Same bytes either way.
  const gz = gzipSync(tar, { level: GZIP_LEVEL, chunkSize: tar.length + (tar.length >> 10) + 1024 });
  gz.writeUInt32LE(0, 4); // MTIME
  gz[9] = 255; // OS: unknown, instead of the building machine's
  return gz;
}

/** `sha256sum`-compatible listing, sorted by file name. */
export function sha256sums(archives: { fileName: string; bytes: Buffer }[]): string {
  return [...archives]
    .sort((a, b) => (a.fileName < b.fileName ? -1 : 1))
    .map((a) => `${sha256Hex(a.bytes)}  ${a.fileName}\n`)
    .join('');
}
