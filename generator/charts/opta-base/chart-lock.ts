// Chart.lock exactly as Helm computes it (internal/resolver/resolver.go HashReq, pkg/downloader/manager.go):
// digest = sha256 of Go's json.Marshal([declared, locked]); the file is YAML with sorted keys.
import { createHash } from 'node:crypto';
import yaml from 'js-yaml';
import type { ChartDependency } from '../../chart-metadata.js';

/** Go's json.Marshal string escaping: JSON.stringify plus HTML-safe escapes of < > & and U+2028/U+2029. */
export function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Helm's chart.Dependency as Go marshals it: fixed field order, empty fields omitted except name and repository. */
function goDependencyJson(d: ChartDependency & { enabled?: boolean; 'import-values'?: unknown[] }): string {
  const fields: string[] = [`"name":${goJsonString(d.name)}`];
  if (d.version) fields.push(`"version":${goJsonString(d.version)}`);
  fields.push(`"repository":${goJsonString(d.repository ?? '')}`);
  if (d.condition) fields.push(`"condition":${goJsonString(d.condition)}`);
  if (d.tags?.length) fields.push(`"tags":[${d.tags.map(goJsonString).join(',')}]`);
  if (d.enabled) fields.push('"enabled":true');
  if (d['import-values']?.length) throw new Error('import-values are not supported in Chart.lock digests');
  if (d.alias) fields.push(`"alias":${goJsonString(d.alias)}`);
  return `{${fields.join(',')}}`;
}

export interface LockedDependency {
  name: string;
  version: string;
  repository: string;
}

/** `sha256:<hex>` of json.Marshal([2][]*chart.Dependency{declared, locked}). */
export function lockDigest(declared: ChartDependency[], locked: LockedDependency[]): string {
  const list = (ds: ChartDependency[]) => `[${ds.map(goDependencyJson).join(',')}]`;
  const json = `[${list(declared)},${list(locked)}]`;
  return `sha256:${createHash('sha256').update(json, 'utf8').digest('hex')}`;
}

/** Helm locks each declared dependency (aliases included) as {name, version, repository}. */
function lockedDependencies(declared: ChartDependency[]): LockedDependency[] {
  return declared.map((d) => ({ name: d.name, version: d.version, repository: d.repository }));
}

/** Go's time.Time JSON form (RFC 3339, no fractional seconds when zero). */
function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, 'Z');
}

/** Chart.lock text: keys sorted, list items at column 0, `generated` double-quoted, as Helm writes it. */
export function chartLockYaml(declared: ChartDependency[], generated: Date): string {
  const locked = lockedDependencies(declared);
  const doc = { dependencies: locked, digest: lockDigest(declared, locked), generated: rfc3339(generated) };
  return yaml.dump(doc, { sortKeys: true, noArrayIndent: true, lineWidth: -1, quotingType: '"', forceQuotes: false });
}
