// A classic Helm repository index (index.yaml): pure, archives' metadata in, YAML text out.
import yaml from 'js-yaml';
import semver from 'semver';
import { UserError } from '../errors.js';
import type { ChartMetadata } from '../chart-metadata.js';
import { rfc3339 } from '../encoding/go-time.js';

export interface IndexedArchive {
  fileName: string;
  metadata: ChartMetadata;
  /** sha256 hex of the archive bytes. */
  digest: string;
  /** The archive's source date (its Chart.yaml mtime). */
  created: Date;
}

type ChartVersion = Record<string, unknown> & { name: string; version: string };

export interface IndexFile {
  apiVersion: 'v1';
  entries: Record<string, ChartVersion[]>;
  generated: string;
}

function byVersionDesc(a: ChartVersion, b: ChartVersion): number {
  const va = semver.valid(a.version);
  const vb = semver.valid(b.version);
  if (va && vb) return semver.rcompare(va, vb);
  return a.version < b.version ? 1 : a.version > b.version ? -1 : 0;
}

const URL_SCHEMES = ['http:', 'https:', 'file:', 's3:', 'gs:'];

/** Checks --url: an absolute URL that file names can be appended to. */
export function checkBaseUrl(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !URL_SCHEMES.includes(parsed.protocol) || (parsed.protocol.startsWith('http') && !parsed.hostname)) {
    throw new UserError(`--url: "${url}" is not an absolute URL (e.g. https://charts.example.com)`, 'leave --url out to write URLs relative to the index');
  }
  if (parsed.search || parsed.hash) throw new UserError(`--url: "${url}": a query or fragment cannot be followed by file names`);
  return url;
}

/**
 * Where Helm fetches an archive: `base` + file name with one slash between, or (no base) the bare file name, which Helm
 * resolves against the repository's URL, so the index works wherever the directory is served.
 */
export function archiveUrl(baseUrl: string | undefined, fileName: string): string {
  const name = encodeURIComponent(fileName);
  return baseUrl === undefined ? name : `${baseUrl.replace(/\/+$/, '')}/${name}`;
}

/**
 * Builds the index. Entries from `archives` win over same name+version entries of `merge`; every other entry of
 * `merge` is kept. `generated` is the newest `created`, so the same inputs always give the same file.
 */
export function buildIndex(archives: IndexedArchive[], baseUrl: string | undefined, merge?: IndexFile): IndexFile {
  const entries: Record<string, ChartVersion[]> = {};
  const add = (v: ChartVersion) => {
    const list = (entries[v.name] ??= []);
    if (!list.some((x) => x.version === v.version)) list.push(v);
  };
  for (const a of archives) {
    add({ ...a.metadata, created: rfc3339(a.created), digest: a.digest, urls: [archiveUrl(baseUrl, a.fileName)] } as ChartVersion);
  }
  for (const list of Object.values(merge?.entries ?? {})) for (const v of list) add(v);
  const sorted = Object.fromEntries(Object.keys(entries).sort().map((k) => [k, entries[k].sort(byVersionDesc)]));
  const times = Object.values(sorted).flat().map((v) => String(v.created ?? '')).filter(Boolean).sort();
  return { apiVersion: 'v1', entries: sorted, generated: times.at(-1) ?? rfc3339(new Date(0)) };
}

export function serializeIndex(index: IndexFile): string {
  return yaml.dump(index, { sortKeys: true, lineWidth: -1, noRefs: true });
}

/** Parses an existing index.yaml for --merge. */
export function parseIndex(text: string, file: string): IndexFile {
  let doc: unknown;
  try {
    // No timestamp type: `created` stays the exact text (Helm writes nanoseconds; a Date would drop them).
    doc = yaml.load(text, { schema: yaml.CORE_SCHEMA });
  } catch (e) {
    throw new UserError(`${file}: not valid YAML (${(e as Error).message})`);
  }
  const index = doc as IndexFile;
  if (!index || typeof index !== 'object' || index.apiVersion !== 'v1') throw new UserError(`${file}: apiVersion: must be v1 (a Helm repository index)`);
  if (index.entries !== undefined && (typeof index.entries !== 'object' || Array.isArray(index.entries))) throw new UserError(`${file}: entries: must be a mapping of chart name to versions`);
  for (const [name, list] of Object.entries(index.entries ?? {})) {
    if (!Array.isArray(list)) throw new UserError(`${file}: entries.${name}: must be a list`);
    for (const v of list) {
      if (typeof v.version !== 'string' || v.name !== name) throw new UserError(`${file}: entries.${name}: every entry needs name ${name} and a string version`);
    }
  }
  return { apiVersion: 'v1', entries: index.entries ?? {}, generated: String(index.generated ?? '') };
}
