import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { readChartSources } from '../../generator/build/sources.js';
import { synthesizeChart } from '../../generator/synth/synthesize.js';
import { chartValuesSchema } from '../../generator/synth/schema-bundle.js';
import { valuesTable, valuesYaml } from '../../generator/synth/values-doc.js';
import type { ChartSources } from '../../generator/synth/types.js';

const fixture = join(import.meta.dirname, 'fixtures', 'demo');
const demoSchema = JSON.parse(readFileSync(join(fixture, 'schemas', 'demo.values.schema.json'), 'utf8'));

const tiny = (files: Record<string, string>): ChartSources => ({
  name: 'tiny',
  dir: 'chart-templates/tiny',
  files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v)])),
});
const chartYaml = 'apiVersion: v2\nname: tiny\nversion: "1.2.3"\n';

describe('values documentation from the schema', () => {
  it('writes each description as a comment above its default, recursing into objects and $refs', () => {
    expect(valuesYaml(demoSchema)).toBe(
      [
        '# -- Values shared with subcharts; set by Helm.',
        '# global:',
        '',
        '# -- What the ConfigMap says.',
        'greeting: hello | world',
        '',
        '# -- Server settings.',
        'server:',
        '  # -- How many replicas.',
        '  # At least one.',
        '  replicas: 2',
        '',
        '  # -- Run mode. One of: `"fast"`, `"safe"`.',
        '  mode: safe',
        '',
        '  # -- Extra labels.',
        '  labels: {}',
        '',
        '  # -- Optional host name; unset by default.',
        '  # hostname:',
        '',
      ].join('\n'),
    );
    // values.yaml parses to exactly the defaults the schema declares.
    expect(yaml.load(valuesYaml(demoSchema))).toEqual({ greeting: 'hello | world', server: { replicas: 2, mode: 'safe', labels: {} } });
  });

  it('builds the README table from the same schema, escaping pipes', () => {
    const table = valuesTable(demoSchema).split('\n');
    expect(table[0]).toBe('| Key | Type | Default | Description |');
    expect(table).toContain('| `greeting` | string | `"hello \\| world"` | What the ConfigMap says. |');
    expect(table).toContain('| `server.replicas` | integer | `2` | How many replicas. At least one. |');
    expect(table).toContain('| `server.labels` | object | `{}` | Extra labels. |');
  });

  it('refuses schemas Helm cannot use, naming the file and the key', () => {
    expect(() => chartValuesSchema({ $schema: 'https://json-schema.org/draft/2020-12/schema' }, 'schemas/x.json')).toThrow(
      'schemas/x.json: $schema: must be "http://json-schema.org/draft-07/schema#"',
    );
    expect(() => chartValuesSchema({ properties: { a: { $ref: 'common.json#/a' } } }, 'schemas/x.json')).toThrow(
      'schemas/x.json: #/properties/a: $ref "common.json#/a" is not a local #/ reference',
    );
  });
});

describe('local $ref resolution', () => {
  const schema = {
    type: 'object',
    properties: { a: { $ref: '#/definitions/with%20space~1slash' } },
    definitions: { 'with space/slash': { type: 'string', description: 'Escaped.', default: 'x' } },
  };

  it('follows %-escapes and ~1/~0 in the same way for the schema check and the values docs', () => {
    expect(() => chartValuesSchema(schema, 'schemas/x.json')).not.toThrow();
    expect(valuesYaml(schema)).toBe('# -- Escaped.\na: x\n');
  });

  it('refuses a malformed %-escape as pointing at nothing, naming the file and place', () => {
    const bad = { ...schema, properties: { a: { $ref: '#/definitions/%zz' } } };
    expect(() => chartValuesSchema(bad, 'schemas/x.json')).toThrow('schemas/x.json: #/properties/a: $ref "#/definitions/%zz" points at nothing in this file');
  });
});

