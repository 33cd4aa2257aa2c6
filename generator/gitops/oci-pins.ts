// Pins charts served from an OCI mirror by manifest digest (Flux OCIRepository ref.digest, Argo CD digest revision),
// after checking that the manifest's chart layer is the archive the upstream lock records. Network: the mirror only.
import { UserError } from '../errors.js';
import { isLoopbackRegistry } from '../fetch/oci-source.js';
import { pullChart } from '../oci/pull.js';
import { chartRepository, formatReference, parseOciBase } from '../oci/reference.js';
import type { Output } from '../output.js';
import type { ReleasePlan } from './release-plan.js';

export async function pinOciManifests(plan: ReleasePlan, env: NodeJS.ProcessEnv, output: Output): Promise<void> {
  for (const r of plan.releases.filter((x) => x.chart.oci)) {
    const c = r.chart;
    const base = parseOciBase(c.repository);
    const ref = formatReference(chartRepository(base, c.chart));
    const pulled = await pullChart(ref, c.version, { env, plainHttp: isLoopbackRegistry(base.registry), retry: { attempts: 3, maxDelayMs: 2_000 } });
    if (c.archiveDigest && pulled.archiveDigest !== c.archiveDigest) {
      throw new UserError(
        `${pulled.reference}: its chart layer is ${pulled.archiveDigest}, not the archive chart-templates/opta-base/upstream.lock.yaml records for ${c.chart} ${c.version} (${c.archiveDigest})`,
        'the mirror must serve the very same archive as the upstream repository',
      );
    }
    if (!c.archiveDigest) output.err(`note: ${c.chart} ${c.version} has no published digest in the lock; pinned to what ${pulled.reference} serves now (${pulled.manifestDigest})`);
    c.manifestDigest = pulled.manifestDigest;
  }
}
