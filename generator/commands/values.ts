import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { CliContext } from '../cli.js';
import { createLinkerdIdentity } from '../certs/linkerd-identity.js';
import { loadCatalog } from '../charts/opta-base/catalog.js';
import { baseValues, baseValuesYaml, type BaseValuesRequest } from '../charts/opta-base/values-file.js';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../fs/tree.js';
import { collect, SOURCE_OPTION, sourceRoot } from './upstream-options.js';

export interface ValuesBaseFlags {
  provider: string;
  clusterName: string;
  domain?: string[];
  region?: string;
  autoscalerRoleArn?: string;
  externalDnsRoleArn?: string;
  externalDnsPolicy: 'upsert-only' | 'sync';
  datadogApiKeySecret?: string;
  datadogSite?: string;
  datadogEnv?: string;
  tlsCertArn?: string;
  tlsSecret?: string;
  acmeEmail?: string;
  acmeServer?: 'production' | 'staging';
  validityDays: string;
  trustDomain?: string;
  ha?: boolean;
  edge?: string;
  output: string;
  force?: boolean;
  source?: string;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

export function registerValues(program: Command, ctx: CliContext): void {
  const values = program.command('values').description('write a values file for one of the charts');
  values
    .command('base')
    .description('write a complete opta-base values file for one provider, with a fresh Linkerd identity (mode 0600)')
    .addOption(new Option('--provider <name>', 'cloud provider (required)').choices(['aws', 'gcp', 'azure']).makeOptionMandatory())
    .requiredOption('--cluster-name <name>', 'cluster name (autoscaler auto-discovery, external-dns owner id, Datadog) (required)')
    .option('--region <region>', 'AWS region, e.g. us-east-1 (required on aws, for cluster-autoscaler; not used elsewhere)')
    .option('--domain <domain>', 'DNS zone external-dns may manage (repeatable; aws only)', collect)
    .option('--autoscaler-role-arn <arn>', 'IAM role for cluster-autoscaler (IRSA annotation; aws only)')
    .option('--external-dns-role-arn <arn>', 'IAM role for external-dns (IRSA annotation; aws only)')
    .addOption(new Option('--external-dns-policy <policy>', 'upsert-only never deletes records; sync deletes records it owns').choices(['upsert-only', 'sync']).default('upsert-only'))
    .option('--datadog-api-key-secret <secret>', 'turn Datadog on, reading the API key from this existing Secret')
    .option('--datadog-site <site>', 'Datadog site, e.g. datadoghq.eu (with --datadog-api-key-secret; default: the chart\'s, datadoghq.com)')
    .option('--datadog-env <env>', "Datadog's env tag for everything this cluster sends (with --datadog-api-key-secret; default: the cluster name)")
    .option('--tls-cert-arn <arn>', 'aws only: ACM certificate the NLB terminates TLS with (HTTP is redirected to HTTPS)')
    .option('--tls-secret <namespace/name>', "ingress-nginx's default certificate: a kubernetes.io/tls Secret")
    .option('--acme-email <email>', "turn on cert-manager and the ACME ClusterIssuer `letsencrypt` (HTTP-01 through ingress class nginx); Let's Encrypt's expiry notices go to this address")
    .addOption(new Option('--acme-server <server>', "Let's Encrypt server (with --acme-email); staging names the issuer letsencrypt-staging").choices(['production', 'staging']))
    .option('--validity-days <days>', 'Linkerd issuer certificate validity in days (the trust anchor gets ten times as long)', '365')
    .option('--trust-domain <domain>', "Linkerd's trust domain (the issuer certificate is made for it; written as identityTrustDomain)", 'cluster.local')
    .option('--edge <edge>', 'the edge: ingress-nginx (default: Ingress objects keep working) or envoy-gateway (Gateway API; turns ingress-nginx off)')
    .option('--ha', "high availability: write the stack catalog's ha profile (replicas, PodDisruptionBudgets, anti-affinity, resources) into the file")
    .requiredOption('-o, --output <file>', 'values file to write (mode 0600; holds a private key) (required)')
    .option('--force', 'overwrite an existing file (replaces its Linkerd identity)')
    .option(...SOURCE_OPTION)
    .addHelpText('after', '\nThe Linkerd issuer private key is written to the output file only, never printed.')
    .action(async (flags: ValuesBaseFlags) => {
      await runValuesBase(flags, ctx);
    });
}

function parseDays(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 36500) throw new UserError(`--validity-days: "${raw}" must be a whole number of days from 1 to 36500`);
  return Number(raw);
}

export async function runValuesBase(flags: ValuesBaseFlags, ctx: CliContext): Promise<string> {
  const root = sourceRoot(flags, ctx);
  const file = resolve(ctx.cwd, flags.output);
  for (const [flag, arn] of [['--autoscaler-role-arn', flags.autoscalerRoleArn], ['--external-dns-role-arn', flags.externalDnsRoleArn]] as const) {
    if (arn !== undefined && !ROLE_ARN.test(arn)) throw new UserError(`${flag}: "${arn}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
  }
  if (existsSync(file) && !flags.force) {
    throw new UserError(`${flags.output}: already exists`, 'pass --force to replace it (this also replaces its Linkerd identity)');
  }
  const request: BaseValuesRequest = {
    provider: flags.provider,
    clusterName: flags.clusterName,
    region: flags.region,
    domains: flags.domain ?? [],
    externalDnsPolicy: flags.externalDnsPolicy,
    autoscalerRoleArn: flags.autoscalerRoleArn,
    externalDnsRoleArn: flags.externalDnsRoleArn,
    datadogApiKeySecret: flags.datadogApiKeySecret,
    datadogSite: flags.datadogSite,
    datadogEnv: flags.datadogEnv,
    tlsCertArn: flags.tlsCertArn,
    tlsSecret: flags.tlsSecret,
    acmeEmail: flags.acmeEmail,
    acmeServer: flags.acmeServer,
    trustDomain: flags.trustDomain ?? 'cluster.local',
    ha: flags.ha,
    edge: flags.edge,
  };
  const catalog = await loadCatalog(root);
  const validityDays = parseDays(flags.validityDays);
  const identity = await createLinkerdIdentity({ validityDays, trustDomain: request.trustDomain });
  const text = baseValuesYaml(baseValues(catalog, request, identity), request, identity);
  await writeFileAtomic(file, text, 0o600);
  ctx.output.out(`wrote ${flags.output} (opta-base values for ${flags.provider}, cluster ${flags.clusterName}, mode 0600)`);
  ctx.output.out(`Linkerd issuer valid until ${identity.notAfter.issuer.toISOString()}; install with -f ${flags.output}`);
  return file;
}
