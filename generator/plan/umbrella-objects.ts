// The umbrella's own objects (chart-templates/opta-base/templates/mesh-identity.yaml and acme-cluster-issuer.yaml) as
// plain manifests of a GitOps plan. In the umbrella they are Helm hooks, ordered after cert-manager's API check; here
// the format's own ordering (sync wave, dependsOn, needs) puts them after the cert-manager release instead, so they
// need no chart of their own. The test proves them equal to the umbrella's render (spec by spec).
import type { Values } from '../charts/opta-base/catalog.js';
import { problemAt } from '../errors.js';
import type { PlanRequest, Release } from './release-plan.js';
import { ANCHOR_SECRET } from './secrets.js';

export interface ManifestGroup {
  id: string;
  objects: Values[];
  /** Components that must be ready first (cert-manager serves these kinds). */
  needs: string[];
  /** Releases that need these objects first (the control plane needs its issuer Secret). */
  neededBy: string[];
}

const LABELS = { 'app.kubernetes.io/part-of': 'opta-base' };
const isObject = (v: unknown): v is Values => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
const child = (v: unknown, k: string): Values => (isObject(v) && isObject(v[k]) ? (v[k] as Values) : {});

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
          solvers: [{ http01: { ingress: { ingressClassName: typeof acme.ingressClassName === 'string' && acme.ingressClassName ? acme.ingressClassName : 'nginx' } } }],
        },
      },
    }],
  }];
}
