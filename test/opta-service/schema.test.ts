// The values schema is the single source of values.yaml and the README table, so it must document every key.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import { synthesizeChartOffline } from '../../generator/build/offline.js';
import { chartExtensions } from '../../generator/charts/extensions.js';
import { ROOT } from './chart.js';

type Schema = Record<string, any>;
const SOURCE = join(ROOT, 'schemas', 'opta-service.values.schema.json');
const schema: Schema = JSON.parse(readFileSync(SOURCE, 'utf8'));

function resolve(node: Schema): Schema {
  if (typeof node.$ref !== 'string') return node;
  const target = node.$ref.slice(2).split('/').reduce((n: Schema, k: string) => n[k], schema);
  return { ...resolve(target), ...node, $ref: undefined };
}

/** Every property reachable from the root as [dotted path, schema, reached through array items?]. */
function properties(node: Schema, path: string[] = [], inItems = false): [string, Schema, boolean][] {
  const out: [string, Schema, boolean][] = [];
  const resolved = resolve(node);
  for (const [key, child] of Object.entries<Schema>(resolved.properties ?? {})) {
    const c = resolve(child);
    out.push([[...path, key].join('.'), c, inItems], ...properties(c, [...path, key], inItems));
  }
  if (resolved.items) out.push(...properties(resolved.items, [...path, '[]'], true));
  return out;
}

describe('schemas/opta-service.values.schema.json', () => {
  const all = properties(schema);

  test('is draft-07 with only local references', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const refs = JSON.stringify(schema).match(/"\$ref":"[^"]*"/g) ?? [];
    expect(refs.filter((r) => !r.startsWith('"$ref":"#/definitions/'))).toEqual([]);
  });

  test('every property has a description', () => {
    expect(all.filter(([, s]) => typeof s.description !== 'string' || !s.description).map(([p]) => p)).toEqual([]);
  });

  test('every value outside list items has a default, or is an object whose keys all have one', () => {
    const missing = all.filter(([, s, inItems]) => !inItems && s.default === undefined && !s.properties).map(([p]) => p);
    expect(missing).toEqual([]);
  });

  test('is strict on its own keys and allows global', () => {
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.global.type).toBe('object');
    const strictObjects = all.filter(([, s]) => s.properties).filter(([, s]) => s.additionalProperties !== false);
    expect(strictObjects.map(([p]) => p)).toEqual([]);
  });

  test('the generated values.yaml holds the schema defaults and passes the schema', async () => {
    const files = (await synthesizeChartOffline(ROOT, 'opta-service', chartExtensions['opta-service'])).files;
    const values = yaml.load(files['values.yaml'].toString('utf8')) as Schema;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(JSON.parse(files['values.schema.json'].toString('utf8')));
    expect(validate(values), JSON.stringify(validate.errors)).toBe(true);
    expect(values.image).toEqual({ repository: 'nginxinc/nginx-unprivileged', tag: '', digest: '', pullPolicy: 'IfNotPresent' });
    expect(values.probes.startup).toMatchObject({ enabled: false, type: 'http', periodSeconds: 10 });
    expect(values.linkerd).toEqual({
      inject: true,
      skipInboundPorts: [],
      skipOutboundPorts: [],
      proxyResources: { cpuRequest: '50m', cpuLimit: '', memoryRequest: '32Mi', memoryLimit: '128Mi' },
    });
    expect(values.ports).toEqual([{ name: 'http', type: 'http', port: 8080, servicePort: 80 }]);
  });

  test('the README documents every leaf value from the schema and the quick start', async () => {
    const files = (await synthesizeChartOffline(ROOT, 'opta-service', chartExtensions['opta-service'])).files;
    const readme = files['README.md'].toString('utf8');
    for (const key of ['image.repository', 'autoscaling.minReplicas', 'cloud.aws.roleArn', 'probes.liveness.type', 'ingress.uris', 'linkerd.proxyResources.cpuRequest', 'datadog.enabled']) {
      expect(readme).toContain(`| \`${key}\` |`);
    }
    expect(readme).toContain('helm install app dist-charts/opta-service-0.2.0.tgz -n hello-world --create-namespace');
  });
});
