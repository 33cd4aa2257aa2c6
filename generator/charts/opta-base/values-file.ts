// The values file `opta-charts values base` writes: everything a provider's install needs, as a plain object (pure).
import yaml from 'js-yaml';
import { UserError } from '../../errors.js';
import type { Catalog, Values } from './catalog.js';
import { acmeValues, checkEdgeFlags, DEFAULT_EDGE, edgeTlsValues, gatewayEdge, gatewayValues } from './edge-values.js';
import { keyFor, mergeValues, umbrellaDependencies, setSwitch } from './model.js';
import { DNS_NAME, SECRET_NAME } from './names.js';
import { withProfile } from './profiles.js';
import type { BaseValuesRequest, IssuerMode } from './values-request.js';

/**
 * The mesh identity a values file carries (see "Mesh identity values contract"): with `cert-manager`, only public
 * certificates (the anchor's key is passed at install time or sits in `trustAnchorSecret`); with `static`, the issuer
 * certificate and key inline. The trust-anchor key is never here.
 */
export interface MeshIdentityValues {
  mode: IssuerMode;
  trustAnchorPEM: string;
  /** static: the issuer Linkerd signs workload certificates with. */
  issuer?: { crtPEM: string; keyPEM: string };
  /** cert-manager: a kubernetes.io/tls Secret in the release namespace holding the anchor, instead of its PEMs. */
  trustAnchorSecret?: string;
}

const LINKERD = 'linkerd-control-plane';
const CERT_MANAGER = 'cert-manager';
const LINKERD_CNI = 'linkerd2-cni';

const ROLE_ANNOTATION = 'eks.amazonaws.com/role-arn';
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const DATADOG_CLUSTER_NAME = /^([a-z]([a-z0-9-]*[a-z0-9])?\.)*[a-z]([a-z0-9-]*[a-z0-9])?$/;

