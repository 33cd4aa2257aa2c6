import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { CliContext } from './context.js';
import { anchorFilePaths, PRIVATE_MODE, PUBLIC_MODE, shown } from '../certs/anchor-files.js';
import { createTrustAnchor, DEFAULT_ANCHOR_DAYS, DEFAULT_ISSUER_DAYS, issueIssuer } from '../certs/linkerd-identity.js';
import { loadCatalog, type Catalog } from '../charts/opta-base/catalog.js';
import { baseValues, baseValuesYaml, helmCommand, type IdentitySummary, type MeshIdentityValues } from '../charts/opta-base/values-file.js';
import { ISSUER_MODES, LINKERD_MODES, type LinkerdMode, type BaseValuesRequest, type IssuerMode } from '../charts/opta-base/values-request.js';
import { SECRET_NAME } from '../charts/opta-base/names.js';
import { UserError } from '../errors.js';
import { writeFilesTogether, type FileToWrite } from '../fs/tree.js';
import { acmeEmailOption, collect, providerOption, sourceOption, sourceRoot, tlsSecretOption } from './options.js';

/** The request's fields a flag of the same name sets as is. */
const REQUEST_FLAGS = ['provider', 'clusterName', 'region', 'autoscalerRoleArn', 'externalDnsRoleArn', 'externalDnsPolicy', 'datadogApiKeySecret', 'datadogSite', 'datadogEnv', 'tlsCertArn', 'tlsSecret', 'acmeEmail', 'acmeServer', 'ha', 'linkerdMode', 'edge'] as const;
type RequestFlag = (typeof REQUEST_FLAGS)[number];

export interface ValuesBaseFlags extends Pick<BaseValuesRequest, RequestFlag> {
  domain?: string[];
  issuer: IssuerMode;
  validityDays?: string;
  anchorValidityDays: string;
  trustAnchorKey?: string;
  trustAnchorSecret?: string;
  trustDomain?: string;
  linkerdMode: LinkerdMode;
  output: string;
  force?: boolean;
  source?: string;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

export function registerValues(program: Command, ctx: CliContext): void {
  const values = program.command('values').description('write a values file for one of the charts');
  values
    .command('base')
    .description('write a complete opta-base values file for one provider, with a fresh Linkerd identity (mode 0600) and its trust-anchor key in its own file')
    .addOption(providerOption())
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
    .addOption(tlsSecretOption())
    .addOption(acmeEmailOption())
    .addOption(new Option('--acme-server <server>', "Let's Encrypt server (with --acme-email); staging names the issuer letsencrypt-staging").choices(['production', 'staging']))
    .addOption(new Option('--issuer <mode>', 'who issues Linkerd\'s identity issuer: cert-manager renews it automatically (recommended); static writes it inline, renewed with `certs renew`').choices(ISSUER_MODES).default('cert-manager'))
    .option('--validity-days <days>', `static issuer certificate validity in days (default ${DEFAULT_ISSUER_DAYS}; with cert-manager see meshIdentity.issuerCertificate)`)
    .option('--anchor-validity-days <days>', 'trust anchor validity in days', String(DEFAULT_ANCHOR_DAYS))
    .option('--trust-anchor-key <file>', 'where to write the trust-anchor private key (mode 0600; default <values file without .yaml>.trust-anchor.key.pem; its certificate goes beside it as .crt.pem)')
    .option('--trust-anchor-secret <name>', 'cert-manager: the anchor will be in this kubernetes.io/tls Secret of the release namespace, which you create (printed command), instead of passing its key at install')
    .option('--trust-domain <domain>', "Linkerd's trust domain (the issuer certificate is made for it; written as identityTrustDomain)", 'cluster.local')
    .option('--edge <edge>', 'the edge: ingress-nginx (default: Ingress objects keep working) or envoy-gateway (Gateway API; turns ingress-nginx off)')
    .addOption(new Option('--linkerd-mode <mode>', "cni: Linkerd's CNI plugin sets up each meshed pod's traffic (pods pass Pod Security restricted); proxy-init: the linkerd-init container does, with NET_ADMIN and NET_RAW (meshed namespaces must be privileged)").choices(LINKERD_MODES).default('cni'))
    .option('--ha', "high availability: write the stack catalog's ha profile (replicas, PodDisruptionBudgets, anti-affinity, resources) into the file")
    .requiredOption('-o, --output <file>', 'values file to write (mode 0600; with --issuer static it holds the issuer private key; its directory must exist) (required)')
    .option('--force', 'overwrite existing files (replaces the Linkerd identity, the trust-anchor key included)')
    .addOption(sourceOption())
    .addHelpText(
      'after',
      '\nPrivate keys are written to files only, never printed. The trust-anchor key is never in the values file: keep it\n' +
        '(a secret store) to renew the issuer and rotate the anchor. Output directories must exist.\n' +
        'Prints the certificates\' expiry dates and the exact install command.',
    )
    .action((flags: ValuesBaseFlags) => runValuesBase(flags, ctx));
}

export function parseDays(raw: string, flag = '--validity-days'): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 36500) throw new UserError(`${flag}: "${raw}" must be a whole number of days from 1 to 36500`);
  return Number(raw);
}

