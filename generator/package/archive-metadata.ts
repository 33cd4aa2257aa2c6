// Reads a chart archive's top-level Chart.yaml (and its timestamp) without touching the disk.
import yaml from 'js-yaml';
import { gunzipSync } from 'node:zlib';
import type { ChartMetadata } from '../chart-metadata.js';
import { UserError } from '../errors.js';
import { tarEntries, type TarEntry } from './tar-entries.js';

export interface ArchiveChart {
  metadata: ChartMetadata;
  /** The Chart.yaml entry's modification time: the archive's source date. */
  mtime: Date;
}

/** Parses the `<name>/Chart.yaml` entry of a .tgz. `label` names the archive in errors. */
export async function readArchiveChart(archive: Buffer, label: string): Promise<ArchiveChart> {
  // Helm's loader (and the OCI chart layer's media type) need gzip, not a plain tar.
  if (archive[0] !== 0x1f || archive[1] !== 0x8b) throw new UserError(`${label}: not a chart archive (not gzip-compressed; expected a .tgz made by opta-charts build or helm package)`);
  let entry: TarEntry | undefined;
  try {
    // One pass over the whole archive in memory: chart archives are small, and streams cost more than they save.
    // Chart.yaml is the first entry of Helm's archives (and ours): the search ends there.
    for (const e of tarEntries(gunzipSync(archive))) {
      if (e.type === 'File' && e.path.split('/').length === 2 && e.path.endsWith('/Chart.yaml')) {
        entry = e;
        break;
      }
    }
  } catch (e) {
    throw new UserError(`${label}: not a readable chart archive (${(e as Error).message})`);
  }
  if (!entry) throw new UserError(`${label}: no <name>/Chart.yaml in the archive`);
  let doc: unknown;
  try {
    doc = yaml.load(entry.body.toString('utf8'));
  } catch (e) {
    throw new UserError(`${label}: Chart.yaml: ${(e as Error).message}`);
  }
  const meta = doc as ChartMetadata;
  if (!meta || typeof meta !== 'object') throw new UserError(`${label}: Chart.yaml: not a mapping`);
  for (const key of ['name', 'version'] as const) {
    if (typeof meta[key] !== 'string' || meta[key] === '') throw new UserError(`${label}: Chart.yaml: ${key}: must be a non-empty string`);
  }
  return { metadata: meta, mtime: entry.mtime ?? new Date(0) };
}
