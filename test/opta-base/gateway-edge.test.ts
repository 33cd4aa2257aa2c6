// The Gateway API edge (envoy-gateway): rendered per provider by both Helm releases with the stand-ins vendored, the
// install order proved with the cluster model (CRDs from crds/, then the Gateway objects as regular objects), one owner
// of the Gateway API CRDs, and the objects checked against the Gateway API fields they may carry.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELMS, runHelm, type HelmRelease } from '../support/helm.js';
import { builtinKinds, validateK8sObject } from '../support/k8s-validate.js';
import { helmInstallProblems, type Obj } from '../support/cluster/index.js';
import { buildUmbrella, ROOT, tempDir } from './build-umbrella.js';
import { rendersOptaBase } from './helm-floor.js';

const CI = join(ROOT, 'chart-templates', 'opta-base', 'ci');
const tmp = tempDir('opta-base-gateway-');
let archive = '';

beforeAll(async () => {
  archive = join(tmp.dir, 'opta-base.tgz');
  writeFileSync(archive, (await buildUmbrella()).archive);
});
afterAll(() => tmp.cleanup());

interface Rendered {
  source: string;
  obj: Obj;
}
/** Each object with its file; a file of several documents (a crds/ file) names itself once, before the first. */
function parse(stdout: string): Rendered[] {
  let source = '';
  return stdout
    .split(/^---$/m)
    .map((doc) => {
      source = /^# Source: (\S+)/m.exec(doc)?.[1] ?? source;
      return { source, obj: yaml.load(doc) as Obj };
    })
    .filter((r) => r.obj);
}
async function render(helm: HelmRelease, args: string[]): Promise<Rendered[]> {
  const r = await runHelm(helm, ['template', 'opta-base', archive, '-n', 'opta-system', '--include-crds', ...args]);
  if (r.code !== 0) throw new Error(`helm ${helm.version} template failed:\n${r.stderr}`);
  return parse(r.stdout);
}
const objects = (rs: Rendered[]) => rs.map((r) => r.obj);
const find = (rs: Rendered[], kind: string, name: string) => objects(rs).find((o) => o.kind === kind && o.metadata.name === name);
const fromCrdsDir = (r: Rendered) => /^opta-base\/charts\/(.+\/)?crds\/(crds\/)?/.test(r.source) && /\/crds\//.test(r.source.replace(/charts\/crds\//, ''));

