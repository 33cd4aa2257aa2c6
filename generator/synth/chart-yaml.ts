import semver from 'semver';
import type { ChartMetadata } from '../chart-metadata.js';
import { problemAt } from '../errors.js';
import { parseYamlSource } from '../parse/source.js';

/** Parses and checks a chart's Chart.yaml: apiVersion v2, the expected name, strict SemVer version, string versions. */
export function parseChartYaml(text: string, file: string, expectedName: string): ChartMetadata {
  const doc = parseYamlSource(text, file);
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw problemAt(file, undefined, 'must be a YAML mapping');
  const meta = doc as Record<string, unknown>;
  if (meta.apiVersion !== 'v2') throw problemAt(file, 'apiVersion', `must be "v2", found ${JSON.stringify(meta.apiVersion)}`);
  if (meta.name !== expectedName) {
    throw problemAt(file, 'name', `must equal the chart directory name "${expectedName}", found ${JSON.stringify(meta.name)}`);
  }
  for (const key of ['version', 'appVersion']) {
    const v = meta[key];
    if (v === undefined && key === 'appVersion') continue;
    if (typeof v !== 'string') throw problemAt(file, key, `must be a quoted YAML string, found ${JSON.stringify(v)}`);
  }
  const version = meta.version as string;
  if (semver.valid(version) !== version) throw problemAt(file, 'version', `"${version}" is not a strict SemVer 2 version`);
  return meta as ChartMetadata;
}
