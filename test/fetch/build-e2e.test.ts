// End to end: `opta-charts build` of a copy of the project, opta-base's dependencies served by a loopback chart
// repository through `--mirror '*=…'`: vendored byte for byte, lock recorded, cache reused, offline, unreachable.
import { cp, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../generator/cli.js';
import { parseUpstreamLock } from '../../generator/fetch/upstream-lock.js';
import { sha256Hex } from '../../generator/package/archive.js';
import { memoryOutput } from '../../generator/output.js';
import { packageRoot } from '../../generator/paths.js';
import { startChartRepo, unusedLoopbackUrl, type ChartRepoServer } from '../../generator/testing/chart-repo-server.js';
import { standInArchive, standInCharts } from '../../generator/testing/standin-charts.js';

let server: ChartRepoServer;
let dir: string;
let source: string;
let cacheDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opta-build-e2e-'));
  source = join(dir, 'src');
  cacheDir = join(dir, 'cache');
  for (const sub of ['chart-templates', 'schemas']) await cp(join(packageRoot, sub), join(source, sub), { recursive: true });
  await rm(join(source, 'chart-templates', 'opta-base', 'upstream.lock.yaml'), { force: true });
  server = await startChartRepo({
    repos: { '': standInCharts().map((c) => ({ name: c.name, version: c.version, archive: standInArchive(c.name, c.version) })) },
    urls: 'absolute',
  });
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function build(out: string, ...args: string[]) {
  const output = memoryOutput();
  const code = await main(['node', 'opta-charts', 'build', '--source', source, '--out', join(dir, out), '--cache-dir', cacheDir, ...args], {
    output,
    cwd: dir,
    env: {},
    stdin: process.stdin,
  });
  return { code, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') };
}

const vendored = async (out: string) => (await readdir(join(dir, out, 'opta-base', 'charts'))).sort();
const builtArchive = async (out: string) => {
  const name = (await readdir(join(dir, out))).find((f) => f.startsWith('opta-base-') && f.endsWith('.tgz'))!;
  return readFile(join(dir, out, name));
};

describe('opta-charts build with --mirror, the cache and the upstream lock', () => {
  it('vendors every upstream archive byte for byte and records the lock', async () => {
    const r = await build('out1', '--mirror', `*=${server.url}`);
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);

    const expected = standInCharts().map((c) => `${c.name}-${c.version}.tgz`).sort();
    expect(await vendored('out1')).toEqual(expected);
    for (const c of standInCharts()) {
      const bytes = await readFile(join(dir, 'out1', 'opta-base', 'charts', `${c.name}-${c.version}.tgz`));
      expect(bytes.equals(standInArchive(c.name, c.version))).toBe(true);
    }
    const lockFile = join(source, 'chart-templates', 'opta-base', 'upstream.lock.yaml');
    const lock = parseUpstreamLock(await readFile(lockFile, 'utf8'), lockFile);
    expect(lock.map((e) => `${e.name} ${e.digest}`).sort()).toEqual(
      standInCharts().map((c) => `${c.name} sha256:${sha256Hex(standInArchive(c.name, c.version))}`).sort(),
    );
    expect(lock.every((e) => !e.repository.includes('127.0.0.1'))).toBe(true);
    expect(r.stderr.match(/recorded new dependency/g)).toHaveLength(standInCharts().length);
    // The lock is a source file: it does not ship inside the chart.
    expect(existsSync(join(dir, 'out1', 'opta-base', 'upstream.lock.yaml'))).toBe(false);
  });

  it('a second build downloads nothing and produces the same archive', async () => {
    const before = server.requests.length;
    const r = await build('out2', '--mirror', `*=${server.url}`);
    expect(r.code).toBe(0);
    expect(server.requests.length).toBe(before);
    expect(r.stderr).not.toContain('recorded');
    expect((await builtArchive('out2')).equals(await builtArchive('out1'))).toBe(true);
  });

  it('--offline builds from the cache with no repository reachable', async () => {
    const r = await build('out3', '--offline', '--mirror', `*=${await unusedLoopbackUrl()}`);
    expect(r.code).toBe(0);
    expect((await builtArchive('out3')).equals(await builtArchive('out1'))).toBe(true);
  });

  it('an unreachable repository fails opta-base, names it, suggests --mirror/--offline, and still builds the other charts', async () => {
    const down = await unusedLoopbackUrl();
    const r = await build('out4', '--cache-dir', join(dir, 'empty-cache'), '--mirror', `*=${down}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: opta-base: `);
    expect(r.stderr).toContain(`chart repository ${down} (mirror of https://helm.datadoghq.com) is unreachable`);
    expect(r.stderr).toMatch(/hint: use --mirror \S+=URL .* or --offline to build from the cache/);
    const others = (await readdir(join(dir, 'out4'))).filter((f) => f.endsWith('.tgz'));
    expect(others.some((f) => f.startsWith('opta-service-'))).toBe(true);
    expect(others.some((f) => f.startsWith('opta-base-'))).toBe(false);
  });

  it('--offline with an empty cache names every missing chart', async () => {
    const r = await build('out5', '--offline', '--cache-dir', join(dir, 'empty-cache-2'));
    expect(r.code).toBe(1);
    for (const c of standInCharts()) expect(r.stderr).toContain(`${c.name} ${c.version} (`);
    expect(r.stderr).toContain(`--offline: ${standInCharts().length} chart archive(s) not in the cache`);
  });
});
