// Renewing the issuer and rotating the trust anchor of a values file (pure: values in, values out).
// The rotation follows Linkerd's manual procedure (linkerd/website, linkerd.io/content/2/tasks/
// manually-rotating-control-plane-tls-credentials.md; the edge cert-manager page, section "Rotating the trust
// anchor", has the same order): 1. trust a bundle of the old and the new anchor, restart; 2. issue the issuer under
// the new anchor, restart; 3. drop the old anchor from the bundle, restart.
import type { X509Certificate } from 'node:crypto';
import type { Values } from '../charts/opta-base/catalog.js';
import { problemAt, UserError } from '../errors.js';
import type { IssuerCertificateDefaults } from './identity-report.js';
import { issueIssuer, type CertificateAndKey } from './linkerd-identity.js';
import { bundlePEM, certificateForKey, parseCertificates, subjectOf } from './pem.js';

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a values file says about the identity, read once and checked. */
export interface IdentityState {
  file: string;
  /** The control plane's section key in the values. */
  linkerdKey: string;
  mode: 'cert-manager' | 'static' | 'external';
  /** The anchors proxies trust (identityTrustAnchorsPEM). */
  bundle: X509Certificate[];
  /** cert-manager: the anchor it signs the issuer with (meshIdentity.trustAnchor.crtPEM), unless in a Secret. */
  signingAnchor?: X509Certificate;
  anchorSecret?: string;
  issuer?: X509Certificate;
  trustDomain: string;
}

export function readIdentityState(values: unknown, file: string, linkerdKeys: string[]): IdentityState {
  if (!isObj(values)) throw problemAt(file, undefined, 'is not a YAML mapping of values');
  const linkerdKey = linkerdKeys.find((k) => isObj(values[k]));
  if (!linkerdKey) throw problemAt(file, linkerdKeys.join(' / '), 'missing: this is not an opta-base values file with a Linkerd identity');
  const section = values[linkerdKey] as Obj;
  const mesh = isObj(values.meshIdentity) ? values.meshIdentity : {};
  const external = section.identity?.externalCA === true || section.identity?.issuer?.scheme === 'kubernetes.io/tls';
  const mode = mesh.issuer === 'cert-manager' ? 'cert-manager' : external ? 'external' : 'static';
  const bundle = mode === 'external' && section.identityTrustAnchorsPEM === undefined ? [] : parseCertificates(section.identityTrustAnchorsPEM, { file, key: `${linkerdKey}.identityTrustAnchorsPEM` });
  const crt = section.identity?.issuer?.tls?.crtPEM;
  return {
    file,
    linkerdKey,
    mode,
    bundle,
    signingAnchor: mesh.trustAnchor?.crtPEM !== undefined ? parseCertificates(mesh.trustAnchor.crtPEM, { file, key: 'meshIdentity.trustAnchor.crtPEM' })[0] : undefined,
    anchorSecret: typeof mesh.trustAnchor?.existingSecret === 'string' ? mesh.trustAnchor.existingSecret : undefined,
    issuer: mode === 'static' && crt ? parseCertificates(crt, { file, key: `${linkerdKey}.identity.issuer.tls.crtPEM` })[0] : undefined,
    trustDomain: typeof section.identityTrustDomain === 'string' ? section.identityTrustDomain : 'cluster.local',
  };
}

const bundleKey = (s: IdentityState) => `${s.file}: ${s.linkerdKey}.identityTrustAnchorsPEM`;

/** The trust anchor of the bundle that `keyPEM` (from `keyFile`) belongs to; a UserError when none or expired. */
function anchorOfKey(state: IdentityState, keyPEM: string, keyFile: string, now: Date): X509Certificate {
  const anchor = certificateForKey(state.bundle, keyPEM);
  if (!anchor) {
    const subjects = state.bundle.map((c) => `${subjectOf(c)} until ${new Date(c.validTo).toISOString()}`).join('; ');
    throw new UserError(`${keyFile}: this key belongs to none of the trust anchors in ${bundleKey(state)} (${subjects})`, 'pass the key file `values base` or `certs rotate-anchor` wrote with this values file');
  }
  if (new Date(anchor.validTo) <= now) {
    throw new UserError(`${keyFile}: its trust anchor ${subjectOf(anchor)} expired on ${new Date(anchor.validTo).toISOString()}`, 'rotate to a new trust anchor (README: certificate lifecycle)');
  }
  return anchor;
}

export type RenewOutcome =
  | { kind: 'cert-manager renews'; duration: string; renewBefore: string; anchorSecret?: string }
  | { kind: 'renewed'; values: Values; issuer: CertificateAndKey; capped: boolean; anchor: X509Certificate }
  | { kind: 'switched anchor'; values: Values; anchor: X509Certificate };

