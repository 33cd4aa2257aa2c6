// `opta-charts iam`: the cloud roles opta-base's components need, least privilege, bound to the ServiceAccounts it renders.
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import type { CliContext } from './context.js';
import { loadCatalog } from '../charts/opta-base/catalog.js';
import { UserError } from '../errors.js';
import { makeDirectory, writeFileAtomic } from '../fs/tree.js';
import { awsRoles, policyJson, type AwsIamRequest, type AwsRole } from '../iam/aws-policies.js';
import { componentsNotOn, identityWorkloads } from '../iam/workloads.js';
import { collect, providerOption, sourceOption, sourceRoot } from './options.js';

export interface IamFlags {
  provider: string;
  clusterName?: string;
  accountId?: string;
  oidcProvider?: string;
  hostedZoneId?: string[];
  namespace: string;
  output?: string;
  json?: boolean;
  source?: string;
}

/** The README's install namespace: cluster-autoscaler lives in the release namespace. */
const DEFAULT_NAMESPACE = 'opta-system';

export function registerIam(program: Command, ctx: CliContext): void {
  program
    .command('iam')
    .description("print (or write) least-privilege cloud roles for opta-base's cluster-autoscaler and external-dns, bound to the ServiceAccounts the chart renders")
    .addOption(providerOption())
    .option('--cluster-name <name>', 'EKS cluster name (auto-discovery tag k8s.io/cluster-autoscaler/<name>) (required on aws)')
    .option('--account-id <id>', 'AWS account id, 12 digits (required on aws)')
    .option('--oidc-provider <url>', "the cluster's OIDC issuer, https://oidc.eks.<region>.amazonaws.com/id/<ID> (required on aws)")
    .option('--hosted-zone-id <id>', 'Route 53 hosted zone external-dns may change (repeatable; default: every zone of the account)', collect)
    .option('--namespace <ns>', "opta-base's release namespace (where cluster-autoscaler runs; external-dns has its own)", DEFAULT_NAMESPACE)
    .option('-o, --output <dir>', 'write one file per role and document: <component>.policy.json, <component>.trust-policy.json')
    .option('--json', 'print every role as one JSON document')
    .addOption(sourceOption())
    .addHelpText(
      'after',
      '\nThe trust policies name system:serviceaccount:<namespace>:<name> exactly as opta-base renders it: pass --namespace when' +
        '\nyou install opta-base into another namespace than opta-system. GKE and AKS autoscale nodes themselves and opta-base' +
        "\ninstalls external-dns on AWS only, so gcp and azure need no roles (the command says so and exits 1).",
    )
    .action((flags: IamFlags) => runIam(flags, ctx));
}

const required = (value: string | undefined, flag: string): string => {
  if (value === undefined || value === '') throw new UserError(`${flag} is required with --provider aws`);
  return value;
};

