// End to end: `opta-charts build` of a copy of the project (with a test lock of the stand-ins' digests), opta-base's
// dependencies served by a loopback chart repository through `--mirror '*=…'`: vendored byte for byte, verified
// against the lock (never written), cache reused, offline, unreachable, missing/unpublished/tampered entries.
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../generator/cli.js';
import { parseUpstreamLock, serializeUpstreamLock, type LockEntry } from '../../generator/fetch/upstream-lock.js';
import { sha256Hex } from '../../generator/encoding/sha256.js';
import { memoryOutput } from '../support/memory-output.js';
import { packageRoot } from '../../generator/paths.js';
import { startChartRepo, unusedLoopbackUrl, type ChartRepoServer } from '../support/chart-repo-server.js';
import { standInArchive, standInCharts } from '../support/standin-charts.js';
import { catalogRefs, standInEntry, unpublishedEntry, writeStandInProjectLock } from '../support/standin-lock.js';
import { tinyChart } from './tiny-charts.js';

let server: ChartRepoServer;
let dir: string;
let source: string;
let cacheDir: string;
let lockFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opta-build-e2e-'));
  source = join(dir, 'src');
  cacheDir = join(dir, 'cache');
  for (const sub of ['chart-templates', 'schemas']) await cp(join(packageRoot, sub), join(source, sub), { recursive: true });
  lockFile = await writeStandInProjectLock(source);
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
  it('vendors every upstream archive byte for byte, verified against the lock, which it never writes', async () => {
    const lockBefore = await readFile(lockFile, 'utf8');
    const r = await build('out1', '--mirror', `*=${server.url}`);
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);

    const expected = standInCharts().map((c) => `${c.name}-${c.version}.tgz`).sort();
    expect(await vendored('out1')).toEqual(expected);
    for (const c of standInCharts()) {
      const bytes = await readFile(join(dir, 'out1', 'opta-base', 'charts', `${c.name}-${c.version}.tgz`));
      expect(bytes.equals(standInArchive(c.name, c.version))).toBe(true);
    }
    expect(await readFile(lockFile, 'utf8')).toBe(lockBefore);
    // The lock is a source file: it does not ship inside the chart.
    expect(existsSync(join(dir, 'out1', 'opta-base', 'upstream.lock.yaml'))).toBe(false);
  });

  it('a second build downloads nothing and produces the same archive', async () => {
    const before = server.requests.length;
    const r = await build('out2', '--mirror', `*=${server.url}`);
    expect(r.code).toBe(0);
    expect(server.requests.length).toBe(before);
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

describe('build trusts only what the lock pins', () => {
  const withLock = async (entries: LockEntry[], run: () => Promise<void>) => {
    const before = await readFile(lockFile, 'utf8');
    await writeFile(lockFile, serializeUpstreamLock(entries));
    try {
      await run();
    } finally {
      await writeFile(lockFile, before);
    }
  };

  it('a dependency missing from the lock fails opta-base naming it and `opta-charts lock --update`; the lock is untouched', async () => {
    const refs = await catalogRefs();
    const entries = refs.filter((r) => r.name !== 'external-dns').map((r) => standInEntry(r));
    await withLock(entries, async () => {
      const r = await build('out-missing', '--mirror', `*=${server.url}`, '--cache-dir', join(dir, 'cache-missing'));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`error: opta-base: chart external-dns 1.21.1 (https://kubernetes-sigs.github.io/external-dns/): not in ${lockFile}`);
      expect(r.stderr).toContain('hint: accept it with `opta-charts lock --update`');
      expect(await readFile(lockFile, 'utf8')).toBe(serializeUpstreamLock(entries));
      expect((await readdir(join(dir, 'out-missing'))).filter((f) => f.endsWith('.tgz')).map((f) => f.replace(/-[\d.]+\.tgz$/, ''))).toEqual(['opta-service']);
    });
  });

  it('a tampered archive fails with the expected and the actual digest', async () => {
    const refs = await catalogRefs();
    const ingress = refs.find((r) => r.name === 'ingress-nginx')!;
    const tampered = tinyChart(ingress.name, ingress.version, 'tampered').archive;
    const tamperedServer = await startChartRepo({
      repos: { '': standInCharts().map((c) => ({ name: c.name, version: c.version, archive: c.name === 'ingress-nginx' ? tampered : standInArchive(c.name, c.version) })) },
    });
    try {
      const r = await build('out-tampered', '--mirror', `*=${tamperedServer.url}`, '--cache-dir', join(dir, 'cache-tampered'));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `chart ingress-nginx 4.15.1 (${ingress.repository}): archive sha256 does not match ${lockFile}: expected ${standInEntry(ingress).digest}, got sha256:${sha256Hex(tampered)}`,
      );
    } finally {
      await tamperedServer.close();
    }
  });

  it('an entry without a digest is refused; --trust-unpublished-digests builds it for this run and records nothing', async () => {
    const refs = await catalogRefs();
    const entries = refs.map((r) => (r.name.startsWith('linkerd-') ? unpublishedEntry(r) : standInEntry(r)));
    await withLock(entries, async () => {
      const refused = await build('out-unpub', '--mirror', `*=${server.url}`);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`chart linkerd-crds 2026.8.3 (https://helm.linkerd.io/edge): ${lockFile} has no digest for it`);
      expect(refused.stderr).toContain(`chart linkerd-control-plane 2026.8.3 (https://helm.linkerd.io/edge): ${lockFile} has no digest for it`);

      const trusted = await build('out-trusted', '--mirror', `*=${server.url}`, '--trust-unpublished-digests');
      expect(trusted.code).toBe(0);
      expect(trusted.stderr.match(/warning: --trust-unpublished-digests: using linkerd-\S+ 2026\.8\.3/g)).toHaveLength(2);
      expect((await builtArchive('out-trusted')).equals(await builtArchive('out1'))).toBe(true);
      expect(await readFile(lockFile, 'utf8')).toBe(serializeUpstreamLock(entries));
    });
  });

  it("the README's `npx opta-charts build` with the project's own lock and no route upstream: opta-service built, each chart without a digest and each unreachable repository named, exit 1", async () => {
    const projectLockFile = join(packageRoot, 'chart-templates', 'opta-base', 'upstream.lock.yaml');
    const projectLock = parseUpstreamLock(await readFile(projectLockFile, 'utf8'), projectLockFile);
    await withLock(projectLock, async () => {
      const down = await unusedLoopbackUrl();
      const r = await build('out-readme', '--cache-dir', join(dir, 'cache-readme'), '--mirror', `*=${down}`);
      expect(r.code).toBe(1);
      for (const e of projectLock.filter((x) => x.digest === null)) expect(r.stderr).toContain(`chart ${e.name} ${e.version} (${e.repository}): ${lockFile} has no digest for it`);
      for (const repo of new Set(projectLock.filter((x) => x.digest !== null).map((x) => x.repository))) {
        expect(r.stderr).toContain(`chart repository ${down} (mirror of ${repo}) is unreachable`);
      }
      expect(r.stderr).toContain('error: 1 of 2 chart(s) failed to build: opta-base');
      expect((await readdir(join(dir, 'out-readme'))).filter((f) => f.endsWith('.tgz')).map((f) => f.replace(/-[\d.]+\.tgz$/, ''))).toEqual(['opta-service']);
    });
  });

  it('--out inside the chart sources is refused', async () => {
    const r = await build(join('src', 'chart-templates', 'x'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`--out ${join(source, 'chart-templates', 'x')}: inside the chart sources (${source}); build writes there never`);
    expect(existsSync(join(source, 'chart-templates', 'x'))).toBe(false);
  });
});
