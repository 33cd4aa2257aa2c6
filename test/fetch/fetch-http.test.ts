// fetchDependencies against a real classic chart repository on loopback: resolution, cache, lock, mirrors, errors.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BuildOptions } from '../../generator/build/extension.js';
import { UserError } from '../../generator/errors.js';
import { fetchDependencies } from '../../generator/fetch/dependencies.js';
import { parseMirrors } from '../../generator/fetch/mirrors.js';
import { serializeUpstreamLock, type DependencyRef } from '../../generator/fetch/upstream-lock.js';
import { sha256Hex } from '../../generator/encoding/sha256.js';
import { memoryOutput } from '../support/memory-output.js';
import { failFirst, startChartRepo, unusedLoopbackUrl, type ChartRepoServer, type ServedChart } from '../support/chart-repo-server.js';
import { standInArchive } from '../support/standin-charts.js';
import { standInEntry, unpublishedEntry, writeLock } from '../support/standin-lock.js';
import { tinyChart } from './tiny-charts.js';

// Upstream coordinates (HELM-FACTS.md); the stand-ins have the same names and versions.
const LINKERD = 'https://helm.linkerd.io/edge';
const METRICS = 'https://kubernetes-sigs.github.io/metrics-server/';
const INGRESS = 'https://kubernetes.github.io/ingress-nginx';
const refs: DependencyRef[] = [
  { name: 'linkerd-crds', version: '2026.8.3', repository: LINKERD },
  { name: 'linkerd-control-plane', version: '2026.8.3', repository: LINKERD },
  { name: 'metrics-server', version: '3.13.1', repository: METRICS },
  { name: 'ingress-nginx', version: '4.15.1', repository: INGRESS },
];
const served = (r: DependencyRef): ServedChart => ({ name: r.name, version: r.version, archive: standInArchive(r.name, r.version) });
const digestOf = (r: DependencyRef) => `sha256:${sha256Hex(standInArchive(r.name, r.version))}`;

let dir: string;
let server: ChartRepoServer | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opta-fetch-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

const testLock = () => serializeUpstreamLock(refs.map((r) => standInEntry(r)));

/** Options with a fresh test lock listing every ref with its stand-in digest. */
function options(over: Partial<BuildOptions> = {}, extra: DependencyRef[] = []) {
  // `extra`: refs with no stand-in archive, listed so that the lookup itself is what fails.
  writeLock(join(dir, 'upstream.lock.yaml'), [...refs.map((r) => standInEntry(r)), ...extra.map((r) => standInEntry(r, Buffer.from(r.version)))]);
  return {
    offline: false,
    mirrors: [],
    cacheDir: join(dir, 'cache'),
    root: dir,
    env: {},
    lockFile: join(dir, 'upstream.lock.yaml'),
    ...over,
  };
}

/** All refs served from one repository at the server root, reached with `*=` like an Artifactory proxy. */
async function serveAll(urls: 'relative' | 'absolute' = 'relative') {
  server = await startChartRepo({ repos: { '': refs.map(served) }, urls });
  return options({ mirrors: parseMirrors([`*=${server.url}`], {}) });
}

async function expectUserError(p: Promise<unknown>): Promise<UserError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(UserError);
  return e as UserError;
}

