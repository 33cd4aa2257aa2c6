// One HTTP exchange with a registry (Node's http/https), and the retry policy around it.
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';

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

export interface TransportOptions {
  /** Extra trusted CA certificates (PEM), added to Node's defaults. */
  ca?: Buffer;
  /** Milliseconds without progress before one request is abandoned. */
  idleTimeoutMs: number;
}

/** A failure worth trying again: the connection broke, or the registry said 429/5xx. */
export class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Connection failures that no retry can fix (unknown host, refused TLS). */
export class ConnectionError extends Error {}

const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE', 'HPE_INVALID_CONSTANT']);

function describeNetworkError(e: NodeJS.ErrnoException, url: URL): string {
  switch (e.code) {
    case 'ENOTFOUND':
      return `unknown host ${url.hostname}`;
    case 'ECONNREFUSED':
      return `connection refused by ${url.host} (is the registry running?)`;
    case 'ECONNRESET':
      return `connection to ${url.host} was reset`;
    default:
      if (e.code?.startsWith('ERR_TLS') || e.code?.includes('CERT') || /certificate/i.test(e.message)) {
        return `TLS failure talking to ${url.host}: ${e.message} (use --ca-file for a private CA, or --plain-http for a plain-HTTP registry)`;
      }
      return `${e.code ?? 'network error'} talking to ${url.host}: ${e.message}`;
  }
}

export class Transport {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  private readonly httpsAgent: https.Agent;

  constructor(private readonly options: TransportOptions) {
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 8, ...(options.ca ? { ca: [...rootCertificates, options.ca.toString('utf8')] } : {}) });
  }

  /** Sends one request; network failures throw RetryableError or ConnectionError. Never follows redirects. */
  send(req: HttpRequest): Promise<HttpResponse> {
    const secure = req.url.protocol === 'https:';
    const lib = secure ? https : http;
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { 'User-Agent': 'opta-charts', ...req.headers };
      if (req.body) headers['Content-Length'] = String(req.body.length);
      const r = lib.request(req.url, { method: req.method, headers, agent: secure ? this.httpsAgent : this.httpAgent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (e) => reject(new RetryableError(describeNetworkError(e as NodeJS.ErrnoException, req.url))));
        res.on('aborted', () => reject(new RetryableError(`connection to ${req.url.host} closed mid-response`)));
      });
      r.setTimeout(this.options.idleTimeoutMs, () => r.destroy(Object.assign(new Error('no response in time'), { code: 'ETIMEDOUT' })));
      r.on('error', (e: NodeJS.ErrnoException) => {
        const message = describeNetworkError(e, req.url);
        // A garbled response (HPE_*) is treated like a broken connection.
        reject(TRANSIENT_CODES.has(e.code ?? '') || e.code?.startsWith('HPE_') ? new RetryableError(message) : new ConnectionError(message));
      });
      r.end(req.body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
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

/** Exponential backoff with full jitter; a Retry-After from the registry is honoured as the minimum wait. */
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

/** Runs `op`, again after RetryableError, until it succeeds, the tries run out, or the deadline would pass. */
export async function withRetry<T>(op: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  const now = policy.now ?? Date.now;
  const sleep = policy.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (e) {
      if (!(e instanceof RetryableError)) throw e;
      const delay = backoffDelay(attempt, policy, e.retryAfterMs);
      if (attempt >= policy.attempts) throw new RetryableError(`${e.message} (gave up after ${attempt} tries)`);
      if (now() + delay > policy.deadline) throw new RetryableError(`${e.message} (gave up: time limit reached after ${attempt} tries)`);
      policy.onRetry?.(e.message, delay, attempt);
      await sleep(delay);
    }
  }
}
