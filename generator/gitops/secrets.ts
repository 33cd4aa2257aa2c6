// Secrets of a GitOps plan: never inline. Each release references a Secret the user creates (the charts' own
// existing-Secret settings), and the plan prints the commands that create them. Inline key material in the values
// file is moved out: the release then references the Secret, and the command reads the value from the file.
import type { Values } from '../charts/opta-base/catalog.js';
import { problemAt } from '../errors.js';
import type { PlanRequest, Release, RequiredSecret } from './plan-types.js';
import { isMapping } from '../parse/mapping.js';

/** The Linkerd control plane's issuer Secret for identity.issuer.scheme kubernetes.io/tls (linkerd/linkerd2
 * edge-26.8.3 charts/linkerd-control-plane templates/identity.yaml renders the Secret only for linkerd.io/tls). */
const LINKERD_ISSUER_SECRET = 'linkerd-identity-issuer';
/** The name the plan gives an inline Datadog API key's Secret; the chart reads its `api-key` (datadog 3.240.0). */
const DATADOG_KEY_SECRET = 'datadog-api-key';
export const ANCHOR_SECRET = 'linkerd-trust-anchor';

const child = (v: Values, k: string): Values => (isMapping(v[k]) ? (v[k] as Values) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Deep copy with the object at `path` replaced by `f(old)`. */
function update(values: Values, path: string[], f: (old: Values) => Values): Values {
  const [head, ...rest] = path;
  const inner = child(values, head);
  return { ...values, [head]: rest.length ? update(inner, rest, f) : f(inner) };
}

function linkerdSecrets(req: PlanRequest, r: Release): RequiredSecret[] {
  const identity = child(r.values, 'identity');
  const issuer = child(identity, 'issuer');
  const scheme = str(issuer.scheme) ?? 'linkerd.io/tls';
  const at = `${r.key}.identity.issuer`;
  if (scheme === 'kubernetes.io/tls') {
    // External issuer: cert-manager's Certificate writes the Secret (meshIdentity.issuer=cert-manager), else the user.
    if (child(req.values, 'meshIdentity').issuer === 'cert-manager') return [];
    return [{
      namespace: r.namespace, name: LINKERD_ISSUER_SECRET, type: 'kubernetes.io/tls', usedBy: `${at}.scheme=kubernetes.io/tls`,
      keys: [{ key: 'tls.crt', placeholder: 'ISSUER_CRT_FILE' }, { key: 'tls.key', placeholder: 'ISSUER_KEY_FILE' }, { key: 'ca.crt', placeholder: 'TRUST_ANCHOR_CRT_FILE' }],
    }];
  }
  const tls = child(issuer, 'tls');
  for (const k of ['crtPEM', 'keyPEM']) {
    if (!str(tls[k])) throw problemAt(req.file, `${at}.tls.${k}`, `is required with the static issuer (scheme linkerd.io/tls); or set meshIdentity.issuer: cert-manager`);
  }
  if (!str(r.values.identityTrustAnchorsPEM)) throw problemAt(req.file, `${r.key}.identityTrustAnchorsPEM`, 'is required (the trust anchor certificate)');
  // The static issuer's key must not go into Git: the release switches to the kubernetes.io/tls scheme, reading
  // the same certificate and key from the Secret linkerd-identity-issuer (tls.crt, tls.key, ca.crt).
  r.values = update(r.values, ['identity', 'issuer'], (old) => {
    const { tls: _tls, ...rest } = old;
    return { ...rest, scheme: 'kubernetes.io/tls' };
  });
  return [{
    namespace: r.namespace, name: LINKERD_ISSUER_SECRET, type: 'kubernetes.io/tls', usedBy: `${at}.scheme=kubernetes.io/tls`,
    keys: [
      { key: 'tls.crt', from: `${at}.tls.crtPEM` },
      { key: 'tls.key', from: `${at}.tls.keyPEM` },
      { key: 'ca.crt', from: `${r.key}.identityTrustAnchorsPEM` },
    ],
  }];
}

function anchorSecrets(req: PlanRequest, controlPlane: Release | undefined): RequiredSecret[] {
  const mesh = child(req.values, 'meshIdentity');
  if (mesh.issuer !== 'cert-manager' || !controlPlane) return [];
  const anchor = child(mesh, 'trustAnchor');
  const usedBy = 'the Issuer linkerd-trust-anchor (meshIdentity)';
  if (str(anchor.existingSecret)) {
    if (str(anchor.crtPEM) || str(anchor.keyPEM)) throw problemAt(req.file, 'meshIdentity.trustAnchor', 'give existingSecret or crtPEM and keyPEM, not both');
    return [{ namespace: controlPlane.namespace, name: anchor.existingSecret as string, type: 'kubernetes.io/tls', usedBy, keys: [{ key: 'tls.crt', placeholder: 'TRUST_ANCHOR_CRT_FILE' }, { key: 'tls.key', placeholder: 'TRUST_ANCHOR_KEY_FILE' }] }];
  }
  if (!str(anchor.crtPEM)) {
    throw problemAt(req.file, 'meshIdentity.trustAnchor.existingSecret', 'is required (or crtPEM): cert-manager signs the Linkerd issuer with the trust anchor from this Secret');
  }
  // keyPEM is normally passed at install time (--set-file), so it is usually not in the file: then the user's file.
  return [{
    namespace: controlPlane.namespace, name: ANCHOR_SECRET, type: 'kubernetes.io/tls', usedBy,
    keys: [
      { key: 'tls.crt', from: 'meshIdentity.trustAnchor.crtPEM' },
      str(anchor.keyPEM) ? { key: 'tls.key', from: 'meshIdentity.trustAnchor.keyPEM' } : { key: 'tls.key', placeholder: 'TRUST_ANCHOR_KEY_FILE' },
    ],
  }];
}

function datadogSecrets(req: PlanRequest, r: Release): RequiredSecret[] {
  const dd = child(r.values, 'datadog');
  const existing = str(dd.apiKeyExistingSecret);
  const usedBy = `${r.key}.datadog.apiKeyExistingSecret`;
  if (existing) return [{ namespace: r.namespace, name: existing, type: 'Opaque', usedBy, keys: [{ key: 'api-key', placeholder: 'DATADOG_API_KEY' }] }];
  if (!str(dd.apiKey)) throw problemAt(req.file, usedBy, 'is required: the Secret holding the Datadog API key under api-key (or datadog.apiKey, which the plan moves into a Secret)');
  r.values = update(r.values, ['datadog'], (old) => {
    const { apiKey: _key, ...rest } = old;
    return { ...rest, apiKeyExistingSecret: DATADOG_KEY_SECRET };
  });
  return [{ namespace: r.namespace, name: DATADOG_KEY_SECRET, type: 'Opaque', usedBy, keys: [{ key: 'api-key', from: `${r.key}.datadog.apiKey` }] }];
}

/** The Secrets the releases reference; rewrites releases whose values held key material inline. */
export function planSecrets(req: PlanRequest, releases: Release[]): RequiredSecret[] {
  const controlPlane = releases.find((r) => r.name === 'linkerd-control-plane');
  const datadog = releases.find((r) => r.name === 'datadog');
  return [
    ...(controlPlane ? linkerdSecrets(req, controlPlane) : []),
    ...anchorSecrets(req, controlPlane),
    ...(datadog ? datadogSecrets(req, datadog) : []),
  ];
}

/** The values file's string at a dotted path whose first segment is a top-level key (keys may contain dots? no). */
export function secretValue(values: Values, path: string): string | undefined {
  const [top, ...rest] = path.split('.');
  const v = rest.reduce<unknown>((node, k) => (isMapping(node) ? node[k] : undefined), values[top]);
  return typeof v === 'string' ? v : undefined;
}

/** `kubectl create secret` for one Secret; values from the file are read by `plan --secret-value` (bash). */
export function secretCommand(s: RequiredSecret, readValue: (path: string) => string): string {
  const parts = [`kubectl -n ${s.namespace} create secret generic ${s.name}`];
  if (s.type !== 'Opaque') parts.push(`--type=${s.type}`);
  for (const k of s.keys) {
    if (k.from) parts.push(`--from-file=${k.key}=<(${readValue(k.from)})`);
    else if (s.type === 'Opaque') parts.push(`--from-literal=${k.key}="$${k.placeholder}"`);
    else parts.push(`--from-file=${k.key}=${k.placeholder}`);
  }
  return parts.join(' \\\n    ');
}
