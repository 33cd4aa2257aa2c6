// Typed registry errors: every registry error code becomes the right type, kind and message from one answer, and a
// missing version is told from an unreachable registry without a second request (counted on the fault proxy).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDownloadSession, downloadArchive } from '../../generator/fetch/download.js';
import { UnreachableRepositoryError } from '../../generator/fetch/messages.js';
import { isNotFound, isUnavailable, parseErrorBody, RegistryError, RegistryUnreachableError, unreachableReason } from '../../generator/oci/errors.js';
import { pullChart } from '../../generator/oci/pull.js';
import { memoryOutput } from '../support/memory-output.js';
import { UserError } from '../../generator/errors.js';
import type { FaultProxy } from '../support/fault-proxy.js';
import { freePort, type TestRegistry } from '../support/registry.js';
import { proxiedRegistry, runCli, testSession, type ProxiedRegistry } from './fixtures.js';

const isManifest = (r: { method: string; path: string }) => r.path.includes('/manifests/');

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.unreachable('no error'),
    (e: unknown) => e,
  );
}

describe('error answers and network failures, pure', () => {
  const place = { registry: 'r.example', repository: 'x', operation: 'GET blob sha256:1' };

  it('reads the registry error JSON, and nothing from bodies that are not it', () => {
    const body = Buffer.from(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: '9.9.9' } }, { code: 'NAME_UNKNOWN' }] }));
    expect(parseErrorBody(body)).toEqual([{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: '9.9.9' } }, { code: 'NAME_UNKNOWN' }]);
    expect(parseErrorBody(Buffer.from('<html>502 Bad Gateway</html>'))).toEqual([]);
    expect(parseErrorBody(Buffer.alloc(0))).toEqual([]);
  });

  it.each([
    [404, ['MANIFEST_UNKNOWN'], 'not-found'],
    [404, ['NAME_UNKNOWN'], 'not-found'],
    [404, ['BLOB_UNKNOWN'], 'not-found'],
    [404, [], 'not-found'],
    [401, ['UNAUTHORIZED'], 'unauthorized'],
    [401, [], 'unauthorized'],
    [403, ['DENIED'], 'denied'],
    [403, [], 'denied'],
    [429, ['TOOMANYREQUESTS'], 'unavailable'],
    [503, [], 'unavailable'],
    [400, ['MANIFEST_INVALID'], 'invalid'],
    [400, ['NAME_INVALID'], 'invalid'],
    [400, ['DIGEST_INVALID'], 'invalid'],
    [405, ['UNSUPPORTED'], 'invalid'],
    // Some registries answer a missing repository with 403/401 but say what they mean in the code.
    [403, ['NAME_UNKNOWN'], 'not-found'],
  ] as const)('HTTP %i %j is %s', (status, codes, kind) => {
    const body = Buffer.from(JSON.stringify({ errors: codes.map((code) => ({ code })) }));
    expect(RegistryError.fromResponse(place, { method: 'GET', url: new URL('https://r.example/v2/x/manifests/1') }, { status, headers: {}, body }).kind).toBe(kind);
  });

  it('URLs in errors carry neither credentials nor query strings (pre-signed blob URLs)', () => {
    const req = { method: 'GET', url: new URL('https://u:p@blobs.example.com/x/y?X-Amz-Signature=secret') };
    const e = RegistryError.fromResponse(place, req, { status: 403, headers: {}, body: Buffer.alloc(0) });
    expect(e.url).toBe('https://blobs.example.com/x/y');
    expect(e.message).toBe('registry r.example: repository x: GET blob sha256:1: HTTP 403: Forbidden');
  });

  it.each([
    ['ENOTFOUND', 'unknown-host'],
    ['ECONNREFUSED', 'refused'],
    ['ECONNRESET', 'reset'],
    ['ETIMEDOUT', 'timeout'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls'],
    ['HPE_INVALID_CONSTANT', 'protocol'],
  ] as const)('network code %s is %s', (code, reason) => {
    expect(unreachableReason(code, '')).toBe(reason);
  });
});

