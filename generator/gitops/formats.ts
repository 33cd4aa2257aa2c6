// A release plan printed for Argo CD, Flux or helmfile: pure, plan in, files out.
import yaml from 'js-yaml';
import type { FileTree } from '../fs/tree.js';
import type { Values } from '../charts/opta-base/catalog.js';
import { MEDIA_TYPES } from '../oci/artifact.js';
import { NAMESPACES_NODE } from './release-plan.js';
import type { ChartPin, PlanNamespace, PlanNode, Release, ReleasePlan } from './plan-types.js';

export const FORMATS = ['argocd', 'flux', 'helmfile'] as const;
export type Format = (typeof FORMATS)[number];

const PART_OF = { 'app.kubernetes.io/part-of': 'opta-base' };

export interface FormatOptions {
  /** Path of the output directory inside the Git repository Flux (or an Argo CD app of apps) reads. */
  gitPath: string;
}

const doc = (objects: Values[]): Buffer =>
  Buffer.from(objects.map((o) => `---\n${yaml.dump(o, { lineWidth: -1, noRefs: true })}`).join(''));

function namespaceObject(ns: PlanNamespace): Values {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns.name, labels: ns.labels, ...(Object.keys(ns.annotations).length ? { annotations: ns.annotations } : {}) },
  };
}

const nodeOf = (plan: ReleasePlan, id: string): PlanNode => plan.nodes.find((n) => n.id === id)!;
/** Needs between releases only (what HelmRelease dependsOn and helmfile needs can name). */
const releaseNeeds = (plan: ReleasePlan, r: Release): Release[] => {
  const direct = nodeOf(plan, r.name).needs;
  // A manifest group between two releases passes its own needs on (cert-manager -> issuer -> control plane).
  const expand = (id: string): string[] => (plan.releases.some((x) => x.name === id) ? [id] : (plan.nodes.find((n) => n.id === id)?.needs ?? []).flatMap(expand));
  const names = new Set(direct.filter((id) => id !== NAMESPACES_NODE).flatMap(expand));
  return plan.releases.filter((x) => names.has(x.name));
};

// ---- Argo CD (argoproj.io/v1alpha1 Application; Argo CD 3.1+) ----

/** Argo CD's Helm source: classic repositories by URL; OCI registries as `oci://` repoURL of the chart (3.1's OCI
 * sources), where targetRevision may be a manifest digest. */
function argoSource(r: Release): Values {
  const c = r.chart;
  const helm = { releaseName: r.name, valuesObject: r.values };
  if (c.oci) return { repoURL: `${c.repository.replace(/\/+$/, '')}/${c.chart}`, targetRevision: c.manifestDigest ?? c.version, helm };
  return { repoURL: c.repository, chart: c.chart, targetRevision: c.version, helm };
}

