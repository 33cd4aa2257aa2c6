// Network I/O for classic chart repositories: GET with redirects and a timeout, on Node's own http/https.
import http from 'node:http';
import https from 'node:https';
import { redactUrl } from './messages.js';

/** The server answered with a status other than 2xx. */
export class HttpStatusError extends Error {
  readonly url: string;
  constructor(url: string, readonly status: number) {
    super(`${redactUrl(url)}: HTTP ${status}`);
    this.url = redactUrl(url);
  }
}

/** No answer at all (DNS, refused, reset, TLS, timeout). */
export class NetworkError extends Error {
  readonly url: string;
  constructor(url: string, readonly reason: string) {
    super(`${redactUrl(url)}: ${reason}`);
    this.url = redactUrl(url);
  }
}

export interface GetOptions {
  timeoutMs?: number;
  /** Called as bytes arrive; `total` is undefined when the server sends no Content-Length. */
  onData?: (received: number, total: number | undefined) => void;
  headers?: Record<string, string>;
}

const MAX_REDIRECTS = 5;

export function httpGet(url: string, options: GetOptions = {}, redirects = 0): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      reject(new NetworkError(url, 'not a valid URL'));
      return;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      reject(new NetworkError(url, `unsupported protocol ${parsed.protocol}`));
      return;
    }
    const client = parsed.protocol === 'https:' ? https : http;
    const req = client.get(parsed, { headers: { 'user-agent': 'opta-charts', ...options.headers } }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (redirects >= MAX_REDIRECTS) {
          reject(new NetworkError(url, `more than ${MAX_REDIRECTS} redirects`));
          return;
        }
        httpGet(new URL(res.headers.location, parsed).toString(), options, redirects + 1).then(resolve, reject);
        return;
      }
      if (status < 200 || status >= 300) {
        res.resume();
        reject(new HttpStatusError(url, status));
        return;
      }
      const total = res.headers['content-length'] ? Number(res.headers['content-length']) : undefined;
      const chunks: Buffer[] = [];
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        options.onData?.(received, total);
      });
      res.on('end', () => {
        if (total !== undefined && received !== total) reject(new NetworkError(url, `connection closed after ${received} of ${total} bytes`));
        else resolve(Buffer.concat(chunks));
      });
      res.on('error', (e) => reject(new NetworkError(url, e.message)));
    });
    req.setTimeout(options.timeoutMs ?? 60_000, () => req.destroy(new Error(`no answer within ${(options.timeoutMs ?? 60_000) / 1000} s`)));
    req.on('error', (e: NodeJS.ErrnoException) => reject(new NetworkError(url, e.code ? `${e.code} ${e.message}` : e.message)));
  });
}
