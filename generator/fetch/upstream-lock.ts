// Pure handling of the upstream-archive lock (upstream.lock.yaml): parse, serialize deterministically, compare.
import yaml from 'js-yaml';
import { problemAt } from '../errors.js';

export interface DependencyRef {
  name: string;
  version: string;
  /** https://… (classic chart repository) or oci://… (registry). */
  repository: string;
}

export interface LockEntry extends DependencyRef {
  /** `sha256:<hex>` of the upstream .tgz archive. */
  digest: string;
}

export const LOCK_FILE_NAME = 'upstream.lock.yaml';

const HEADER = [
  '# sha256 of every upstream chart archive opta-base vendors, verified on every fetch.',
  '# Written by `opta-charts lock --update` (and by a build for a dependency not listed yet); do not edit by hand.',
];

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** One key per dependency; the repository is the upstream one (mirrors serve the same bytes). */
export function lockKey(ref: DependencyRef): string {
  return `${ref.name}@${ref.version} ${ref.repository}`;
}

export function describeRef(ref: DependencyRef): string {
  return `${ref.name} ${ref.version} (${ref.repository})`;
}

function sortEntries<T extends DependencyRef>(entries: T[]): T[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...entries].sort((a, b) => cmp(a.name, b.name) || cmp(a.version, b.version) || cmp(a.repository, b.repository));
}

/** Parses the lock; an empty or missing file is an empty lock. Errors name the file and the key. */
export function parseUpstreamLock(text: string | undefined, file: string): LockEntry[] {
  if (text === undefined || text.trim() === '') return [];
  let doc: unknown;
  try {
    doc = yaml.load(text, { schema: yaml.FAILSAFE_SCHEMA, filename: file });
  } catch (e) {
    throw problemAt(file, undefined, `not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const charts = (doc as { charts?: unknown } | null)?.charts;
  if (charts === undefined || charts === '') return [];
  if (!Array.isArray(charts)) throw problemAt(file, 'charts', 'must be a list');
  const seen = new Set<string>();
  return charts.map((c, i) => {
    const at = `charts[${i}]`;
    if (!c || typeof c !== 'object') throw problemAt(file, at, 'must be a mapping with name, version, repository, digest');
    const entry = c as Record<string, unknown>;
    for (const key of ['name', 'version', 'repository', 'digest']) {
      if (typeof entry[key] !== 'string' || entry[key] === '') throw problemAt(file, `${at}.${key}`, 'missing');
    }
    if (!DIGEST.test(entry.digest as string)) {
      throw problemAt(file, `${at}.digest`, `"${entry.digest}" is not sha256:<64 lowercase hex digits>`);
    }
    const parsed = { name: entry.name, version: entry.version, repository: entry.repository, digest: entry.digest } as LockEntry;
    if (seen.has(lockKey(parsed))) throw problemAt(file, at, `${describeRef(parsed)} is listed twice`);
    seen.add(lockKey(parsed));
    return parsed;
  });
}

/** Deterministic text: sorted entries, fixed key order, a fixed header. */
export function serializeUpstreamLock(entries: LockEntry[]): string {
  const charts = sortEntries(entries).map((e) => ({ name: e.name, version: e.version, repository: e.repository, digest: e.digest }));
  // forceQuotes keeps versions such as 1.10 strings for any YAML reader.
  const body = yaml.dump({ charts }, { lineWidth: -1, noRefs: true, forceQuotes: true, quotingType: '"' });
  return `${HEADER.join('\n')}\n${body}`;
}

export function findLockEntry(entries: LockEntry[], ref: DependencyRef): LockEntry | undefined {
  const key = lockKey(ref);
  return entries.find((e) => lockKey(e) === key);
}

export interface LockDiff {
  added: LockEntry[];
  changed: { old: LockEntry; new: LockEntry }[];
  removed: LockEntry[];
}

export function diffLocks(before: LockEntry[], after: LockEntry[]): LockDiff {
  const old = new Map(before.map((e) => [lockKey(e), e]));
  const now = new Map(after.map((e) => [lockKey(e), e]));
  return {
    added: sortEntries(after.filter((e) => !old.has(lockKey(e)))),
    changed: sortEntries(after.filter((e) => old.has(lockKey(e)) && old.get(lockKey(e))!.digest !== e.digest)).map((e) => ({
      old: old.get(lockKey(e))!,
      new: e,
    })),
    removed: sortEntries(before.filter((e) => !now.has(lockKey(e)))),
  };
}

export function isEmptyDiff(diff: LockDiff): boolean {
  return diff.added.length + diff.changed.length + diff.removed.length === 0;
}

/** One line per change: `added …`, `changed … old -> new`, `removed …`. */
export function formatLockDiff(diff: LockDiff): string[] {
  return [
    ...diff.added.map((e) => `added    ${describeRef(e)} ${e.digest}`),
    ...diff.changed.map((c) => `changed  ${describeRef(c.new)} ${c.old.digest} -> ${c.new.digest}`),
    ...diff.removed.map((e) => `removed  ${describeRef(e)} ${e.digest}`),
  ];
}

/** Lock problems that need no network: catalog dependencies without an entry, entries no dependency uses. */
export function compareLockWithRefs(entries: LockEntry[], refs: DependencyRef[], file: string): string[] {
  const wanted = new Set(refs.map(lockKey));
  return [
    ...sortEntries(refs)
      .filter((r) => !findLockEntry(entries, r))
      .map((r) => `${describeRef(r)}: not in ${file}`),
    ...sortEntries(entries)
      .filter((e) => !wanted.has(lockKey(e)))
      .map((e) => `${describeRef(e)}: in ${file} but not in the catalog`),
  ];
}
