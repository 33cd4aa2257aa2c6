// The shared network layer (generator/net): retry policy, redirects, and how the transport classifies failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backoffDelay,
  bodyCollector,
  ConnectionError,
  followRedirects,
  GaveUpError,
  isRetryableStatus,
  parseRetryAfter,
  RetryableError,
  retryPolicy,
  Transport,
  withRetry,
  type HttpRequest,
  type HttpResponse,
} from '../../generator/net/http.js';
import { failFirst, startChartRepo, unusedLoopbackUrl, type ChartRepoServer } from '../support/chart-repo-server.js';

/** `Class: message` of a rejection, so a test pins both what kind of failure it is and what it says. */
const failure = (p: Promise<unknown>) => p.then(() => 'no failure', (e: Error) => `${e.constructor.name}: ${e.message}`);

describe('retry policy', () => {
  it('backs off exponentially with jitter, capped, and honours Retry-After as a minimum', () => {
    const p = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, { ...p, random: () => 0 })).toBe(50);
    expect(backoffDelay(3, { ...p, random: () => 1 })).toBe(400);
    expect(backoffDelay(10, { ...p, random: () => 1 })).toBe(1000);
    expect(backoffDelay(1, { ...p, random: () => 1 }, 3000)).toBe(3000);
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
  });

  it('stops at the attempt limit and at the deadline, keeping the last status', async () => {
    const waits: number[] = [];
    let tries = 0;
    const failing = async () => {
      tries++;
      throw new RetryableError('boom', undefined, 503);
    };
    const gaveUp = withRetry(failing, { attempts: 3, baseDelayMs: 10, maxDelayMs: 100, deadline: Infinity, sleep: async (ms) => void waits.push(ms) });
    await expect(gaveUp).rejects.toThrow('boom (gave up after 3 tries)');
    await expect(gaveUp).rejects.toMatchObject({ status: 503, note: '(gave up after 3 tries)' });
    // The last failure itself is kept (the OCI client reports the registry's own answer from it).
    const last = await gaveUp.catch((e: GaveUpError) => e.last);
    expect(last).toBeInstanceOf(RetryableError);
    expect(last.message).toBe('boom');
    expect(tries).toBe(3);
    expect(waits).toHaveLength(2);
    await expect(withRetry(failing, { attempts: 10, baseDelayMs: 10, maxDelayMs: 100, deadline: 0, now: () => 1, sleep: async () => undefined })).rejects.toThrow('time limit reached');
  });

  it('does not retry other errors, and announces each retry in one line', async () => {
    const lines: string[] = [];
    const policy = retryPolicy(60_000, { random: () => 1, sleep: async () => undefined }, (l) => lines.push(l));
    let tries = 0;
    expect(await withRetry(async () => (++tries < 3 ? Promise.reject(new RetryableError('reset', tries === 2 ? 1500 : undefined)) : 'ok'), policy)).toBe('ok');
    expect(lines).toEqual(['retrying in 0.3s (try 2): reset', 'retrying in 1.5s (try 3): reset']);
    await expect(withRetry(() => Promise.reject(new ConnectionError('unknown host x')), policy)).rejects.toThrow(ConnectionError);
  });

  it('retries 429 and 5xx, except 501 and 505', () => {
    expect([200, 404, 429, 500, 501, 502, 503, 505].filter(isRetryableStatus)).toEqual([429, 500, 502, 503]);
  });
});

describe('followRedirects', () => {
  const answer = (status: number, location?: string): HttpResponse => ({ status, headers: location ? { location } : {}, body: Buffer.from(String(status)) });

  it('follows GET redirects, relative ones keeping the credentials, and shows every hop to the sender', async () => {
    const seen: string[] = [];
    const hops: Record<string, HttpResponse> = {
      'http://u:p@a.test/x': answer(302, '/y'),
      'http://u:p@a.test/y': answer(301, 'https://cdn.test/z?sig=1'),
      'https://cdn.test/z?sig=1': answer(200),
    };
    const send = async (req: HttpRequest) => (seen.push(req.url.toString()), hops[req.url.toString()]);
    expect((await followRedirects(send, { method: 'GET', url: new URL('http://u:p@a.test/x') })).status).toBe(200);
    expect(seen).toEqual(Object.keys(hops));
  });

  it('does not follow for other methods, and stops a redirect loop naming the host', async () => {
    const loop = async () => answer(307, '/again');
    expect((await followRedirects(loop, { method: 'PUT', url: new URL('http://a.test/x') })).status).toBe(307);
    const looping = followRedirects(loop, { method: 'GET', url: new URL('http://user:secret@a.test/x') }, 2);
    expect(await failure(looping)).toBe('ConnectionError: more than 2 redirects, last from a.test/again');
  });
});

