// Interruption, concurrency, stale output and unreadable sources: what only real processes show.
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirMaker } from '../support/temp-dirs.js';
import { readTree } from '../../generator/fs/tree.js';
import { sha256Hex } from '../../generator/encoding/sha256.js';
import { runCli, startCli } from '../support/cli-process.js';

const fixture = join(import.meta.dirname, 'fixtures', 'demo');
const tempDir = tempDirMaker('opta-robust-');

const build = (out: string, ...more: string[]) => ['build', '--source', fixture, '--chart', 'demo', '--out', out, ...more];
const HOLD_AT_SWAP = { OPTA_CHARTS_TEST_HOLD: 'swap:demo' };

/** A copy of the fixture whose "broken" chart builds too (version 1.0.0), so a project has two good charts. */
function buildableProject(): string {
  const project = tempDir();
  cpSync(fixture, project, { recursive: true });
  const brokenYaml = join(project, 'chart-templates/broken/Chart.yaml');
  writeFileSync(brokenYaml, readFileSync(brokenYaml, 'utf8').replace(/^version: .*$/m, 'version: "1.0.0"'));
  return project;
}

/** Names in `dir` that an unfinished write leaves: temp trees and files, swapped-out trees, the lock. */
const leftovers = (dir: string) => readdirSync(dir).filter((f) => /\.(tmp|old)-\d+$/.test(f) || f === '.opta-charts.lock');

describe('build: interrupted', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s between the two renames of the swap puts the previous chart back, leaves no temp dir, exits %i', async (signal, exitCode) => {
    const out = tempDir();
    expect((await runCli(build(out))).code).toBe(0);
    const before = await readTree(out);

    const held = startCli(build(out), { env: HOLD_AT_SWAP });
    await held.stderrContains('test hold: swap:demo');
    // At this point the previous tree is renamed away and the new one waits in <chart>.tmp-<pid>.
    expect(existsSync(join(out, 'demo'))).toBe(false);
    expect(leftovers(out).sort()).toEqual(['.opta-charts.lock', `demo.old-${held.child.pid}`, `demo.tmp-${held.child.pid}`]);
    held.child.kill(signal);
    const r = await held.finished;

    expect(r.code).toBe(exitCode);
    expect(r.stderr).toContain(`interrupted (${signal}): unfinished output removed`);
    expect(leftovers(out)).toEqual([]);
    expect(await readTree(out)).toEqual(before);
  });

  it('interrupted after another chart was replaced, SHA256SUMS matches the archives on disk', async () => {
    const project = buildableProject();
    const out = join(project, 'out');
    const buildAll = ['build', '--source', project, '--out', out];
    expect((await runCli(buildAll)).code).toBe(0);
    // "broken" is written before "demo": give it new content, then stop the next build at demo's swap.
    const brokenYaml = join(project, 'chart-templates/broken/Chart.yaml');
    writeFileSync(brokenYaml, `${readFileSync(brokenYaml, 'utf8')}description: changed\n`);
    const held = startCli(buildAll, { env: HOLD_AT_SWAP });
    await held.stderrContains('test hold: swap:demo');
    held.child.kill('SIGINT');
    expect((await held.finished).code).toBe(130);
    const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8');
    const onDisk = ['broken-1.0.0.tgz', 'demo-0.3.0.tgz'].map((f) => `${sha256Hex(readFileSync(join(out, f)))}  ${f}\n`).join('');
    expect(sums).toBe(onDisk);
    expect(leftovers(out)).toEqual([]);
  });

  it('a build killed outright (SIGKILL) leaves its temp dirs, and the next build removes them', async () => {
    const out = tempDir();
    const held = startCli(build(out), { env: HOLD_AT_SWAP });
    await held.stderrContains('test hold: swap:demo');
    held.child.kill('SIGKILL');
    await held.finished;
    expect(leftovers(out)).not.toEqual([]);
    expect((await runCli(build(out))).code).toBe(0);
    expect(leftovers(out)).toEqual([]);
    expect(readdirSync(out).sort()).toEqual(['SHA256SUMS', 'demo', 'demo-0.3.0.tgz']);
  });
});

