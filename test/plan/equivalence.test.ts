// The plan's values are what the umbrella gives each subchart: the umbrella (built with the stand-in charts) and each
// stand-in chart rendered alone with the plan's values give the same objects. Both renders use the plan's release
// name and namespace (Helm's own parameters, not values), so any difference is a difference of values. The only
// allowed difference: a Secret the plan moves out of the values (the static Linkerd issuer), which must hold what
// the printed command puts in the user's Secret. The umbrella's own objects (Namespaces, Issuer, Certificate,
// ClusterIssuer) are compared with the plan's manifests, less Helm's hook annotations and labels.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Values } from '../../generator/charts/opta-base/catalog.js';
import { standInArchive } from '../support/standin-charts.js';
import { secretValue } from '../../generator/gitops/secrets.js';
import { helmOk, HELMS } from '../support/helm.js';
import { buildUmbrella, tempDir } from '../opta-base/build-umbrella.js';
import { CI, makePlan, scenarioValues, type K8sObject } from './plan-fixtures.js';

// opta-base refuses Helm 3.18.0 (its floor is 3.18.1), so the umbrella renders with Helm 4.
const helm = HELMS.find((h) => h.major === 4)!;
const { dir, cleanup } = tempDir('plan-equiv-');
const UMBRELLA = join(dir, 'opta-base.tgz');

beforeAll(async () => {
  writeFileSync(UMBRELLA, (await buildUmbrella()).archive);
}, 120_000);
afterAll(cleanup);

