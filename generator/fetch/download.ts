// Network side of fetching one dependency: pick the mirror, read the repository (index.yaml or OCI), download, check.
import type { BuildOptions } from '../build/extension.js';
import { UserError } from '../errors.js';
import type { Output } from '../output.js';
import { sha256Hex } from '../encoding/sha256.js';
import { ConnectionError, followRedirects, isRetryableStatus, redactUrl, RetryableError, retryAfterOf, retryPolicy, Transport, withRetry } from '../net/http.js';
import { mirrorArchiveUrl, mirrorFor } from './mirrors.js';
import { fetchingSession, pullOciChart } from './oci-source.js';
import type { OciSession } from '../oci/session.js';
import { findChartVersion, indexUrl, parseRepoIndex, resolveArchiveUrl, type RepoIndex } from './upstream-index.js';
import { describeRef, type DependencyRef } from './upstream-lock.js';
import { repositoryLabel, UnreachableRepositoryError } from './messages.js';

/**
 * Per-command state: one keep-alive transport, each repository's index.yaml read once even when several charts come
 * from it, and the command's OCI session (on that transport) once an oci:// repository is needed.
 */
export interface DownloadSession {
  indexes: Map<string, Promise<RepoIndex>>;
  transport: Transport;
  oci?: Promise<OciSession>;
}

/** A session for one command; `close()` its transport when done. */
export function openDownloadSession(): DownloadSession {
  return { indexes: new Map(), transport: new Transport({ idleTimeoutMs: 60_000 }) };
}

/** Each GET is retried on dropped connections, 429 and 5xx, for at most this long in all. */
const GET_TIMEOUT_MS = 120_000;
const GET_RETRY = { attempts: 4, baseDelayMs: 250, maxDelayMs: 4_000 };

