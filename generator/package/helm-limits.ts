// Helm's loader limits on chart archives, checked before an archive is produced (pure).
// helm/helm pkg/chart/v2/loader/archive.go (v3.17.3+; pkg/chart/loader/archive/archive.go in Helm 4.0/4.1):
// LoadArchiveFiles refuses a tar entry whose size is over MaxDecompressedFileSize (5 MiB) with
// `decompressed chart file "<name>" is larger than the maximum file size 5242880`, and an archive whose files add up to
// more than MaxDecompressedChartSize (100 MiB). Subcharts in charts/*.tgz go through LoadArchiveFiles again, so the
// limits apply inside every vendored archive too.
import { gunzipSync } from 'node:zlib';
import type { FileTree } from '../fs/tree.js';
import { UserError } from '../errors.js';
import { isShipped } from './archive.js';
import { tarEntries } from './tar-entries.js';
import { sha256Hex } from '../encoding/sha256.js';

export const HELM_MAX_FILE_BYTES = 5 * 1024 * 1024;
const HELM_MAX_CHART_BYTES = 100 * 1024 * 1024;

interface SizedFile {
  path: string;
  size: number;
  content?: Buffer;
}

/** Every regular file of a .tgz with its size (and bytes, for nested archives); PAX long names honoured. */
function archiveEntries(archive: Buffer): SizedFile[] {
  return [...tarEntries(gunzipWhole(archive))]
    .filter((e) => e.type === 'File' || e.type === 'OldFile')
    .map((e) => ({ path: e.path, size: e.body.length, content: e.body }));
}

/**
 * gunzipSync with one output buffer: by default zlib fills 16 KiB chunks and concatenates them at the end, so a
 * vendored archive's decompressed bytes were in memory twice. gzip's trailer (ISIZE) states the size modulo 2^32; a
 * wrong one only means chunks again (capped, so a lying trailer cannot reserve more than Helm's chart limit).
 */
function gunzipWhole(archive: Buffer): Buffer {
  const stated = archive.length >= 18 ? archive.readUInt32LE(archive.length - 4) : 0;
  return gunzipSync(archive, { chunkSize: Math.max(64 * 1024, Math.min(stated, HELM_MAX_CHART_BYTES) + 1) });
}

/**
 * Archives (by sha256) known to be within the limits: the verdict depends on an archive's bytes alone, and a vendored
 * archive decompresses to several times its size, so one that passed before is not decompressed again.
 */
export interface LimitsPasses {
  has(sha256: string): boolean;
  add(sha256: string): void;
}

function tooLarge(where: string, size: number): UserError {
  return new UserError(
    `${where} is ${size} bytes; Helm refuses a chart archive with a file larger than 5 MiB (${HELM_MAX_FILE_BYTES} bytes): "is larger than the maximum file size"`,
    'make the file smaller or move it out of the chart (e.g. into a ConfigMap created outside the chart or an image)',
  );
}

function checkFiles(files: SizedFile[], label: (path: string) => string, archiveLabel: string, passes?: LimitsPasses): void {
  let total = 0;
  for (const f of files) {
    if (f.size > HELM_MAX_FILE_BYTES) throw tooLarge(label(f.path), f.size);
    total += f.size;
    if (f.path.replace(/^[^/]*\//, '').match(/^charts\/[^/_.][^/]*\.tgz$/) && f.content) {
      const sha256 = passes && sha256Hex(f.content);
      if (sha256 && passes.has(sha256)) continue;
      checkFiles(archiveEntries(f.content), (inner) => `${label(f.path)}: ${inner}`, label(f.path), passes);
      if (sha256) passes.add(sha256);
    }
  }
  if (total > HELM_MAX_CHART_BYTES) {
    throw new UserError(`${archiveLabel}: its files add up to ${total} bytes; Helm refuses a chart larger than 100 MiB (${HELM_MAX_CHART_BYTES} bytes) decompressed`);
  }
}

/**
 * Refuses a chart Helm would not load: names the file (inside a vendored charts/*.tgz too) that breaks a limit.
 * `passes`: vendored archives already known to pass (skipped), and where to record those that pass now.
 */
export function checkHelmLimits(chartName: string, files: FileTree, passes?: LimitsPasses): void {
  const shipped = Object.keys(files)
    .filter(isShipped)
    .map((path) => ({ path: `${chartName}/${path}`, size: files[path].length, content: files[path] }));
  checkFiles(shipped, (path) => path, `${chartName} archive`, passes);
}
