// Network side of fetching one dependency: pick the mirror, read the repository (index.yaml or OCI), download, check.
import type { BuildOptions } from '../chart/types.js';
import { UserError } from '../errors.js';
import type { Output } from '../output.js';
import { sha256Hex } from './cache.js';
import { HttpStatusError, NetworkError, httpGet } from './http.js';
import { mirrorArchiveUrl, mirrorFor } from './mirrors.js';
import { pullOciChart } from './oci-source.js';
import { findChartVersion, indexUrl, parseRepoIndex, resolveArchiveUrl, type RepoIndex } from './repo-index.js';
import { describeRef, type DependencyRef } from './upstream-lock.js';
import { redactUrl, repositoryLabel, UnreachableRepositoryError } from './messages.js';

/** Per-command memo: each repository's index.yaml is read once even when several charts come from it. */
export interface DownloadSession {
  indexes: Map<string, Promise<RepoIndex>>;
}

/** Turns a network failure into a UserError naming the repository and suggesting --mirror / --offline. */
export function networkProblem(e: unknown, what: string, upstream: string, cacheDir: string): never {
  if (e instanceof HttpStatusError) {
    const meaning = e.status === 404 ? 'not found' : e.status === 401 || e.status === 403 ? 'access denied' : 'request failed';
    throw new UnreachableRepositoryError(`${what}: GET ${e.url}: HTTP ${e.status} (${meaning})`, upstream, cacheDir);
  }
  if (e instanceof NetworkError) {
    throw new UnreachableRepositoryError(`${what} is unreachable: ${e.message}`, upstream, cacheDir);
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
    pending = httpGet(url).then((body) => parseRepoIndex(body.toString('utf8'), redactUrl(url)));
    pending.catch(() => undefined); // handled by every caller below; avoids an unhandled rejection in between
    session.indexes.set(source, pending);
  }
  // Several upstreams may share one mirror: word the failure for this caller's upstream.
  return pending.catch((e) => networkProblem(e, `chart repository ${repositoryLabel(source, upstream)}`, upstream, options.cacheDir));
}

/** The archive bytes of `ref` from its repository or mirror; checks the digest index.yaml states, when it does. */
export async function downloadArchive(ref: DependencyRef, options: BuildOptions, output: Output, session: DownloadSession): Promise<Buffer> {
  const source = mirrorFor(ref.repository, options.mirrors);
  const label = repositoryLabel(source, ref.repository);
  if (source.startsWith('oci://')) {
    if (output.progress) output.err(`pulling ${ref.name} ${ref.version} from ${label}`);
    const archive = await pullOciChart(source, ref, options, output);
    if (output.progress) output.err(`  ${ref.name}-${ref.version}.tgz: ${kib(archive.length)}`);
    return archive;
  }
  if (!/^https?:\/\//.test(source)) {
    throw new UserError(`chart ${describeRef(ref)}: repository ${label} is neither http(s):// nor oci://`);
  }
  const index = await readIndex(source, ref.repository, options, output, session);
  const entry = findChartVersion(index, ref.name, ref.version, label);
  const url = mirrorArchiveUrl(resolveArchiveUrl(source, entry.urls[0]), ref.repository, source);
  if (output.progress) output.err(`downloading ${ref.name} ${ref.version} from ${redactUrl(url)}`);
  const archive = await httpGet(url, { onData: progressReporter(ref, output) }).catch((e) =>
    networkProblem(e, `chart ${describeRef(ref)}: download from ${label}`, ref.repository, options.cacheDir),
  );
  const actual = sha256Hex(archive);
  if (entry.digest && entry.digest !== actual) {
    throw new UserError(
      `chart ${describeRef(ref)}: ${redactUrl(url)} does not match the digest in ${redactUrl(indexUrl(source))}: expected sha256:${entry.digest}, got sha256:${actual}`,
      'the repository (or mirror) serves an archive other than the one its index describes; try again later or use another --mirror',
    );
  }
  if (output.progress) output.err(`  ${ref.name}-${ref.version}.tgz: ${kib(archive.length)} sha256:${actual}`);
  return archive;
}
