// Pulls a dependency's chart archive from an oci:// repository through the command's OCI session (generator/oci).
import type { BuildOptions } from '../build/extension.js';
import { UserError } from '../errors.js';
import { isNotFound, isUnavailable } from '../oci/errors.js';
import { listChartVersions, pullChart } from '../oci/pull.js';
import { chartRepository, parseOciBase } from '../oci/reference.js';
import { OciSession } from '../oci/session.js';
import type { Output } from '../output.js';
import type { Transport } from '../net/http.js';
import { repositoryLabel, UnreachableRepositoryError } from './messages.js';
import { noSuchVersion } from './upstream-index.js';
import type { DependencyRef } from './upstream-lock.js';

/** Registries on loopback speak plain HTTP (as Docker treats 127.0.0.0/8); every other registry needs TLS. */
export function isLoopbackRegistry(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** The OCI session of a command that fetches: loopback registries over plain HTTP, few retries, the command's transport. */
export function fetchingSession(env: NodeJS.ProcessEnv, transport?: Transport): Promise<OciSession> {
  // Fail fast enough that an unreachable registry is reported in seconds, not minutes.
  return OciSession.open({ env, plainHttp: isLoopbackRegistry, retry: { attempts: 3, maxDelayMs: 2_000 }, transport });
}

/**
 * The archive of `ref` from `source` (an oci:// repository or mirror). The failure's type says what it means: a
 * missing version (listing the versions there are), an unreachable or failing registry (suggesting --mirror and
 * --offline), or anything else (credentials, a broken artifact) as it is.
 */
export async function pullOciChart(source: string, ref: DependencyRef, options: BuildOptions, output: Output, session: OciSession): Promise<Buffer> {
  const label = repositoryLabel(source, ref.repository);
  const log = output.progress ? (line: string) => output.err(`  ${ref.name} ${ref.version}: ${line}`) : undefined;
  // Helm's rule for `repository: oci://HOST/PATH` dependencies: the chart is oci://HOST/PATH/NAME.
  const repo = await session.repository(chartRepository(parseOciBase(source), ref.name), { log });
  try {
    return (await pullChart(repo, ref.version)).archive;
  } catch (e) {
    if (isNotFound(e)) {
      // NAME_UNKNOWN: no such repository, so no versions; otherwise list the tags to name the versions there are.
      const versions = e.code === 'NAME_UNKNOWN' ? [] : await listChartVersions(repo).catch(() => []);
      throw noSuchVersion(ref.name, ref.version, label, versions);
    }
    if (!(e instanceof UserError)) throw e;
    const message = `chart ${ref.name} ${ref.version}: repository ${label}: ${e.message}`;
    throw isUnavailable(e) ? new UnreachableRepositoryError(message, ref.repository, options.cacheDir) : new UserError(message, e.hint);
  }
}
