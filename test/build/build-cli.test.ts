import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import yaml from 'js-yaml';
import { list } from 'tar';
import { main } from '../../generator/cli.js';
import { chartExtensions } from '../../generator/charts/extensions.js';
import { memoryOutput } from '../../generator/output.js';
import { HELMS, helmOk } from '../support/helm.js';

const fixture = join(import.meta.dirname, 'fixtures', 'demo');
const temps: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'opta-build-'));
  temps.push(d);
  return d;
};
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const output = memoryOutput();
  const code = await main(['node', 'opta-charts', ...args], { output, cwd: process.cwd(), env, stdin: process.stdin });
  return { code, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') };
}

describe('opta-charts build', () => {
  it('builds byte-identical archives on every run and writes SHA256SUMS', async () => {
    const [a, b] = [tempDir(), tempDir()];
    const first = await cli(['build', '--source', fixture, '--chart', 'demo', '--out', a]);
    const second = await cli(['build', '--source', fixture, '--chart', 'demo', '--out', b, '--json']);
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    const archive = readFileSync(join(a, 'demo-0.3.0.tgz'));
    expect(readFileSync(join(b, 'demo-0.3.0.tgz')).equals(archive)).toBe(true);
    const report = JSON.parse(second.stdout);
    expect(report.charts).toEqual([
      { name: 'demo', version: '0.3.0', archive: 'demo-0.3.0.tgz', files: 6, bytes: archive.length, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    expect(first.stdout.split('\n')[0]).toMatch(/^CHART\s+VERSION\s+FILES\s+BYTES\s+SHA256$/);
    expect(first.stdout).toContain(report.charts[0].sha256);
    expect(readFileSync(join(a, 'SHA256SUMS'), 'utf8')).toBe(`${report.charts[0].sha256}  demo-0.3.0.tgz\n`);
    expect(readdirSync(join(a, 'demo')).sort()).toEqual(['Chart.yaml', 'README.md', 'files', 'templates', 'values.schema.json', 'values.yaml']);
  });

  it('builds the real opta-service chart byte-identically twice, its ci/ scenarios left out of the archive', async () => {
    const [a, b] = [tempDir(), tempDir()];
    expect((await cli(['build', '--chart', 'opta-service', '--out', a])).code).toBe(0);
    expect((await cli(['build', '--chart', 'opta-service', '--out', b])).code).toBe(0);
    const [archive] = readdirSync(a).filter((f) => f.endsWith('.tgz'));
    expect(archive).toMatch(/^opta-service-\d+\.\d+\.\d+\.tgz$/);
    expect(readFileSync(join(a, archive)).equals(readFileSync(join(b, archive)))).toBe(true);
    const entries: string[] = [];
    list({ file: join(a, archive), sync: true, onReadEntry: (e) => entries.push(e.path) });
    expect(entries).toContain('opta-service/Chart.yaml');
    expect(entries.filter((e) => e.startsWith('opta-service/ci/'))).toEqual([]);
    expect(readdirSync(join(a, 'opta-service'))).toContain('ci');
  });

  it('takes the archive timestamp from SOURCE_DATE_EPOCH', async () => {
    const [a, b] = [tempDir(), tempDir()];
    await cli(['build', '--source', fixture, '--chart', 'demo', '--out', a]);
    await cli(['build', '--source', fixture, '--chart', 'demo', '--out', b], { SOURCE_DATE_EPOCH: '1700000000' });
    expect(readFileSync(join(a, 'demo-0.3.0.tgz')).equals(readFileSync(join(b, 'demo-0.3.0.tgz')))).toBe(false);
  });

  it('still builds the good charts when one fails, then exits 1 naming the file and key', async () => {
    const out = tempDir();
    const r = await cli(['build', '--source', fixture, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: broken: chart-templates/broken/Chart.yaml: version: must be a quoted YAML string, found 1');
    expect(r.stderr).toContain('1 of 2 chart(s) failed to build: broken');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(out).sort()).toEqual(['SHA256SUMS', 'demo', 'demo-0.3.0.tgz']);
  });

  it('exits 1 with the chart error when every chart fails and the output directory does not exist yet', async () => {
    const r = await cli(['build', '--source', fixture, '--chart', 'broken', '--out', join(tempDir(), 'new')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('1 of 1 chart(s) failed to build: broken');
  });

  it('replaces stale output: removed sources and older versions disappear', async () => {
    const src = tempDir();
    cpSync(fixture, src, { recursive: true });
    const out = tempDir();
    await cli(['build', '--source', src, '--chart', 'demo', '--out', out]);
    rmSync(join(src, 'chart-templates/demo/files'), { recursive: true });
    const chartYaml = join(src, 'chart-templates/demo/Chart.yaml');
    writeFileSync(chartYaml, readFileSync(chartYaml, 'utf8').replace('0.3.0', '0.4.0'));
    expect((await cli(['build', '--source', src, '--chart', 'demo', '--out', out])).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['SHA256SUMS', 'demo', 'demo-0.4.0.tgz']);
    expect(readdirSync(join(out, 'demo'))).not.toContain('files');
  });

  it('rejects unknown charts and a missing source directory as user errors', async () => {
    const unknown = await cli(['build', '--source', fixture, '--chart', 'nope', '--out', tempDir()]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('--chart: unknown chart(s) nope; available: broken, demo');
    const missing = await cli(['build', '--source', '/nonexistent', '--out', tempDir()]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('/nonexistent/chart-templates: no such directory');
  });

  it('reports internal errors with exit code 2 and a stack trace only with --debug', async () => {
    chartExtensions.demo = {
      plan: async () => {
        throw new TypeError('boom');
      },
    };
    try {
      const plain = await cli(['build', '--source', fixture, '--chart', 'demo', '--out', tempDir()]);
      expect(plain.code).toBe(2);
      expect(plain.stderr).toContain('internal error: boom');
      expect(plain.stderr).not.toContain('at ');
      const debug = await cli(['--debug', 'build', '--source', fixture, '--chart', 'demo', '--out', tempDir()]);
      expect(debug.code).toBe(2);
      expect(debug.stderr).toMatch(/TypeError: boom\n\s+at /);
    } finally {
      delete chartExtensions.demo;
    }
  });

  it.each(HELMS)('produces an archive Helm $version reads: show chart, values, readme', async (helm) => {
    const out = tempDir();
    await cli(['build', '--source', fixture, '--chart', 'demo', '--out', out]);
    const archive = join(out, 'demo-0.3.0.tgz');
    expect(yaml.load(await helmOk(helm, ['show', 'chart', archive]))).toMatchObject({ name: 'demo', version: '0.3.0', appVersion: '1.0.0' });
    // helm show values adds a trailing newline of its own
    expect((await helmOk(helm, ['show', 'values', archive])).trimEnd()).toBe(readFileSync(join(out, 'demo', 'values.yaml'), 'utf8').trimEnd());
    expect(await helmOk(helm, ['show', 'readme', archive])).toContain('| `server.replicas` | integer | `2` |');
    const rendered = yaml.load(await helmOk(helm, ['template', 'r', archive, '--set', 'server.replicas=3'])) as { data: Record<string, string> };
    expect(rendered.data).toEqual({ greeting: 'hello | world', replicas: '3' });
  });
});

/** A copy of the demo fixture with `edit` applied to its files (paths relative to the copy). */
function brokenSource(edit: Record<string, (text: string) => string>): string {
  const dir = tempDir();
  cpSync(fixture, dir, { recursive: true });
  for (const [path, change] of Object.entries(edit)) writeFileSync(join(dir, path), change(readFileSync(join(dir, path), 'utf8')));
  return dir;
}

/** Every file below `dir` whose name marks an unfinished write. */
function leftovers(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => /\.(tmp|old)-\d+/.test(f));
}

describe('opta-charts build: bad input is a user error naming the file, key and problem', () => {
  const SCHEMA = 'schemas/demo.values.schema.json';
  const README = 'chart-templates/demo/README.md.hbs';
  it.each([
    ['invalid JSON', { [SCHEMA]: (t: string) => t.slice(0, -3) }, `${SCHEMA}: not valid JSON`],
    ['a remote $ref', { [SCHEMA]: (t: string) => t.replace('"#/definitions/labels"', '"https://example.com/s.json#/labels"') }, `${SCHEMA}: #/properties/server/properties/labels: $ref "https://example.com/s.json#/labels" is not a local #/ reference`],
    ['a $ref to nothing', { [SCHEMA]: (t: string) => t.replace('"#/definitions/labels"', '"#/definitions/lables"') }, `${SCHEMA}: #/properties/server/properties/labels: $ref "#/definitions/lables" points at nothing in this file`],
    ['an unknown type', { [SCHEMA]: (t: string) => t.replace('"type": "integer"', '"type": "int"') }, `${SCHEMA}: #/properties/server/properties/replicas/type: not valid JSON Schema draft-07: must be equal to one of the allowed values (array, boolean, integer, null, number, object, string)`],
    ['a name missing from the model', { [README]: (t: string) => `${t}\n{{chart.homepage}}\n` }, `${README}: template error: line 9: {{chart.homepage}}: "homepage" is not defined in "chart" (it has: apiVersion, name, description, version, appVersion)`],
    ['an unknown top-level name', { [README]: (t: string) => `{{readme.title}}\n${t}` }, `${README}: template error: line 1: {{readme.title}}: "readme" is not defined here (the model's top level has: valuesTable, chart)`],
    ['a Handlebars syntax error', { [README]: (t: string) => `${t}\n{{#each chart.keywords}}\n` }, `${README}: template error: line 10: parse error: Expecting 'OPEN_INVERSE_CHAIN', 'INVERSE', 'OPEN_ENDBLOCK', got 'EOF'`],
  ])('%s', async (_what, edit, message) => {
    const out = tempDir();
    const r = await cli(['build', '--source', brokenSource(edit), '--chart', 'demo', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: demo: ${message}`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(out)).toEqual(['SHA256SUMS']);
  });

  it('an --out that is a file, or below a file, is named; nothing is left half-written', async () => {
    const dir = tempDir();
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    const onFile = await cli(['build', '--source', fixture, '--chart', 'demo', '--out', file]);
    expect(onFile.code).toBe(1);
    expect(onFile.stderr).toContain(`error: ${file}: cannot write: exists and is not a directory`);
    const below = await cli(['build', '--source', fixture, '--chart', 'demo', '--out', join(file, 'sub')]);
    expect(below.code).toBe(1);
    expect(below.stderr).toContain(`error: ${join(file, 'sub')}: cannot write: a parent of this path is a file, not a directory`);
    expect(readdirSync(dir)).toEqual(['file']);
  });

  it('an archive path that cannot be written is named, and no temp file is left', async () => {
    const out = tempDir();
    // A file where the archive goes: the tree is written, then the archive's rename fails.
    mkdirSync(join(out, 'demo-0.3.0.tgz', 'blocker'), { recursive: true });
    const r = await cli(['build', '--source', fixture, '--chart', 'demo', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${join(out, 'demo-0.3.0.tgz')}: cannot write:`);
    expect(leftovers(out)).toEqual([]);
  });

  it('refuses a SOURCE_DATE_EPOCH that is not a number of seconds JavaScript can represent', async () => {
    for (const [value, problem] of [['yesterday', 'is not a whole number of seconds'], ['99999999999999999', 'is beyond the last date']]) {
      const r = await cli(['build', '--source', fixture, '--chart', 'demo', '--out', tempDir()], { SOURCE_DATE_EPOCH: value });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`error: SOURCE_DATE_EPOCH: "${value}" ${problem}`);
    }
  });
});

describe('opta-charts CLI', () => {
  it.each([[[]], [['build']], [['lock']], [['values']], [['publish']], [['index']], [['certs']]])('prints --help for %j and exits 0', async (cmd) => {
    const r = await cli([...cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: opta-charts/);
  });

  it('prints the usage with every command when run without arguments, and values lists base', async () => {
    const none = await cli([]);
    expect(none.stderr).toMatch(/^Usage: opta-charts \[options\] \[command\]/);
    for (const command of ['build', 'lock', 'values', 'publish', 'index', 'certs']) expect(none.stderr).toMatch(new RegExp(`\\n  ${command} `));
    expect((await cli(['values', '--help'])).stdout).toMatch(/\n  base \[options\] +write a complete opta-base values file/);
  });

  it('values base --help marks the required flags and names the defaults', async () => {
    const help = (await cli(['values', 'base', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('--provider <name> cloud provider (required) (choices: "aws", "gcp", "azure")');
    expect(help).toMatch(/--cluster-name <name> .*\(required\)/);
    expect(help).toMatch(/-o, --output <file> .*\(required\)/);
    expect(help).toContain('(choices: "upsert-only", "sync", default: "upsert-only")');
    expect(help).toContain('--issuer <mode>');
    expect(help).toContain('(choices: "cert-manager", "static", default: "cert-manager")');
    expect(help).toContain('static issuer certificate validity in days (default 365;');
    expect(help).toContain('--anchor-validity-days <days> trust anchor validity in days (default: "3650")');
    expect(help).toContain('(default: "cluster.local")');
  });

  it('prints its version', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it('treats an unknown command or option as a user error', async () => {
    expect((await cli(['frobnicate'])).code).toBe(1);
    const r = await cli(['build', '--no-such-flag']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown option '--no-such-flag'");
  });
});