/** Flags that only make sense with one issuer mode, and lifetimes that fit together. */
function identityFlags(flags: ValuesBaseFlags): { validityDays: number; anchorDays: number } {
  if (flags.issuer === 'cert-manager' && flags.validityDays !== undefined) {
    throw new UserError('--validity-days: only used with --issuer static (cert-manager renews its issuer: meshIdentity.issuerCertificate.duration)');
  }
  if (flags.issuer === 'static' && flags.trustAnchorSecret !== undefined) throw new UserError('--trust-anchor-secret: only used with --issuer cert-manager');
  if (flags.trustAnchorSecret !== undefined && !SECRET_NAME.test(flags.trustAnchorSecret)) {
    throw new UserError(`--trust-anchor-secret: "${flags.trustAnchorSecret}" is not a Kubernetes Secret name (lower-case DNS-1123 subdomain)`);
  }
  const validityDays = parseDays(flags.validityDays ?? String(DEFAULT_ISSUER_DAYS));
  const anchorDays = parseDays(flags.anchorValidityDays, '--anchor-validity-days');
  if (flags.issuer === 'static' && anchorDays <= validityDays) {
    throw new UserError(`--anchor-validity-days: ${anchorDays} must be longer than the issuer's ${validityDays} days, so the issuer can be renewed under the same anchor`);
  }
  return { validityDays, anchorDays };
}

async function runValuesBase(flags: ValuesBaseFlags, ctx: CliContext): Promise<void> {
  const root = sourceRoot(flags, ctx);
  const file = resolve(ctx.cwd, flags.output);
  for (const [flag, arn] of [['--autoscaler-role-arn', flags.autoscalerRoleArn], ['--external-dns-role-arn', flags.externalDnsRoleArn]] as const) {
    if (arn !== undefined && !ROLE_ARN.test(arn)) throw new UserError(`${flag}: "${arn}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
  }
  const { validityDays, anchorDays } = identityFlags(flags);
  const anchorFiles = anchorFilePaths(file, flags.trustAnchorKey === undefined ? undefined : resolve(ctx.cwd, flags.trustAnchorKey));
  for (const path of [file, anchorFiles.key, anchorFiles.crt]) {
    if (existsSync(path) && !flags.force) {
      throw new UserError(`${shown(path, ctx.cwd)}: already exists`, 'pass --force to replace it (this also replaces the Linkerd identity and its trust-anchor key)');
    }
  }
  const passed = Object.fromEntries(REQUEST_FLAGS.map((k) => [k, flags[k]])) as Pick<BaseValuesRequest, RequestFlag>;
  const request: BaseValuesRequest = { ...passed, domains: flags.domain ?? [], trustDomain: flags.trustDomain ?? 'cluster.local' };
  const catalog = await loadCatalog(root);
  const { files, summary, anchor, issuer } = await baseValuesFiles(catalog, request, {
    issuer: flags.issuer,
    validityDays,
    anchorDays,
    trustAnchorSecret: flags.trustAnchorSecret,
    file,
    anchorFiles,
    cwd: ctx.cwd,
  });
  await writeFilesTogether(files);
  const keyShown = summary.anchorKeyFile;
  const out = ctx.output.out;
  out(`wrote ${flags.output} (opta-base values for ${flags.provider}, cluster ${flags.clusterName}, issuer ${flags.issuer}, mode 0600)`);
  out(`wrote ${keyShown} (trust-anchor private key, mode 0600: keep it safe and out of version control) and ${shown(anchorFiles.crt, ctx.cwd)}`);
  out(`trust anchor valid until ${anchor.notAfter.toISOString()}`);
  out(issuer ? `Linkerd issuer valid until ${issuer.notAfter.toISOString()} (renew: opta-charts certs renew -f ${flags.output} --trust-anchor-key ${keyShown})` : 'Linkerd issuer: made and renewed by cert-manager (meshIdentity.issuerCertificate)');
  if (flags.trustAnchorSecret) {
    out(`before installing: kubectl create namespace opta-system; kubectl -n opta-system create secret tls ${flags.trustAnchorSecret} --cert=${shown(anchorFiles.crt, ctx.cwd)} --key=${keyShown}`);
  }
  out(`install: ${helmCommand('install', flags.output, summary)}`);
}

export interface BaseIdentityOptions {
  issuer: IssuerMode;
  validityDays: number;
  anchorDays: number;
  trustAnchorSecret?: string;
  /** The values file and the anchor's key and certificate files. */
  file: string;
  anchorFiles: { key: string; crt: string };
  cwd: string;
}

/**
 * The files `values base` writes for `request` (values 0600, anchor key 0600, anchor certificate 0644), with a fresh
 * Linkerd identity; shared with `convert`, which writes the same files for an Opta environment.
 */
export async function baseValuesFiles(catalog: Catalog, request: BaseValuesRequest, o: BaseIdentityOptions, header?: (summary: IdentitySummary) => string[]) {
  const anchor = await createTrustAnchor({ validityDays: o.anchorDays, trustDomain: request.trustDomain });
  const issuer = o.issuer === 'static' ? await issueIssuer(anchor, { validityDays: o.validityDays, trustDomain: request.trustDomain }) : undefined;
  const identity: MeshIdentityValues = {
    mode: o.issuer,
    trustAnchorPEM: anchor.crtPEM,
    issuer: issuer && { crtPEM: issuer.crtPEM, keyPEM: issuer.keyPEM },
    trustAnchorSecret: o.trustAnchorSecret,
  };
  const summary: IdentitySummary = {
    mode: o.issuer,
    anchorNotAfter: anchor.notAfter,
    issuerNotAfter: issuer?.notAfter,
    anchorKeyFile: shown(o.anchorFiles.key, o.cwd),
    trustAnchorSecret: o.trustAnchorSecret,
  };
  const text = baseValuesYaml(baseValues(catalog, request, identity), request, summary, header?.(summary));
  const files: FileToWrite[] = [
    { path: o.anchorFiles.key, content: anchor.keyPEM, mode: PRIVATE_MODE },
    { path: o.anchorFiles.crt, content: anchor.crtPEM, mode: PUBLIC_MODE },
    { path: o.file, content: text, mode: PRIVATE_MODE },
  ];
  return { files, summary, anchor, issuer };
}
