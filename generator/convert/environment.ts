// An Opta environment file as a `values base` request (pure): the same synthesis as `opta-charts values base`, fed from
// the environment's providers and modules instead of flags; the rest goes to the migration report.
import type { Values } from '../charts/opta-base/catalog.js';
import { mergeValues } from '../charts/opta-base/model.js';
import type { BaseValuesRequest } from '../charts/opta-base/values-request.js';
import { problemAt } from '../errors.js';
import { interpolate, type Context, type Unresolved } from './interpolate.js';
import { fieldsOf } from './opta-fields.js';
import type { Data, OptaEnvironment, OptaModule } from './opta-files.js';
import type { FieldAccount, ReportItem } from './report.js';
import { isMapping } from '../parse/mapping.js';

export interface ConvertedEnvironment {
  request: BaseValuesRequest;
  /** The `{parent.domain}` of services. */
  domain?: string;
  datadog: boolean;
  /** Opta's k8s-base `linkerd_enabled: false`: services get `linkerd.inject: false`. */
  linkerdOff: boolean;
  /** ACME on (`--acme-email`): services with a host ask cert-manager's ClusterIssuer for their certificate. */
  clusterIssuer?: string;
  accounts: FieldAccount[];
  report: ReportItem[];
  unresolved: Unresolved[];
}

/** The Secret `values base` reads Datadog's API key from; the install script makes it from $DATADOG_API_KEY. */
export const DATADOG_SECRET = 'datadog-api-key';

/** Opta's EKS/GKE/AKS cluster name (opta/layer.py get_cluster_name). */
export const clusterName = (env: OptaEnvironment) => `opta-${env.name}`;

export function environmentContext(env: OptaEnvironment, vars: Data, extra: Record<string, string> = {}): Context {
  return {
    vars,
    names: { env: env.name, region: String(env.provider.region ?? env.provider.location ?? ''), ...extra },
    scopes: { [env.providerKey]: env.provider },
  };
}

/** Fields of a module as the report's accounts: converted or reported, with where they went. */
export function accountFor(file: string, m: OptaModule, cloud: OptaEnvironment['cloud']): FieldAccount[] {
  const fields = fieldsOf(m.kind, cloud);
  return Object.keys(m.data).map((field) => {
    const f = fields?.find((x) => x.field === field);
    const at = `modules[${m.index}].${field}`;
    return f ? { file, path: at, how: f.how, to: f.to } : { file, path: at, how: 'report' as const, to: `${m.type} is made by Terraform: recreate it outside Helm` };
  });
}

function mapField(file: string, m: OptaModule, field: string): Values | undefined {
  const v = m.data[field];
  if (v === undefined || v === null) return undefined;
  if (!isMapping(v)) throw problemAt(file, `modules[${m.index}].${field}`, 'expected a mapping of Helm values');
  return v;
}

const bool = (file: string, m: OptaModule, field: string): boolean => {
  const v = m.data[field];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw problemAt(file, `modules[${m.index}].${field}`, `expected true or false, got ${JSON.stringify(v)}`);
  return v;
};

export interface EnvironmentOptions {
  vars: Data;
  acmeEmail?: string;
  tlsSecret?: string;
}

