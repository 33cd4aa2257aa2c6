// `opta-charts lock` and `lock --update` through the CLI, against stand-ins served from a loopback chart repository.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../generator/cli.js';
import { parseUpstreamLock, serializeUpstreamLock, type DependencyRef, type LockEntry } from '../../generator/fetch/upstream-lock.js';
import { sha256Hex } from '../../generator/encoding/sha256.js';
import { memoryOutput } from '../support/memory-output.js';
import { packageRoot } from '../../generator/paths.js';
import { startChartRepo, unusedLoopbackUrl, type ChartRepoServer } from '../support/chart-repo-server.js';
import { standInArchive, standInCharts } from '../support/standin-charts.js';
import { catalogRefs, standInEntry, unpublishedEntry } from '../support/standin-lock.js';
import { tinyChart } from './tiny-charts.js';

// The catalog's dependencies (read from chart-templates/opta-base/stack.catalog.yaml), served as stand-ins.
let CATALOG: DependencyRef[];
const byName = (name: string) => CATALOG.find((c) => c.name === name)!;
const entryOf = (r: DependencyRef, archive = standInArchive(r.name, r.version)): LockEntry => standInEntry(r, archive);
/** What `lock --update` records for a digest read from the mirror's index.yaml. */
const mirroredEntry = (r: DependencyRef, archive = standInArchive(r.name, r.version)): LockEntry => ({
  ...r,
  digest: `sha256:${sha256Hex(archive)}`,
  published: true,
  source: `${server.url}/index.yaml (mirror of ${r.repository})`,
});

let server: ChartRepoServer;
let dir: string;
let source: string;
let cacheDir: string;
let lockFile: string;