export function baseValues(catalog: Catalog, req: BaseValuesRequest, identity: MeshIdentityValues): Values {
  const providers = catalog.providers.map((p) => p.name);
  if (!providers.includes(req.provider)) throw new UserError(`--provider: "${req.provider}" is not one of ${providers.join(', ')}`);
  if (!/^[a-zA-Z0-9]([a-zA-Z0-9._-]*[a-zA-Z0-9])?$/.test(req.clusterName)) {
    throw new UserError(`--cluster-name: "${req.clusterName}" must be letters, digits, dots, dashes or underscores`);
  }
  checkFlags(req);
  const deps = umbrellaDependencies(catalog);
  const values: Values = {
    tags: Object.fromEntries(providers.map((p) => [p, p === req.provider])),
  };
  const section = (component: string, flag: string): Values => {
    const key = keyFor(deps, component, req.provider);
    if (!key) throw new UserError(`${flag}: ${component} is not part of the ${req.provider} stack`);
    return (values[key] ??= {}) as Values;
  };
  const has = (component: string) => keyFor(deps, component, req.provider) !== undefined;

  Object.assign(values, meshIdentityValues(identity));
  if (identity.mode === 'cert-manager') setSwitch(values, keyFor(deps, CERT_MANAGER, req.provider) ?? CERT_MANAGER, true);
  Object.assign(section(LINKERD, '--provider'), linkerdIdentityValues(identity, req.trustDomain));
  if (req.linkerdMode === 'proxy-init') proxyInitValues(values, section(LINKERD, '--linkerd-mode'), keyFor(deps, LINKERD_CNI, req.provider));

  if (has('cluster-autoscaler')) {
    if (!req.region) throw new UserError(`--region is required for --provider ${req.provider} (cluster-autoscaler needs the cluster's region)`);
    const ca = section('cluster-autoscaler', '--region');
    ca.autoDiscovery = { clusterName: req.clusterName };
    if (!REGION.test(req.region)) throw new UserError(`--region: "${req.region}" is not an AWS region such as us-east-1`);
    ca.awsRegion = req.region;
    if (req.autoscalerRoleArn) ca.rbac = { serviceAccount: { annotations: { [ROLE_ANNOTATION]: req.autoscalerRoleArn } } };
  } else {
    if (req.region) section('cluster-autoscaler', '--region');
    if (req.autoscalerRoleArn) section('cluster-autoscaler', '--autoscaler-role-arn');
  }

  if (has('external-dns')) {
    const dns = section('external-dns', '--domain');
    dns.txtOwnerId = req.clusterName;
    dns.policy = req.externalDnsPolicy;
    if (req.domains.length) dns.domainFilters = req.domains;
    if (req.externalDnsRoleArn) dns.serviceAccount = { annotations: { [ROLE_ANNOTATION]: req.externalDnsRoleArn } };
  } else {
    if (req.domains.length) section('external-dns', '--domain');
    if (req.externalDnsRoleArn) section('external-dns', '--external-dns-role-arn');
  }

  if (req.datadogApiKeySecret) {
    // The datadog chart fails to render a cluster name that is not of this form.
    if (req.clusterName.length > 80 || !DATADOG_CLUSTER_NAME.test(req.clusterName)) {
      throw new UserError(
        `--cluster-name: "${req.clusterName}" cannot be Datadog's cluster name: use dot-separated tokens of lowercase letters, digits and hyphens, each starting with a letter (at most 80 characters)`,
      );
    }
    setSwitch(values, keyFor(deps, 'datadog', req.provider) ?? 'datadog', true);
    const dd = section('datadog', '--datadog-api-key-secret');
    dd.datadog = { apiKeyExistingSecret: req.datadogApiKeySecret, clusterName: req.clusterName, ...(req.datadogSite ? { site: req.datadogSite } : {}), ...datadogEnvValues(req) };
  }
  const edge = req.edge ?? DEFAULT_EDGE;
  const gateway = edge === DEFAULT_EDGE ? undefined : gatewayEdge(catalog, deps, req, edge);
  if (gateway) {
    gatewayValues(values, req, gateway, deps);
  } else {
    edgeTlsValues(req, (flag) => section('ingress-nginx', flag));
  }
  acmeValues(values, req, keyFor(deps, 'cert-manager', req.provider));
  if (gateway && req.acmeEmail !== undefined) {
    // cert-manager answers HTTP-01 through an HTTPRoute on the Gateway: its Gateway API support must be on.
    (values.acme as Values).solver = 'gateway';
    const cm = section('cert-manager', '--acme-email');
    // cert-manager v1.21.1 ControllerConfiguration: gatewayAPI.enabled (enableGatewayAPI is its deprecated spelling).
    cm.config = { apiVersion: 'controller.config.cert-manager.io/v1alpha1', kind: 'ControllerConfiguration', gatewayAPI: { enabled: true } };
  }
  const out = req.ha ? withProfile(catalog, deps, values, req.provider, 'ha') : values;
  if (gateway && req.ha && gateway.component.gateway!.ha) out.gateway = mergeValues((out.gateway as Values) ?? {}, { proxy: gateway.component.gateway!.ha });
  for (const [component, extra] of Object.entries(req.componentValues ?? {})) {
    const key = keyFor(deps, component, req.provider);
    if (!key) throw new UserError(`${component} is not part of the ${req.provider} stack`);
    out[key] = mergeValues((out[key] as Values | undefined) ?? {}, extra);
  }
  return out;
}

/** The cluster's `env` tag: DD_TAGS of every Datadog component, and DD_ENV of the node agents (the trace agent's
 * default env for spans that carry none). Keys of datadog 3.240.0: `datadog.tags`, `datadog.envDict`. */
function datadogEnvValues(req: BaseValuesRequest): Values {
  const env = req.datadogEnv ?? req.clusterName;
  return { tags: [`env:${env}`], envDict: { DD_ENV: env } };
}

