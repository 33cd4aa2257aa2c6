// Pins charts served from an OCI mirror by manifest digest (Flux OCIRepository ref.digest, Argo CD digest revision),
// after checking that the manifest's chart layer is the archive the upstream lock records. Network: the mirror only.
import { UserError } from '../errors.js';
import { fetchingSession } from '../fetch/oci-source.js';
import { pullChart } from '../oci/pull.js';
import { chartRepository, parseOciBase } from '../oci/reference.js';
import type { Output } from '../output.js';
import type { ReleasePlan } from './plan-types.js';

export async function pinOciManifests(plan: ReleasePlan, env: NodeJS.ProcessEnv, output: Output): Promise<void> {
  const releases = plan.releases.filter((x) => x.chart.oci);
  if (releases.length === 0) return;
  // One OCI session for every pin: one client, credentials and token per registry.
  const session = await fetchingSession(env);
  try {
    for (const r of releases) {
      const c = r.chart;
      const pulled = await pullChart(await session.repository(chartRepository(parseOciBase(c.repository), c.chart)), c.version);
      if (c.archiveDigest && pulled.archiveDigest !== c.archiveDigest) {
        throw new UserError(
          `${pulled.reference}: its chart layer is ${pulled.archiveDigest}, not the archive chart-templates/opta-base/upstream.lock.yaml records for ${c.chart} ${c.version} (${c.archiveDigest})`,
          'the mirror must serve the very same archive as the upstream repository',
        );
      }
      if (!c.archiveDigest) output.err(`note: ${c.chart} ${c.version} has no published digest in the lock; pinned to what ${pulled.reference} serves now (${pulled.manifestDigest})`);
      c.manifestDigest = pulled.manifestDigest;
    }
  } finally {
    session.close();
  }
}