export function convertEnvironment(raw: OptaEnvironment, o: EnvironmentOptions): ConvertedEnvironment {
  const file = raw.file;
  const unresolved: Unresolved[] = [];
  const ctx = environmentContext(raw, { ...raw.variables, ...o.vars }, { layer_name: raw.name });
  const modules = raw.modules.map((m) => ({ ...m, data: interpolate(m.data, ctx, `modules[${m.index}]`, unresolved) }));
  const env = { ...raw, modules };
  const report: ReportItem[] = [];
  const accounts = modules.flatMap((m) => accountFor(file, m, env.cloud));
  const find = (kind: string) => modules.find((m) => m.kind === kind);
  const base = find('k8s-base');
  const dns = find('dns');
  const dd = find('datadog');
  const cluster = clusterName(env);

  const domain = (base?.data.domain as string | undefined) || (dns?.data.domain as string | undefined) || undefined;
  const componentValues: Record<string, Values> = {};
  const merge = (component: string, v: Values | undefined) => {
    if (v) componentValues[component] = mergeValues(componentValues[component] ?? {}, v);
  };
  let ha = false;
  let tlsCertArn: string | undefined;
  let linkerdOff = false;
  if (base) {
    const lha = bool(file, base, 'linkerd_high_availability');
    const nha = bool(file, base, 'nginx_high_availability');
    ha = lha || nha;
    if (lha !== nha) {
      report.push({ topic: 'High availability', text: `${file}: only ${lha ? 'linkerd' : 'nginx'}_high_availability is true; opta-base's \`--ha\` profile makes every component highly available (replicas, PodDisruptionBudgets, spreading).` });
    }
    const nginxConfig = mapField(file, base, 'nginx_config');
    merge('ingress-nginx', nginxConfig && { controller: { config: stringValues(nginxConfig) } });
    merge('ingress-nginx', mapField(file, base, 'ingress_nginx_values'));
    merge('linkerd-control-plane', mapField(file, base, 'linkerd_values'));
    merge('cert-manager', mapField(file, base, 'cert_manager_values'));
    if (typeof base.data.cert_arn === 'string' && base.data.cert_arn) tlsCertArn = base.data.cert_arn;
    if (base.data.linkerd_enabled === false) linkerdOff = true;
  }
  if (dd) merge('datadog', mapField(file, dd, 'values'));
  const request: BaseValuesRequest = {
    provider: env.cloud,
    clusterName: cluster,
    region: env.cloud === 'aws' ? String(env.provider.region) : undefined,
    // opta-base runs external-dns on AWS only.
    domains: env.cloud === 'aws' && domain ? [domain] : [],
    externalDnsPolicy: 'upsert-only',
    ...(env.cloud === 'aws'
      ? {
          autoscalerRoleArn: `arn:aws:iam::${env.provider.account_id}:role/${cluster}-cluster-autoscaler`,
          externalDnsRoleArn: `arn:aws:iam::${env.provider.account_id}:role/${cluster}-external-dns`,
        }
      : {}),
    ...(dd ? { datadogApiKeySecret: DATADOG_SECRET, datadogEnv: env.name } : {}),
    tlsCertArn: o.tlsSecret || o.acmeEmail ? undefined : tlsCertArn,
    tlsSecret: o.tlsSecret,
    acmeEmail: o.acmeEmail,
    trustDomain: 'cluster.local',
    ha,
    componentValues,
  };
  if (tlsCertArn && (o.tlsSecret || o.acmeEmail)) {
    report.push({ topic: 'TLS', text: `${file}: cert_arn ${tlsCertArn} is not used: --tls-secret/--acme-email replace the NLB's ACM certificate.` });
  }
  report.push(...environmentReport(env, request, domain));
  // The umbrella's ClusterIssuer name (values base --acme-server production).
  const clusterIssuer = o.acmeEmail ? 'letsencrypt' : undefined;
  return { request, domain, datadog: Boolean(dd), linkerdOff, clusterIssuer, accounts, report, unresolved };
}

/** nginx's ConfigMap takes strings only (Opta wrote numbers and booleans as they were; Kubernetes refuses them). */
function stringValues(v: Values): Values {
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)]));
}

