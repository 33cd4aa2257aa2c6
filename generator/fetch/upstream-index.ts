// Pure handling of a classic Helm chart repository's index.yaml: parse, find one exact version, resolve its URL.
import yaml from 'js-yaml';
import semver from 'semver';
import { UserError } from '../errors.js';
import { runAsLongWork } from '../long-work.js';

export interface IndexEntry {
  version: string;
  urls: string[];
  /** Hex sha256 of the archive, when the index states it. */
  digest?: string;
}

/** Chart name → its versions as listed in index.yaml. */
export type RepoIndex = Record<string, IndexEntry[]>;

/** Above this size an index is parsed as long work (generator/long-work.ts): a real repository's index is often several MB. */
const LONG_PARSE_CHARS = 256 * 1024;

/** Parses index.yaml (or its JSON form). FAILSAFE keeps every scalar a string, so `version: 1.10` stays "1.10". */
export function parseRepoIndex(text: string, indexUrl: string): RepoIndex {
  let doc: unknown;
  try {
    const parse = () => yaml.load(text, { schema: yaml.FAILSAFE_SCHEMA, filename: indexUrl });
    doc = text.length > LONG_PARSE_CHARS ? runAsLongWork(parse) : parse();
  } catch (e) {
    throw new UserError(`${indexUrl}: not a chart repository index: ${(e as Error).message.split('\n')[0]}`);
  }
  const entries = (doc as { entries?: unknown } | null)?.entries;
  if (!entries || typeof entries !== 'object' || Array.isArray(entries)) {
    throw new UserError(`${indexUrl}: entries: missing; not a chart repository index`);
  }
  const index: RepoIndex = {};
  for (const [name, versions] of Object.entries(entries as Record<string, unknown>)) {
    if (!Array.isArray(versions)) continue;
    index[name] = versions
      .filter((v): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && typeof v.version === 'string')
      .map((v) => ({
        version: v.version as string,
        urls: Array.isArray(v.urls) ? v.urls.filter((u): u is string => typeof u === 'string') : [],
        ...(typeof v.digest === 'string' && v.digest ? { digest: v.digest.replace(/^sha256:/, '').toLowerCase() } : {}),
      }));
  }
  return index;
}

function sameVersion(a: string, b: string): boolean {
  if (a === b) return true;
  const [x, y] = [semver.valid(a), semver.valid(b)];
  return Boolean(x && y && semver.eq(x, y));
}

/** Newest first; versions that are not SemVer go last in index order. */
function newestFirst(versions: string[]): string[] {
  const valid = versions.filter((v) => semver.valid(v)).sort(semver.rcompare);
  return [...valid, ...versions.filter((v) => !semver.valid(v))];
}

const SHOWN_VERSIONS = 15;

/** "chart NAME VERSION: repository R has no version …", listing what exists (`versions` newest first). */
export function noSuchVersion(name: string, version: string, repository: string, versions: string[]): UserError {
  const shown = versions.length
    ? versions.slice(0, SHOWN_VERSIONS).join(', ') + (versions.length > SHOWN_VERSIONS ? `, … (${versions.length} in all)` : '')
    : 'none';
  return new UserError(`chart ${name} ${version}: repository ${repository} has no version ${version} of ${name} (versions: ${shown})`);
}

/** The index entry for exactly `name` `version`; otherwise an error naming the chart, version, repository and what exists. */
export function findChartVersion(index: RepoIndex, name: string, version: string, repository: string): IndexEntry {
  const versions = index[name];
  if (!versions || versions.length === 0) {
    const names = Object.keys(index).sort();
    throw new UserError(
      `chart ${name} ${version}: repository ${repository} has no chart named "${name}"` +
        ` (it has: ${names.length ? names.slice(0, 30).join(', ') + (names.length > 30 ? ', …' : '') : 'no charts'})`,
    );
  }
  const found = versions.find((v) => sameVersion(v.version, version));
  if (!found) throw noSuchVersion(name, version, repository, newestFirst(versions.map((v) => v.version)));
  if (found.urls.length === 0) {
    throw new UserError(`chart ${name} ${version}: repository ${repository} lists no download URL for it`);
  }
  return found;
}

/**
 * Helm's rule (pkg/repo ResolveReferenceURL): an absolute URL is used as is; a relative one is resolved against the
 * repository URL taken as a directory, keeping the repository URL's query string.
 */
export function resolveArchiveUrl(repositoryUrl: string, ref: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref)) return ref;
  const base = new URL(repositoryUrl);
  base.pathname = base.pathname.replace(/\/+$/, '') + '/';
  const resolved = new URL(ref, base);
  resolved.search = base.search;
  return resolved.toString();
}

/** index.yaml of a repository URL (same directory rule, query string kept). */
export function indexUrl(repositoryUrl: string): string {
  return resolveArchiveUrl(repositoryUrl, 'index.yaml');
}
