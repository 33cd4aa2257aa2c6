// Pulls a dependency's chart archive from an oci:// repository through the OCI client (generator/oci).
import type { BuildOptions } from '../build/extension.js';
import { UserError } from '../errors.js';
import { listChartVersions, pullChart, type PullOptions } from '../oci/pull.js';
import { chartRepository, formatReference, parseOciBase } from '../oci/reference.js';
import type { Output } from '../output.js';
import { repositoryLabel, UnreachableRepositoryError } from './messages.js';
import { noSuchVersion } from './upstream-index.js';
import type { DependencyRef } from './upstream-lock.js';

/** Registries on loopback speak plain HTTP (as Docker treats 127.0.0.0/8); every other registry needs TLS. */
export function isLoopbackRegistry(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** oci://HOST/PATH + chart name → oci://HOST/PATH/NAME (Helm's rule for `repository: oci://…` dependencies). */
export function ociChartReference(repository: string, name: string): string {
  return formatReference(chartRepository(parseOciBase(repository), name));
}

export async function pullOciChart(source: string, ref: DependencyRef, options: BuildOptions, output: Output): Promise<Buffer> {
  const label = repositoryLabel(source, ref.repository);
  const base = parseOciBase(source);
  const chartRef = formatReference(chartRepository(base, ref.name));
  const pullOptions: PullOptions = {
    env: options.env,
    plainHttp: isLoopbackRegistry(base.registry),
    // Fail fast enough that an unreachable registry is reported in seconds, not minutes.
    retry: { attempts: 3, maxDelayMs: 2_000 },
    log: output.progress ? (line) => output.err(`  ${ref.name} ${ref.version}: ${line}`) : undefined,
  };
  try {
    return (await pullChart(chartRef, ref.version, pullOptions)).archive;
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    // Tell "no such version" (list what exists) from "registry unreachable" (suggest --mirror / --offline).
    const versions = await listChartVersions(chartRef, pullOptions).catch(() => undefined);
    if (versions && !versions.includes(ref.version)) throw noSuchVersion(ref.name, ref.version, label, versions);
    const message = `chart ${ref.name} ${ref.version}: repository ${label}: ${e.message}`;
    throw e.hint ? new UserError(message, e.hint) : new UnreachableRepositoryError(message, ref.repository, options.cacheDir);
  }
}