/**
 * static: a new issuer certificate and key under the anchor of `keyPEM`, everything else kept. cert-manager: nothing to
 * do, unless the key is a newer anchor of the bundle (rotation step 2): then cert-manager is switched to sign with it.
 */
export async function renewIssuer(
  values: Values,
  state: IdentityState,
  key: { pem?: string; file: string },
  options: { validityDays: number; defaults: IssuerCertificateDefaults; now?: Date },
): Promise<RenewOutcome> {
  const now = options.now ?? new Date();
  if (state.mode === 'external') {
    throw problemAt(state.file, `${state.linkerdKey}.identity`, 'the issuer comes from an external CA (externalCA or scheme kubernetes.io/tls without meshIdentity.issuer: cert-manager): renew it where it is made');
  }
  if (state.mode === 'cert-manager') {
    const mesh = (values.meshIdentity ?? {}) as Obj;
    const renews = {
      kind: 'cert-manager renews' as const,
      duration: String(mesh.issuerCertificate?.duration ?? options.defaults.duration),
      renewBefore: String(mesh.issuerCertificate?.renewBefore ?? options.defaults.renewBefore),
      anchorSecret: state.anchorSecret,
    };
    if (!key.pem || state.anchorSecret) return renews;
    const anchor = anchorOfKey(state, key.pem, key.file, now);
    if (state.signingAnchor?.fingerprint256 === anchor.fingerprint256) return renews;
    const next = structuredClone(values) as Obj;
    next.meshIdentity.trustAnchor.crtPEM = anchor.toString();
    return { kind: 'switched anchor', values: next, anchor };
  }
  if (!key.pem) throw new UserError('--trust-anchor-key: required to renew a static issuer (the anchor key file `values base` wrote)');
  const anchor = anchorOfKey(state, key.pem, key.file, now);
  const issuer = await issueIssuer({ crtPEM: anchor.toString(), keyPEM: key.pem }, { validityDays: options.validityDays, trustDomain: state.trustDomain, now });
  const next = structuredClone(values) as Obj;
  const section = next[state.linkerdKey];
  section.identity ??= {};
  section.identity.issuer ??= {};
  section.identity.issuer.tls = { crtPEM: issuer.crtPEM, keyPEM: issuer.keyPEM };
  return { kind: 'renewed', values: next, issuer, capped: issuer.capped, anchor };
}

/** Rotation step 1: the bundle trusts the current anchor(s) and `newAnchor`; the issuer is unchanged. */
export function startRotation(values: Values, state: IdentityState, newAnchor: CertificateAndKey): Values {
  if (state.mode === 'external') throw problemAt(state.file, `${state.linkerdKey}.identity`, 'the trust anchors come from an external CA: rotate them there');
  if (state.bundle.length > 1) {
    throw new UserError(`${bundleKey(state)}: holds ${state.bundle.length} trust anchors: a rotation is under way`, 'finish it first: opta-charts certs rotate-anchor --finish -f <values> --trust-anchor-key <new anchor key>');
  }
  const next = structuredClone(values) as Obj;
  next[state.linkerdKey].identityTrustAnchorsPEM = bundlePEM([...state.bundle, ...parseCertificates(newAnchor.crtPEM, { file: 'new anchor' })]);
  return next;
}

/** Rotation step 3: only the anchor of `keyPEM` stays trusted, once the issuer comes from it. */
export function finishRotation(values: Values, state: IdentityState, keyPEM: string, keyFile: string, now = new Date()): { values: Values; anchor: X509Certificate; dropped: X509Certificate[] } {
  if (state.mode === 'external') throw problemAt(state.file, `${state.linkerdKey}.identity`, 'the trust anchors come from an external CA: rotate them there');
  const anchor = anchorOfKey(state, keyPEM, keyFile, now);
  const renewFirst = `first run: opta-charts certs renew -f ${state.file} --trust-anchor-key ${keyFile}, upgrade and restart the meshed workloads`;
  if (state.mode === 'static' && !(state.issuer && state.issuer.checkIssued(anchor) && state.issuer.verify(anchor.publicKey))) {
    throw new UserError(`${state.file}: ${state.linkerdKey}.identity.issuer.tls.crtPEM: the issuer is not signed by the anchor of ${keyFile} yet: dropping the other anchors would break the mesh`, renewFirst);
  }
  if (state.mode === 'cert-manager' && state.signingAnchor && state.signingAnchor.fingerprint256 !== anchor.fingerprint256) {
    throw new UserError(`${state.file}: meshIdentity.trustAnchor.crtPEM: cert-manager still signs with another anchor than the one of ${keyFile}`, renewFirst);
  }
  const next = structuredClone(values) as Obj;
  next[state.linkerdKey].identityTrustAnchorsPEM = bundlePEM([anchor]);
  return { values: next, anchor, dropped: state.bundle.filter((c) => c.fingerprint256 !== anchor.fingerprint256) };
}
