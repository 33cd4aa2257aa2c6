// The one network layer: send an HTTP request (Node's http/https), follow redirects when asked, classify failures, and
// retry transient ones. Used by the OCI client (generator/oci) and by classic chart repositories (generator/fetch).
// Messages name the host only (never a full URL), so credentials in URLs cannot leak through them.
import http from 'node:http';
import type https from 'node:https';
// https and tls are loaded on the first https request: a plain-HTTP (loopback) run never needs them.
import { httpsModule, tlsModule } from '../builtins.js';

export interface HttpRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: Buffer;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface SendOptions {
  /** Called as response bytes arrive; `total` is undefined when the server sends no Content-Length. */
  onData?: (received: number, total: number | undefined) => void;
}

export interface TransportOptions {
  /** Extra trusted CA certificates (PEM), added to Node's defaults. */
  ca?: Buffer;
  /** Milliseconds without progress before one request is abandoned. */
  idleTimeoutMs: number;
  /** Appended to TLS failures: what the user can do about them (e.g. the flags of the command). */
  tlsHint?: string;
  /** Appended when a plain-HTTP answer cannot be parsed (often an HTTPS-only server). */
  plainHttpHint?: string;
}

export { redactUrl } from './redact.js';

/** Above this announced size a body is collected in chunks: a lying Content-Length must not reserve more memory. */
const MAX_PRESIZED_BODY = 100 * 1024 * 1024;

/**
 * Collects a response body into one buffer of the announced Content-Length, so an archive is not in memory twice (its
 * chunks, then their concatenation) at a cold build's peak; in chunks when the size is unknown, too large or wrong.
 */
export function bodyCollector(announced: number | undefined): { add(chunk: Buffer): void; readonly received: number; bytes(): Buffer } {
  let whole = announced !== undefined && Number.isSafeInteger(announced) && announced > 0 && announced <= MAX_PRESIZED_BODY ? Buffer.allocUnsafe(announced) : undefined;
  let received = 0;
  const chunks: Buffer[] = [];
  return {
    add(chunk) {
      if (whole && received + chunk.length <= whole.length) {
        received += chunk.copy(whole, received);
        return;
      }
      if (whole) chunks.push(whole.subarray(0, received));
      whole = undefined;
      chunks.push(chunk);
      received += chunk.length;
    },
    get received() {
      return received;
    },
    bytes: () => (whole ? whole.subarray(0, received) : Buffer.concat(chunks)),
  };
}

/**
 * A failure worth trying again: the connection broke (then `code` is Node's error code), or the server answered
 * 429/5xx (then `status` is set).
 */
export class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** What withRetry throws when the tries or the time run out: the last failure, and `note` saying how it ended. */
export class GaveUpError extends RetryableError {
  constructor(
    readonly last: RetryableError,
    readonly note: string,
  ) {
    super(`${last.message} ${note}`, undefined, last.status, last.code);
  }
}

/** Connection failures that no retry can fix (unknown host, refused TLS, bad URL, redirect loop); `code` is Node's. */
export class ConnectionError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE']);

/** 429 and 5xx, except the 5xx that say the request itself cannot work (not implemented, HTTP version). */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** A response's Retry-After, in milliseconds. */
export function retryAfterOf(res: HttpResponse): number | undefined {
  return parseRetryAfter(res.headers['retry-after'] as string | undefined);
}

function describeNetworkError(e: NodeJS.ErrnoException, url: URL, options: TransportOptions): string {
  switch (e.code) {
    case 'ENOTFOUND':
      return `unknown host ${url.hostname}`;
    case 'ECONNREFUSED':
      return `connection refused by ${url.host}`;
    case 'ECONNRESET':
      return `connection to ${url.host} was reset`;
    case 'ETIMEDOUT':
      return `no answer from ${url.host} within ${options.idleTimeoutMs / 1000} s`;
    default: {
      const hint = (text: string | undefined) => (text ? ` (${text})` : '');
      // OpenSSL's "wrong version number": the server answered the TLS handshake with something else, usually plain HTTP.
      if (e.code === 'EPROTO' && /wrong version number/i.test(e.message)) {
        return `TLS failure talking to ${url.host}: the server does not speak TLS${hint(options.tlsHint)}`;
      }
      if (e.code?.startsWith('ERR_TLS') || e.code?.includes('CERT') || /certificate/i.test(e.message)) {
        return `TLS failure talking to ${url.host}: ${e.message}${hint(options.tlsHint)}`;
      }
      const plain = e.code?.startsWith('HPE_') && url.protocol === 'http:' ? hint(options.plainHttpHint) : '';
      return `${e.code ?? 'network error'} talking to ${url.host}: ${e.message}${plain}`;
    }
  }
}

export class Transport {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  private httpsAgentMade?: https.Agent;

  constructor(private readonly options: TransportOptions) {}

  private get httpsAgent(): https.Agent {
    const { ca } = this.options;
    const rootCertificates = () => tlsModule().rootCertificates;
    return (this.httpsAgentMade ??= new (httpsModule().Agent)({ keepAlive: true, maxSockets: 8, ...(ca ? { ca: [...rootCertificates(), ca.toString('utf8')] } : {}) }));
  }

