// One OCI session per command: a publish of two charts (and a build fetching two OCI dependencies) shares one client
// per registry: one 401, one token, keep-alive connections. Counted on a keep-alive fault proxy in front of a real
// token-auth registry; the token service counts its own requests.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadArchive, openDownloadSession } from '../../generator/fetch/download.js';
import { memoryOutput } from '../support/memory-output.js';
import type { FaultProxy } from '../support/fault-proxy.js';
import type { TestRegistry } from '../support/registry.js';
import { proxiedRegistry, runCli, type ProxiedRegistry } from './fixtures.js';

describe('one session per command, against a token-auth registry', () => {
  let reg: TestRegistry;
  let proxy: FaultProxy;
  let charts: ProxiedRegistry['charts'];
  let stop: () => Promise<void>;
  let key: string;
  beforeAll(async () => {
    const pair = [
      { name: 'one', version: '1.0.0' },
      { name: 'two', version: '2.0.0' },
    ];
    ({ reg, proxy, charts, stop } = await proxiedRegistry(pair, { auth: 'token', keepAlive: true }));
    key = join(charts.dir, 'signing.key');
    execFileSync('sh', ['-c', `openssl ecparam -genkey -name prime256v1 -noout | openssl pkcs8 -topk8 -nocrypt -out '${key}'`]);
  });
  afterAll(() => stop?.());

  async function publish(path: string, extra: string[] = []) {
    proxy.clear();
    reg.tokenRequests.length = 0;
    const r = await runCli(['publish', '--to', `${proxy.url}/${path}`, '--plain-http', '--username', reg.username!, '--password-stdin', '--json', ...extra, ...charts.paths], {
      cwd: charts.dir,
      stdin: reg.password,
    });
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { charts: { status: string; signature?: { status: string } }[] }).charts;
  }

  it('publish and re-publish of two charts: one 401 and one token for both repositories; connections kept alive', async () => {
    expect((await publish('pair')).map((c) => c.status)).toEqual(['pushed', 'pushed']);
    // Before one session per command: 2 tokens and 2 unauthenticated requests (one per repository), 18 requests.
    expect(reg.tokenRequests).toEqual([{ user: reg.username, scopes: ['repository:pair/one:pull,push', 'repository:pair/two:pull,push'], granted: true }]);
    expect(proxy.requests.filter((q) => !q.auth).map((q) => `${q.method} ${q.path}`)).toEqual(['GET /v2/pair/one/manifests/1.0.0']);
    expect(proxy.requests.slice(1).every((q) => q.auth === 'Bearer')).toBe(true);
    // Per chart: GET manifest, HEAD and upload (POST + PUT) of 2 blobs, PUT manifest; plus the first 401.
    expect(proxy.requests.length).toBe(1 + 2 * (1 + 2 + 2 * 2 + 1));
    expect(proxy.connections).toBeLessThan(proxy.requests.length / 2);

    expect((await publish('pair')).map((c) => c.status)).toEqual(['unchanged', 'unchanged']);
    // Before: 4 requests (two 401s) and 2 tokens.
    expect(proxy.requests.map((q) => `${q.method} ${q.path} ${q.auth ?? '-'}`)).toEqual([
      'GET /v2/pair/one/manifests/1.0.0 -',
      'GET /v2/pair/one/manifests/1.0.0 Bearer',
      'GET /v2/pair/two/manifests/2.0.0 Bearer',
    ]);
    expect(reg.tokenRequests.length).toBe(1);
    expect(proxy.connections).toBeLessThanOrEqual(2);
  });

  it('re-publishing signed charts reads referrers, signatures and fallback tags with the same single token', async () => {
    expect((await publish('signed', ['--sign', key])).map((c) => c.signature?.status)).toEqual(['signed', 'signed']);
    expect(reg.tokenRequests.length).toBe(1);
    expect((await publish('signed', ['--sign', key])).map((c) => c.signature?.status)).toEqual(['unchanged', 'unchanged']);
    // Before: 4 tokens (the bundle blobs were read with a pull-only scope) and 14 requests.
    expect(reg.tokenRequests.length).toBe(1);
    expect(proxy.requests.filter((q) => !q.auth).length).toBe(1);
    // Per chart: manifest, referrers API (404), fallback tag, the listed referrer, its bundle blob; plus the first 401.
    expect(proxy.requests.length).toBe(1 + 2 * 5);
  });

  it('build fetching two OCI dependencies from one registry: one client, one connection, one 401', async () => {
    await publish('deps');
    proxy.clear();
    reg.tokenRequests.length = 0;
    const env = { OPTA_CHARTS_REGISTRY_USERNAME: reg.username, OPTA_CHARTS_REGISTRY_PASSWORD: reg.password };
    const options = { offline: false, mirrors: [], cacheDir: charts.dir, root: charts.dir, env };
    const session = openDownloadSession();
    try {
      for (const [i, [name, version]] of [['one', '1.0.0'], ['two', '2.0.0']].entries()) {
        const { archive } = await downloadArchive({ name, version, repository: `${proxy.url}/deps` }, options, memoryOutput(), session);
        expect(archive.equals(charts.bytes[i])).toBe(true);
      }
    } finally {
      session.transport.close();
    }
    // Dependencies are fetched one after another on the command's keep-alive transport.
    expect(proxy.connections).toBe(1);
    expect(proxy.requests.filter((q) => !q.auth).length).toBe(1);
    // Each repository's pull scope gets its token when first used (the challenge is known by then: no second 401).
    expect(reg.tokenRequests.map((t) => t.scopes)).toEqual([['repository:deps/one:pull'], ['repository:deps/two:pull']]);
  });
});
