// `opta-charts plan`: each format x provider validated strictly, ordered, with no key material; bad input refused.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parseCatalog, type Values } from '../../generator/charts/opta-base/catalog.js';
import { FORMATS, type Format } from '../../generator/gitops/formats.js';
import { planReleases } from '../../generator/gitops/release-plan.js';
import type { ReleasePlan } from '../../generator/gitops/plan-types.js';
import { secretValue } from '../../generator/gitops/secrets.js';
import { gitopsProblems, helmfileProblems } from '../support/gitops-schemas.js';
import { validateK8sObject } from '../support/k8s-validate.js';
import { tempDir } from '../opta-base/build-umbrella.js';
import { CI, cli, planFiles, planObjects, scenarioValues } from './plan-fixtures.js';

/** Scenarios per provider: static issuer, cert-manager issuer with ACME, Datadog, the Gateway API edge. */
const SCENARIOS: [string, string][] = [
  ['aws', 'aws'], ['aws', 'aws-datadog'], ['aws', 'aws-tls'],
  ['gcp', 'gcp'], ['gcp', 'gcp-acme'],
  ['azure', 'azure'], ['azure', 'azure-cert-manager'],
  ['aws', 'aws-gateway'], ['gcp', 'gcp-gateway'], ['azure', 'azure-gateway'],
];

function problemsOf(files: Record<string, Buffer>): string[] {
  const problems: string[] = [];
  for (const { file, obj } of planObjects(files)) {
    const gitops = gitopsProblems(obj);
    problems.push(...(gitops ?? validateK8sObject(obj)).map((p) => `${file}: ${p}`));
  }
  if (files['helmfile.yaml']) problems.push(...helmfileProblems(yaml.load(files['helmfile.yaml'].toString())));
  return problems;
}

/** "a before b" for every edge the format expresses, as a relation closed over transitivity. */
function orderOf(format: Format, files: Record<string, Buffer>, plan: ReleasePlan): (a: string, b: string) => boolean {
  const edges = new Map<string, Set<string>>();
  const add = (before: string, after: string) => edges.set(after, (edges.get(after) ?? new Set()).add(before));
  const objs = planObjects(files).map((o) => o.obj);
  if (format === 'argocd') {
    const wave = new Map<string, number>();
    for (const o of objs) {
      const w = Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave']);
      const id = o.kind === 'Application' ? o.metadata.name : o.kind === 'Namespace' ? 'namespaces' : plan.manifests.find((g) => g.objects.some((x) => (x.metadata as { name: string }).name === o.metadata.name))!.id;
      wave.set(id, Math.max(wave.get(id) ?? -Infinity, w));
    }
    return (a, b) => wave.get(a)! < wave.get(b)!;
  }
  if (format === 'flux') {
    for (const o of objs) {
      if (o.apiVersion === 'kustomize.toolkit.fluxcd.io/v1' && o.kind === 'Kustomization') for (const d of (o.spec!.dependsOn as { name: string }[] | undefined) ?? []) add(d.name.replace(/^opta-base-/, ''), o.metadata.name.replace(/^opta-base-/, ''));
    }
    // HelmRelease dependsOn agrees with the Kustomizations' order between releases.
    for (const o of objs.filter((x) => x.kind === 'HelmRelease')) {
      for (const d of (o.spec!.dependsOn as { name: string }[] | undefined) ?? []) expect(closure(edges, o.metadata.name).has(d.name), `${d.name} -> ${o.metadata.name}`).toBe(true);
    }
  } else {
    const hf = yaml.load(files['helmfile.yaml'].toString()) as { releases: { name: string; needs?: string[] }[] };
    const id = (name: string) => name.replace(/^opta-base-/, '');
    for (const r of hf.releases) for (const n of r.needs ?? []) add(id(n.split('/')[1]), id(r.name));
  }
  return (a, b) => closure(edges, b).has(a);
}

function closure(edges: Map<string, Set<string>>, node: string): Set<string> {
  const seen = new Set<string>();
  const walk = (n: string) => { for (const p of edges.get(n) ?? []) if (!seen.has(p)) { seen.add(p); walk(p); } };
  walk(node);
  return seen;
}