/** Flags checked before anything is printed or written; each error names its flag. */
function awsRequest(flags: IamFlags): AwsIamRequest {
  const clusterName = required(flags.clusterName, '--cluster-name');
  // EKS: 1-100 characters, letters, digits, hyphens and underscores, starting with a letter or digit.
  if (!/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(clusterName)) throw new UserError(`--cluster-name: "${clusterName}" is not an EKS cluster name (letters, digits, - and _, at most 100)`);
  const accountId = required(flags.accountId, '--account-id');
  if (!/^\d{12}$/.test(accountId)) throw new UserError(`--account-id: "${accountId}" is not an AWS account id (12 digits)`);
  const oidc = required(flags.oidcProvider, '--oidc-provider');
  const m = /^(?:https:\/\/)?([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(\/[A-Za-z0-9._~-]+)*)\/?$/.exec(oidc);
  if (!m) throw new UserError(`--oidc-provider: "${oidc}" is not an OIDC issuer URL (https://oidc.eks.<region>.amazonaws.com/id/<ID>)`);
  const hostedZoneIds = (flags.hostedZoneId ?? []).map((raw) => {
    const id = raw.replace(/^\/?hostedzone\//, '');
    if (!/^Z[0-9A-Z]{1,31}$/.test(id)) throw new UserError(`--hosted-zone-id: "${raw}" is not a Route 53 hosted zone id (Z followed by upper-case letters and digits)`);
    return id;
  });
  return { clusterName, accountId, oidcProvider: m[1], hostedZoneIds: [...new Set(hostedZoneIds)].sort() };
}

function checkNamespace(ns: string): void {
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(ns)) throw new UserError(`--namespace: "${ns}" is not a Kubernetes namespace name`);
}

const fileOf = (role: AwsRole, doc: 'policy' | 'trust-policy') => `${role.component}.${doc}.json`;

async function runIam(flags: IamFlags, ctx: CliContext): Promise<void> {
  const { output } = ctx;
  checkNamespace(flags.namespace);
  const catalog = await loadCatalog(sourceRoot(flags, ctx));
  const workloads = identityWorkloads(catalog, flags.provider, flags.namespace);
  if (flags.provider !== 'aws' || workloads.length === 0) {
    const absent = componentsNotOn(catalog, flags.provider).map((c) => `${c.component} (catalog providers: ${c.providers.join(', ')})`);
    throw new UserError(
      `--provider ${flags.provider}: opta-base installs no component that needs a cloud role there${absent.length ? `: not installed on ${flags.provider}: ${absent.join(', ')}` : ''}`,
      'GKE and AKS autoscale nodes themselves (no cluster-autoscaler role); opta-base runs external-dns on AWS only. Nothing to create.',
    );
  }
  const req = awsRequest(flags);
  const roles = awsRoles(workloads, req);

  if (flags.output) {
    const dir = resolve(ctx.cwd, flags.output);
    await makeDirectory(dir);
    for (const role of roles) {
      await writeFileAtomic(join(dir, fileOf(role, 'policy')), policyJson(role.policy));
      await writeFileAtomic(join(dir, fileOf(role, 'trust-policy')), policyJson(role.trustPolicy));
    }
  }
  if (flags.json) {
    const doc = roles.map((r) => ({ component: r.component, roleName: r.roleName, serviceAccount: r.subject, policy: r.policy, trustPolicy: r.trustPolicy }));
    output.out(JSON.stringify({ provider: 'aws', roles: doc }, null, 2));
  } else {
    for (const role of roles) {
      const policyFile = fileOf(role, 'policy');
      const trustFile = fileOf(role, 'trust-policy');
      output.out(`# ${role.component}: role ${role.roleName}, ServiceAccount ${role.subject.split(':').slice(2).join('/')}`);
      if (flags.output) output.out(`wrote ${join(flags.output, policyFile)} and ${join(flags.output, trustFile)}`);
      else output.out(`## ${policyFile}\n${policyJson(role.policy).trimEnd()}\n## ${trustFile}\n${policyJson(role.trustPolicy).trimEnd()}`);
      const at = flags.output ? `${flags.output.replace(/\/$/, '')}/` : '';
      output.out(
        [
          ...(flags.output ? [] : ['# save the documents above (or use -o DIR), then:']),
          `aws iam create-role --role-name ${role.roleName} --assume-role-policy-document file://${at}${trustFile}`,
          `aws iam put-role-policy --role-name ${role.roleName} --policy-name ${role.component} --policy-document file://${at}${policyFile}`,
          '',
        ].join('\n'),
      );
    }
    const flagOf = { 'cluster-autoscaler': '--autoscaler-role-arn', 'external-dns': '--external-dns-role-arn' } as const;
    output.out(`then: opta-charts values base --provider aws ${roles.map((r) => `${flagOf[r.component]} arn:aws:iam::${req.accountId}:role/${r.roleName}`).join(' ')} ...`);
  }
  if (!req.hostedZoneIds.length) output.err('note: no --hosted-zone-id: external-dns may change records in every hosted zone of the account');
}