function argocd(plan: ReleasePlan): FileTree {
  const wave = (id: string) => String(nodeOf(plan, id).wave);
  const files: FileTree = {};
  files['namespaces.yaml'] = doc(
    plan.namespaces.map((ns) => {
      const o = namespaceObject(ns) as { metadata: Values };
      o.metadata.annotations = { ...((o.metadata.annotations as Values) ?? {}), 'argocd.argoproj.io/sync-wave': wave(NAMESPACES_NODE) };
      return o as Values;
    }),
  );
  for (const r of plan.releases) {
    files[`applications/${r.name}.yaml`] = doc([{
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: r.name, namespace: 'argocd', labels: PART_OF, annotations: { 'argocd.argoproj.io/sync-wave': wave(r.name) } },
      spec: {
        project: 'default',
        source: argoSource(r),
        destination: { server: 'https://kubernetes.default.svc', namespace: r.namespace },
        // The namespaces come from namespaces.yaml (wave 0) with their labels; Argo CD must not create them bare.
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true'] },
      },
    }]);
  }
  for (const g of plan.manifests) {
    files[`manifests/${g.id}.yaml`] = doc(g.objects.map((o) => {
      const meta = o.metadata as Values;
      // SkipDryRunOnMissingResource: the kind's CRD comes from an earlier wave of the same sync.
      return { ...o, metadata: { ...meta, annotations: { 'argocd.argoproj.io/sync-wave': wave(g.id), 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' } } };
    }));
  }
  return files;
}

// ---- Flux (source.toolkit.fluxcd.io/v1 OCIRepository and HelmRepository, helm.toolkit.fluxcd.io/v2 HelmRelease,
// kustomize.toolkit.fluxcd.io/v1 Kustomization; Flux 2.6+) ----

function fluxSource(r: Release): Values {
  const c = r.chart;
  const metadata = { name: r.name, namespace: r.namespace, labels: PART_OF };
  if (c.oci) {
    return {
      apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'OCIRepository', metadata,
      spec: {
        interval: '1h',
        url: `${c.repository.replace(/\/+$/, '')}/${c.chart}`,
        ref: pinnedRef(c),
        // Helm's chart layer (helm/helm pkg/registry/constants.go), what Flux's layerSelector picks.
        layerSelector: { mediaType: MEDIA_TYPES.chart, operation: 'copy' },
      },
    };
  }
  return { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', metadata, spec: { interval: '1h', url: c.repository } };
}

/** OCIRepository ref: the manifest digest when known (resolved from the registry), else the version's tag. */
function pinnedRef(c: ChartPin): Values {
  return c.manifestDigest ? { digest: c.manifestDigest } : { tag: c.version.replace(/\+/g, '_') };
}

function helmRelease(plan: ReleasePlan, r: Release): Values {
  const c = r.chart;
  const chart = c.oci
    ? { chartRef: { kind: 'OCIRepository', name: r.name } }
    : { chart: { spec: { chart: c.chart, version: c.version, sourceRef: { kind: 'HelmRepository', name: r.name } } } };
  const needs = releaseNeeds(plan, r);
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease',
    metadata: { name: r.name, namespace: r.namespace, labels: PART_OF },
    spec: {
      interval: '1h',
      releaseName: r.name,
      ...chart,
      ...(needs.length ? { dependsOn: needs.map((n) => ({ name: n.name, namespace: n.namespace })) } : {}),
      values: r.values,
    },
  };
}

function flux(plan: ReleasePlan, opts: FormatOptions): FileTree {
  const files: FileTree = {};
  const base = opts.gitPath.replace(/\/+$/, '');
  files[`${NAMESPACES_NODE}/namespaces.yaml`] = doc(plan.namespaces.map(namespaceObject));
  for (const r of plan.releases) files[`${r.name}/release.yaml`] = doc([fluxSource(r), helmRelease(plan, r)]);
  for (const g of plan.manifests) files[`${g.id}/manifests.yaml`] = doc(g.objects);
  // One Kustomization per node, so plain manifests and releases order one another (HelmRelease dependsOn names
  // only HelmReleases); `wait` makes each Ready only when everything it applied is (HelmReleases included).
  // The root's kustomization.yaml applies only kustomizations.yaml: with the plan inside the path flux-system
  // reconciles, Flux's generated kustomization takes this directory as one resource and does not apply the node
  // directories themselves (their own Kustomizations do).
  files['kustomization.yaml'] = Buffer.from(yaml.dump({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['kustomizations.yaml'] }));
  files['kustomizations.yaml'] = doc(plan.nodes.map((n) => ({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization',
    metadata: { name: `opta-base-${n.id}`, namespace: 'flux-system', labels: PART_OF },
    spec: {
      interval: '10m',
      path: `${base}/${n.id}`,
      prune: true,
      wait: true,
      timeout: '10m',
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
      ...(n.needs.length ? { dependsOn: n.needs.map((id) => ({ name: `opta-base-${id}` })) } : {}),
    },
  })));
  return files;
}

// ---- helmfile (helmfile v1 helmfile.yaml: repositories, releases, needs) ----

function helmfile(plan: ReleasePlan): FileTree {
  const repos = new Map<string, { name: string; url: string; oci?: boolean }>();
  const repoName = (c: ChartPin): string => {
    const url = c.oci ? c.repository.replace(/^oci:\/\//, '').replace(/\/+$/, '') : c.repository;
    // Named after the repository's host and path (helm.linkerd.io/edge -> helm-linkerd-io-edge).
    const name = url.replace(/^https?:\/\//, '').replace(/^[^@/]*@/, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();
    if (!repos.has(url)) repos.set(url, { name, url, ...(c.oci ? { oci: true } : {}) });
    return repos.get(url)!.name;
  };
  const files: FileTree = {};
  const releases: Values[] = [];
  // The namespaces and the umbrella's own objects are local charts of plain manifests (helmfile turns a directory
  // of manifests into a chart), so they take part in `needs` like any release.
  files['manifests/namespaces/namespaces.yaml'] = doc(plan.namespaces.map(namespaceObject));
  releases.push({ name: 'opta-base-namespaces', namespace: 'default', chart: './manifests/namespaces' });
  const needsOf = (id: string): string[] =>
    nodeOf(plan, id).needs.map((n) => {
      if (n === NAMESPACES_NODE) return 'default/opta-base-namespaces';
      const r = plan.releases.find((x) => x.name === n);
      return r ? `${r.namespace}/${r.name}` : `default/opta-base-${n}`;
    });
  for (const g of plan.manifests) {
    files[`manifests/${g.id}/manifests.yaml`] = doc(g.objects);
    releases.push({ name: `opta-base-${g.id}`, namespace: 'default', chart: `./manifests/${g.id}`, needs: needsOf(g.id) });
  }
  for (const r of plan.releases) {
    files[`values/${r.name}.yaml`] = Buffer.from(yaml.dump(r.values, { lineWidth: -1, noRefs: true }));
    releases.push({
      name: r.name,
      namespace: r.namespace,
      chart: `${repoName(r.chart)}/${r.chart.chart}`,
      version: r.chart.version,
      values: [`values/${r.name}.yaml`],
      needs: needsOf(r.name),
    });
  }
  files['helmfile.yaml'] = Buffer.from(yaml.dump({ repositories: [...repos.values()], releases }, { lineWidth: -1, noRefs: true }));
  return files;
}

export function renderPlan(plan: ReleasePlan, format: Format, opts: FormatOptions): FileTree {
  if (format === 'argocd') return argocd(plan);
  if (format === 'flux') return flux(plan, opts);
  return helmfile(plan);
}