beforeAll(async () => {
  CATALOG = await catalogRefs();
  server = await startChartRepo({ repos: { '': standInCharts().map((c) => ({ name: c.name, version: c.version, archive: standInArchive(c.name, c.version) })) } });
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  await rm(dir ?? '/nonexistent', { recursive: true, force: true });
  dir = await mkdtemp(join(tmpdir(), 'opta-lock-'));
  source = join(dir, 'src');
  cacheDir = join(dir, 'cache');
  for (const sub of ['chart-templates', 'schemas']) await cp(join(packageRoot, sub), join(source, sub), { recursive: true });
  lockFile = join(source, 'chart-templates', 'opta-base', 'upstream.lock.yaml');
  await rm(lockFile, { force: true });
  server.options.repos[''] = standInCharts().map((c) => ({ name: c.name, version: c.version, archive: standInArchive(c.name, c.version) }));
  server.fail = undefined;
  server.options.digests = true;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function lock(...args: string[]) {
  const output = memoryOutput();
  const env = { OPTA_CHARTS_MIRROR: `*=${server.url}` };
  const code = await main(['node', 'opta-charts', 'lock', '--source', source, '--cache-dir', cacheDir, ...args], { output, cwd: dir, env, stdin: process.stdin });
  return { code, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') };
}

describe('opta-charts lock --update', () => {
  it('writes the lock for every catalog dependency and lists each as added', async () => {
    const r = await lock('--update');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [`${lockFile}: updated`, ...CATALOG.map((c) => entryOf(c)).sort((a, b) => (a.name < b.name ? -1 : 1)).map((e) => `  added    ${e.name} ${e.version} (${e.repository}) ${e.digest}`)].join('\n'),
    );
    // published: the mirror's index.yaml states each digest, and the lock says where it was read
    expect(await readFile(lockFile, 'utf8')).toBe(serializeUpstreamLock(CATALOG.map((c) => mirroredEntry(c))));

    const again = await lock('--update');
    expect(again.stdout).toBe(`${lockFile}: unchanged (${CATALOG.length} dependencies)`);
  });

  it('shows changed (old -> new) and removed, and keeps the lock untouched when a repository fails', async () => {
    const stale: LockEntry = { name: 'old-chart', version: '1.0.0', repository: 'https://example.invalid/charts', digest: `sha256:${'0'.repeat(64)}`, published: true, source: 'test' };
    await writeFile(lockFile, serializeUpstreamLock([...CATALOG.map((c) => entryOf(c)), stale]));
    const datadog = byName('datadog');
    const newer = tinyChart(datadog.name, datadog.version, 'republished').archive;
    server.options.repos[''] = server.options.repos[''].map((c) => (c.name === 'datadog' ? { ...c, archive: newer } : c));

    server.fail = (path) => (path.includes('external-dns') ? 500 : undefined);
    const failed = await lock('--update');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('external-dns');
    expect(failed.stderr).toContain('HTTP 500');
    expect(parseUpstreamLock(await readFile(lockFile, 'utf8'), lockFile)).toContainEqual(stale);

    server.fail = undefined;
    const r = await lock('--update');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      `${lockFile}: updated`,
      `  changed  datadog 3.240.0 (https://helm.datadoghq.com) ${entryOf(datadog).digest} -> sha256:${sha256Hex(newer)}`,
      `  removed  old-chart 1.0.0 (https://example.invalid/charts) ${stale.digest}`,
    ]);
    expect(parseUpstreamLock(await readFile(lockFile, 'utf8'), lockFile)).toContainEqual(mirroredEntry(datadog, newer));
    // unchanged entries keep where their digest came from
    expect(parseUpstreamLock(await readFile(lockFile, 'utf8'), lockFile)).toContainEqual(entryOf(CATALOG[0]));
  });

  it('accepts a digest no repository publishes on purpose: shows it as such and keeps the reason', async () => {
    const crds = CATALOG.find((c) => c.name === 'linkerd-crds')!;
    await writeFile(lockFile, serializeUpstreamLock(CATALOG.map((c) => (c === crds ? unpublishedEntry(c) : entryOf(c)))));
    server.options.digests = false;
    const r = await lock('--update');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      `${lockFile}: updated`,
      `  changed  linkerd-crds 2026.8.3 (${crds.repository}) no digest -> ${entryOf(crds).digest} (not published upstream: accepted as downloaded)`,
    ]);
    expect(parseUpstreamLock(await readFile(lockFile, 'utf8'), lockFile)).toContainEqual({
      ...crds,
      digest: entryOf(crds).digest,
      published: false,
      source: 'first download, accepted with `opta-charts lock --update`',
      reason: 'test lock: no published digest',
    });
  });

  it('never rewrites the lock of an installed package (inside node_modules)', async () => {
    const installed = join(dir, 'node_modules', 'opta-charts');
    for (const sub of ['chart-templates', 'schemas']) await cp(join(source, sub), join(installed, sub), { recursive: true });
    const r = await main(['node', 'opta-charts', 'lock', '--update', '--source', installed, '--cache-dir', cacheDir], { output: memoryOutput(), cwd: dir, env: {}, stdin: process.stdin });
    expect(r).toBe(1);
    const out = memoryOutput();
    await main(['node', 'opta-charts', 'lock', '--update', '--source', installed], { output: out, cwd: dir, env: {}, stdin: process.stdin });
    expect(out.stderr.join('\n')).toContain(`error: lock --update: ${installed} is an installed package (inside node_modules); its lock is not rewritten`);
    await expect(readFile(join(installed, 'chart-templates', 'opta-base', 'upstream.lock.yaml'), 'utf8')).rejects.toThrow('ENOENT');
  });

  it('--offline re-resolves from the cache alone, or names what the cache lacks', async () => {
    const empty = await lock('--update', '--offline');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain(`--offline: ${CATALOG.length} chart archive(s) not in the cache`);
    await expect(readFile(lockFile, 'utf8')).rejects.toThrow('ENOENT');

    expect((await lock('--update')).code).toBe(0);
    const written = await readFile(lockFile, 'utf8');
    const before = server.requests.length;
    const r = await lock('--update', '--offline');
    expect(r.code).toBe(0);
    expect(server.requests.length).toBe(before);
    expect(r.stdout).toBe(`${lockFile}: unchanged (${CATALOG.length} dependencies)`);
    expect(await readFile(lockFile, 'utf8')).toBe(written);
  });
});

