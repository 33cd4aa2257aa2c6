// Brings each stand-in upstream chart's archive close to the real chart's size at the pinned version, so fetching,
// vendoring, packaging and Helm's loading of opta-base cost what they cost with the real charts (and the benchmark is
// honest about them). The padding is generated (./padding.ts), never copied: CRD-shaped YAML under files/ (never
// rendered or installed), and a generated README.md / CHANGELOG.md.
import { crdShapedYaml, markdownText } from './padding.js';
import type { FileTree } from '../../generator/fs/tree.js';

/**
 * Archive bytes of the real charts at the versions opta-base pins. Source: each chart's directory at its release tag
 * (DataDog/helm-charts datadog-3.240.0 with datadog-crds 2.23.0, datadog-operator 2.25.0 and datadog-csi-driver 0.17.0
 * vendored, kube-state-metrics left out; linkerd/linkerd2 edge-26.8.3 charts/ with its partials library;
 * cert-manager/cert-manager v1.21.1 deploy/charts/cert-manager with its generated CRD templates;
 * kubernetes-sigs/metrics-server metrics-server-helm-chart-3.13.1; kubernetes/autoscaler
 * cluster-autoscaler-chart-9.59.0; kubernetes/ingress-nginx helm-chart-4.15.1; kubernetes-sigs/external-dns
 * external-dns-helm-chart-1.21.1; envoyproxy/gateway v1.9.0 charts/gateway-helm), packaged with `helm package`
 * (Helm 4.1.4) on 2026-11-28. Published archives differ by a few per cent (release tooling, gzip header).
 */
export const REAL_ARCHIVE_BYTES: Record<string, number> = {
  'linkerd-crds': 160_233,
  'linkerd-control-plane': 26_957,
  'linkerd2-cni': 12_296,
  'metrics-server': 13_892,
  'cluster-autoscaler': 32_616,
  'ingress-nginx': 63_251,
  'gateway-helm': 540_972,
  'external-dns': 22_949,
  'cert-manager': 153_226,
  datadog: 397_557,
};

/** Generated padding per chart: CRD documents (count × characters each) and README/CHANGELOG characters. */
const PADDING: Record<string, { group?: string; crds?: [number, number]; readme: number; changelog?: number }> = {
  'linkerd-crds': { group: 'policy.linkerd.io', crds: [9, 98_000], readme: 4_000 },
  'linkerd-control-plane': { readme: 100_000 },
  'linkerd2-cni': { readme: 44_000 },
  'metrics-server': { readme: 50_000 },
  'cluster-autoscaler': { readme: 127_000 },
  'ingress-nginx': { readme: 180_000, changelog: 60_000 },
  'gateway-helm': { group: 'gateway.envoyproxy.io', crds: [12, 251_000], readme: 20_000 },
  'external-dns': { readme: 60_000, changelog: 25_000 },
  'cert-manager': { group: 'cert-manager.io', crds: [6, 118_000], readme: 70_000 },
  datadog: { group: 'datadoghq.com', crds: [10, 182_000], readme: 125_000, changelog: 130_000 },
};

const KINDS = ['Server', 'Policy', 'Route', 'Target', 'Config', 'Binding', 'Profile', 'Monitor', 'Listener', 'Backend', 'Filter', 'Provider'];
const memo = new Map<string, FileTree>();

/** The generated padding files of a stand-in chart (the same bytes on every call). */
export function standInPadding(chart: string): FileTree {
  const cached = memo.get(chart);
  if (cached) return cached;
  const p = PADDING[chart];
  const files: FileTree = {};
  if (p) {
    files['README.md'] = Buffer.from(markdownText(`${chart}/readme`, chart, p.readme));
    if (p.changelog) files['CHANGELOG.md'] = Buffer.from(markdownText(`${chart}/changelog`, `${chart} changelog`, p.changelog));
    const [count, size] = p.crds ?? [0, 0];
    for (let i = 0; i < count; i++) {
      const kind = `${KINDS[i % KINDS.length]}${i >= KINDS.length ? i : ''}`;
      const crd = crdShapedYaml(`${chart}/${kind}`, p.group ?? 'example.com', kind, size);
      // Outside templates/ and crds/: carried, vendored, packed and loaded like the real CRDs, never installed, and not
      // parsed as templates (that would add about 50 ms to every `helm template` of opta-base in the tests).
      files[`files/crd-reference/${kind.toLowerCase()}s.yaml`] = Buffer.from(crd);
    }
  }
  memo.set(chart, files);
  return files;
}
