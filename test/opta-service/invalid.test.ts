// Invalid values are rejected by `helm template`, by the schema or a template `fail`, with a message that names the key.
// Each invalid/*.yaml file says which key its first line: `# key: <dotted.path>`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HELMS, runHelm } from '../support/helm.js';
import { type BuiltChart, buildChart, HERE, renderObjects, template } from './chart.js';

const INVALID_DIR = join(HERE, 'invalid');
const cases = readdirSync(INVALID_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((file) => {
    const key = /^# key: (\S+)/.exec(readFileSync(join(INVALID_DIR, file), 'utf8'))?.[1];
    if (!key) throw new Error(`${file}: first line must be "# key: <dotted.path>"`);
    return { file, key };
  });

/**
 * Helm 3.18 reports schema errors as `ports.http.port: ...` (gojsonschema), Helm 4 as `at '/ports/http/port': ...`;
 * template failures quote the dotted key. An unknown or missing key is named by its parent path plus its own name.
 */
export function namesKey(message: string, key: string): boolean {
  const parts = key.split('.');
  const forms = (p: string[]) => [p.join('.'), `'/${p.join('/')}'`];
  if (forms(parts).some((f) => message.includes(f))) return true;
  const parent = parts.slice(0, -1);
  const own = parts[parts.length - 1];
  const parentNamed = parent.length === 0 ? /\(root\)|at ''/.test(message) : forms(parent).some((f) => message.includes(`${f}:`) || message.includes(`${f}'`) || message.includes(f));
  return parentNamed && new RegExp(`\\b${own}\\b`).test(message);
}

test('at least 25 invalid values files', () => {
  expect(cases.length).toBeGreaterThanOrEqual(25);
});

describe.each(HELMS)('Helm $version rejects invalid values', (helm) => {
  let chart: BuiltChart;
  beforeAll(async () => {
    chart = await buildChart();
  });
  afterAll(() => chart?.cleanup());

  test('the defaults render (so each rejection below is caused by its file)', async () => {
    const { objects } = await renderObjects(helm, chart.archive);
    expect(objects.map((o) => o.kind)).toContain('Deployment');
  });

  test.each(cases)('$file names $key', async ({ file, key }) => {
    const r = await template(helm, chart.archive, ['-f', join(INVALID_DIR, file)]);
    expect(r.code, r.stdout).not.toBe(0);
    expect(namesKey(r.stderr, key), `stderr does not name ${key}:\n${r.stderr}`).toBe(true);
  });

  test('a release name Helm accepts but DNS-1035 does not fails, naming the `name` key', async () => {
    const r = await runHelm(helm, ['template', '1app', chart.archive, '--namespace', 'hello-world']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/name: the release name "1app" is not a DNS-1035 label.*set name/);
    // With `name` set, the release name no longer matters.
    const named = await runHelm(helm, ['template', '1app', chart.archive, '--namespace', 'hello-world', '--set', 'name=app']);
    expect(named.stderr).toBe('');
  });
});
