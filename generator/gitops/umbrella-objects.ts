// The umbrella's own objects (chart-templates/opta-base/templates/mesh-identity.yaml, acme-cluster-issuer.yaml and
// gateway.yaml) as plain manifests of a GitOps plan. In the umbrella the cert-manager kinds are Helm hooks, ordered
// after cert-manager's API check, and the Gateway kinds come from the edge chart's crds/; here the format's own
// ordering (sync wave, dependsOn, needs) puts them after the release that serves their kinds instead, so they need no
// chart of their own. The test proves them equal to the umbrella's render (spec by spec).
import type { Values } from '../charts/opta-base/catalog.js';
import { gatewayProxy, mergeValues } from '../charts/opta-base/model.js';
import { problemAt } from '../errors.js';
import type { ManifestGroup, PlanRequest, Release } from './plan-types.js';
import { ANCHOR_SECRET } from './secrets.js';
import { isMapping } from '../parse/mapping.js';

const LABELS = { 'app.kubernetes.io/part-of': 'opta-base' };
const child = (v: unknown, k: string): Values => (isMapping(v) && isMapping(v[k]) ? (v[k] as Values) : {});

function needCertManager(req: PlanRequest, releases: Release[], key: string): void {
  if (!releases.some((r) => r.name === 'cert-manager')) throw problemAt(req.file, key, 'needs components.cert-manager: true (cert-manager serves these objects)');
}

export function meshIdentityManifests(req: PlanRequest, releases: Release[]): ManifestGroup[] {
  const mesh = child(req.values, 'meshIdentity');
  if ((mesh.issuer ?? 'static') !== 'cert-manager') return [];
  const cp = releases.find((r) => r.name === 'linkerd-control-plane');
  if (!cp) return [];
  needCertManager(req, releases, 'meshIdentity.issuer');
  if (child(child(cp.values, 'identity'), 'issuer').scheme !== 'kubernetes.io/tls') {
    throw problemAt(req.file, `${cp.key}.identity.issuer.scheme`, 'must be kubernetes.io/tls with meshIdentity.issuer: cert-manager (the control plane reads the Certificate\'s Secret)');
  }
  const anchor = child(mesh, 'trustAnchor');
  const certificate = child(mesh, 'issuerCertificate');
  const trustDomain = typeof cp.values.identityTrustDomain === 'string' ? cp.values.identityTrustDomain : 'cluster.local';
  const ns = cp.namespace;
  return [{
    id: 'mesh-identity',
    needs: ['cert-manager'],
    neededBy: [cp.name],
    objects: [
      {
        apiVersion: 'cert-manager.io/v1', kind: 'Issuer',
        metadata: { name: 'linkerd-trust-anchor', namespace: ns, labels: LABELS },
        spec: { ca: { secretName: typeof anchor.existingSecret === 'string' && anchor.existingSecret ? anchor.existingSecret : ANCHOR_SECRET } },
      },
      {
        apiVersion: 'cert-manager.io/v1', kind: 'Certificate',
        metadata: { name: 'linkerd-identity-issuer', namespace: ns, labels: LABELS },
        spec: {
          secretName: 'linkerd-identity-issuer',
          duration: certificate.duration || '48h',
          renewBefore: certificate.renewBefore || '25h',
          issuerRef: { name: 'linkerd-trust-anchor', kind: 'Issuer' },
          commonName: `identity.linkerd.${trustDomain}`,
          dnsNames: [`identity.linkerd.${trustDomain}`],
          isCA: true,
          privateKey: { algorithm: 'ECDSA', size: 256 },
          usages: ['cert sign', 'crl sign', 'server auth', 'client auth'],
        },
      },
    ],
  }];
}

/** The edge's Gateway API implementation among the releases: the catalog component with a `gateway` (the umbrella's
 * templates read the same entries, model.ts templateData gateways), and where its Gateway lives. */
function gatewayEdges(req: PlanRequest, releases: Release[]) {
  return releases.flatMap((r) => {
    const c = req.catalog.components.find((x) => x.name === r.name);
    const edge = c?.gateway;
    // The catalog requires an edge's own namespace (catalog.ts); its namespace value may move it, as in gateway.yaml.
    if (!edge || !c.namespace) return [];
    const valuesKey = c.namespace.valuesKey;
    const ns = typeof r.values[valuesKey] === 'string' && r.values[valuesKey] ? (r.values[valuesKey] as string) : r.namespace;
    return [{ release: r, edge, ns }];
  });
}