describe('opta-charts lock (check)', () => {
  it('passes when every archive matches, online and from the cache', async () => {
    expect((await lock('--update')).code).toBe(0);
    const r = await lock();
    expect(r).toMatchObject({ code: 0, stdout: `${lockFile}: ok, ${CATALOG.length} archives match their repositories` });
    const offline = await lock('--offline');
    expect(offline).toMatchObject({ code: 0, stdout: `${lockFile}: ok, ${CATALOG.length} archives match the cache ${cacheDir}` });
  });

  it('names the entries without a digest yet, and what a build then needs', async () => {
    const crds = CATALOG.find((c) => c.name === 'linkerd-crds')!;
    await writeFile(lockFile, serializeUpstreamLock(CATALOG.map((c) => (c === crds ? unpublishedEntry(c) : entryOf(c)))));
    const r = await lock();
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      `${lockFile}: ok, ${CATALOG.length - 1} archives match their repositories`,
      `  no digest yet: linkerd-crds 2026.8.3 (${crds.repository}) (test lock: no published digest); a build refuses it until \`opta-charts lock --update\` or --trust-unpublished-digests`,
    ]);
  });

  it('asks the repositories every time and lists every problem: changed archive, missing entry, stale entry', async () => {
    const entries = CATALOG.map((c) => entryOf(c)).filter((e) => e.name !== 'metrics-server');
    const stale: LockEntry = { name: 'old-chart', version: '1.0.0', repository: 'https://example.invalid/charts', digest: `sha256:${'0'.repeat(64)}`, published: true, source: 'test' };
    await writeFile(lockFile, serializeUpstreamLock([...entries, stale]));
    const ingress = byName('ingress-nginx');
    const other = tinyChart(ingress.name, ingress.version, 'changed upstream').archive;
    server.options.repos[''] = server.options.repos[''].map((c) => (c.name === 'ingress-nginx' ? { ...c, archive: other } : c));

    const before = server.archiveRequests().length;
    const r = await lock();
    expect(r.code).toBe(1);
    // metrics-server has no entry to verify: every other archive is downloaded
    expect(server.archiveRequests().length - before).toBe(CATALOG.length - 1);
    const lines = r.stderr.split('\n');
    expect(lines.slice(lines.findIndex((l) => l.startsWith('error:')))).toEqual([
      `error: ${lockFile}: 3 problem(s):`,
      `  - metrics-server 3.13.1 (https://kubernetes-sigs.github.io/metrics-server/): not in ${lockFile}`,
      `  - old-chart 1.0.0 (https://example.invalid/charts): in ${lockFile} but not in the catalog`,
      `  - ingress-nginx 4.15.1 (https://kubernetes.github.io/ingress-nginx): the repository serves sha256:${sha256Hex(other)}, the lock has ${entryOf(ingress).digest}`,
      'hint: if the catalog or the upstream archives changed on purpose, run `opta-charts lock --update` and review the changes it lists; ' +
        'if a repository is unreachable, use --mirror FROM=URL (or $OPTA_CHARTS_MIRROR), or --offline to check against the cache',
    ]);
    // a check never rewrites the lock
    expect(await readFile(lockFile, 'utf8')).toBe(serializeUpstreamLock([...entries, stale]));
  });

  it('--offline with an empty cache names each archive it cannot verify', async () => {
    await writeFile(lockFile, serializeUpstreamLock(CATALOG.map((c) => entryOf(c))));
    const r = await lock('--offline');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`  - datadog 3.240.0 (https://helm.datadoghq.com): --offline: archive ${entryOf(byName('datadog')).digest} is not in the cache ${cacheDir}`);
    expect(r.stderr.match(/is not in the cache/g)).toHaveLength(CATALOG.length);
  });

  it('an unreachable mirror is reported per chart', async () => {
    await writeFile(lockFile, serializeUpstreamLock(CATALOG.map((c) => entryOf(c))));
    const down = await unusedLoopbackUrl();
    const r = await lock('--mirror', `*=${down}`);
    expect(r.code).toBe(1);
    const problems = r.stderr.split('\n').filter((l) => l.startsWith('  - '));
    // one line per upstream repository behind the mirror (the Linkerd charts share one)
    expect(problems).toHaveLength(new Set(CATALOG.map((c) => c.repository)).size);
    expect(problems).toContain(`  - chart repository ${down} (mirror of https://helm.datadoghq.com) is unreachable: ${down}/index.yaml: connection refused by ${down.slice(7)} (gave up after 4 tries)`);
  });

  it('--help documents the command', async () => {
    const r = await lock('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--update');
    expect(r.stdout).toContain('--offline');
    expect(r.stdout).toContain('--mirror <from=to>');
  });
});
