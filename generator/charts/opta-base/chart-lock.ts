// Chart.lock exactly as Helm computes it (internal/resolver/resolver.go HashReq, pkg/downloader/manager.go):
// digest = sha256 of Go's json.Marshal([declared, locked]); the file is YAML with sorted keys.
import yaml from 'js-yaml';
import { goJson } from '../../encoding/go-json.js';
import { rfc3339Nano } from '../../encoding/go-time.js';
import { sha256Digest } from '../../encoding/sha256.js';
import type { ChartDependency } from '../../chart-metadata.js';

/** Helm's chart.Dependency as Go marshals it: fixed field order, empty fields omitted except name and repository. */
function goDependencyJson(d: ChartDependency & { enabled?: boolean; 'import-values'?: unknown[] }): string {
  const fields: string[] = [`"name":${goJson(d.name)}`];
  if (d.version) fields.push(`"version":${goJson(d.version)}`);
  fields.push(`"repository":${goJson(d.repository ?? '')}`);
  if (d.condition) fields.push(`"condition":${goJson(d.condition)}`);
  if (d.tags?.length) fields.push(`"tags":[${d.tags.map(goJson).join(',')}]`);
  if (d.enabled) fields.push('"enabled":true');
  if (d['import-values']?.length) throw new Error('import-values are not supported in Chart.lock digests');
  if (d.alias) fields.push(`"alias":${goJson(d.alias)}`);
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
  return sha256Digest(json);
}

/** Helm locks each declared dependency (aliases included) as {name, version, repository}. */
function lockedDependencies(declared: ChartDependency[]): LockedDependency[] {
  return declared.map((d) => ({ name: d.name, version: d.version, repository: d.repository }));
}

/** Chart.lock text: keys sorted, list items at column 0, `generated` double-quoted, as Helm writes it. */
export function chartLockYaml(declared: ChartDependency[], generated: Date): string {
  const locked = lockedDependencies(declared);
  const doc = { dependencies: locked, digest: lockDigest(declared, locked), generated: rfc3339Nano(generated) };
  return yaml.dump(doc, { sortKeys: true, noArrayIndent: true, lineWidth: -1, quotingType: '"', forceQuotes: false });
}
