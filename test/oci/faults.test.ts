// Reliability against a real registry behind a fault-injecting proxy, and clear failures when it cannot work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadArtifacts, pushArtifact } from '../../generator/publish/publish.js';
import type { FaultProxy } from '../support/fault-proxy.js';
import { freePort, startRegistry, type TestRegistry } from '../support/registry.js';
import { archiveDir, proxiedRegistry, pullFrom, runCli, testSession, type ProxiedRegistry } from './fixtures.js';

const cli = (args: string[], cwd: string) => runCli(args, { cwd });

const isBlobUpload = ({ method, path }: { method: string; path: string }) => method === 'PUT' && path.includes('/blobs/uploads/');

describe('publishing through a faulty connection', () => {
  let reg: TestRegistry;
  let proxy: FaultProxy;
  let charts: ProxiedRegistry['charts'];
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ reg, proxy, charts, stop } = await proxiedRegistry([
      { name: 'gamma', version: '2.0.0' },
      { name: 'delta', version: '0.1.0' },
    ]));
  });
  afterAll(() => stop?.());

  it('retries a dropped upload, a 500 and a 429 (honouring Retry-After), and the result is intact', async () => {
    proxy.clear();
    proxy.inject({ match: isBlobUpload, action: 'drop', dropAfterBytes: 100 });
    proxy.inject({ match: (r) => r.method === 'GET' && r.path.includes('/manifests/'), action: { status: 500 } });
    proxy.inject({ match: (r) => r.method === 'PUT' && r.path.includes('/manifests/'), action: { status: 429, retryAfterSeconds: 1 } });
    const r = await cli(['publish', '--to', `${proxy.url}/charts`, '--plain-http', '--json', ...charts.paths], charts.dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).charts.map((c: { status: string }) => c.status)).toEqual(['pushed', 'pushed']);
    expect(proxy.requests.map((q) => q.outcome).filter((o) => o !== 'forward')).toEqual(['500', 'drop', '429']);
    // The broken upload started over with a fresh session (a second POST), and the manifest PUT was retried.
    expect(proxy.requests.filter((q) => q.method === 'POST').length).toBeGreaterThan(proxy.requests.filter((q) => isBlobUpload(q) && q.outcome === 'forward').length - 1);
    // Charts are pushed concurrently: the 429 hits whichever manifest PUT comes first.
    expect(r.stderr).toMatch(/retrying in 1\.0s \(try 2\): PUT manifest (2\.0\.0|0\.1\.0): HTTP 429/);
    for (const [i, name] of ['gamma', 'delta'].entries()) {
      const pulled = await pullFrom(`${reg.url}/charts/${name}`, i === 0 ? '2.0.0' : '0.1.0');
      expect(pulled.archive.equals(charts.bytes[i])).toBe(true);
    }
  });

  it("a refusal (403) and a registry that keeps failing (503): exit 1 naming registry, repository, status and the registry's message", async () => {
    proxy.clear();
    const one = archiveDir([{ name: 'eta', version: '1.0.0' }]);
    try {
      proxy.inject({ match: (r) => r.method === 'PUT' && r.path.includes('/manifests/'), action: { status: 403 } });
      const denied = await cli(['publish', '--to', `${proxy.url}/charts`, '--plain-http', one.paths[0]], one.dir);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toContain(`error: registry ${proxy.host}: repository charts/eta: PUT manifest 1.0.0: HTTP 403: UNKNOWN: injected 403\nhint: the account has no permission for this repository`);
      proxy.inject({ match: (r) => r.method === 'PUT' && r.path.includes('/manifests/'), action: { status: 503 }, times: 1000 });
      const down = await cli(['publish', '--to', `${proxy.url}/charts`, '--plain-http', '--timeout', '2', one.paths[0]], one.dir);
      expect(down.code).toBe(1);
      expect(down.stderr).toMatch(new RegExp(`error: registry ${proxy.host}: repository charts/eta: PUT manifest 1\\.0\\.0: HTTP 503: UNKNOWN: injected 503 \\(gave up`));
    } finally {
      one.cleanup();
    }
  });

  it('never tags an incomplete artifact when uploads keep failing', async () => {
    proxy.clear();
    const broken = archiveDir([{ name: 'epsilon', version: '1.0.0' }]);
    try {
      proxy.inject({ match: isBlobUpload, action: 'drop', dropAfterBytes: 10, times: 1000 });
      const [item] = await loadArtifacts(broken.paths);
      const oci = await testSession({ retry: { attempts: 3, baseDelayMs: 20 } });
      await expect(pushArtifact(await oci.repository({ registry: proxy.host, repository: 'charts/epsilon' }, { actions: 'pull,push' }), item.artifact, false)).rejects.toThrow(
        new RegExp(`registry ${proxy.host}: repository charts/epsilon: upload blob sha256:[0-9a-f]+: .*gave up after 3 tries`),
      );
      oci.close();
      expect(proxy.requests.some((q) => q.method === 'PUT' && q.path.includes('/manifests/'))).toBe(false);
      const direct = await testSession();
      const epsilon = await direct.repository({ registry: reg.host, repository: 'charts/epsilon' });
      expect(await epsilon.manifestDigest('1.0.0')).toBeUndefined();
      expect(await epsilon.listTags()).toEqual([]);
      direct.close();
    } finally {
      broken.cleanup();
    }
  });
});