describe('each registry error code, through a real registry and the fault proxy', () => {
  let proxy: FaultProxy;
  let charts: ProxiedRegistry['charts'];
  let stop: () => Promise<void>;
  beforeAll(async () => {
    let reg: TestRegistry;
    ({ reg, proxy, charts, stop } = await proxiedRegistry([{ name: 'kappa', version: '1.0.0' }]));
    const r = await runCli(['publish', '--to', `${reg.url}/errs`, '--plain-http', charts.paths[0]], { cwd: charts.dir });
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => stop?.());

  /** GET manifest `tag` of `repository` through the proxy, one try; the error and how many requests it took. */
  async function getManifest(repository: string, tag: string): Promise<{ error: unknown; requests: number }> {
    const oci = await testSession({ retry: { attempts: 1 } });
    try {
      const error = await failure((await oci.repository({ registry: proxy.host, repository })).getManifest(tag));
      return { error, requests: proxy.requests.length };
    } finally {
      oci.close();
    }
  }

  it("the registry's own MANIFEST_UNKNOWN and NAME_UNKNOWN: not found, one request", async () => {
    proxy.clear();
    const tag = await getManifest('errs/kappa', '9.9.9');
    expect(tag.requests).toBe(1);
    expect(tag.error).toBeInstanceOf(RegistryError);
    expect(tag.error).toMatchObject({ kind: 'not-found', code: 'MANIFEST_UNKNOWN', status: 404, method: 'GET', url: `http://${proxy.host}/v2/errs/kappa/manifests/9.9.9`, repository: 'errs/kappa', operation: 'GET manifest 9.9.9' });
    expect((tag.error as Error).message).toBe(`registry ${proxy.host}: repository errs/kappa: GET manifest 9.9.9: HTTP 404: MANIFEST_UNKNOWN: manifest unknown`);
    // Distribution says MANIFEST_UNKNOWN for a manifest of a repository it does not have, and NAME_UNKNOWN for its tags.
    proxy.clear();
    const oci = await testSession({ retry: { attempts: 1 } });
    try {
      const nothing = await oci.repository({ registry: proxy.host, repository: 'errs/nothing-here' });
      const e = await failure(nothing.call('list tags', { method: 'GET', url: nothing.url('tags/list') }, [200]));
      expect(e).toMatchObject({ kind: 'not-found', code: 'NAME_UNKNOWN', status: 404 });
      expect(isNotFound(e)).toBe(true);
      expect(await nothing.listTags()).toEqual([]);
      expect(proxy.requests.length).toBe(2);
    } finally {
      oci.close();
    }
  });

  const injected: [number, string, string, string | undefined][] = [
    [404, 'MANIFEST_UNKNOWN', 'not-found', undefined],
    [404, 'NAME_UNKNOWN', 'not-found', undefined],
    [401, 'UNAUTHORIZED', 'unauthorized', 'the registry needs credentials: log in (helm registry login / docker login) or pass --username with --password-stdin'],
    [403, 'DENIED', 'denied', 'the account has no permission for this repository'],
    [400, 'NAME_INVALID', 'invalid', undefined],
    [400, 'MANIFEST_INVALID', 'invalid', undefined],
    [405, 'UNSUPPORTED', 'invalid', undefined],
    [429, 'TOOMANYREQUESTS', 'unavailable', undefined],
    [500, 'UNKNOWN', 'unavailable', undefined],
  ];
  it.each(injected)('HTTP %i %s: kind %s, the message names registry, repository, operation, status, code and message', async (status, code, kind, hint) => {
    proxy.clear();
    proxy.inject({ match: isManifest, action: { status, code } });
    const { error, requests } = await getManifest('errs/kappa', '1.0.0');
    expect(requests).toBe(1);
    expect(error).toBeInstanceOf(RegistryError);
    const e = error as RegistryError;
    expect({ kind: e.kind, code: e.code, status: e.status, method: e.method, hint: e.hint }).toEqual({ kind, code, status, method: 'GET', hint });
    const tries = status === 429 || status === 500 ? ' (gave up after 1 tries)' : '';
    expect(e.message).toBe(`registry ${proxy.host}: repository errs/kappa: GET manifest 1.0.0: HTTP ${status}: ${code}: injected ${status}${tries}`);
    expect(isNotFound(e)).toBe(kind === 'not-found');
    expect(isUnavailable(e)).toBe(kind === 'unavailable');
  });

  it('a blob the registry lacks is a missing blob (HEAD has no body: the status says it), not an error of the pull', async () => {
    proxy.clear();
    const oci = await testSession({ retry: { attempts: 1 } });
    try {
      const kappa = await oci.repository({ registry: proxy.host, repository: 'errs/kappa' });
      expect(await kappa.hasBlob(`sha256:${'0'.repeat(64)}`)).toBe(false);
      proxy.inject({ match: (r) => r.method === 'HEAD', action: { status: 403, code: 'DENIED' } });
      const e = await failure(kappa.hasBlob(`sha256:${'0'.repeat(64)}`));
      expect(e).toMatchObject({ kind: 'denied', status: 403, method: 'HEAD', code: undefined });
      expect((e as Error).message).toBe(`registry ${proxy.host}: repository errs/kappa: HEAD blob sha256:${'0'.repeat(64)}: HTTP 403: Forbidden`);
    } finally {
      oci.close();
    }
  });

  it('missing or unreachable: told apart by type from one request each, nothing asked again', async () => {
    const oci = await testSession({ retry: { attempts: 1 } });
    try {
      const kappa = await oci.repository({ registry: proxy.host, repository: 'errs/kappa' });
      proxy.clear();
      const missing = await failure(pullChart(kappa, '2.0.0'));
      expect(isNotFound(missing) && !isUnavailable(missing)).toBe(true);
      expect(proxy.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /v2/errs/kappa/manifests/2.0.0']);

      proxy.clear();
      proxy.inject({ match: isManifest, action: 'drop', dropAfterBytes: 0 });
      const cut = await failure(pullChart(kappa, '1.0.0'));
      expect(cut).toBeInstanceOf(RegistryUnreachableError);
      expect(cut).toMatchObject({ reason: 'reset', registry: proxy.host, repository: 'errs/kappa', operation: 'GET manifest 1.0.0' });
      expect(isNotFound(cut)).toBe(false);
      expect(proxy.requests.map((q) => `${q.method} ${q.path} ${q.outcome}`)).toEqual(['GET /v2/errs/kappa/manifests/1.0.0 drop']);
    } finally {
      oci.close();
    }
    const down = await freePort();
    const nobody = await testSession({ retry: { attempts: 1 } });
    try {
      const refused = await failure(pullChart(await nobody.repository({ registry: `127.0.0.1:${down}`, repository: 'errs/kappa' }), '1.0.0'));
      expect(refused).toMatchObject({ name: 'RegistryUnreachableError', reason: 'refused' });
      expect((refused as Error).message).toBe(`registry 127.0.0.1:${down}: repository errs/kappa: GET manifest 1.0.0: connection refused by 127.0.0.1:${down} (gave up after 1 tries)`);
    } finally {
      nobody.close();
    }
  });

  it("fetching a dependency: a missing version lists the tags (no second pull); an unreachable registry is retried, never listed", async () => {
    const ref = { name: 'kappa', version: '2.0.0', repository: `${proxy.url}/errs` };
    const options = { offline: false, mirrors: [], cacheDir: charts.dir, root: charts.dir, env: {} };
    const session = openDownloadSession();
    try {
      proxy.clear();
      const missing = await failure(downloadArchive(ref, options, memoryOutput(), session));
      expect(missing).toBeInstanceOf(UserError);
      expect(missing).not.toBeInstanceOf(UnreachableRepositoryError);
      expect((missing as Error).message).toBe(`chart kappa 2.0.0: repository ${proxy.url}/errs has no version 2.0.0 of kappa (versions: 1.0.0)`);
      expect(proxy.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /v2/errs/kappa/manifests/2.0.0', 'GET /v2/errs/kappa/tags/list?n=1000']);

      proxy.clear();
      proxy.inject({ match: isManifest, action: 'drop', dropAfterBytes: 0, times: 100 });
      const cut = await failure(downloadArchive({ ...ref, version: '1.0.0' }, options, memoryOutput(), session));
      expect(cut).toBeInstanceOf(UnreachableRepositoryError);
      expect((cut as UserError).hint).toContain(`--mirror ${proxy.url}/errs=URL`);
      // The fetching session's three tries, all of the manifest: no listing to find out what happened.
      expect(proxy.requests.map((q) => `${q.method} ${q.path} ${q.outcome}`)).toEqual(Array(3).fill('GET /v2/errs/kappa/manifests/1.0.0 drop'));
    } finally {
      session.transport.close();
    }
  });
});
