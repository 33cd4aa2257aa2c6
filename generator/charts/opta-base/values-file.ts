// The values file `opta-charts values base` writes: everything a provider's install needs, as a plain object (pure).
import yaml from 'js-yaml';
import { UserError } from '../../errors.js';
import type { LinkerdIdentity } from '../../certs/linkerd-identity.js';
import type { Catalog, Values } from './catalog.js';
import { planDependencies, SWITCHES_KEY, type PlannedDependency } from './model.js';
import { withProfile } from './profiles.js';

export interface BaseValuesRequest {
  provider: string;
  clusterName: string;
  region?: string;
  domains: string[];
  externalDnsPolicy: 'upsert-only' | 'sync';
  autoscalerRoleArn?: string;
  externalDnsRoleArn?: string;
  datadogApiKeySecret?: string;
  datadogSite?: string;
  /** Linkerd's trust domain; the issuer certificate is made for it, so the control plane must be told. */
  trustDomain: string;
  /** Write the catalog's `ha` profile into the values file. */
  ha?: boolean;
}

const ROLE_ANNOTATION = 'eks.amazonaws.com/role-arn';
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
const SECRET_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const DATADOG_CLUSTER_NAME = /^([a-z]([a-z0-9-]*[a-z0-9])?\.)*[a-z]([a-z0-9-]*[a-z0-9])?$/;

/** The dependency key that runs `component` on `provider`, or undefined when the provider does not have it. */
function keyFor(plan: PlannedDependency[], component: string, provider: string): string | undefined {
  return plan.find((d) => d.component.name === component && d.providers.includes(provider))?.key;
}

export function baseValues(catalog: Catalog, req: BaseValuesRequest, identity: LinkerdIdentity): Values {
  const providers = catalog.providers.map((p) => p.name);
  if (!providers.includes(req.provider)) throw new UserError(`--provider: "${req.provider}" is not one of ${providers.join(', ')}`);
  if (!/^[a-zA-Z0-9]([a-zA-Z0-9._-]*[a-zA-Z0-9])?$/.test(req.clusterName)) {
    throw new UserError(`--cluster-name: "${req.clusterName}" must be letters, digits, dots, dashes or underscores`);
  }
  checkFlags(req);
  const plan = planDependencies(catalog);
  const values: Values = {
    tags: Object.fromEntries(providers.map((p) => [p, p === req.provider])),
  };
  const section = (component: string, flag: string): Values => {
    const key = keyFor(plan, component, req.provider);
    if (!key) throw new UserError(`${flag}: ${component} is not part of the ${req.provider} stack`);
    return (values[key] ??= {}) as Values;
  };
  const has = (component: string) => keyFor(plan, component, req.provider) !== undefined;

  Object.assign(section('linkerd-control-plane', '--provider'), {
    identityTrustDomain: req.trustDomain,
    identityTrustAnchorsPEM: identity.trustAnchorPEM,
    identity: { issuer: { tls: { crtPEM: identity.issuerCrtPEM, keyPEM: identity.issuerKeyPEM } } },
  });

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
    values[SWITCHES_KEY] = { [keyFor(plan, 'datadog', req.provider) ?? 'datadog']: true };
    const dd = section('datadog', '--datadog-api-key-secret');
    dd.datadog = { apiKeyExistingSecret: req.datadogApiKeySecret, clusterName: req.clusterName, ...(req.datadogSite ? { site: req.datadogSite } : {}) };
  }
  return req.ha ? withProfile(catalog, plan, values, req.provider, 'ha') : values;
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
}

export function baseValuesYaml(values: Values, req: BaseValuesRequest, identity: LinkerdIdentity): string {
  const header = [
    `opta-base values for ${req.provider}, cluster ${req.clusterName}; generated by \`opta-charts values base\`.`,
    'SECRET: holds the Linkerd identity issuer private key. Keep it out of version control (or encrypt it).',
    `Linkerd issuer certificate valid until ${identity.notAfter.issuer.toISOString()}, trust anchor until ${identity.notAfter.trustAnchor.toISOString()}.`,
    ...(req.ha ? ['High availability (--ha): the replicas, PodDisruptionBudgets, spreading and resources below come from the stack catalog\'s profiles.ha.'] : []),
    'Install: helm install opta-base <chart> -n opta-system --create-namespace -f <this file>',
  ];
  return `${header.map((l) => `# ${l}`).join('\n')}\n${yaml.dump(values, { lineWidth: -1, noRefs: true })}`;
}