/**
 * Proxy-init mode needs two keys that Helm cannot tie together (a parent cannot compute a subchart's values, and a
 * condition overrides the provider tags): the CNI plugin's switch and the control plane's `cniEnabled`. The umbrella
 * refuses one without the other; this writes both.
 */
function proxyInitValues(values: Values, linkerd: Values, cniKey: string | undefined): void {
  linkerd.cniEnabled = false;
  if (cniKey) setSwitch(values, cniKey, false);
}

/** The umbrella's `meshIdentity` section: which issuer, and where cert-manager finds the trust anchor. */
function meshIdentityValues(identity: MeshIdentityValues): Values {
  // static is the umbrella's default: the file then stays valid for charts that predate meshIdentity.
  if (identity.mode === 'static') return {};
  const trustAnchor = identity.trustAnchorSecret ? { existingSecret: identity.trustAnchorSecret } : { crtPEM: identity.trustAnchorPEM };
  return { meshIdentity: { issuer: 'cert-manager', trustAnchor } };
}

/**
 * The control plane's identity values. Linkerd renders the trust-roots ConfigMap from identityTrustAnchorsPEM (no
 * externalCA), and with scheme kubernetes.io/tls reads the issuer from the `linkerd-identity-issuer` Secret that
 * cert-manager writes (linkerd/linkerd2 charts/linkerd-control-plane/templates/identity.yaml, edge-26.8.3).
 */
function linkerdIdentityValues(identity: MeshIdentityValues, trustDomain: string): Values {
  const issuer = identity.mode === 'static' ? { tls: identity.issuer } : { scheme: 'kubernetes.io/tls' };
  if (identity.mode === 'static' && !identity.issuer) throw new Error('a static issuer needs its certificate and key');
  return { identityTrustDomain: trustDomain, identityTrustAnchorsPEM: identity.trustAnchorPEM, identity: { issuer } };
}

/** The values keys of the Linkerd control plane's section (one per provider alias in the catalog). */
export function linkerdKeys(catalog: Catalog): string[] {
  return [...new Set(umbrellaDependencies(catalog).filter((d) => d.component.name === LINKERD).map((d) => d.key))];
}

/** Flags whose form is known without the catalog: each error names the flag and the value. */
function checkFlags(req: BaseValuesRequest): void {
  for (const domain of req.domains) {
    if (!DNS_NAME.test(domain)) throw new UserError(`--domain: "${domain}" is not a DNS name (lower-case labels separated by dots, e.g. example.com)`);
  }
  if (!DNS_NAME.test(req.trustDomain)) throw new UserError(`--trust-domain: "${req.trustDomain}" is not a DNS name (e.g. cluster.local)`);
  if (req.datadogApiKeySecret !== undefined && !SECRET_NAME.test(req.datadogApiKeySecret)) {
    throw new UserError(`--datadog-api-key-secret: "${req.datadogApiKeySecret}" is not a Kubernetes Secret name (lower-case DNS-1123 subdomain)`);
  }
  if (req.datadogSite !== undefined) {
    if (req.datadogApiKeySecret === undefined) throw new UserError('--datadog-site: only used with --datadog-api-key-secret (which turns Datadog on)');
    if (!DNS_NAME.test(req.datadogSite)) throw new UserError(`--datadog-site: "${req.datadogSite}" is not a DNS name (e.g. datadoghq.eu)`);
  }
  checkDatadogEnv(req);
  checkEdgeFlags(req);
}

// Datadog tag values: start with a letter; lowercase letters, digits, `_ - : . /`; at most 200 characters.
const DATADOG_TAG_VALUE = /^(?=.{1,200}$)[a-z][a-z0-9_\-:./]*$/;

function checkDatadogEnv(req: BaseValuesRequest): void {
  if (req.datadogEnv === undefined) return;
  if (req.datadogApiKeySecret === undefined) throw new UserError('--datadog-env: only used with --datadog-api-key-secret (which turns Datadog on)');
  if (!DATADOG_TAG_VALUE.test(req.datadogEnv)) {
    throw new UserError(`--datadog-env: "${req.datadogEnv}" is not a Datadog tag value (a lowercase letter, then lowercase letters, digits, _ - : . /)`);
  }
}