describe('fetch from a classic HTTP chart repository', () => {
  for (const urls of ['relative', 'absolute'] as const) {
    it(`resolves every dependency byte for byte (${urls} URLs in index.yaml), verified by the lock, which it never writes`, async () => {
      const opts = await serveAll(urls);
      const out = memoryOutput();
      const got = await fetchDependencies(refs, opts, out);

      expect(got.map((g) => g.ref)).toEqual(refs);
      for (const g of got) {
        expect(g.archive.equals(standInArchive(g.ref.name, g.ref.version))).toBe(true);
        expect(g.sha256).toBe(sha256Hex(g.archive));
      }
      expect(server!.requests).toEqual([
        '/index.yaml',
        '/charts/linkerd-crds-2026.8.3.tgz',
        '/charts/linkerd-control-plane-2026.8.3.tgz',
        '/charts/metrics-server-3.13.1.tgz',
        '/charts/ingress-nginx-4.15.1.tgz',
      ]);
      expect(await readFile(opts.lockFile, 'utf8')).toBe(testLock());
      // progress on stderr while downloading
      expect(out.stderr).toContain(`downloading ingress-nginx 4.15.1 from ${server!.url}/charts/ingress-nginx-4.15.1.tgz`);
      expect(out.stdout).toEqual([]);
    });
  }

  it('without progress (stderr not a terminal) nothing is printed', async () => {
    const opts = await serveAll();
    const out = { ...memoryOutput(), progress: false };
    const lines: string[] = [];
    out.err = (l) => lines.push(l);
    await fetchDependencies(refs.slice(0, 1), opts, out);
    expect(lines).toEqual([]);
  });

  it('a second fetch makes no request at all and reports nothing new', async () => {
    const opts = await serveAll();
    await fetchDependencies(refs, opts, memoryOutput());
    const before = server!.requests.length;
    const lockBefore = await readFile(opts.lockFile, 'utf8');

    const out = memoryOutput();
    const again = await fetchDependencies(refs, opts, out);
    expect(server!.requests.length).toBe(before);
    expect(again.map((g) => g.archive.equals(standInArchive(g.ref.name, g.ref.version)))).toEqual([true, true, true, true]);
    expect(out.stderr).toEqual([]);
    expect(await readFile(opts.lockFile, 'utf8')).toBe(lockBefore);
  });

  it('downloads an archive already in the lock once into an empty cache, then never again', async () => {
    const opts = await serveAll();
    const out = memoryOutput();
    await fetchDependencies(refs, opts, out);
    expect(server!.archiveRequests()).toHaveLength(4);
    expect(out.stderr.some((l) => l.includes('recorded'))).toBe(false);
    await fetchDependencies(refs, opts, memoryOutput());
    expect(server!.archiveRequests()).toHaveLength(4);
  });

  it('follows redirects for archives and sends credentials given in the mirror URL (never printing them)', async () => {
    server = await startChartRepo({ repos: { secure: refs.slice(2).map(served) }, redirectArchives: true });
    const withCreds = server.repoUrl('secure').replace('http://', 'http://robot:s3cret@');
    const out = memoryOutput();
    const got = await fetchDependencies(refs.slice(2), options({ mirrors: parseMirrors([`*=${withCreds}`], {}) }), out);
    expect(got.map((g) => g.archive.equals(standInArchive(g.ref.name, g.ref.version)))).toEqual([true, true]);
    expect(server.requests).toEqual([
      '/secure/index.yaml',
      '/secure/charts/metrics-server-3.13.1.tgz',
      '/blobs/secure/charts/metrics-server-3.13.1.tgz',
      '/secure/charts/ingress-nginx-4.15.1.tgz',
      '/blobs/secure/charts/ingress-nginx-4.15.1.tgz',
    ]);
    expect(server.authorizations[0]).toBe(`Basic ${Buffer.from('robot:s3cret').toString('base64')}`);
    expect(out.stderr.join('\n')).not.toContain('s3cret');
    expect(out.stderr).toContain(`downloading ingress-nginx 4.15.1 from http://***@${server.url.slice(7)}/secure/charts/ingress-nginx-4.15.1.tgz`);

    server.fail = () => 401;
    const e = await expectUserError(fetchDependencies([refs[0]], options({ mirrors: parseMirrors([`*=${withCreds}`], {}) }), memoryOutput()));
    expect(e.message).toBe(
      `chart repository http://***@${server.url.slice(7)}/secure (mirror of ${LINKERD}): GET http://***@${server.url.slice(7)}/secure/index.yaml: HTTP 401 (access denied)`,
    );
  });
});