/** cert-manager's Gateway API HTTP-01 solver attaches its HTTPRoute to the edge Gateway's http listener. */
function gatewayParent(req: PlanRequest, releases: Release[]): Values {
  const found = gatewayEdges(req, releases).at(-1);
  if (!found) throw problemAt(req.file, 'acme.solver', 'is gateway, which needs a Gateway API edge (components.envoy-gateway: true)');
  return { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: found.edge.name, namespace: found.ns, sectionName: 'http' };
}

/**
 * The Gateway API edge: the EnvoyProxy (the provider's settings from the catalog, merged with gateway.proxy), the
 * GatewayClass pointing at it, the Gateway with an HTTP and, given gateway.tlsSecret, an HTTPS listener, and the
 * ReferenceGrant that lets it read a Secret of another namespace. Their kinds come from the edge chart's crds/
 * (envoyproxy/gateway v1.9.0 charts/gateway-helm/charts/crds), so they go after that release.
 */
export function gatewayManifests(req: PlanRequest, releases: Release[]): ManifestGroup[] {
  const g = child(req.values, 'gateway');
  return gatewayEdges(req, releases).map(({ release, edge, ns }) => {
    const [secretNs, secretName] = typeof g.tlsSecret === 'string' && g.tlsSecret ? [g.tlsSecret.split('/')[0], g.tlsSecret.split('/').at(-1)!] : ['', ''];
    const all = { namespaces: { from: 'All' } };
    const objects: Values[] = [
      {
        apiVersion: edge.proxyApiVersion, kind: edge.proxyKind,
        metadata: { name: edge.className, namespace: ns, labels: LABELS },
        spec: mergeValues(gatewayProxy(edge, req.provider), child(g, 'proxy')),
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass',
        metadata: { name: edge.className, labels: LABELS },
        spec: {
          controllerName: edge.controllerName,
          parametersRef: { group: edge.proxyApiVersion.split('/')[0], kind: edge.proxyKind, name: edge.className, namespace: ns },
        },
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway',
        metadata: { name: edge.name, namespace: ns, labels: LABELS },
        spec: {
          gatewayClassName: edge.className,
          listeners: [
            { name: 'http', protocol: 'HTTP', port: 80, allowedRoutes: all },
            ...(secretName ? [{
              name: 'https', protocol: 'HTTPS', port: 443,
              tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: secretName, ...(secretNs !== ns ? { namespace: secretNs } : {}) }] },
              allowedRoutes: all,
            }] : []),
          ],
        },
      },
    ];
    if (secretName && secretNs !== ns) {
      objects.push({
        apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant',
        metadata: { name: `${edge.className}-${edge.name}-tls`, namespace: secretNs, labels: LABELS },
        spec: {
          from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: ns }],
          to: [{ group: '', kind: 'Secret', name: secretName }],
        },
      });
    }
    return { id: 'gateway', objects, needs: [release.name], neededBy: [] };
  });
}

export function acmeManifests(req: PlanRequest, releases: Release[]): ManifestGroup[] {
  const acme = child(req.values, 'acme');
  if (typeof acme.email !== 'string' || !acme.email) return [];
  needCertManager(req, releases, 'acme.email');
  const staging = acme.server === 'staging';
  const name = staging ? 'letsencrypt-staging' : 'letsencrypt';
  return [{
    id: 'acme-issuer',
    needs: ['cert-manager'],
    neededBy: [],
    objects: [{
      apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer',
      metadata: { name, labels: LABELS },
      spec: {
        acme: {
          email: acme.email,
          server: staging ? 'https://acme-staging-v02.api.letsencrypt.org/directory' : 'https://acme-v02.api.letsencrypt.org/directory',
          privateKeySecretRef: { name: `${name}-account-key` },
          solvers: [{ http01: acme.solver === 'gateway' ? { gatewayHTTPRoute: { parentRefs: [gatewayParent(req, releases)] } } : { ingress: { ingressClassName: typeof acme.ingressClassName === 'string' && acme.ingressClassName ? acme.ingressClassName : 'nginx' } } }],
        },
      },
    }],
  }];
}
