import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirMaker } from '../support/temp-dirs.js';
import yaml from 'js-yaml';
import { list } from 'tar';
import { main } from '../../generator/cli.js';
import { chartExtensions } from '../../generator/charts/extensions.js';
import { memoryOutput } from '../support/memory-output.js';
import { HELMS, helmOk } from '../support/helm.js';

const fixture = join(import.meta.dirname, 'fixtures', 'demo');
const tempDir = tempDirMaker('opta-build-');

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
      contribute: async () => {
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
    ['a default of the wrong type', { [SCHEMA]: (t: string) => t.replace('"default": 2', '"default": "two"') }, `${SCHEMA}: #/properties/server/properties/replicas/default: "two" does not match its own schema: must be integer`],
    ['a default that breaks its schema deeper down', { [SCHEMA]: (t: string) => t.replace('"default": {}', '"default": { "team": 7 }') }, `${SCHEMA}: #/definitions/labels/default: {"team":7} does not match its own schema at team: must be string`],
    ['a misspelt keyword', { [SCHEMA]: (t: string) => t.replace('"type": "integer"', '"tpye": "integer"') }, `${SCHEMA}: #/properties/server/properties/replicas: unknown keyword "tpye": JSON Schema draft-07 has no such keyword, and Helm ignores it\nhint: did you mean "type"?`],
    ['a misspelt keyword in a definition nothing uses yet', { [SCHEMA]: (t: string) => t.replace('"definitions": {', '"definitions": { "unused": { "additionalProperty": false },') }, `${SCHEMA}: #/definitions/unused: unknown keyword "additionalProperty": JSON Schema draft-07 has no such keyword, and Helm ignores it\nhint: did you mean "additionalProperties"?`],
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

  it.each(HELMS)('a Go template syntax error in templates/ fails the chart naming the file and line (Helm $version)', async (helm) => {
    const src = brokenSource({ 'chart-templates/demo/templates/configmap.yaml': (t) => `${t}  broken: {{ .Values.greeting | quote\n` });
    const out = tempDir();
    const r = await cli(['build', '--source', src, '--chart', 'demo', '--out', out], { OPTA_CHARTS_HELM: helm.path, OPTA_CHARTS_CACHE: tempDir() });
    expect(r.code).toBe(1);
    const file = 'chart-templates/demo/templates/configmap.yaml';
    expect(r.stderr).toContain(`error: demo: ${file}: line 9: Go template parse error: unclosed action started at line 8`);
    expect(readdirSync(out)).toEqual(['SHA256SUMS']);
  });

  it.each(HELMS)('the real charts and the fixture pass the Go template check (Helm $version)', async (helm) => {
    // A fresh cache, so Helm really runs (passes are remembered there).
    const env = { OPTA_CHARTS_HELM: helm.path, OPTA_CHARTS_CACHE: tempDir() };
    const r = await cli(['build', '--chart', 'opta-service', '--out', tempDir()], env);
    expect([r.code, notProgress(r.stderr)]).toEqual([0, []]);
    const demo = await cli(['build', '--source', fixture, '--chart', 'demo', '--out', tempDir()], env);
    expect([demo.code, notProgress(demo.stderr)]).toEqual([0, []]);
  });

  it('Helm runs again only when the templates (or the Helm binary) changed since they last passed', async () => {
    const calls = join(tempDir(), 'calls');
    const wrapper = join(tempDir(), 'helm');
    writeFileSync(wrapper, `#!/bin/sh\necho "$1" >> ${calls}\nexec ${HELMS[0].path} "$@"\n`, { mode: 0o755 });
    const env = { OPTA_CHARTS_HELM: wrapper, OPTA_CHARTS_CACHE: tempDir() };
    const src = brokenSource({});
    const build = async () => (await cli(['build', '--source', src, '--chart', 'demo', '--out', tempDir()], env)).code;
    const runs = () => (existsSync(calls) ? readFileSync(calls, 'utf8').split('\n').filter(Boolean).length : 0);
    expect([await build(), runs()]).toEqual([0, 1]);
    expect([await build(), runs()]).toEqual([0, 1]);
    const template = join(src, 'chart-templates/demo/templates/configmap.yaml');
    writeFileSync(template, `${readFileSync(template, 'utf8')}  extra: "1"\n`);
    expect([await build(), runs()]).toEqual([0, 2]);
  });

  it('a Helm that fails before parsing is reported as a warning, and nothing is remembered', async () => {
    const calls = join(tempDir(), 'calls');
    const broken = join(tempDir(), 'helm');
    writeFileSync(broken, `#!/bin/sh\necho x >> ${calls}\necho "Error: cannot create the configuration directory" >&2\nexit 1\n`, { mode: 0o755 });
    const env = { OPTA_CHARTS_HELM: broken, OPTA_CHARTS_CACHE: tempDir() };
    for (const run of [1, 2]) {
      const r = await cli(['build', '--source', fixture, '--chart', 'demo', '--out', tempDir()], env);
      expect([r.code, notProgress(r.stderr)]).toEqual([0, [`warning: ${broken} failed before parsing the templates of demo: they were not checked`]]);
      expect(readFileSync(calls, 'utf8').split('\n').filter(Boolean)).toHaveLength(run);
    }
  });

  it('without Helm the build says the templates were not checked; a wrong OPTA_CHARTS_HELM is a user error', async () => {
    const r = await cli(['build', '--source', fixture, '--chart', 'demo', '--out', tempDir()], { PATH: '/nonexistent' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`warning: ${NO_HELM}`);
    const wrong = await cli(['build', '--source', fixture, '--chart', 'demo', '--out', tempDir()], { OPTA_CHARTS_HELM: '/nonexistent/helm' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('error: OPTA_CHARTS_HELM: /nonexistent/helm is not an executable file');
  });

  it('a missing values schema is named, not blamed on the README template that uses its table', async () => {
    const src = brokenSource({});
    rmSync(join(src, SCHEMA));
    const r = await cli(['build', '--source', src, '--chart', 'demo', '--out', tempDir()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: demo: ${SCHEMA}: does not exist, but ${README} line 7 uses {{valuesTable}}, which is generated from it`);
    expect(r.stderr).not.toContain('not defined');
  });

  it('a directory where the values schema file should be is named as unreadable, not an internal error', async () => {
    const src = brokenSource({});
    rmSync(join(src, SCHEMA));
    mkdirSync(join(src, SCHEMA));
    const r = await cli(['build', '--source', src, '--chart', 'demo', '--out', tempDir()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: demo: ${SCHEMA}: cannot read: is a directory, not a file`);
  });

  it('a chart-templates that is a file is named as unreadable, not as missing', async () => {
    const src = tempDir();
    writeFileSync(join(src, 'chart-templates'), 'not a directory');
    const r = await cli(['build', '--source', src, '--out', tempDir()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${join(src, 'chart-templates')}: cannot read: is not a directory`);
  });

  it('a dangling symbolic link or a FIFO in the chart sources is named, never silently left out', async () => {
    const dangling = brokenSource({});
    symlinkSync('../../shared/missing.yaml', join(dangling, 'chart-templates/demo/templates/shared.yaml'));
    const r = await cli(['build', '--source', dangling, '--chart', 'demo', '--out', tempDir()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: demo: chart-templates/demo/templates/shared.yaml: cannot read: does not exist (a symbolic link to a missing file?)`);
    const fifo = brokenSource({});
    execFileSync('mkfifo', [join(fifo, 'chart-templates/demo/templates/pipe.yaml')]);
    const f = await cli(['build', '--source', fifo, '--chart', 'demo', '--out', tempDir()]);
    expect(f.code).toBe(1);
    expect(f.stderr).toContain(`error: demo: chart-templates/demo/templates/pipe.yaml: cannot read: not a regular file (a FIFO, socket or device)`);
  });

  it('a symbolic link to a file is followed, as helm package does', async () => {
    const src = brokenSource({});
    const shared = join(src, 'shared.txt');
    writeFileSync(shared, 'shared\n');
    symlinkSync(shared, join(src, 'chart-templates/demo/files/linked.txt'));
    const out = tempDir();
    expect((await cli(['build', '--source', src, '--chart', 'demo', '--out', out])).code).toBe(0);
    expect(readFileSync(join(out, 'demo/files/linked.txt'), 'utf8')).toBe('shared\n');
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

const notProgress = (stderr: string) => stderr.split('\n').filter((l) => l && !l.startsWith('building '));
const NO_HELM = 'helm is not on PATH (nor set in OPTA_CHARTS_HELM): Go templates in templates/ were not parse-checked';

describe('opta-charts --json: errors are JSON too', () => {
  /** Every stderr line is one JSON object; with --json nothing else goes there. Progress lines are left out here. */
  const jsonLines = (stderr: string) =>
    stderr
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((l) => !l.progress);

  it('progress lines are JSON too', async () => {
    const r = await cli(['build', '--source', fixture, '--chart', 'demo', '--out', tempDir(), '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n').map((l) => JSON.parse(l))).toEqual([{ warning: NO_HELM }, { progress: 'building demo ...' }]);
  });

  it('a failed chart: structured in the result on stdout, the summary as {"error": ...} on stderr, exit 1', async () => {
    const r = await cli(['build', '--source', fixture, '--out', tempDir(), '--json']);
    expect(r.code).toBe(1);
    const file = 'chart-templates/broken/Chart.yaml';
    expect(JSON.parse(r.stdout).failed).toEqual([
      { name: 'broken', error: { message: `${file}: version: must be a quoted YAML string, found 1`, file, key: 'version', problem: 'must be a quoted YAML string, found 1' } },
    ]);
    expect(jsonLines(r.stderr)).toEqual([{ warning: NO_HELM }, { error: { message: '1 of 2 chart(s) failed to build: broken' } }]);
  });

  it.each([
    [['build', '--json', '--no-such-flag'], { message: "unknown option '--no-such-flag'" }],
    [['build', '--json', '--source', fixture, '--chart', 'nope'], { message: '--chart: unknown chart(s) nope; available: broken, demo' }],
    [['publish', '--json', '--to', 'oci://127.0.0.1:9/x', '--dry-run'], { message: `${join(process.cwd(), 'dist-charts')}: no chart archives (*.tgz) to publish`, hint: 'run `opta-charts build` first, or name the archives' }],
  ])('%j: one JSON error line, exit 1', async (args, error) => {
    const r = await cli(args);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(jsonLines(r.stderr)).toEqual([{ error }]);
  });

  it('an internal error: {"error": {"internal": true, ...}}, exit 2; the stack only with --debug', async () => {
    chartExtensions.demo = {
      contribute: async () => {
        throw new TypeError('boom');
      },
    };
    try {
      const plain = await cli(['build', '--json', '--source', fixture, '--chart', 'demo', '--out', tempDir()]);
      expect(plain.code).toBe(2);
      expect(jsonLines(plain.stderr)).toEqual([{ warning: NO_HELM }, { error: { message: 'boom', internal: true, hint: 'run again with --debug for the stack trace, and please report it' } }]);
      const debug = await cli(['--debug', 'build', '--json', '--source', fixture, '--chart', 'demo', '--out', tempDir()]);
      expect(debug.code).toBe(2);
      expect(jsonLines(debug.stderr)[1].error.stack).toMatch(/^TypeError: boom\n\s+at /);
    } finally {
      delete chartExtensions.demo;
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