describe('digests', () => {
  it('rejects an archive whose sha256 differs from the lock, naming chart, expected and actual digest', async () => {
    const opts = await serveAll();
    const ingress = refs[3];
    const other = tinyChart(ingress.name, ingress.version, 'tampered').archive;
    server!.options.repos[''] = [...refs.slice(0, 3).map(served), { ...served(ingress), archive: other }];
    const lockBefore = await readFile(opts.lockFile, 'utf8');

    const e = await expectUserError(fetchDependencies(refs, opts, memoryOutput()));
    expect(e.message).toBe(
      `chart ingress-nginx 4.15.1 (${INGRESS}): archive sha256 does not match ${opts.lockFile}: ` +
        `expected ${digestOf(ingress)}, got sha256:${sha256Hex(other)}`,
    );
    expect(e.hint).toContain('opta-charts lock --update');
    // the lock is never written
    expect(await readFile(opts.lockFile, 'utf8')).toBe(lockBefore);
  });

  it("rejects an archive that does not match the digest the repository's index.yaml states", async () => {
    const opts = await serveAll();
    server!.indexDigestOverride = (name) => (name === 'metrics-server' ? 'f'.repeat(64) : undefined);
    const e = await expectUserError(fetchDependencies([refs[2]], opts, memoryOutput()));
    expect(e.message).toBe(
      `chart metrics-server 3.13.1 (${METRICS}): ${server!.url}/charts/metrics-server-3.13.1.tgz does not match the digest in ` +
        `${server!.url}/index.yaml: expected sha256:${'f'.repeat(64)}, got ${digestOf(refs[2])}`,
    );
  });

  it('index.yaml without digests is fine (the lock still verifies)', async () => {
    server = await startChartRepo({ repos: { '': refs.map(served) }, digests: false });
    const got = await fetchDependencies(refs, options({ mirrors: parseMirrors([`*=${server.url}`], {}) }), memoryOutput());
    expect(got).toHaveLength(4);
  });
});

describe('offline', () => {
  it('builds from the cache without any server', async () => {
    const opts = await serveAll();
    await fetchDependencies(refs, opts, memoryOutput());
    await server!.close();
    server = undefined;

    const got = await fetchDependencies(refs, { ...opts, offline: true, mirrors: [] }, memoryOutput());
    expect(got.map((g) => g.archive.equals(standInArchive(g.ref.name, g.ref.version)))).toEqual([true, true, true, true]);
  });

  it('with an empty cache fails naming every missing chart, and touches no network', async () => {
    const opts = options({ offline: true, mirrors: parseMirrors([`*=${await unusedLoopbackUrl()}`], {}) });
    const e = await expectUserError(fetchDependencies(refs, opts, memoryOutput()));
    expect(e.message).toBe(
      `--offline: 4 chart archive(s) not in the cache ${opts.cacheDir}: ` +
        `linkerd-crds 2026.8.3 (${LINKERD}), linkerd-control-plane 2026.8.3 (${LINKERD}), ` +
        `metrics-server 3.13.1 (${METRICS}), ingress-nginx 4.15.1 (${INGRESS})`,
    );
    expect(e.hint).toContain('without --offline');
  });

  it('checks the lock offline too: a cached archive with another digest is a mismatch, not a miss', async () => {
    const opts = await serveAll();
    await fetchDependencies([refs[0]], opts, memoryOutput());
    const wrong = `sha256:${'e'.repeat(64)}`;
    await writeFile(opts.lockFile, serializeUpstreamLock([{ ...standInEntry(refs[0]), digest: wrong }]));
    const e = await expectUserError(fetchDependencies([refs[0]], { ...opts, offline: true }, memoryOutput()));
    expect(e.message).toBe(`chart linkerd-crds 2026.8.3 (${LINKERD}): archive sha256 does not match ${opts.lockFile}: expected ${wrong}, got ${digestOf(refs[0])}`);
  });

  it('names only the charts that are missing, and ignores a damaged cache file', async () => {
    const opts = await serveAll();
    await fetchDependencies(refs.slice(0, 2), opts, memoryOutput());
    const blob = join(opts.cacheDir, 'archives', 'sha256', `${digestOf(refs[1]).slice(7)}.tgz`);
    await writeFile(blob, 'damaged');
    const e = await expectUserError(fetchDependencies(refs, { ...opts, offline: true }, memoryOutput()));
    expect(e.message).toContain(': linkerd-control-plane 2026.8.3');
    expect(e.message).not.toContain('linkerd-crds');
    expect(e.message).toContain(`metrics-server 3.13.1 (${METRICS}), ingress-nginx 4.15.1 (${INGRESS})`);
  });
});