/** The server answered with a status no retry will change (404, 401, …). */
class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status} (${statusMeaning(status)})`);
  }
}

function statusMeaning(status: number): string {
  if (status === 404) return 'not found';
  if (status === 401 || status === 403) return 'access denied';
  if (status === 429) return 'too many requests';
  return status >= 500 ? 'server error' : 'request failed';
}

/** GET `url` following redirects; dropped connections, 429 (honouring Retry-After) and 5xx are tried again. */
async function getWithRetry(session: DownloadSession, url: string, onData?: (received: number, total: number | undefined) => void, log?: (line: string) => void): Promise<Buffer> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConnectionError('not a valid URL');
  }
  const once = async () => {
    const res = await followRedirects((hop) => session.transport.send(hop, { onData }), { method: 'GET', url: parsed });
    if (res.status >= 200 && res.status < 300) return res.body;
    if (!isRetryableStatus(res.status)) throw new HttpStatusError(res.status);
    throw new RetryableError(`HTTP ${res.status} (${statusMeaning(res.status)})`, retryAfterOf(res), res.status);
  };
  const redacted = redactUrl(url);
  return withRetry(once, retryPolicy(GET_TIMEOUT_MS, GET_RETRY, log && ((line) => log(`${line} (${redacted})`))));
}

/** Turns a failed GET of `url` into a UserError naming the repository and suggesting --mirror / --offline. */
function networkProblem(e: unknown, what: string, url: string, upstream: string, cacheDir: string): never {
  if (e instanceof HttpStatusError || (e instanceof RetryableError && e.status !== undefined)) {
    throw new UnreachableRepositoryError(`${what}: GET ${redactUrl(url)}: ${e.message}`, upstream, cacheDir);
  }
  if (e instanceof RetryableError || e instanceof ConnectionError) {
    throw new UnreachableRepositoryError(`${what} is unreachable: ${redactUrl(url)}: ${e.message}`, upstream, cacheDir);
  }
  throw e;
}

function progressReporter(ref: DependencyRef, output: Output): ((received: number, total: number | undefined) => void) | undefined {
  if (!output.progress) return undefined;
  let shownQuarter = 0;
  return (received, total) => {
    if (!total || total < 256 * 1024) return;
    const quarter = Math.floor((received / total) * 4);
    if (quarter > shownQuarter && quarter < 4) {
      shownQuarter = quarter;
      output.err(`  ${ref.name} ${ref.version}: ${quarter * 25}% of ${kib(total)}`);
    }
  };
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

async function readIndex(source: string, upstream: string, options: BuildOptions, output: Output, session: DownloadSession): Promise<RepoIndex> {
  let pending = session.indexes.get(source);
  if (!pending) {
    const url = indexUrl(source);
    if (output.progress) output.err(`reading ${redactUrl(url)}`);
    const log = output.progress ? (line: string) => output.err(`  ${line}`) : undefined;
    pending = getWithRetry(session, url, undefined, log).then((body) => parseRepoIndex(body.toString('utf8'), redactUrl(url)));
    pending.catch(() => undefined); // handled by every caller below; avoids an unhandled rejection in between
    session.indexes.set(source, pending);
  }
  // Several upstreams may share one mirror: word the failure for this caller's upstream.
  return pending.catch((e) => networkProblem(e, `chart repository ${repositoryLabel(source, upstream)}`, indexUrl(source), upstream, options.cacheDir));
}

export interface Downloaded {
  archive: Buffer;
  /** Where the repository publishes this archive's digest (index.yaml, OCI manifest); undefined when it publishes none. */
  publishedIn?: string;
}

/** The archive bytes of `ref` from its repository or mirror; checks the digest index.yaml states, when it does. */
export async function downloadArchive(ref: DependencyRef, options: BuildOptions, output: Output, session: DownloadSession): Promise<Downloaded> {
  const source = mirrorFor(ref.repository, options.mirrors);
  const label = repositoryLabel(source, ref.repository);
  if (source.startsWith('oci://')) {
    if (output.progress) output.err(`pulling ${ref.name} ${ref.version} from ${label}`);
    session.oci ??= fetchingSession(options.env, session.transport);
    const archive = await pullOciChart(source, ref, options, output, await session.oci);
    if (output.progress) output.err(`  ${ref.name}-${ref.version}.tgz: ${kib(archive.length)}`);
    // The OCI client checks the chart layer against the digest the manifest publishes.
    return { archive, publishedIn: `${label} (OCI manifest)` };
  }
  if (!/^https?:\/\//.test(source)) {
    throw new UserError(`chart ${describeRef(ref)}: repository ${label} is neither http(s):// nor oci://`);
  }
  const index = await readIndex(source, ref.repository, options, output, session);
  const entry = findChartVersion(index, ref.name, ref.version, label);
  const url = mirrorArchiveUrl(resolveArchiveUrl(source, entry.urls[0]), ref.repository, source);
  if (output.progress) output.err(`downloading ${ref.name} ${ref.version} from ${redactUrl(url)}`);
  const log = output.progress ? (line: string) => output.err(`  ${ref.name} ${ref.version}: ${line}`) : undefined;
  const archive = await getWithRetry(session, url, progressReporter(ref, output), log).catch((e) =>
    networkProblem(e, `chart ${describeRef(ref)}: download from ${label}`, url, ref.repository, options.cacheDir),
  );
  const actual = sha256Hex(archive);
  if (entry.digest && entry.digest !== actual) {
    throw new UserError(
      `chart ${describeRef(ref)}: ${redactUrl(url)} does not match the digest in ${redactUrl(indexUrl(source))}: expected sha256:${entry.digest}, got sha256:${actual}`,
      'the repository (or mirror) serves an archive other than the one its index describes; try again later or use another --mirror',
    );
  }
  if (output.progress) output.err(`  ${ref.name}-${ref.version}.tgz: ${kib(archive.length)} sha256:${actual}`);
  const indexAt = redactUrl(indexUrl(source));
  const publishedIn = source === ref.repository ? indexAt : `${indexAt} (mirror of ${ref.repository})`;
  return { archive, ...(entry.digest ? { publishedIn } : {}) };
}