  /**
   * Sends one request and reads the whole answer, whatever its status. Network failures throw RetryableError or
   * ConnectionError. Never follows redirects (see followRedirects). Credentials in the URL are sent as Basic auth.
   */
  send(req: HttpRequest, options: SendOptions = {}): Promise<HttpResponse> {
    const { url } = req;
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return Promise.reject(new ConnectionError(`unsupported protocol ${url.protocol} for ${url.host}`));
    }
    const secure = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { 'User-Agent': 'opta-charts', ...req.headers };
      if (req.body) headers['Content-Length'] = String(req.body.length);
      const r = (secure ? httpsModule() : http).request(url, { method: req.method, headers, agent: secure ? this.httpsAgent : this.httpAgent }, (res) => {
        const total = res.headers['content-length'] ? Number(res.headers['content-length']) : undefined;
        const body = bodyCollector(total);
        const broken = () =>
          reject(
            new RetryableError(total !== undefined ? `connection to ${url.host} closed after ${body.received} of ${total} bytes` : `connection to ${url.host} closed mid-response`, undefined, undefined, 'ECONNRESET'),
          );
        res.on('data', (c: Buffer) => {
          body.add(c);
          options.onData?.(body.received, total);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: body.bytes() }));
        res.on('error', broken);
        res.on('aborted', broken);
      });
      r.setTimeout(this.options.idleTimeoutMs, () => r.destroy(Object.assign(new Error('no response in time'), { code: 'ETIMEDOUT' })));
      r.on('error', (e: NodeJS.ErrnoException) => {
        const message = describeNetworkError(e, url, this.options);
        // A garbled response (HPE_*) is treated like a broken connection.
        reject(TRANSIENT_CODES.has(e.code ?? '') || e.code?.startsWith('HPE_') ? new RetryableError(message, undefined, undefined, e.code) : new ConnectionError(message, e.code));
      });
      r.end(req.body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgentMade?.destroy();
  }
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Sends `req` through `send`, following redirects for GET and HEAD (other methods are sent once). `send` sees every
 * hop's URL, so the caller decides which headers go to which host. A relative Location keeps the URL's credentials.
 */
export async function followRedirects(send: (req: HttpRequest) => Promise<HttpResponse>, req: HttpRequest, maxRedirects = 5): Promise<HttpResponse> {
  let url = req.url;
  for (let hop = 0; ; hop++) {
    const res = await send({ ...req, url });
    const location = res.headers.location;
    if (!REDIRECT_STATUSES.has(res.status) || !location || (req.method !== 'GET' && req.method !== 'HEAD')) return res;
    if (hop >= maxRedirects) throw new ConnectionError(`more than ${maxRedirects} redirects, last from ${url.host}${url.pathname}`);
    url = new URL(location, url);
  }
}

export interface RetryPolicy {
  /** Tries in all, including the first. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Absolute time (ms since epoch) after which no new try starts. */
  deadline: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Told before each wait, for progress lines. */
  onRetry?: (reason: string, delayMs: number, attempt: number) => void;
}

export type RetrySettings = Partial<Omit<RetryPolicy, 'deadline'>>;

/** The progress line announcing a retry. */
export function retryLine(reason: string, delayMs: number, attempt: number): string {
  return `retrying in ${(delayMs / 1000).toFixed(1)}s (try ${attempt + 1}): ${reason}`;
}

/** A policy bounded to `timeoutMs` from now (unbounded when Infinity); retries are announced through `log` (one line each). */
export function retryPolicy(timeoutMs: number, settings: RetrySettings = {}, log?: (line: string) => void): RetryPolicy {
  return {
    attempts: 6,
    baseDelayMs: 250,
    maxDelayMs: 8_000,
    onRetry: (reason, delay, attempt) => log?.(retryLine(reason, delay, attempt)),
    ...settings,
    deadline: Date.now() + timeoutMs,
  };
}

/** Exponential backoff with full jitter; a Retry-After from the server is honoured as the minimum wait. */
export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>, retryAfterMs?: number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.round(cap / 2 + ((policy.random ?? Math.random)() * cap) / 2);
  return retryAfterMs !== undefined ? Math.max(retryAfterMs, jittered) : jittered;
}

/** Retry-After in seconds or as an HTTP date → milliseconds. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Runs `op`, again after RetryableError, until it succeeds, the tries run out, or the deadline would pass. Giving up
 * throws a GaveUpError (a RetryableError with the last failure's message, status and code, and how many tries were made).
 */
export async function withRetry<T>(op: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  const now = policy.now ?? Date.now;
  const sleep = policy.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (e) {
      if (!(e instanceof RetryableError)) throw e;
      const delay = backoffDelay(attempt, policy, e.retryAfterMs);
      if (attempt >= policy.attempts) throw new GaveUpError(e, `(gave up after ${attempt} tries)`);
      if (now() + delay > policy.deadline) throw new GaveUpError(e, `(gave up: time limit reached after ${attempt} tries)`);
      policy.onRetry?.(e.message, delay, attempt);
      await sleep(delay);
    }
  }
}