/** Rendered documents with the template they came from (`# Source: <chart>/...`). */
function documents(out: string): { source: string; obj: K8sObject }[] {
  return out
    .split(/^---\s*$/m)
    .map((d) => ({ source: /^# Source: (.*)$/m.exec(d)?.[1] ?? '', obj: yaml.load(d) as K8sObject }))
    .filter((d) => d.obj && typeof d.obj === 'object');
}

const id = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const byId = (objs: K8sObject[]) => Object.fromEntries(objs.map((o) => [id(o), o]));

const umbrellaRender = (release: string, namespace: string, scenario: string) =>
  helmOk(helm, ['template', release, UMBRELLA, '-n', namespace, '-f', join(CI, `${scenario}-values.yaml`)]).then(documents);

async function planRender(chart: string, version: string, release: string, namespace: string, values: Values): Promise<K8sObject[]> {
  const archive = join(dir, `${chart}-${version}.tgz`);
  writeFileSync(archive, standInArchive(chart, version));
  const file = join(dir, `${release}-${namespace}-values.yaml`);
  writeFileSync(file, yaml.dump(values));
  return documents(await helmOk(helm, ['template', release, archive, '-n', namespace, '-f', file])).map((d) => d.obj);
}

/** Helm's hook annotations and the umbrella's chart labels, which the plan's plain manifests do not carry. */
function withoutHelm(o: K8sObject): K8sObject {
  const { annotations = {}, labels = {}, ...meta } = o.metadata;
  const keep = (m: Record<string, string>, drop: RegExp) => Object.fromEntries(Object.entries(m).filter(([k]) => !drop.test(k)));
  const a = keep(annotations, /^(helm\.sh\/|argocd\.argoproj\.io\/)/);
  const l = keep(labels, /^(app\.kubernetes\.io\/(managed-by|instance)|helm\.sh\/chart)$/);
  return { ...o, metadata: { ...meta, ...(Object.keys(l).length ? { labels: l } : {}), ...(Object.keys(a).length ? { annotations: a } : {}) } };
}

const SCENARIOS: [string, string][] = [
  ['aws', 'aws'], ['aws', 'aws-datadog'], ['aws', 'aws-ha'], ['aws', 'aws-proxy-init'],
  ['gcp', 'gcp-acme'], ['gcp', 'gcp-cni'], ['azure', 'azure-cert-manager'], ['azure', 'azure-external-ca'],
  // The Gateway API edge: its GatewayClass, EnvoyProxy and Gateway (gcp: TLS in the Gateway's namespace; azure: TLS
  // from another namespace, so a ReferenceGrant, and ACME solved through the Gateway).
  ['aws', 'aws-gateway'], ['gcp', 'gcp-gateway'], ['azure', 'azure-gateway'],
];
const GATEWAY_KINDS: Record<string, string[]> = {
  'aws-gateway': ['EnvoyProxy', 'Gateway', 'GatewayClass'],
  'gcp-gateway': ['EnvoyProxy', 'Gateway', 'GatewayClass'],
  'azure-gateway': ['EnvoyProxy', 'Gateway', 'GatewayClass', 'ReferenceGrant'],
};

describe.each(SCENARIOS)('plan --provider %s, ci/%s-values.yaml: the same objects as the umbrella', (provider, scenario) => {
  it('every release renders what the umbrella renders for that subchart', async () => {
    const values = scenarioValues(scenario);
    const plan = await makePlan(provider, values);
    expect(plan.releases.length).toBeGreaterThan(3);
    for (const r of plan.releases) {
      const [umbrella, own] = await Promise.all([
        umbrellaRender(r.name, r.namespace, scenario),
        planRender(r.chart.chart, r.chart.version, r.name, r.namespace, r.values),
      ]);
      const sub = umbrella.filter((d) => d.source.startsWith(`opta-base/charts/${r.key}/`)).map((d) => d.obj);
      expect(sub.length, `${r.key} renders objects in the umbrella`).toBeGreaterThan(0);
      const expected = byId(sub);
      const moved = plan.secrets.filter((s) => s.keys.some((k) => k.from)).filter((s) => s.namespace === r.namespace);
      for (const s of moved) {
        // The umbrella renders the static issuer from values; the plan's user-made Secret holds the same PEMs.
        const inUmbrella = expected[`Secret/${r.namespace}/${s.name}`] as K8sObject & { data: Record<string, string> };
        if (!inUmbrella) continue;
        const decoded = Object.values(inUmbrella.data).map((v) => Buffer.from(v, 'base64').toString());
        const fromFile = s.keys.filter((k) => k.from && k.key !== 'ca.crt').map((k) => secretValue(values, k.from!));
        expect(decoded.sort()).toEqual(fromFile.sort());
        delete expected[`Secret/${r.namespace}/${s.name}`];
      }
      expect(byId(own), `${r.name} in ${r.namespace}`).toEqual(expected);
    }
  }, 120_000);

  it("the umbrella's own objects are the plan's manifests and namespaces", async () => {
    const plan = await makePlan(provider, scenarioValues(scenario));
    const cp = plan.releases.find((r) => r.name === 'linkerd-control-plane')!;
    const umbrella = await umbrellaRender('opta-base', cp.namespace, scenario);
    const own = umbrella.filter((d) => d.source.startsWith('opta-base/templates/')).map((d) => withoutHelm(d.obj));
    const ownNamespaces = own.filter((o) => o.kind === 'Namespace');
    const ownManifests = own.filter((o) => o.kind !== 'Namespace');
    expect(byId(plan.manifests.flatMap((g) => g.objects as K8sObject[]))).toEqual(byId(ownManifests));
    // The edge's objects are there at all (both sides empty would also be equal), in the plan's gateway group.
    const gatewayKinds = (objs: K8sObject[]) => objs.filter((o) => o.apiVersion.startsWith('gateway.')).map((o) => o.kind).sort();
    expect(gatewayKinds(ownManifests)).toEqual(GATEWAY_KINDS[scenario] ?? []);
    expect(gatewayKinds((plan.manifests.find((g) => g.id === 'gateway')?.objects ?? []) as K8sObject[])).toEqual(GATEWAY_KINDS[scenario] ?? []);
    // Every namespace the umbrella makes, the plan makes with the same Pod Security level and injection.
    for (const ns of ownNamespaces) {
      const mine = plan.namespaces.find((n) => n.name === ns.metadata.name)!;
      expect(mine, ns.metadata.name).toBeDefined();
      const psa = (l: Record<string, string> = {}) => Object.fromEntries(Object.entries(l).filter(([k]) => /^(pod-security\.kubernetes\.io|config\.linkerd\.io)\//.test(k)));
      expect(psa(mine.labels)).toEqual(psa(ns.metadata.labels));
      expect(mine.annotations).toEqual(ns.metadata.annotations ?? {});
    }
  }, 120_000);
});