describe.each(FORMATS)('plan --format %s', (format) => {
  it.each(SCENARIOS)('--provider %s with ci/%s-values.yaml validates strictly, in order', async (provider, scenario) => {
    const { plan, files } = await planFiles(provider, scenarioValues(scenario), format);
    expect(problemsOf(files)).toEqual([]);
    const before = orderOf(format, files, plan);
    const on = new Set([...plan.releases.map((r) => r.name), ...plan.manifests.map((g) => g.id)]);
    const expectOrder = (a: string, b: string) => {
      if (on.has(a) && on.has(b)) expect(before(a, b), `${a} before ${b}`).toBe(true);
    };
    for (const r of plan.releases) expect(before('namespaces', r.name), `namespaces before ${r.name}`).toBe(true);
    expectOrder('linkerd-crds', 'linkerd-control-plane');
    expectOrder('linkerd2-cni', 'linkerd-control-plane');
    expectOrder('cert-manager', 'mesh-identity');
    expectOrder('mesh-identity', 'linkerd-control-plane');
    expectOrder('cert-manager', 'acme-issuer');
    expectOrder('linkerd-control-plane', 'ingress-nginx');
    // Unrelated releases are not serialised behind the mesh.
    expectOrder('linkerd-crds', 'linkerd-control-plane');
    if (format === 'argocd' && on.has('external-dns')) expect(before('linkerd-control-plane', 'external-dns')).toBe(false);
  });

  it.each([['aws', 'aws-gateway'], ['azure', 'azure-gateway']])('--provider %s with ci/%s-values.yaml: the Gateway objects come after the envoy-gateway release (its crds/ define their kinds)', async (provider, scenario) => {
    const { plan, files } = await planFiles(provider, scenarioValues(scenario), format);
    const group = plan.manifests.find((g) => g.id === 'gateway')!;
    expect(group.objects.map((o) => o.kind)).toEqual(scenario === 'azure-gateway' ? ['EnvoyProxy', 'GatewayClass', 'Gateway', 'ReferenceGrant'] : ['EnvoyProxy', 'GatewayClass', 'Gateway']);
    const before = orderOf(format, files, plan);
    expect(before('envoy-gateway', 'gateway')).toBe(true);
    expect(before('gateway', 'envoy-gateway')).toBe(false);
    // The written manifests are the group's objects, in the Gateway's namespace (the ReferenceGrant in the Secret's).
    const written = planObjects(files).filter((o) => o.obj.apiVersion.startsWith('gateway.')).map((o) => `${o.obj.kind}/${o.obj.metadata.namespace ?? ''}`).sort();
    expect(written).toEqual(scenario === 'azure-gateway'
      ? ['EnvoyProxy/envoy-gateway-system', 'Gateway/envoy-gateway-system', 'GatewayClass/', 'ReferenceGrant/default']
      : ['EnvoyProxy/envoy-gateway-system', 'Gateway/envoy-gateway-system', 'GatewayClass/']);
    // Linkerd's CRD chart leaves the Gateway API CRDs to the edge's chart.
    expect(plan.releases.find((r) => r.name === 'linkerd-crds')!.values.installGatewayAPI).toBe(false);
  });
}, 60_000);