describe('mirrors', () => {
  it('maps each upstream repository to its own mirror (--mirror flags) and the rest through * from the environment', async () => {
    server = await startChartRepo({
      repos: { 'proxy/linkerd': refs.slice(0, 2).map(served), 'proxy/all': refs.slice(2).map(served) },
      urls: 'absolute',
    });
    const mirrors = parseMirrors([`${LINKERD}=${server.repoUrl('proxy/linkerd')}`], { OPTA_CHARTS_MIRROR: `*=${server.repoUrl('proxy/all')}` });
    const got = await fetchDependencies(refs, options({ mirrors }), memoryOutput());
    expect(got).toHaveLength(4);
    expect(server.requests).toEqual([
      '/proxy/linkerd/index.yaml',
      '/proxy/linkerd/charts/linkerd-crds-2026.8.3.tgz',
      '/proxy/linkerd/charts/linkerd-control-plane-2026.8.3.tgz',
      '/proxy/all/index.yaml',
      '/proxy/all/charts/metrics-server-3.13.1.tgz',
      '/proxy/all/charts/ingress-nginx-4.15.1.tgz',
    ]);
    // The lock keeps the upstream repositories, not the mirrors.
    expect(await readFile(join(dir, 'upstream.lock.yaml'), 'utf8')).not.toContain('127.0.0.1');
  });

  it('a specific rule from the environment applies too', async () => {
    server = await startChartRepo({ repos: { m: [served(refs[2])] } });
    const mirrors = parseMirrors([], { OPTA_CHARTS_MIRROR: `${METRICS}=${server.repoUrl('m')}` });
    await fetchDependencies([refs[2]], options({ mirrors }), memoryOutput());
    expect(server.requests).toEqual(['/m/index.yaml', '/m/charts/metrics-server-3.13.1.tgz']);
  });
});

describe('transient failures are retried', () => {
  it('a 503, a dropped connection and a truncated archive each succeed on the next try, byte for byte', async () => {
    const opts = await serveAll();
    const faults = [
      failFirst(1, (p) => p === '/index.yaml', 503),
      failFirst(1, (p) => p.includes('metrics-server'), 'reset'),
      failFirst(1, (p) => p.includes('ingress-nginx'), 'truncate'),
    ];
    server!.fail = (path) => faults.map((f) => f(path)).find((f) => f !== undefined);
    const out = memoryOutput();
    const got = await fetchDependencies(refs, opts, out);

    expect(got.map((g) => g.archive.equals(standInArchive(g.ref.name, g.ref.version)))).toEqual([true, true, true, true]);
    expect(server!.requests).toEqual([
      '/index.yaml',
      '/index.yaml',
      '/charts/linkerd-crds-2026.8.3.tgz',
      '/charts/linkerd-control-plane-2026.8.3.tgz',
      '/charts/metrics-server-3.13.1.tgz',
      '/charts/metrics-server-3.13.1.tgz',
      '/charts/ingress-nginx-4.15.1.tgz',
      '/charts/ingress-nginx-4.15.1.tgz',
    ]);
    const host = server!.url.slice(7);
    const retries = out.stderr.filter((l) => l.includes('retrying')).map((l) => l.replace(/retrying in \d+\.\ds/, 'retrying in Ns'));
    const size = standInArchive('ingress-nginx', '4.15.1').length;
    expect(retries).toEqual([
      `  retrying in Ns (try 2): HTTP 503 (server error) (${server!.url}/index.yaml)`,
      `  metrics-server 3.13.1: retrying in Ns (try 2): connection to ${host} was reset (${server!.url}/charts/metrics-server-3.13.1.tgz)`,
      `  ingress-nginx 4.15.1: retrying in Ns (try 2): connection to ${host} closed after ${Math.floor(size / 2)} of ${size} bytes (${server!.url}/charts/ingress-nginx-4.15.1.tgz)`,
    ]);
    // what was retried into success is recorded like any other download
    expect(await readFile(opts.lockFile, 'utf8')).toBe(testLock());
  });

  it('a 429 waits at least its Retry-After, and the retry line hides credentials in the mirror URL', async () => {
    server = await startChartRepo({ repos: { m: [served(refs[2])] } });
    server.fail = failFirst(1, (p) => p.endsWith('.tgz'), { status: 429, retryAfterSeconds: 1 });
    const withCreds = server.repoUrl('m').replace('http://', 'http://robot:s3cret@');
    const out = memoryOutput();
    const [got] = await fetchDependencies([refs[2]], options({ mirrors: parseMirrors([`*=${withCreds}`], {}) }), out);

    expect(got.archive.equals(standInArchive(refs[2].name, refs[2].version))).toBe(true);
    expect(server.archiveRequests()).toEqual(['/m/charts/metrics-server-3.13.1.tgz', '/m/charts/metrics-server-3.13.1.tgz']);
    expect(server.authorizations.every((a) => a === `Basic ${Buffer.from('robot:s3cret').toString('base64')}`)).toBe(true);
    expect(out.stderr).toContain(
      `  metrics-server 3.13.1: retrying in 1.0s (try 2): HTTP 429 (too many requests) (http://***@${server.url.slice(7)}/m/charts/metrics-server-3.13.1.tgz)`,
    );
    expect(out.stderr.join('\n')).not.toContain('s3cret');
  });
});

