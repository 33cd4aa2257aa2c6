// --pin-digests: charts mirrored into a real OCI registry (docker-registry on 127.0.0.1, pushed by `helm push`) are
// pinned by manifest digest in Flux and Argo CD, after their chart layer is checked against the lock.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../generator/errors.js';
import { memoryOutput } from '../support/memory-output.js';
import { sha256Hex } from '../../generator/encoding/sha256.js';
import { renderPlan } from '../../generator/gitops/formats.js';
import { pinOciManifests } from '../../generator/gitops/oci-pins.js';
import { standInArchive } from '../support/standin-charts.js';
import { HELMS, helmOk, runHelm } from '../support/helm.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { tempDir } from '../opta-base/build-umbrella.js';
import { makePlan, planObjects, scenarioValues } from './plan-fixtures.js';

let registry: TestRegistry;
const { dir, cleanup } = tempDir('plan-oci-');
const pushed = new Map<string, string>();

beforeAll(async () => {
  registry = await startRegistry();
  const plan = await makePlan('gcp', scenarioValues('gcp'));
  for (const r of plan.releases) {
    const file = join(dir, `${r.chart.chart}-${r.chart.version}.tgz`);
    const archive = standInArchive(r.chart.chart, r.chart.version);
    writeFileSync(file, archive);
    pushed.set(r.chart.chart, `sha256:${sha256Hex(archive)}`);
    await helmOk(HELMS.find((h) => h.major === 3)!, ['push', file, `${registry.url}/mirror`, '--plain-http']);
  }
}, 120_000);
afterAll(async () => {
  await registry?.stop();
  cleanup();
});

/** The gcp plan through the mirror, with the lock's digests replaced by the stand-ins' (the project lock has upstream's). */
async function mirroredPlan() {
  const plan = await makePlan('gcp', scenarioValues('gcp'), [`*=${registry.url}/mirror`]);
  for (const r of plan.releases) r.chart.archiveDigest = pushed.get(r.chart.chart);
  return plan;
}

describe('plan --pin-digests', () => {
  it('pins each OCI chart by the digest of the manifest whose chart layer is the locked archive', async () => {
    const plan = await mirroredPlan();
    await pinOciManifests(plan, {}, memoryOutput());
    const digests = plan.releases.map((r) => r.chart.manifestDigest);
    expect(digests.every((d) => /^sha256:[0-9a-f]{64}$/.test(d ?? ''))).toBe(true);
    const flux = planObjects(renderPlan(plan, 'flux', { gitPath: '.' })).map((o) => o.obj);
    const cp = plan.releases.find((r) => r.name === 'linkerd-control-plane')!;
    expect(flux.find((o) => o.kind === 'OCIRepository' && o.metadata.name === cp.name)!.spec!.ref).toEqual({ digest: cp.chart.manifestDigest });
    const argo = planObjects(renderPlan(plan, 'argocd', { gitPath: '.' })).map((o) => o.obj);
    expect((argo.find((o) => o.kind === 'Application' && o.metadata.name === cp.name)!.spec!.source as { targetRevision: string }).targetRevision).toBe(cp.chart.manifestDigest);
    // The digest is the one Helm resolves for the tag.
    const pull = await runHelm(HELMS.find((h) => h.major === 4)!, ['pull', `${registry.url}/mirror/linkerd-control-plane`, '--version', '2026.8.3', '--plain-http', '-d', dir]);
    expect(pull.stdout + pull.stderr).toContain(`Digest: ${cp.chart.manifestDigest}`);
  });

  it('refuses a mirror that serves another archive than the lock records', async () => {
    const plan = await mirroredPlan();
    plan.releases[0].chart.archiveDigest = `sha256:${'0'.repeat(64)}`;
    const e = await pinOciManifests(plan, {}, memoryOutput()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    expect((e as Error).message).toMatch(/its chart layer is sha256:[0-9a-f]{64}, not the archive chart-templates\/opta-base\/upstream\.lock\.yaml records for linkerd-crds 2026\.8\.3 \(sha256:0{64}\)/);
  });
});
