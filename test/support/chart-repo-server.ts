// A real classic Helm chart repository (index.yaml + archives) on 127.0.0.1 with a free port, for tests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import yaml from 'js-yaml';
import { sha256Hex } from '../../generator/encoding/sha256.js';

export interface ServedChart {
  name: string;
  version: string;
  archive: Buffer;
}

export interface ChartRepoOptions {
  /** URL path prefix (e.g. '' or 'linkerd/edge') → the charts of the repository served there. */
  repos: Record<string, ServedChart[]>;
  /** How index.yaml lists archives: `charts/<file>` relative to the repository, or absolute http://127.0.0.1:PORT/… URLs. */
  urls?: 'relative' | 'absolute';
  /** Put each archive's sha256 in index.yaml (as Helm's `helm repo index` does). Default true. */
  digests?: boolean;
  /** Answer archive requests with a 302 to `/blobs/<file>` (as GitHub release downloads do). Default false. */
  redirectArchives?: boolean;
}

/**
 * How to fail one request: answer with an HTTP status (optionally with Retry-After), drop the connection before
 * answering ('reset'), or send the headers and half of the body, then drop it ('truncate').
 */
export type Failure = number | { status: number; retryAfterSeconds?: number } | 'reset' | 'truncate';

export interface ChartRepoServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The URL of the repository at `prefix`. */
  repoUrl(prefix?: string): string;
  /** Every request path, in order. */
  requests: string[];
  /** The Authorization header of every request (undefined when absent), in order. */
  authorizations: (string | undefined)[];
  /** Requests for .tgz archives. */
  archiveRequests(): string[];
  /** Mutable: changes take effect on the next request. */
  options: Required<ChartRepoOptions>;
  /** Per-request override: return how to fail the request, or undefined to serve it. */
  fail?: (path: string) => Failure | undefined;
  /** Digest index.yaml states for a chart instead of the real one (to test index digest checks). */
  indexDigestOverride?: (name: string, version: string) => string | undefined;
  close(): Promise<void>;
}

const trim = (p: string) => p.replace(/^\/+|\/+$/g, '');

export async function startChartRepo(opts: ChartRepoOptions): Promise<ChartRepoServer> {
  const state: ChartRepoServer = {
    url: '',
    repoUrl: (prefix = '') => (trim(prefix) ? `${state.url}/${trim(prefix)}` : state.url),
    requests: [],
    authorizations: [],
    archiveRequests: () => state.requests.filter((p) => p.endsWith('.tgz')),
    options: { urls: 'relative', digests: true, redirectArchives: false, ...opts },
    close: async () => undefined,
  };

  const indexYaml = (prefix: string, charts: ServedChart[]): string => {
    const entries: Record<string, unknown[]> = {};
    for (const c of charts) {
      const file = `charts/${c.name}-${c.version}.tgz`;
      const url = state.options.urls === 'absolute' ? `${state.repoUrl(prefix)}/${file}` : file;
      const digest = state.indexDigestOverride?.(c.name, c.version) ?? (state.options.digests ? sha256Hex(c.archive) : undefined);
      (entries[c.name] ??= []).push({
        apiVersion: 'v2',
        name: c.name,
        version: c.version,
        urls: [url],
        ...(digest ? { digest } : {}),
        created: '2026-08-01T00:00:00Z',
      });
    }
    return yaml.dump({ apiVersion: 'v1', entries, generated: '2026-08-01T00:00:00Z' });
  };

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    state.requests.push(path);
    state.authorizations.push(req.headers.authorization);
    const failure = state.fail?.(path);
    if (failure === 'reset') {
      req.socket.destroy();
      return;
    }
    if (typeof failure === 'number' || typeof failure === 'object') {
      const { status, retryAfterSeconds } = typeof failure === 'number' ? { status: failure, retryAfterSeconds: undefined } : failure;
      res.writeHead(status, retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {}).end();
      return;
    }
    const reply = (status: number, headers: Record<string, string>, body: string | Buffer = '') => {
      const bytes = Buffer.from(body);
      res.writeHead(status, { ...headers, 'content-length': bytes.length });
      if (failure !== 'truncate') res.end(bytes);
      // Announce the whole body, send half of it, then cut the connection.
      else res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => req.socket.destroy());
    };
    const archive = (bytes: Buffer) => reply(200, { 'content-type': 'application/gzip' }, bytes);
    if (path.startsWith('/blobs/')) {
      // Redirect target: the same file as under the repository, at another path (like a CDN).
      const original = path.slice('/blobs'.length);
      const blob = Object.entries(state.options.repos).flatMap(([prefix, charts]) =>
        charts.filter((c) => original === `${trim(prefix) ? `/${trim(prefix)}` : ''}/charts/${c.name}-${c.version}.tgz`),
      )[0];
      if (blob) return archive(blob.archive);
    }
    for (const [prefix, charts] of Object.entries(state.options.repos)) {
      const base = trim(prefix) ? `/${trim(prefix)}/` : '/';
      if (!path.startsWith(base)) continue;
      const rest = path.slice(base.length);
      if (rest === 'index.yaml') return reply(200, { 'content-type': 'application/x-yaml' }, indexYaml(prefix, charts));
      const chart = charts.find((c) => rest === `charts/${c.name}-${c.version}.tgz`);
      if (chart && state.options.redirectArchives) return reply(302, { location: `/blobs${path}` });
      if (chart) return archive(chart.archive);
    }
    reply(404, {}, 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/** A `fail` hook that fails the first `times` requests whose path matches with `failure`, then serves normally. */
export function failFirst(times: number, match: (path: string) => boolean, failure: Failure): (path: string) => Failure | undefined {
  let left = times;
  return (path) => (match(path) && left-- > 0 ? failure : undefined);
}

/** A port on 127.0.0.1 that was free a moment ago (listened on, then released). */
export async function freeLoopbackPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A URL on 127.0.0.1 where nothing listens (a port just released), for "unreachable repository" tests. */
export async function unusedLoopbackUrl(): Promise<string> {
  return `http://127.0.0.1:${await freeLoopbackPort()}`;
}