describe('failures', () => {
  it('an unreachable repository is named, with --mirror and --offline suggested', async () => {
    const down = await unusedLoopbackUrl();
    const ref = { name: 'datadog', version: '3.240.0', repository: down };
    const e = await expectUserError(fetchDependencies([ref], options({}, [ref]), memoryOutput()));
    expect(e.message).toBe(`chart repository ${down} is unreachable: ${down}/index.yaml: connection refused by ${down.slice(7)} (gave up after 4 tries)`);
    expect(e.hint).toBe(
      `use --mirror ${down}=URL (or --mirror '*=URL', also settable as $OPTA_CHARTS_MIRROR) to fetch from a reachable copy, ` +
        `or --offline to build from the cache (${join(dir, 'cache')})`,
    );
  });

  it('an unreachable mirror names the mirror and the upstream repository', async () => {
    const down = await unusedLoopbackUrl();
    const e = await expectUserError(fetchDependencies([refs[3]], options({ mirrors: parseMirrors([`*=${down}`], {}) }), memoryOutput()));
    expect(e.message).toContain(`chart repository ${down} (mirror of ${INGRESS}) is unreachable`);
    expect(e.hint).toContain(`--mirror ${INGRESS}=URL`);
  });

  it('a version that does not exist names chart, version, repository and the versions that do', async () => {
    server = await startChartRepo({ repos: { '': [served(refs[3]), tinyChart('ingress-nginx', '4.14.0')] } });
    const ref = { ...refs[3], version: '4.99.0' };
    const e = await expectUserError(fetchDependencies([ref], options({ mirrors: parseMirrors([`*=${server.url}`], {}) }, [ref]), memoryOutput()));
    expect(e.message).toBe(
      `chart ingress-nginx 4.99.0: repository ${server.url} (mirror of ${INGRESS}) has no version 4.99.0 of ingress-nginx (versions: 4.15.1, 4.14.0)`,
    );
  });

  it('a download that keeps failing and a connection that keeps breaking are reported per chart, all in one error', async () => {
    const opts = await serveAll();
    server!.fail = (path) => (path.includes('metrics-server') ? 503 : path.includes('ingress-nginx') ? 'reset' : undefined);
    const e = await expectUserError(fetchDependencies(refs, opts, memoryOutput()));
    const lines = e.message.split('\n');
    expect(lines[0]).toBe('2 problems fetching upstream charts:');
    expect(lines[1]).toBe(
      `  - chart metrics-server 3.13.1 (${METRICS}): download from ${server!.url} (mirror of ${METRICS}): GET ${server!.url}/charts/metrics-server-3.13.1.tgz: HTTP 503 (server error) (gave up after 4 tries)`,
    );
    expect(lines[2]).toBe(
      `  - chart ingress-nginx 4.15.1 (${INGRESS}): download from ${server!.url} (mirror of ${INGRESS}) is unreachable: ` +
        `${server!.url}/charts/ingress-nginx-4.15.1.tgz: connection to ${server!.url.slice(7)} was reset (gave up after 4 tries)`,
    );
    expect(server!.archiveRequests().filter((p) => p.includes('metrics-server'))).toHaveLength(4);
    // one hint for both repositories
    expect(e.hint).toBe(
      `use --mirror FROM=URL for each of ${METRICS}, ${INGRESS} (or --mirror '*=URL', also settable as $OPTA_CHARTS_MIRROR) ` +
        `to fetch from a reachable copy, or --offline to build from the cache (${opts.cacheDir})`,
    );
    // the charts that worked are cached; the lock is never written
    expect(await readFile(opts.lockFile, 'utf8')).toBe(testLock());
  });

  it('an index.yaml that is not found reports HTTP 404 for the repository, without retrying', async () => {
    server = await startChartRepo({ repos: { good: [] } });
    const e = await expectUserError(fetchDependencies([refs[2]], options({ mirrors: parseMirrors([`*=${server.repoUrl('bad')}`], {}) }), memoryOutput()));
    expect(e.message).toBe(`chart repository ${server.url}/bad (mirror of ${METRICS}): GET ${server.url}/bad/index.yaml: HTTP 404 (not found)`);
    expect(server.requests).toEqual(['/bad/index.yaml']);
  });
});