describe('Transport', () => {
  let server: ChartRepoServer;
  const transport = new Transport({ idleTimeoutMs: 10_000 });
  const archive = Buffer.alloc(64 * 1024, 7);
  beforeAll(async () => {
    server = await startChartRepo({ repos: { '': [{ name: 'big', version: '1.0.0', archive }] } });
  });
  afterAll(async () => {
    transport.close();
    await server.close();
  });
  const get = (url: string, onData?: (received: number, total: number | undefined) => void) => transport.send({ method: 'GET', url: new URL(url) }, { onData });

  it('returns status, headers and body, reporting progress as bytes arrive', async () => {
    const progress: [number, number | undefined][] = [];
    const res = await get(`${server.url}/charts/big-1.0.0.tgz`, (received, total) => progress.push([received, total]));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/gzip');
    expect(res.body.equals(archive)).toBe(true);
    expect(progress.at(-1)).toEqual([archive.length, archive.length]);
    expect(progress.map(([r]) => r)).toEqual([...progress.map(([r]) => r)].sort((a, b) => a - b));
    expect((await get(`${server.url}/nothing`)).status).toBe(404);
  });

  it('a body cut short, a reset and a refused connection are retryable, naming the host', async () => {
    const host = server.url.slice(7);
    server.fail = failFirst(1, () => true, 'truncate');
    expect(await failure(get(`${server.url}/charts/big-1.0.0.tgz`))).toBe(`RetryableError: connection to ${host} closed after ${archive.length / 2} of ${archive.length} bytes`);
    server.fail = failFirst(1, () => true, 'reset');
    expect(await failure(get(`${server.url}/index.yaml`))).toBe(`RetryableError: connection to ${host} was reset`);
    const down = await unusedLoopbackUrl();
    expect(await failure(get(`${down}/index.yaml`))).toBe(`RetryableError: connection refused by ${down.slice(7)}`);
    // Node's code travels with the failure, so callers (the OCI client) classify without reading the message.
    server.fail = failFirst(1, () => true, 'truncate');
    const codes = [await get(`${server.url}/charts/big-1.0.0.tgz`).catch((e: RetryableError) => e.code), await get(`${down}/index.yaml`).catch((e: RetryableError) => e.code)];
    expect(codes).toEqual(['ECONNRESET', 'ECONNREFUSED']);
  });

  it('TLS to a plain-HTTP server fails at once, saying so, with the caller\'s hint', async () => {
    const hinted = new Transport({ idleTimeoutMs: 10_000, tlsHint: 'try --plain-http' });
    try {
      const host = server.url.slice(7);
      expect(await failure(hinted.send({ method: 'GET', url: new URL(`https://${host}/index.yaml`) }))).toBe(`ConnectionError: TLS failure talking to ${host}: the server does not speak TLS (try --plain-http)`);
      expect(await hinted.send({ method: 'GET', url: new URL(`https://${host}/index.yaml`) }).catch((e: ConnectionError) => e.code)).toBe('EPROTO');
    } finally {
      hinted.close();
    }
  });

  it('a URL that is not http(s) fails at once', async () => {
    expect(await failure(get('ftp://files.test/a.tgz'))).toBe('ConnectionError: unsupported protocol ftp: for files.test');
  });
});

describe('bodyCollector: one buffer of the announced size, chunks otherwise', () => {
  const collect = (announced: number | undefined, chunks: string[]) => {
    const body = bodyCollector(announced);
    for (const c of chunks) body.add(Buffer.from(c));
    const bytes = body.bytes();
    expect(body.received).toBe(bytes.length);
    return bytes;
  };

  it('fills one buffer of the Content-Length, holding exactly the bytes received', () => {
    const bytes = collect(10, ['abcd', 'efgh', 'ij']);
    expect(bytes.toString()).toBe('abcdefghij');
    expect(bytes.buffer.byteLength).toBeGreaterThanOrEqual(10);
    expect(bytes.length).toBe(10);
  });

  it('without a size, beyond the announced size, or with none received, the bytes are still all there', () => {
    expect(collect(undefined, ['ab', 'cd']).toString()).toBe('abcd');
    expect(collect(3, ['ab', 'cd', 'ef']).toString()).toBe('abcdef');
    expect(collect(10, ['ab']).toString()).toBe('ab');
    expect(collect(0, []).length).toBe(0);
    expect(collect(Number.NaN, ['x']).toString()).toBe('x');
  });

  it('a Content-Length over 100 MiB reserves nothing up front', () => {
    expect(collect(2 ** 40, ['abc']).toString()).toBe('abc');
  });
});