describe('clear failures', () => {
  let charts: ReturnType<typeof archiveDir>;
  beforeAll(() => {
    charts = archiveDir([{ name: 'zeta', version: '1.0.0' }]);
  });
  afterAll(() => charts.cleanup());

  it('a registry that is down: exit 1 naming the registry, within --timeout', async () => {
    const port = await freePort();
    const started = Date.now();
    const r = await cli(['publish', '--to', `oci://127.0.0.1:${port}/charts`, '--plain-http', '--timeout', '3', charts.paths[0]], charts.dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`error: registry 127\\.0\\.0\\.1:${port}: repository charts/zeta: GET manifest 1\\.0\\.0: connection refused by 127\\.0\\.0\\.1:${port} .*gave up`));
    expect(Date.now() - started).toBeLessThan(3000 + 1000);
  });

  it('an unknown host: exit 1 at once, no retries', async () => {
    const r = await cli(['publish', '--to', 'oci://no-such-registry.invalid/charts', charts.paths[0]], charts.dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: registry no-such-registry.invalid: repository charts/zeta: GET manifest 1.0.0: unknown host no-such-registry.invalid');
    expect(r.stderr).not.toContain('retrying');
  });

  it('TLS is verified by default: a plain-HTTP registry without --plain-http fails clearly', async () => {
    const reg = await startRegistry();
    try {
      const r = await cli(['publish', '--to', `${reg.url}/charts`, '--timeout', '3', charts.paths[0]], charts.dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`registry ${reg.host.replace(/\./g, '\\.')}: repository charts/zeta: GET manifest 1\\.0\\.0: `));
      expect(r.stderr).toContain(`TLS failure talking to ${reg.host}: the server does not speak TLS (use --ca-file for a private CA, or --plain-http for a plain-HTTP registry)`);
      expect(r.stderr).not.toContain('retrying');
    } finally {
      await reg.stop();
    }
  });

  it('--dry-run shows references and digests without a registry', async () => {
    const r = await cli(['publish', '--to', 'oci://registry.example.com/charts', '--dry-run', '--json', charts.paths[0]], charts.dir);
    expect(r.code).toBe(0);
    const [c] = JSON.parse(r.stdout).charts;
    expect(c).toMatchObject({ reference: 'oci://registry.example.com/charts/zeta:1.0.0', status: 'planned' });
    expect(c.blobs.map((b: { mediaType: string }) => b.mediaType)).toEqual(['application/vnd.cncf.helm.config.v1+json', 'application/vnd.cncf.helm.chart.content.v1.tar+gzip']);
  });
});