/** Header lines about the identity; `certs renew` replaces exactly these (they start with IDENTITY_LINE). */
const IDENTITY_LINE = 'Linkerd identity:';

export interface IdentitySummary {
  mode: IssuerMode;
  anchorNotAfter: Date;
  /** static: the issuer's end; cert-manager renews its own. */
  issuerNotAfter?: Date;
  /** How the user names the anchor key file in commands (relative to where they ran us). */
  anchorKeyFile: string;
  /** cert-manager: the anchor is in this existing Secret, so install needs no key file. */
  trustAnchorSecret?: string;
}

const INSTALL_LINE = 'Install:';

/** The `helm install` (or upgrade) of this values file; with cert-manager and PEMs, the anchor key comes from its file on each. */
export function helmCommand(verb: 'install' | 'upgrade', valuesFile: string, s: Pick<IdentitySummary, 'mode' | 'trustAnchorSecret' | 'anchorKeyFile'>): string {
  const setFile = s.mode === 'cert-manager' && !s.trustAnchorSecret ? ` --set-file meshIdentity.trustAnchor.keyPEM=${s.anchorKeyFile}` : '';
  return `helm ${verb} opta-base <chart> -n opta-system${verb === 'install' ? ' --create-namespace' : ''} -f ${valuesFile}${setFile}`;
}

export function identityHeader(s: IdentitySummary): string[] {
  const anchor = `trust anchor valid until ${s.anchorNotAfter.toISOString()}; its private key is not in this file but in ${s.anchorKeyFile} (mode 0600, keep it safe)`;
  const install = `${INSTALL_LINE} ${helmCommand('install', '<this file>', s)}`;
  if (s.mode === 'cert-manager') {
    return [
      `${IDENTITY_LINE} issuer made and renewed by cert-manager (meshIdentity.issuerCertificate); ${anchor}.`,
      `${IDENTITY_LINE} check expiry with \`opta-charts certs check -f <this file>\`; rotate the anchor before it ends (README, certificate lifecycle).`,
      install,
    ];
  }
  return [
    `${IDENTITY_LINE} issuer valid until ${s.issuerNotAfter?.toISOString()}, ${anchor}.`,
    `${IDENTITY_LINE} renew the issuer with \`opta-charts certs renew -f <this file> --trust-anchor-key ${s.anchorKeyFile}\`.`,
    install,
  ];
}

/** `origin`: lines that say where the file comes from (default: `values base`). */
export function baseValuesYaml(values: Values, req: BaseValuesRequest, summary: IdentitySummary, origin?: string[]): string {
  const header = [
    ...(origin ?? [`opta-base values for ${req.provider}, cluster ${req.clusterName}; generated by \`opta-charts values base\`.`]),
    summary.mode === 'static'
      ? 'SECRET: holds the Linkerd identity issuer private key. Keep it out of version control (or encrypt it).'
      : 'Holds no private key.',
    ...(req.ha ? ['High availability (--ha): the replicas, PodDisruptionBudgets, spreading and resources below come from the stack catalog\'s profiles.ha.'] : []),
    ...identityHeader(summary),
  ];
  return valuesText(header, values);
}

/** A values file: `# ` comment header lines, then the values as YAML. */
export function valuesText(header: string[], values: Values): string {
  return `${header.map((l) => `# ${l}`).join('\n')}\n${yaml.dump(values, { lineWidth: -1, noRefs: true })}`;
}

/** A values file's leading comment lines (without `# `): ours about the identity and install, and all others. */
export function splitHeader(text: string): { identity: string[]; other: string[] } {
  const identity: string[] = [];
  const other: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    const body = line.replace(/^# ?/, '');
    (body.startsWith(IDENTITY_LINE) || body.startsWith(INSTALL_LINE) ? identity : other).push(body);
  }
  return { identity, other };
}