describe('synthesizeChart', () => {
  it('renders .hbs files, copies every other file byte for byte and generates values files', async () => {
    const chart = synthesizeChart(await readChartSources(fixture, 'demo'));
    expect(Object.keys(chart.files)).toEqual([
      'Chart.yaml',
      'README.md',
      'files/raw.txt',
      'templates/configmap.yaml',
      'values.schema.json',
      'values.yaml',
    ]);
    expect(chart.metadata.version).toBe('0.3.0');
    expect(chart.files['files/raw.txt'].equals(readFileSync(join(fixture, 'chart-templates/demo/files/raw.txt')))).toBe(true);
    expect(chart.files['templates/configmap.yaml'].toString()).toContain('{{ .Values.greeting | quote }}');
    const readme = chart.files['README.md'].toString();
    expect(readme).toMatch(/^# demo 0\.3\.0\n/);
    expect(readme).toContain('Helm syntax stays literal when escaped: {{ .Values.greeting }}');
    expect(readme).toContain('| `server.mode` | string | `"safe"` |');
    expect(JSON.parse(chart.files['values.schema.json'].toString()).$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  it('adds the extension contribution: model, files, consumed sources, replaced schema', () => {
    const sources = tiny({ 'Chart.yaml.hbs': chartYaml.replace('1.2.3', '{{v}}'), 'notes.txt.hbs': '{{chart.name}} {{extra}}', 'catalog.yaml': 'x' });
    const chart = synthesizeChart(sources, {
      model: { v: '2.0.0', extra: 'more' },
      files: { 'charts/a-1.0.0.tgz': Buffer.from('a') },
      consumes: ['catalog.yaml'],
      schema: { type: 'object', properties: { a: { type: 'string', default: 'x', description: 'A.' } } },
    });
    expect(Object.keys(chart.files)).toEqual(['Chart.yaml', 'charts/a-1.0.0.tgz', 'notes.txt', 'values.schema.json', 'values.yaml']);
    expect(chart.metadata.version).toBe('2.0.0');
    expect(chart.files['notes.txt'].toString()).toBe('tiny more');
    expect(chart.files['values.yaml'].toString()).toContain('# -- A.\na: x\n');
  });

  it.each([
    [{ 'Chart.yaml': 'apiVersion: v2\nname: tiny\nversion: 1.0\n' }, 'chart-templates/tiny/Chart.yaml: version: must be a quoted YAML string, found 1'],
    [{ 'Chart.yaml': 'apiVersion: v2\nname: tiny\nversion: "1.0"\n' }, 'chart-templates/tiny/Chart.yaml: version: "1.0" is not a strict SemVer 2 version'],
    [{ 'Chart.yaml': 'apiVersion: v1\nname: tiny\nversion: "1.0.0"\n' }, 'chart-templates/tiny/Chart.yaml: apiVersion: must be "v2", found "v1"'],
    [{ 'Chart.yaml': 'apiVersion: v2\nname: other\nversion: "1.0.0"\n' }, 'chart-templates/tiny/Chart.yaml: name: must equal the chart directory name "tiny", found "other"'],
    [{ 'Chart.yaml': 'a: [' }, 'chart-templates/tiny/Chart.yaml: not valid YAML'],
    [{ 'values.yaml': 'a: 1' }, 'chart-templates/tiny: has no Chart.yaml'],
    [{ 'Chart.yaml': chartYaml, 'NOTES.txt.hbs': '{{missing}}' }, 'chart-templates/tiny/NOTES.txt.hbs: template error: line 1: {{missing}}: "missing" is not defined here (the model\'s top level has: chart)'],
  ])('names the file, key and problem for bad sources (%#)', (files, message) => {
    expect(() => synthesizeChart(tiny(files))).toThrow(message);
  });

  it('refuses two sources producing the same file', () => {
    expect(() => synthesizeChart(tiny({ 'Chart.yaml': chartYaml, 'a.txt': 'x', 'a.txt.hbs': 'y' }))).toThrow(
      'chart-templates/tiny/a.txt.hbs: produces a.txt, which another source already produces',
    );
  });
});
