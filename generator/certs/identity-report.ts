// Finds Linkerd's identity certificates in a values file or a rendered release, and judges their expiry (pure).
// What Linkerd reads (linkerd/linkerd2, charts/linkerd-control-plane/templates/identity.yaml at edge-26.8.3):
// the trust bundle from ConfigMap `linkerd-identity-trust-roots` (`ca-bundle.crt`, rendered from
// `identityTrustAnchorsPEM` unless `identity.externalCA`), the issuer from Secret `linkerd-identity-issuer`
// (`crt.pem`/`key.pem` with scheme linkerd.io/tls, rendered from `identity.issuer.tls`; `tls.crt`/`tls.key` with
// scheme kubernetes.io/tls, written by cert-manager).
import type { X509Certificate } from 'node:crypto';
import { problemAt } from '../errors.js';
import { DAY_MS } from './linkerd-identity.js';
import { parseCertificates, subjectOf, type PemOrigin } from './pem.js';

export type Role = 'trust anchor' | 'signing anchor' | 'issuer';

export interface FoundCertificate {
  /** `trust anchor`: in the bundle proxies trust; `signing anchor`: the CA cert-manager signs the issuer with. */
  role: Role;
  origin: PemOrigin;
  cert: X509Certificate;
  /** Renewed by cert-manager before it expires: only an already expired one is a finding. */
  renewed?: boolean;
}

/** cert-manager's renewal of the issuer: the Certificate's (or meshIdentity's) duration and renewBefore. */
export interface Renewal {
  origin: string;
  duration: string;
  renewBefore: string;
}

export interface IdentityMaterial {
  certificates: FoundCertificate[];
  renewal?: Renewal;
}