describe('plan: the GitOps schemas are strict', () => {
  it('reject unknown fields, wrong enums and missing required fields of each kind', async () => {
    const objs = [
      ...planObjects((await planFiles('gcp', scenarioValues('gcp'), 'flux', ['*=oci://r.example/h'])).files),
      ...planObjects((await planFiles('aws', scenarioValues('aws'), 'flux')).files),
      ...planObjects((await planFiles('aws', scenarioValues('aws'), 'argocd')).files),
    ].map((o) => o.obj);
    const first = (kind: string) => structuredClone(objs.find((o) => o.kind === kind && o.metadata)!);
    const hr = first('HelmRelease');
    (hr.spec as Values).valuesFrom = [{ kind: 'Vault', name: 'x' }];
    expect(gitopsProblems(hr)).toEqual(['HelmRelease /spec/valuesFrom/0/kind: must be equal to one of the allowed values']);
    const oci = first('OCIRepository');
    ((oci.spec as Values).layerSelector as Values).operation = 'untar';
    expect(gitopsProblems(oci)).toEqual(['OCIRepository /spec/layerSelector/operation: must be equal to one of the allowed values']);
    const app = first('Application');
    (app.spec as Values).sourceRepo = 'x';
    delete (app.spec as Values).project;
    expect(gitopsProblems(app)).toEqual(["Application /spec: must have required property 'project'", 'Application /spec: must NOT have additional properties (sourceRepo)']);
    const ks = first('Kustomization');
    (ks.spec as Values).interval = '10 minutes';
    expect(gitopsProblems(ks)).toEqual(['Kustomization /spec/interval: must match pattern "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"']);
    const repo = first('HelmRepository');
    (repo.spec as Values).url = 'ftp://x';
    expect(gitopsProblems(repo)).toEqual(['HelmRepository /spec/url: must match pattern "^(http|https|oci)://.*$"']);
    expect(gitopsProblems({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['a.yaml'], patches: [] } as never)).toEqual(['Kustomization /: must NOT have additional properties (patches)']);
    expect(helmfileProblems({ releases: [{ name: 'x', chart: 'r/x', dependsOn: [] }] })).toEqual(['helmfile.yaml /releases/0: must NOT have additional properties (dependsOn)']);
  });
});