describe('the lock decides what is trusted (build never writes it)', () => {
  it('a dependency missing from the lock fails naming it and the command that accepts it, before any download', async () => {
    const opts = await serveAll();
    await writeFile(opts.lockFile, serializeUpstreamLock(refs.slice(1).map((r) => standInEntry(r))));
    const lockBefore = await readFile(opts.lockFile, 'utf8');
    const e = await expectUserError(fetchDependencies(refs, opts, memoryOutput()));
    expect(e.message).toBe(`chart linkerd-crds 2026.8.3 (${LINKERD}): not in ${opts.lockFile}`);
    expect(e.hint).toContain('`opta-charts lock --update`');
    expect(server!.archiveRequests().map((r) => r.split('/').pop())).not.toContain('linkerd-crds-2026.8.3.tgz');
    expect(await readFile(opts.lockFile, 'utf8')).toBe(lockBefore);
  });

  it('an entry without a published digest is refused unless trusted on purpose; trusting records nothing and says so', async () => {
    const opts = await serveAll();
    await writeFile(opts.lockFile, serializeUpstreamLock([unpublishedEntry(refs[0]), ...refs.slice(1).map((r) => standInEntry(r))]));
    const lockBefore = await readFile(opts.lockFile, 'utf8');

    const e = await expectUserError(fetchDependencies(refs, opts, memoryOutput()));
    expect(e.message).toBe(
      `chart linkerd-crds 2026.8.3 (${LINKERD}): ${opts.lockFile} has no digest for it (the repository publishes none: test lock: no published digest); a first download is not trusted`,
    );
    expect(e.hint).toContain('`opta-charts lock --update` records its sha256');
    expect(e.hint).toContain('--trust-unpublished-digests (this build only; nothing is recorded)');
    expect(server!.archiveRequests().map((r) => r.split('/').pop())).not.toContain('linkerd-crds-2026.8.3.tgz');

    const out = memoryOutput();
    const got = await fetchDependencies(refs, { ...opts, trustUnpublishedDigests: true }, out);
    expect(got[0].archive.equals(standInArchive('linkerd-crds', '2026.8.3'))).toBe(true);
    expect(out.stderr.filter((l) => l.startsWith('warning:'))).toEqual([
      `warning: --trust-unpublished-digests: using linkerd-crds 2026.8.3 (${LINKERD}) ${digestOf(refs[0])} unverified; nothing recorded (pin it with \`opta-charts lock --update\`)`,
    ]);
    expect(await readFile(opts.lockFile, 'utf8')).toBe(lockBefore);
  });
});