/** meshIdentity.issuerCertificate's defaults, read from the umbrella's values schema (their one source). */
export interface IssuerCertificateDefaults {
  duration: string;
  renewBefore: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const at = (v: unknown, ...path: string[]): unknown => path.reduce<unknown>((o, k) => (isObj(o) ? o[k] : undefined), v);

function add(out: FoundCertificate[], role: Role, text: unknown, origin: PemOrigin, renewed = false): void {
  for (const cert of parseCertificates(text, origin)) {
    // The same certificate often appears twice (the anchor in the bundle and as cert-manager's CA): list it once per role.
    if (!out.some((f) => f.role === role && f.cert.fingerprint256 === cert.fingerprint256)) out.push({ role, origin, cert, renewed });
  }
}

/** The identity of an opta-base values file; `linkerdKeys` are the control plane's section keys (from the catalog). */
export function identityFromValues(values: unknown, file: string, linkerdKeys: string[], defaults: IssuerCertificateDefaults): IdentityMaterial {
  if (!isObj(values)) throw problemAt(file, undefined, 'is not a YAML mapping of values');
  const found: FoundCertificate[] = [];
  for (const key of linkerdKeys) {
    const section = values[key];
    if (!isObj(section)) continue;
    if (section.identityTrustAnchorsPEM !== undefined) add(found, 'trust anchor', section.identityTrustAnchorsPEM, { file, key: `${key}.identityTrustAnchorsPEM` });
    const crt = at(section, 'identity', 'issuer', 'tls', 'crtPEM');
    if (crt !== undefined && crt !== '') add(found, 'issuer', crt, { file, key: `${key}.identity.issuer.tls.crtPEM` });
  }
  const mesh = values.meshIdentity;
  const anchor = at(mesh, 'trustAnchor', 'crtPEM');
  if (anchor !== undefined) add(found, 'signing anchor', anchor, { file, key: 'meshIdentity.trustAnchor.crtPEM' });
  const renewal =
    at(mesh, 'issuer') === 'cert-manager'
      ? {
          origin: `${file}: meshIdentity.issuerCertificate`,
          duration: String(at(mesh, 'issuerCertificate', 'duration') ?? defaults.duration),
          renewBefore: String(at(mesh, 'issuerCertificate', 'renewBefore') ?? defaults.renewBefore),
        }
      : undefined;
  if (!found.length) {
    throw problemAt(file, undefined, `no Linkerd identity certificate found (looked at ${[...linkerdKeys.map((k) => `${k}.identityTrustAnchorsPEM`), 'meshIdentity.trustAnchor.crtPEM'].join(', ')})`);
  }
  return { certificates: found, renewal };
}

/** The identity objects of rendered manifests (`helm template`, `helm get manifest`, `kubectl get -o yaml`). */
export function identityFromManifest(docs: unknown[], file: string): IdentityMaterial {
  const objects = docs.flatMap((d) => (isObj(d) && d.kind === 'List' && Array.isArray(d.items) ? d.items : [d])).filter(isObj);
  const named = (kind: string, name: unknown) => objects.filter((o) => o.kind === kind && at(o, 'metadata', 'name') === name);
  const found: FoundCertificate[] = [];
  for (const cm of named('ConfigMap', 'linkerd-identity-trust-roots')) {
    add(found, 'trust anchor', at(cm, 'data', 'ca-bundle.crt'), { file, key: 'ConfigMap/linkerd-identity-trust-roots data.ca-bundle.crt' });
  }
  for (const secret of named('Secret', 'linkerd-identity-issuer')) {
    const renewed = at(secret, 'metadata', 'annotations', 'cert-manager.io/certificate-name') !== undefined;
    const dataKey = ['crt.pem', 'tls.crt'].find((k) => secretValue(secret, k, file) !== undefined);
    if (dataKey) add(found, 'issuer', secretValue(secret, dataKey, file), { file, key: `Secret/linkerd-identity-issuer data.${dataKey}` }, renewed);
  }
  // The CA cert-manager signs the issuer with: the Secret a CA Issuer names.
  for (const issuer of objects.filter((o) => o.kind === 'Issuer' || o.kind === 'ClusterIssuer')) {
    const secretName = at(issuer, 'spec', 'ca', 'secretName');
    for (const secret of named('Secret', secretName)) {
      const crt = secretValue(secret, 'tls.crt', file);
      if (crt !== undefined) add(found, 'signing anchor', crt, { file, key: `Secret/${String(secretName)} data.tls.crt` });
    }
  }
  const certificate = objects.find((o) => o.kind === 'Certificate' && at(o, 'spec', 'secretName') === 'linkerd-identity-issuer');
  // cert-manager's own defaults when a Certificate leaves them out: 90 days, renewed at two thirds of its life.
  const renewal = certificate
    ? {
        origin: `${file}: Certificate/${String(at(certificate, 'metadata', 'name'))}`,
        duration: String(at(certificate, 'spec', 'duration') ?? '2160h (cert-manager default)'),
        renewBefore: String(at(certificate, 'spec', 'renewBefore') ?? 'a third of the duration (cert-manager default)'),
      }
    : undefined;
  if (!found.length && !renewal) {
    throw problemAt(file, undefined, 'no Linkerd identity found (looked for ConfigMap linkerd-identity-trust-roots, Secret linkerd-identity-issuer, a CA Issuer\'s Secret and Certificate linkerd-identity-issuer)');
  }
  return { certificates: found, renewal };
}

/** A Secret's value by key, from stringData or base64 data; undefined when absent. */
function secretValue(secret: Obj, key: string, file: string): string | undefined {
  const plain = at(secret, 'stringData', key);
  if (typeof plain === 'string') return plain;
  const encoded = at(secret, 'data', key);
  if (encoded === undefined) return undefined;
  const where = `Secret/${String(at(secret, 'metadata', 'name'))} data.${key}`;
  if (typeof encoded !== 'string' || !/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(encoded)) throw problemAt(file, where, 'is not base64');
  return Buffer.from(encoded, 'base64').toString('utf8');
}

export type Status = 'ok' | 'expiring' | 'expired' | 'renewed by cert-manager';

export interface CheckedCertificate {
  role: Role;
  subject: string;
  /** SHA-256 fingerprint (AB:CD:...): anchors of a rotation share their subject. */
  fingerprint: string;
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  status: Status;
  source: string;
}

export interface IdentityCheck {
  withinDays: number;
  certificates: CheckedCertificate[];
  renewal?: Renewal;
  /** Certificates Linkerd would reject together (an issuer no trusted anchor signed, a CA outside the bundle). */
  problems: string[];
}

/** Each certificate's expiry against `now + withinDays`, and whether the chain holds together. */
export function checkIdentity(material: IdentityMaterial, now: Date, withinDays: number): IdentityCheck {
  const limit = now.getTime() + withinDays * DAY_MS;
  const certificates = material.certificates.map(({ role, origin, cert, renewed }): CheckedCertificate => {
    const end = new Date(cert.validTo);
    const expired = end.getTime() <= now.getTime();
    const status: Status = expired ? 'expired' : renewed ? 'renewed by cert-manager' : end.getTime() <= limit ? 'expiring' : 'ok';
    return {
      role,
      subject: subjectOf(cert),
      fingerprint: cert.fingerprint256,
      notBefore: new Date(cert.validFrom).toISOString(),
      notAfter: end.toISOString(),
      daysLeft: Math.floor((end.getTime() - now.getTime()) / DAY_MS),
      status,
      source: `${origin.file}: ${origin.key}`,
    };
  });
  return { withinDays, certificates, renewal: material.renewal, problems: chainProblems(material.certificates) };
}

function chainProblems(found: FoundCertificate[]): string[] {
  const bundle = found.filter((f) => f.role === 'trust anchor');
  if (!bundle.length) return [];
  const trusted = (cert: X509Certificate) => bundle.some((a) => cert.checkIssued(a.cert) && cert.verify(a.cert.publicKey));
  const where = (f: FoundCertificate) => `${f.origin.file}: ${f.origin.key}`;
  const problems: string[] = [];
  for (const f of found) {
    if (f.role === 'issuer' && !trusted(f.cert)) {
      problems.push(`${where(f)}: the issuer (${subjectOf(f.cert)}) is not signed by any trust anchor in ${where(bundle[0])}: proxies would reject the certificates it issues`);
    }
    if (f.role === 'signing anchor' && !bundle.some((a) => a.cert.fingerprint256 === f.cert.fingerprint256)) {
      problems.push(`${where(f)}: the anchor cert-manager signs the issuer with is not in the trust bundle ${where(bundle[0])}`);
    }
  }
  return problems;
}