function environmentReport(env: OptaEnvironment, req: BaseValuesRequest, domain: string | undefined): ReportItem[] {
  const items: ReportItem[] = [];
  const file = env.file;
  for (const m of env.modules) {
    const what = `${file} modules[${m.index}] (${m.type} "${m.name}")`;
    switch (m.kind) {
      case 'base':
        items.push({ topic: 'Terraform', text: `${what}: the network (VPC, subnets, NAT, firewall rules) stays in Terraform; import Opta's state or recreate it.` });
        break;
      case 'k8s-cluster':
        items.push({ topic: 'Terraform', text: `${what}: the ${env.cloud === 'aws' ? 'EKS' : env.cloud === 'gcp' ? 'GKE' : 'AKS'} cluster \`${req.clusterName}\` and its node ${env.cloud === 'gcp' ? 'pool' : 'group'} (${['min_nodes', 'max_nodes', 'node_instance_type'].filter((k) => m.data[k] !== undefined).map((k) => `${k} ${m.data[k]}`).join(', ') || 'Opta defaults'}) stay in Terraform; opta-base needs Kubernetes 1.31 or later.${env.cloud === 'aws' ? ' Tag the node groups `k8s.io/cluster-autoscaler/enabled` and `k8s.io/cluster-autoscaler/' + req.clusterName + '` for cluster-autoscaler.' : ''}` });
        break;
      case 'dns':
        items.push({ topic: 'Terraform', text: `${what}: the DNS zone ${domain ?? ''}${m.data.delegated ? ' (delegated, with its certificate)' : ''} stays in Terraform.${env.cloud === 'aws' ? ' external-dns manages its records (`domainFilters`).' : ' opta-base runs no external-dns on ' + env.cloud + ': point the records at the ingress load balancer yourself.'}` });
        if (m.data.delegated && !req.tlsCertArn && !req.acmeEmail && !req.tlsSecret) {
          items.push({ topic: 'TLS', text: `${what}: Opta's certificate for ${domain ?? 'the zone'} is not converted: run again with --acme-email (Let's Encrypt through cert-manager)${env.cloud === 'aws' ? ', or set `cert_arn` in k8s-base to the ACM certificate' : ''}, or --tls-secret.` });
        }
        break;
      case 'k8s-base':
        if (m.data.linkerd_enabled === false) items.push({ topic: 'Linkerd', text: `${what}: linkerd_enabled is false, but opta-base always runs Linkerd; the converted services set \`linkerd.inject: false\`.` });
        if (m.data.nginx_enabled === false) items.push({ topic: 'Ingress', text: `${what}: nginx_enabled is false, but opta-base always runs ingress-nginx.` });
        if (m.data.admin_arns) items.push({ topic: 'Access', text: `${what}: admin_arns ${JSON.stringify(m.data.admin_arns)}: grant them cluster access (EKS access entries) outside Helm.` });
        if (m.data.nginx_extra_tcp_ports) items.push({ topic: 'Ingress', text: `${what}: nginx_extra_tcp_ports ${JSON.stringify(m.data.nginx_extra_tcp_ports)}${m.data.nginx_extra_tcp_ports_tls ? ` (TLS: ${JSON.stringify(m.data.nginx_extra_tcp_ports_tls)})` : ''}: add \`tcp: {"<port>": "<namespace>/<service>:<port>"}\` to the ingress-nginx section by hand.` });
        if (m.data.expose_self_signed_ssl) items.push({ topic: 'TLS', text: `${what}: expose_self_signed_ssl has no equivalent; use --tls-secret or --acme-email.` });
        if (m.data.zone_id) items.push({ topic: 'DNS', text: `${what}: zone_id ${m.data.zone_id}: external-dns finds the zone from the domain.` });
        break;
      case 'datadog':
        items.push({ topic: 'Datadog', text: `${what}: the API key goes into the Secret \`${DATADOG_SECRET}\` (key \`api-key\`) of the opta-system namespace; install.sh creates it from $DATADOG_API_KEY.${m.data.chart_version ? ` chart_version ${m.data.chart_version} is not used: opta-base pins the datadog chart.` : ''}` });
        break;
      default:
        items.push({ topic: 'Terraform', text: `${what}: made by Terraform (${Object.keys(m.data).join(', ') || 'no fields'}); recreate it outside Helm.` });
    }
  }
  if (env.cloud === 'aws') {
    items.push({
      topic: 'IAM',
      text:
        `${file}: opta-base's cluster-autoscaler and external-dns use the IAM roles \`${req.clusterName}-cluster-autoscaler\` and \`${req.clusterName}-external-dns\` (already in opta-base.values.yaml). Make them with ` +
        `\`npx opta-charts iam --provider aws --cluster-name ${req.clusterName} --account-id ${String(env.provider.account_id)} --oidc-provider "$(aws eks describe-cluster --name ${req.clusterName} --query cluster.identity.oidc.issuer --output text)" -o iam/\` and the \`aws iam\` lines it prints.`,
    });
  }
  return items;
}