describe('build: concurrent builds into one output directory', () => {
  it('a second build waits for the first one that is between its renames, instead of failing with ENOTEMPTY', async () => {
    const out = tempDir();
    expect((await runCli(build(out))).code).toBe(0);
    const first = startCli(build(out), { env: HOLD_AT_SWAP });
    await first.stderrContains('test hold: swap:demo');
    const second = startCli(build(out));
    second.child.stdin!.end();
    // Without a lock the second build completes its own swap here; with one it says it waits.
    await Promise.race([second.finished, second.stderrContains('waiting: another opta-charts build')]);
    first.child.stdin!.end();
    const [a, b] = await Promise.all([first.finished, second.finished]);
    expect([a.code, b.code, a.stderr]).toEqual([0, 0, 'test hold: swap:demo\n']);
    expect(b.stderr).toContain(`warning: waiting: another opta-charts build (pid ${first.child.pid}) is writing ${out}`);
    expect(leftovers(out)).toEqual([]);
    expect(readdirSync(join(out, 'demo')).sort()).toEqual(['Chart.yaml', 'README.md', 'files', 'templates', 'values.schema.json', 'values.yaml']);
  });

  it('eight builds at once all succeed and leave one intact output', async () => {
    const reference = tempDir();
    expect((await runCli(build(reference))).code).toBe(0);
    const out = tempDir();
    const results = await Promise.all(Array.from({ length: 8 }, () => runCli(build(out))));
    expect(results.map((r) => [r.code, r.stderr.replace(/^warning: waiting: .*\n/m, '')])).toEqual(Array(8).fill([0, '']));
    expect(leftovers(out)).toEqual([]);
    expect(await readTree(out)).toEqual(await readTree(reference));
  });

  it('a lock left by a process that no longer exists is taken over', async () => {
    const out = tempDir();
    const gone = startCli(['--version']);
    gone.child.stdin!.end();
    await gone.finished;
    writeFileSync(join(out, '.opta-charts.lock'), `${gone.child.pid}\n`);
    const r = await runCli(build(out));
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(leftovers(out)).toEqual([]);
  });
});

describe('build: a chart that fails', () => {
  it('loses its earlier archive and SHA256SUMS line, so publish does not push a stale archive', async () => {
    const project = buildableProject();
    const buildAll = () => runCli(['build', '--source', project], { cwd: project });
    expect((await buildAll()).code).toBe(0);
    const out = join(project, 'dist-charts');
    expect(readdirSync(out).filter((f) => f.endsWith('.tgz')).sort()).toEqual(['broken-1.0.0.tgz', 'demo-0.3.0.tgz']);

    const demoYaml = join(project, 'chart-templates/demo/Chart.yaml');
    writeFileSync(demoYaml, readFileSync(demoYaml, 'utf8').replace(/^version: .*$/m, 'version: 0.3'));
    const failed = await buildAll();
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`warning: demo failed: removed its earlier archive ${join(out, 'demo-0.3.0.tgz')}`);
    expect(readdirSync(out).filter((f) => f.endsWith('.tgz'))).toEqual(['broken-1.0.0.tgz']);
    expect(readFileSync(join(out, 'SHA256SUMS'), 'utf8')).toMatch(/^[0-9a-f]{64} {2}broken-1\.0\.0\.tgz\n$/);

    const publish = await runCli(['publish', '--to', 'oci://127.0.0.1:9/charts', '--dry-run', '--json'], { cwd: project });
    expect(publish.code).toBe(0);
    expect(JSON.parse(publish.stdout).charts.map((c: { reference: string }) => c.reference)).toEqual(['oci://127.0.0.1:9/charts/broken:1.0.0']);
  });
});

describe('build: a source file the build cannot read', () => {
  // Root reads a mode-000 file anyway, so the build runs as `nobody` when the tests run as root.
  const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

  it('chmod 000 on a template is a user error naming the file (exit 1), not an internal error', async () => {
    const project = tempDir();
    cpSync(fixture, project, { recursive: true });
    const out = join(project, 'out');
    chmodSync(project, 0o777);
    const template = join(project, 'chart-templates/demo/templates/configmap.yaml');
    chmodSync(template, 0o000);
    const r = await runCli(['build', '--source', project, '--chart', 'demo', '--out', out], asUser);
    expect(r.stderr).toContain(`error: demo: chart-templates/demo/templates/configmap.yaml: cannot read: permission denied`);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(1);
  });
});
