// Reads a chart archive's top-level Chart.yaml (and its timestamp) without touching the disk.
import yaml from 'js-yaml';
import { Parser, type ReadEntry } from 'tar';
import type { ChartMetadata } from '../chart-metadata.js';
import { UserError } from '../errors.js';

export interface ArchiveChart {
  metadata: ChartMetadata;
  /** The Chart.yaml entry's modification time: the archive's source date. */
  mtime: Date;
}

/** Parses the `<name>/Chart.yaml` entry of a .tgz. `label` names the archive in errors. */
export function readArchiveChart(archive: Buffer, label: string): Promise<ArchiveChart> {
  // tar's Parser also reads plain tar, but Helm's loader (and the OCI chart layer's media type) need gzip.
  if (archive[0] !== 0x1f || archive[1] !== 0x8b) return Promise.reject(new UserError(`${label}: not a chart archive (not gzip-compressed; expected a .tgz made by opta-charts build or helm package)`));
  return new Promise((resolve, reject) => {
    let found: { text: string; mtime: Date } | undefined;
    const parser = new Parser({ strict: true });
    parser.on('entry', (entry: ReadEntry) => {
      const parts = entry.path.split('/');
      if (!found && parts.length === 2 && parts[1] === 'Chart.yaml' && entry.type === 'File') {
        const chunks: Buffer[] = [];
        entry.on('data', (c: Buffer) => chunks.push(c));
        entry.on('end', () => {
          found = { text: Buffer.concat(chunks).toString('utf8'), mtime: entry.mtime ?? new Date(0) };
        });
      } else {
        entry.resume();
      }
    });
    parser.on('error', (e: Error) => reject(new UserError(`${label}: not a readable chart archive (${e.message})`)));
    parser.on('end', () => {
      if (!found) return reject(new UserError(`${label}: no <name>/Chart.yaml in the archive`));
      let doc: unknown;
      try {
        doc = yaml.load(found.text);
      } catch (e) {
        return reject(new UserError(`${label}: Chart.yaml: ${(e as Error).message}`));
      }
      const meta = doc as ChartMetadata;
      if (!meta || typeof meta !== 'object') return reject(new UserError(`${label}: Chart.yaml: not a mapping`));
      for (const key of ['name', 'version'] as const) {
        if (typeof meta[key] !== 'string' || meta[key] === '') return reject(new UserError(`${label}: Chart.yaml: ${key}: must be a non-empty string`));
      }
      resolve({ metadata: meta, mtime: found.mtime });
    });
    parser.end(archive);
  });
}