// Helm 3.18.0 is below opta-base's floor (it refuses to render; helm-floor.ts tests that message).
describe.each(HELMS.filter(rendersOptaBase))('the Gateway API edge with helm $version', (helm) => {
  it.each([
    ['aws', { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb', 'service.beta.kubernetes.io/aws-load-balancer-backend-protocol': 'tcp', 'service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled': 'true' }],
    ['gcp', { 'cloud.google.com/l4-rbs': 'enabled' }],
    ['azure', { 'service.beta.kubernetes.io/port_80_health-probe_protocol': 'tcp', 'service.beta.kubernetes.io/port_443_health-probe_protocol': 'tcp' }],
  ])('%s: Envoy Gateway instead of ingress-nginx, the provider\'s load balancer, a meshed data plane routing to Services', async (provider, annotations) => {
    const rs = await render(helm, ['-f', join(CI, `${provider}-gateway-values.yaml`)]);
    const sources = new Set(rs.map((r) => /^opta-base\/charts\/([^/]+)\//.exec(r.source)?.[1]));
    expect(sources.has('envoy-gateway')).toBe(true);
    expect([...sources].some((s) => s?.startsWith('ingress-nginx'))).toBe(false);
    const proxy = find(rs, 'EnvoyProxy', 'opta')!;
    expect(proxy.metadata.namespace).toBe('envoy-gateway-system');
    expect(proxy.spec.routingType).toBe('Service');
    expect(proxy.spec.provider.kubernetes.envoyService).toEqual({ externalTrafficPolicy: 'Local', annotations });
    expect(proxy.spec.provider.kubernetes.envoyDeployment.pod.annotations).toEqual({ 'linkerd.io/inject': 'enabled' });
    expect(find(rs, 'GatewayClass', 'opta')!.spec).toEqual({
      controllerName: 'gateway.envoyproxy.io/gatewayclass-controller',
      parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: 'opta', namespace: 'envoy-gateway-system' },
    });
    const gateway = find(rs, 'Gateway', 'opta')!;
    expect(gateway.metadata.namespace).toBe('envoy-gateway-system');
    expect(gateway.spec.listeners[0]).toEqual({ name: 'http', protocol: 'HTTP', port: 80, allowedRoutes: { namespaces: { from: 'All' } } });
    // Its namespace is made first (pre-install hook), meshed, and the certgen Job in it stays unmeshed.
    const ns = find(rs, 'Namespace', 'envoy-gateway-system')!;
    expect(ns.metadata.annotations?.['linkerd.io/inject']).toBe('enabled');
    expect(find(rs, 'Job', 'envoy-gateway-certgen')!.spec.template.metadata.annotations).toEqual({ 'linkerd.io/inject': 'disabled' });
    for (const o of [proxy, find(rs, 'GatewayClass', 'opta')!, gateway]) expect(validateK8sObject(o), `${o.kind}`).toEqual([]);
  });

  it.each(['aws', 'gcp', 'azure'])('%s: helm install creates the Gateway API CRDs from crds/ before the Gateway objects (regular objects, no hook needed)', async (provider) => {
    const rs = await render(helm, ['-f', join(CI, `${provider}-gateway-values.yaml`)]);
    const crds = rs.filter(fromCrdsDir).map((r) => r.obj);
    expect(crds.map((c) => c.metadata.name)).toEqual(expect.arrayContaining(['gateways.gateway.networking.k8s.io', 'httproutes.gateway.networking.k8s.io', 'envoyproxies.gateway.envoyproxy.io']));
    const manifests = rs.filter((r) => !fromCrdsDir(r)).map((r) => r.obj);
    for (const kind of ['EnvoyProxy', 'GatewayClass', 'Gateway']) {
      const o = manifests.find((m) => m.kind === kind)!;
      expect(o.metadata.annotations?.['helm.sh/hook'], kind).toBeUndefined();
    }
    // The namespace of gateway.tlsSecret (azure: default) holds the user's Secret, so it exists before the install.
    const existingNamespaces: string[] = [];
    // (azure also has ACME: the model maps cert-manager's ClusterIssuer hook against the kinds known at install start,
    // which cert-manager's template CRDs are not; that is the ACME hook's concern, not this edge's.)
    const problems = helmInstallProblems({ crds, manifests, releaseNamespace: 'opta-system', builtinKinds: builtinKinds(), existingNamespaces });
    expect(problems.filter((p) => !p.includes('"cert-manager.io/v1"'))).toEqual([]);
    if (provider === 'azure') {
      // A Secret namespace that does not exist yet fails the ReferenceGrant.
      const web = manifests.map((o) => (o.kind === 'ReferenceGrant' ? { ...o, metadata: { ...o.metadata, namespace: 'web' } } : o));
      expect(helmInstallProblems({ crds, manifests: web, releaseNamespace: 'opta-system', builtinKinds: builtinKinds() })).toContain(
        'resource ReferenceGrant/opta-opta-tls: namespaces "web" not found',
      );
    }
    // Without the CRDs of crds/ (an upgrade switching the edge on: Helm installs crds/ only on install) it fails.
    const upgrade = helmInstallProblems({ crds: [], manifests, releaseNamespace: 'opta-system', builtinKinds: builtinKinds() });
    expect(upgrade.join('\n')).toMatch(/no matches for kind "Gateway" in version "gateway.networking.k8s.io\/v1"/);
  });

  it('one owner of the Gateway API CRDs: linkerd-crds may not install them beside Envoy Gateway', async () => {
    const r = await runHelm(helm, ['template', 'opta-base', archive, '-n', 'opta-system', '-f', join(CI, 'aws-gateway-values.yaml'), '--set', 'linkerd-crds.installGatewayAPI=true']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('opta-base: components.envoy-gateway is on, and it installs what linkerd-crds.installGatewayAPI=true installs too; set linkerd-crds.installGatewayAPI=false (one owner)');
    // With ingress-nginx, Linkerd stays the owner (its CRDs are templates) and no Gateway is rendered.
    const rs = await render(helm, ['-f', join(CI, 'aws-values.yaml')]);
    expect(objects(rs).some((o) => o.kind === 'CustomResourceDefinition' && o.metadata.name === 'httproutes.gateway.networking.k8s.io')).toBe(true);
    expect(find(rs, 'Gateway', 'opta')).toBeUndefined();
  });

  it('GKE with its managed Gateway API CRDs: Envoy Gateway\'s crds/ skips them and its objects install; Linkerd\'s must be off', async () => {
    const rs = await render(helm, ['-f', join(CI, 'gcp-gateway-values.yaml')]);
    const crds = rs.filter(fromCrdsDir).map((r) => r.obj);
    // GKE installs the standard-channel kinds (the cluster owns them; Helm never updates them).
    const gke = crds.filter((c) => ['gatewayclasses', 'gateways', 'httproutes', 'grpcroutes', 'referencegrants'].includes(c.metadata.name.split('.')[0]));
    expect(gke).toHaveLength(5);
    const manifests = rs.filter((r) => !fromCrdsDir(r)).map((r) => r.obj);
    const input = { crds, manifests, releaseNamespace: 'opta-system', builtinKinds: builtinKinds(), existingCrds: gke };
    expect(helmInstallProblems(input)).toEqual([]);
    // With ingress-nginx and Linkerd's default installGatewayAPI=true on such a cluster, Linkerd's template collides.
    const nginx = (await render(helm, ['-f', join(CI, 'gcp-values.yaml')])).map((r) => r.obj);
    expect(helmInstallProblems({ ...input, crds: [], manifests: nginx }).join('\n')).toContain(
      'CustomResourceDefinition "httproutes.gateway.networking.k8s.io" in namespace "" exists and cannot be imported into the current release',
    );
  });

  it('TLS: the HTTPS listener serves gateway.tlsSecret; another namespace gets a ReferenceGrant', async () => {
    const same = await render(helm, ['-f', join(CI, 'gcp-gateway-values.yaml')]);
    expect(find(same, 'Gateway', 'opta')!.spec.listeners[1]).toEqual({
      name: 'https',
      protocol: 'HTTPS',
      port: 443,
      tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'wildcard-tls' }] },
      allowedRoutes: { namespaces: { from: 'All' } },
    });
    expect(objects(same).some((o) => o.kind === 'ReferenceGrant')).toBe(false);
    const other = await render(helm, ['-f', join(CI, 'azure-gateway-values.yaml')]);
    expect(find(other, 'Gateway', 'opta')!.spec.listeners[1].tls.certificateRefs).toEqual([{ group: '', kind: 'Secret', name: 'wildcard-tls', namespace: 'default' }]);
    const grant = objects(other).find((o) => o.kind === 'ReferenceGrant')!;
    expect(grant.metadata.namespace).toBe('default');
    expect(grant.spec).toEqual({ from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'envoy-gateway-system' }], to: [{ group: '', kind: 'Secret', name: 'wildcard-tls' }] });
    expect(validateK8sObject(grant)).toEqual([]);
  });

  it('ACME through the Gateway: the ClusterIssuer answers HTTP-01 with an HTTPRoute on the http listener', async () => {
    const rs = await render(helm, ['-f', join(CI, 'azure-gateway-values.yaml')]);
    expect(find(rs, 'ClusterIssuer', 'letsencrypt')!.spec.acme.solvers).toEqual([
      { http01: { gatewayHTTPRoute: { parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'opta', namespace: 'envoy-gateway-system', sectionName: 'http' }] } } },
    ]);
    const r = await runHelm(helm, ['template', 'opta-base', archive, '-n', 'opta-system', '-f', join(CI, 'azure-gateway-values.yaml'), '--set', 'components.envoy-gateway=false,components.ingress-nginx-azure=true']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('acme.solver=gateway needs a Gateway API edge');
  });

  it('an upgrade renders too (the missing-CRD refusal needs a live cluster: lookup is empty in helm template)', async () => {
    const rs = await render(helm, ['-f', join(CI, 'aws-gateway-values.yaml'), '--is-upgrade']);
    expect(find(rs, 'Gateway', 'opta')).toBeDefined();
  });

  it.each(['aws', 'gcp', 'azure'])('lints strictly with ci/%s-gateway-values.yaml', async (provider) => {
    const r = await runHelm(helm, ['lint', '--strict', archive, '-f', join(CI, `${provider}-gateway-values.yaml`)]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});