describe('plan: releases, namespaces, pins', () => {
  it('puts each component in its own namespace, from the catalog; kube-system is used, never created', async () => {
    const { plan, files } = await planFiles('aws', scenarioValues('aws-datadog'), 'flux');
    expect(Object.fromEntries(plan.releases.map((r) => [r.name, r.namespace]))).toEqual({
      'linkerd-crds': 'linkerd', 'linkerd-control-plane': 'linkerd', 'linkerd2-cni': 'linkerd-cni',
      'metrics-server': 'kube-system', 'cluster-autoscaler': 'kube-system', 'ingress-nginx': 'ingress-nginx',
      'external-dns': 'external-dns', datadog: 'datadog',
    });
    const namespaces = planObjects(files).filter((o) => o.obj.kind === 'Namespace').map((o) => o.obj);
    expect(namespaces.map((n) => n.metadata.name)).toEqual(['datadog', 'external-dns', 'ingress-nginx', 'linkerd', 'linkerd-cni']);
    const ns = (name: string) => namespaces.find((n) => n.metadata.name === name)!;
    expect(ns('ingress-nginx').metadata.annotations).toEqual({ 'linkerd.io/inject': 'enabled' });
    expect(ns('ingress-nginx').metadata.labels!['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(ns('linkerd-cni').metadata.labels!['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(ns('external-dns').metadata.annotations).toBeUndefined();
  });

  it('proxy-init mode makes meshed namespaces privileged, as the umbrella does', async () => {
    const { files } = await planFiles('aws', scenarioValues('aws-proxy-init'), 'argocd');
    const nginx = planObjects(files).find((o) => o.obj.kind === 'Namespace' && o.obj.metadata.name === 'ingress-nginx')!.obj;
    expect(nginx.metadata.labels!['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(planObjects(files).some((o) => o.obj.metadata.name === 'linkerd2-cni')).toBe(false);
  });

  it('pins the locked version from the upstream repository; Flux classic repositories by HelmRepository and chart.spec', async () => {
    const { files } = await planFiles('aws', scenarioValues('aws'), 'flux');
    const objs = planObjects(files).map((o) => o.obj);
    const repo = objs.find((o) => o.kind === 'HelmRepository' && o.metadata.name === 'ingress-nginx')!;
    expect(repo.spec).toEqual({ interval: '1h', url: 'https://kubernetes.github.io/ingress-nginx' });
    const hr = objs.find((o) => o.kind === 'HelmRelease' && o.metadata.name === 'ingress-nginx')!;
    expect(hr.spec!.chart).toEqual({ spec: { chart: 'ingress-nginx', version: '4.15.1', sourceRef: { kind: 'HelmRepository', name: 'ingress-nginx' } } });
  });

  it('--mirror to an OCI registry: Flux OCIRepository with the Helm chart layer (copy) and chartRef, Argo CD oci:// source, helmfile oci repository', async () => {
    const mirror = ['*=oci://harbor.example.com/helm-proxy'];
    const flux = planObjects((await planFiles('gcp', scenarioValues('gcp'), 'flux', mirror)).files).map((o) => o.obj);
    const oci = flux.find((o) => o.kind === 'OCIRepository' && o.metadata.name === 'linkerd-control-plane')!;
    expect(oci.spec).toEqual({
      interval: '1h', url: 'oci://harbor.example.com/helm-proxy/linkerd-control-plane', ref: { tag: '2026.8.3' },
      layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' },
    });
    expect(flux.find((o) => o.kind === 'HelmRelease' && o.metadata.name === 'linkerd-control-plane')!.spec!.chartRef).toEqual({ kind: 'OCIRepository', name: 'linkerd-control-plane' });
    expect(flux.some((o) => o.kind === 'HelmRepository')).toBe(false);
    const argo = planObjects((await planFiles('gcp', scenarioValues('gcp'), 'argocd', mirror)).files).map((o) => o.obj);
    expect(argo.find((o) => o.kind === 'Application' && o.metadata.name === 'ingress-nginx')!.spec!.source).toMatchObject({ repoURL: 'oci://harbor.example.com/helm-proxy/ingress-nginx', targetRevision: '4.15.1' });
    const hf = yaml.load((await planFiles('gcp', scenarioValues('gcp'), 'helmfile', mirror)).files['helmfile.yaml'].toString()) as { repositories: unknown[] };
    expect(hf.repositories).toEqual([{ name: 'harbor-example-com-helm-proxy', url: 'harbor.example.com/helm-proxy', oci: true }]);
  });
});

describe('plan: secrets are referenced, never inlined', () => {
  const DD_KEY = '0123456789abcdef0123456789abcdef';
  const inline = (): Values => {
    const v = scenarioValues('aws');
    return { ...v, components: { ...(v.components as Values), datadog: true }, datadog: { datadog: { apiKey: DD_KEY } } };
  };

  it.each(FORMATS)('%s: the static issuer key and an inline Datadog key move to Secrets the user creates', async (format) => {
    const values = inline();
    const { plan, files } = await planFiles('aws', values, format);
    const all = Object.values(files).map((b) => b.toString()).join('\n');
    expect(all).not.toMatch(/PRIVATE KEY/);
    expect(all).not.toContain(DD_KEY);
    const cp = plan.releases.find((r) => r.name === 'linkerd-control-plane')!;
    expect((cp.values.identity as { issuer: Values }).issuer).toEqual({ scheme: 'kubernetes.io/tls' });
    expect((plan.releases.find((r) => r.name === 'datadog')!.values.datadog as Values).apiKeyExistingSecret).toBe('datadog-api-key');
    expect(plan.secrets.map((s) => `${s.namespace}/${s.name} ${s.type} ${s.keys.map((k) => `${k.key}<-${k.from ?? k.placeholder}`).join(',')}`)).toEqual([
      'linkerd/linkerd-identity-issuer kubernetes.io/tls tls.crt<-linkerd-control-plane.identity.issuer.tls.crtPEM,tls.key<-linkerd-control-plane.identity.issuer.tls.keyPEM,ca.crt<-linkerd-control-plane.identityTrustAnchorsPEM',
      'datadog/datadog-api-key Opaque api-key<-datadog.datadog.apiKey',
    ]);
    expect(secretValue(values, 'datadog.datadog.apiKey')).toBe(DD_KEY);
    expect(secretValue(values, 'linkerd-control-plane.identity.issuer.tls.keyPEM')).toMatch(/BEGIN EC PRIVATE KEY|BEGIN PRIVATE KEY/);
  });

  it('the command prints kubectl commands that read the values with --secret-value, and --secret-value prints the key', async () => {
    const { dir, cleanup } = tempDir('plan-secrets-');
    try {
      writeFileSync(join(dir, 'values.yaml'), yaml.dump(inline()));
      const r = await cli(['plan', '--provider', 'aws', '-f', 'values.yaml', '--format', 'flux', '-o', 'out'], dir);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toMatch(/PRIVATE KEY/);
      expect(r.stdout).not.toContain(DD_KEY);
      expect(r.stdout).toContain('kubectl -n datadog create secret generic datadog-api-key \\\n    --from-file=api-key=<(npx opta-charts plan --provider aws -f values.yaml --secret-value datadog.datadog.apiKey)');
      expect(r.stdout).toContain('kubectl -n linkerd create secret generic linkerd-identity-issuer \\\n    --type=kubernetes.io/tls');
      const key = await cli(['plan', '--provider', 'aws', '-f', 'values.yaml', '--secret-value', 'datadog.datadog.apiKey'], dir);
      expect(key.stdout).toBe(DD_KEY);
    } finally {
      cleanup();
    }
  });

  it('cert-manager issuer: the trust anchor Secret is referenced in the control plane namespace; no issuer Secret to make', async () => {
    const { plan } = await planFiles('azure', scenarioValues('azure-cert-manager'), 'argocd');
    expect(plan.secrets.map((s) => `${s.namespace}/${s.name}`)).toEqual(['linkerd/ci-trust-anchor']);
    const issuer = plan.manifests.find((g) => g.id === 'mesh-identity')!.objects.find((o) => o.kind === 'Issuer')!;
    expect(issuer).toMatchObject({ metadata: { namespace: 'linkerd' }, spec: { ca: { secretName: 'ci-trust-anchor' } } });
  });
});

describe('plan: bad input', () => {
  const run = async (values: Values | string, args: string[] = []) => {
    const { dir, cleanup } = tempDir('plan-bad-');
    try {
      writeFileSync(join(dir, 'values.yaml'), typeof values === 'string' ? values : yaml.dump(values));
      const r = await cli(['plan', '--provider', 'aws', '-f', 'values.yaml', '--format', 'flux', '-o', 'out', ...args], dir);
      return { ...r, wrote: existsSync(join(dir, 'out')) };
    } finally {
      cleanup();
    }
  };

  it.each<[string, Values | string, string[], RegExp]>([
    ['unknown provider', scenarioValues('aws'), ['--provider', 'oci'], /--provider: "oci" is not a provider of the catalog \(aws, gcp, azure\)/],
    ['a key that is no component', { ...scenarioValues('aws'), 'ingress-ngnix': {} }, [], /values\.yaml: ingress-ngnix: is not a component of opta-base on aws \(.*ingress-nginx-aws.*\) nor one of its sections/],
    ['a component of another provider', { ...scenarioValues('aws'), 'ingress-nginx-gcp': {} }, [], /values\.yaml: ingress-nginx-gcp: is a component of gcp, not of --provider aws/],
    ['a switch that is no component', { ...scenarioValues('aws'), components: { nginx: true } }, [], /values\.yaml: components\.nginx: is not a component of opta-base/],
    ['tags of another provider', scenarioValues('gcp'), [], /values\.yaml: tags\.aws: is false, but --provider is aws/],
    ['Datadog without its key Secret', { ...scenarioValues('aws'), components: { datadog: true } }, [], /values\.yaml: datadog\.datadog\.apiKeyExistingSecret: is required/],
    ['the cert-manager issuer without a trust anchor', (() => { const v = scenarioValues('azure-cert-manager'); (v.meshIdentity as Values).trustAnchor = {}; return { ...v, tags: { aws: true } }; })(), [], /values\.yaml: meshIdentity\.trustAnchor\.existingSecret: is required/],
    ['the static issuer without its key', (() => { const v = scenarioValues('aws'); delete ((v['linkerd-control-plane'] as { identity: { issuer: { tls: Values } } }).identity.issuer.tls.keyPEM); return v; })(), [], /values\.yaml: linkerd-control-plane\.identity\.issuer\.tls\.keyPEM: is required with the static issuer/],
    ['the edge with Linkerd\'s Gateway API CRDs too', { ...scenarioValues('aws-gateway'), 'linkerd-crds': { installGatewayAPI: true } }, [], /values\.yaml: linkerd-crds\.installGatewayAPI: is true while components\.envoy-gateway is on, which installs the same objects; set it to false/],
    ['ACME through the Gateway without the edge', { ...scenarioValues('aws'), components: { 'cert-manager': true }, acme: { email: 'ops@example.com', solver: 'gateway' } }, [], /values\.yaml: acme\.solver: is gateway, which needs a Gateway API edge/],
    ['a file that is not a mapping', '- a\n- b\n', [], /values\.yaml: must be a mapping of opta-base values/],
  ])('%s fails naming the file and key, and writes nothing', async (_name, values, args, message) => {
    const r = await run(values, args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.wrote).toBe(false);
  });

  it('replaces an earlier plan, and refuses a directory that is not one', async () => {
    const { dir, cleanup } = tempDir('plan-out-');
    try {
      writeFileSync(join(dir, 'values.yaml'), readFileSync(join(CI, 'aws-values.yaml')));
      const args = ['plan', '--provider', 'aws', '-f', 'values.yaml', '--format', 'argocd', '-o', 'out'];
      expect((await cli(args, dir)).code).toBe(0);
      expect((await cli([...args.slice(0, 6), 'helmfile', '-o', 'out'], dir)).code).toBe(0);
      expect(readdirSync(join(dir, 'out')).sort()).toEqual(['helmfile.yaml', 'manifests', 'opta-plan.json', 'values']);
      mkdirSync(join(dir, 'mine'));
      writeFileSync(join(dir, 'mine', 'keep.txt'), 'x');
      const r = await cli([...args.slice(0, -1), 'mine'], dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/mine: is not empty and holds no opta-plan\.json/);
      expect(readdirSync(join(dir, 'mine'))).toEqual(['keep.txt']);
    } finally {
      cleanup();
    }
  });

  it('--help names the formats and the flags', async () => {
    const r = await cli(['plan', '--help'], process.cwd());
    expect(r.code).toBe(0);
  });
});

describe('plan: the catalog release data', () => {
  const text = readFileSync(join(CI, '..', 'stack.catalog.yaml'), 'utf8');
  const schema = JSON.parse(readFileSync(join(CI, '..', '..', '..', 'schemas', 'stack-catalog.schema.json'), 'utf8')) as object;
  const edit = (f: (doc: { components: Values[] }) => void) => {
    const doc = yaml.load(text) as { components: Values[] };
    f(doc);
    return yaml.dump(doc);
  };
  const byName = (doc: { components: Values[] }, name: string) => doc.components.find((c) => c.name === name)!;

  it.each<[string, (doc: { components: Values[] }) => void, string]>([
    ['a need that is no component', (d) => { (byName(d, 'linkerd-control-plane').release as Values).needs = ['linkerd-crd']; }, 'components[1] (linkerd-control-plane).release.needs: "linkerd-crd" is not a component of the catalog'],
    ['two namespaces', (d) => { byName(d, 'ingress-nginx').release = { namespace: { name: 'x', podSecurity: 'restricted' } }; }, 'release.namespace: is given by namespace already; set one of them'],
    ['an unknown release field', (d) => { byName(d, 'datadog').release = { wave: 3 }; }, 'release.wave: is not a known field'],
  ])('%s is refused naming the component', (_name, f, message) => {
    expect(() => parseCatalog(edit(f), 'stack.catalog.yaml', schema)).toThrow(message);
  });

  it('a component without any namespace cannot be planned', () => {
    const catalog = parseCatalog(edit((d) => { delete byName(d, 'datadog').release; }), 'stack.catalog.yaml', schema);
    const values = { ...scenarioValues('aws-datadog') };
    expect(() => planReleases({ catalog, catalogFile: 'stack.catalog.yaml', lock: [], provider: 'aws', values, file: 'values.yaml', mirrors: [] })).toThrow(
      'stack.catalog.yaml: datadog.release.namespace: is required: `plan` gives every component its own namespace',
    );
  });
});
