// The upstream-archive lock (upstream.lock.yaml): read, parse, serialize deterministically, compare. Written only by
// `lock --update` (fetch/lock-ops.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorObject } from 'ajv';
import yaml from 'js-yaml';
import { sharedAjv } from '../parse/ajv.js';
import { precompiledValidator, type Validator } from '../precompiled/lookup.js';
import { parseYamlSource } from '../parse/source.js';
import { schemaProblem } from '../parse/schema-problem.js';
import { problemAt } from '../errors.js';
import { packageRoot } from '../paths.js';

export interface DependencyRef {
  name: string;
  version: string;
  /** https://… (classic chart repository) or oci://… (registry). */
  repository: string;
}

export interface LockEntry extends DependencyRef {
  /** `sha256:<hex>` of the upstream .tgz archive; null while no digest is known (the build refuses such an entry). */
  digest: string | null;
  /** The digest is the one the upstream repository publishes (index.yaml or OCI manifest), not only what we downloaded. */
  published: boolean;
  /** Where the digest was read, or how it was accepted. */
  source?: string;
  /** Why the repository publishes no digest (published: false). */
  reason?: string;
}

export const LOCK_FILE_NAME = 'upstream.lock.yaml';
const LOCK_SCHEMA_FILE = join(packageRoot, 'schemas', 'upstream-lock.schema.json');

const HEADER = [
  '# sha256 of every upstream chart archive opta-base vendors, verified on every fetch (schemas/upstream-lock.schema.json).',
  '# published: true  - the digest the upstream repository publishes for the archive (source: where it was read).',
  '# published: false - the repository publishes none (reason); digest: null until accepted with `opta-charts lock --update`.',
  '# Written only by `opta-charts lock --update`; a build never writes it.',
];

/** Accepting a first download: what `lock --update` records as the source of a digest nobody publishes. */
export const ACCEPTED_SOURCE = 'first download, accepted with `opta-charts lock --update`';

/** One key per dependency; the repository is the upstream one (mirrors serve the same bytes). */
export function lockKey(ref: DependencyRef): string {
  return `${ref.name}@${ref.version} ${ref.repository}`;
}

export function describeRef(ref: DependencyRef): string {
  return `${ref.name} ${ref.version} (${ref.repository})`;
}

/** Each dependency once (the same chart may be declared under several aliases). */
export function distinctRefs(refs: DependencyRef[]): DependencyRef[] {
  const seen = new Map<string, DependencyRef>();
  for (const r of refs) if (!seen.has(lockKey(r))) seen.set(lockKey(r), r);
  return [...seen.values()];
}

function sortEntries<T extends DependencyRef>(entries: T[]): T[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...entries].sort((a, b) => cmp(a.name, b.name) || cmp(a.version, b.version) || cmp(a.repository, b.repository));
}

let lockValidator: Validator | undefined;

/** Parses and validates the lock; an empty or missing file is an empty lock. Errors name the file and the key. */
export function parseUpstreamLock(text: string | undefined, file: string): LockEntry[] {
  if (text === undefined || text.trim() === '') return [];
  const doc = parseYamlSource(text, file);
  if (!lockValidator) {
    const schemaText = readFileSync(LOCK_SCHEMA_FILE, 'utf8');
    lockValidator = precompiledValidator(schemaText) ?? sharedAjv().compile(JSON.parse(schemaText) as object);
  }
  if (!lockValidator(doc)) {
    // if/then/else and oneOf report their branches' errors too: plain errors first, then the branches' specific ones.
    const branch = (e: ErrorObject) => /\/(then|else|oneOf)\//.test(e.schemaPath);
    const specific = lockValidator.errors!.filter((e) => e.keyword !== 'if' && e.keyword !== 'oneOf');
    const errors = [...specific.filter((e) => !branch(e)), ...specific.filter(branch)];
    const { key, problem } = schemaProblem(doc, errors[0] ?? lockValidator.errors![0]);
    throw problemAt(file, key, problem);
  }
  const seen = new Set<string>();
  return (doc as { charts: LockEntry[] }).charts.map((entry, i) => {
    if (seen.has(lockKey(entry))) throw problemAt(file, `charts[${i}]`, `${describeRef(entry)} is listed twice`);
    seen.add(lockKey(entry));
    return entry;
  });
}

/** Deterministic text: sorted entries, fixed key order, a fixed header. */
export function serializeUpstreamLock(entries: LockEntry[]): string {
  const charts = sortEntries(entries).map((e) => ({
    name: e.name,
    version: e.version,
    repository: e.repository,
    digest: e.digest,
    published: e.published,
    ...(e.source ? { source: e.source } : {}),
    ...(e.reason ? { reason: e.reason } : {}),
  }));
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
  // A digest nobody publishes is accepted on trust: say so on its line, so the change is reviewed as such.
  const how = (e: LockEntry) => (e.published ? '' : ' (not published upstream: accepted as downloaded)');
  return [
    ...diff.added.map((e) => `added    ${describeRef(e)} ${e.digest ?? 'no digest'}${how(e)}`),
    ...diff.changed.map((c) => `changed  ${describeRef(c.new)} ${c.old.digest ?? 'no digest'} -> ${c.new.digest}${how(c.new)}`),
    ...diff.removed.map((e) => `removed  ${describeRef(e)} ${e.digest ?? 'no digest'}`),
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

/** The lock's text; undefined when there is no lock yet. */
export async function readLockText(lockFile: string): Promise<string | undefined> {
  try {
    return readFileSync(lockFile, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    return undefined;
  }
}

export async function readLockFile(lockFile: string): Promise<LockEntry[]> {
  return parseUpstreamLock(await readLockText(lockFile), lockFile);
}
