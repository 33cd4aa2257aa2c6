// `opta-charts iam`: AWS policy grammar, least privilege scoping, flag errors, and trust-policy subjects that equal the
// ServiceAccounts the rendered opta-base umbrella (stand-ins vendored) really has.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../generator/cli.js';
import { memoryOutput } from '../support/memory-output.js';
import { HELMS, runHelm } from '../support/helm.js';
import { buildUmbrella, ROOT } from '../opta-base/build-umbrella.js';
import { rendersOptaBase } from '../opta-base/helm-floor.js';

const OIDC = 'oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';
const AWS_FLAGS = ['--provider', 'aws', '--cluster-name', 'prod', '--account-id', '123456789012', '--oidc-provider', `https://${OIDC}`];

let dir: string;
let archive: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opta-iam-'));
  archive = join(dir, 'opta-base.tgz');
  await writeFile(archive, (await buildUmbrella()).archive);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function iam(...args: string[]) {
  const output = memoryOutput();
  const code = await main(['node', 'opta-charts', 'iam', ...args], { output, cwd: dir, env: {}, stdin: process.stdin });
  return { code, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') };
}

interface Statement {
  Sid: string;
  Effect: string;
  Principal?: { Federated: string };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string>>;
}
interface Doc {
  Version: string;
  Statement: Statement[];
}
interface Role {
  component: string;
  roleName: string;
  serviceAccount: string;
  policy: Doc;
  trustPolicy: Doc;
}

async function roles(...extra: string[]): Promise<Role[]> {
  const r = await iam(...AWS_FLAGS, '--json', ...extra);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { roles: Role[] }).roles;
}

/** AWS's policy grammar as far as these documents use it. */
function expectPolicyGrammar(doc: Doc, trust: boolean): void {
  expect(Object.keys(doc)).toEqual(['Version', 'Statement']);
  expect(doc.Version).toBe('2012-10-17');
  const sids = doc.Statement.map((s) => s.Sid);
  expect(new Set(sids).size).toBe(sids.length);
  for (const s of doc.Statement) {
    expect(s.Sid).toMatch(/^[A-Za-z0-9]+$/);
    expect(s.Effect).toBe('Allow');
    for (const a of [s.Action].flat()) expect(a).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
    if (trust) {
      expect(s.Principal?.Federated).toMatch(/^arn:aws:iam::\d{12}:oidc-provider\//);
      expect(s.Resource).toBeUndefined();
    } else {
      expect(s.Principal).toBeUndefined();
      for (const r of [s.Resource!].flat()) expect(r === '*' || r.startsWith('arn:aws:')).toBe(true);
    }
  }
}

describe('opta-charts iam --provider aws', () => {
  it('emits valid, deterministic policy documents; write actions scoped by tag and account, Route 53 changes by zone', async () => {
    const all = await roles('--hosted-zone-id', 'Z2ABCDEF123456', '--hosted-zone-id', '/hostedzone/Z0123456789ABC');
    expect(all.map((r) => r.component)).toEqual(['cluster-autoscaler', 'external-dns']);
    for (const r of all) {
      expectPolicyGrammar(r.policy, false);
      expectPolicyGrammar(r.trustPolicy, true);
    }
    const [ca, dns] = all;
    const scale = ca.policy.Statement.find((s) => [s.Action].flat().includes('autoscaling:SetDesiredCapacity'))!;
    expect(scale.Action).toEqual(['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup']);
    expect(scale.Resource).toBe('arn:aws:autoscaling:*:123456789012:autoScalingGroup:*:autoScalingGroupName/*');
    expect(scale.Condition).toEqual({ Null: { 'aws:ResourceTag/k8s.io/cluster-autoscaler/enabled': 'false', 'aws:ResourceTag/k8s.io/cluster-autoscaler/prod': 'false' } });
    // every statement on "*" only reads
    for (const s of [...ca.policy.Statement, ...dns.policy.Statement].filter((x) => x.Resource === '*')) {
      for (const a of [s.Action].flat()) expect(a).toMatch(/:(Describe|List|Get)/);
    }
    const change = dns.policy.Statement.find((s) => [s.Action].flat().includes('route53:ChangeResourceRecordSets'))!;
    expect(change.Resource).toEqual(['arn:aws:route53:::hostedzone/Z0123456789ABC', 'arn:aws:route53:::hostedzone/Z2ABCDEF123456']);
    for (const r of all) {
      expect(r.trustPolicy.Statement).toHaveLength(1);
      expect(r.trustPolicy.Statement[0].Action).toBe('sts:AssumeRoleWithWebIdentity');
      expect(r.trustPolicy.Statement[0].Principal).toEqual({ Federated: `arn:aws:iam::123456789012:oidc-provider/${OIDC}` });
      expect(r.trustPolicy.Statement[0].Condition).toEqual({ StringEquals: { [`${OIDC}:aud`]: 'sts.amazonaws.com', [`${OIDC}:sub`]: r.serviceAccount } });
    }
    // the same flags give the same bytes
    const again = await iam(...AWS_FLAGS, '--json', '--hosted-zone-id', '/hostedzone/Z0123456789ABC', '--hosted-zone-id', 'Z2ABCDEF123456');
    expect(again.stdout).toBe(JSON.stringify({ provider: 'aws', roles: all }, null, 2));
  });

  it('without --hosted-zone-id allows every zone and says so', async () => {
    const r = await iam(...AWS_FLAGS, '--json');
    // With --json every stderr line is JSON (see the README's build section).
    expect(JSON.parse(r.stderr)).toEqual({ note: 'no --hosted-zone-id: external-dns may change records in every hosted zone of the account' });
    const dns = (JSON.parse(r.stdout) as { roles: Role[] }).roles[1];
    expect(dns.policy.Statement[0].Resource).toEqual(['arn:aws:route53:::hostedzone/*']);
  });

  it('-o DIR writes one file per role and document, byte for byte what --json holds', async () => {
    const out = join(dir, 'roles');
    const r = await iam(...AWS_FLAGS, '-o', out, '--hosted-zone-id', 'Z0123456789ABC');
    expect(r.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['cluster-autoscaler.policy.json', 'cluster-autoscaler.trust-policy.json', 'external-dns.policy.json', 'external-dns.trust-policy.json']);
    const all = await roles('--hosted-zone-id', 'Z0123456789ABC');
    for (const role of all) {
      expect(await readFile(join(out, `${role.component}.policy.json`), 'utf8')).toBe(`${JSON.stringify(role.policy, null, 2)}\n`);
      expect(await readFile(join(out, `${role.component}.trust-policy.json`), 'utf8')).toBe(`${JSON.stringify(role.trustPolicy, null, 2)}\n`);
    }
    expect(r.stdout).toContain(`aws iam create-role --role-name prod-cluster-autoscaler --assume-role-policy-document file://${out}/cluster-autoscaler.trust-policy.json`);
    expect(r.stdout).toContain('--autoscaler-role-arn arn:aws:iam::123456789012:role/prod-cluster-autoscaler --external-dns-role-arn arn:aws:iam::123456789012:role/prod-external-dns');
  });

  it.each([
    [['--account-id', '12345'], '--account-id: "12345" is not an AWS account id (12 digits)'],
    [['--oidc-provider', 'http://x'], '--oidc-provider: "http://x" is not an OIDC issuer URL'],
    [['--oidc-provider', 'https://oidc.example.com/id?x=1'], '--oidc-provider: "https://oidc.example.com/id?x=1" is not an OIDC issuer URL'],
    [['--hosted-zone-id', 'example.com'], '--hosted-zone-id: "example.com" is not a Route 53 hosted zone id'],
    [['--cluster-name', 'prod cluster'], '--cluster-name: "prod cluster" is not an EKS cluster name'],
    [['--namespace', 'Opta'], '--namespace: "Opta" is not a Kubernetes namespace name'],
  ])('%j is refused naming the flag', async (bad, message) => {
    const flags = [...AWS_FLAGS];
    const at = flags.indexOf(bad[0]);
    if (at >= 0) flags.splice(at, 2);
    const r = await iam(...flags, ...bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${message}`);
    expect(r.stdout).toBe('');
  });

  it('names a missing required flag', async () => {
    const r = await iam('--provider', 'aws', '--cluster-name', 'prod', '--oidc-provider', OIDC);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: --account-id is required with --provider aws');
  });
});

describe.each(['gcp', 'azure'])('opta-charts iam --provider %s', (provider) => {
  it('says nothing applies, and why', async () => {
    const r = await iam('--provider', provider);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: --provider ${provider}: opta-base installs no component that needs a cloud role there: not installed on ${provider}: cluster-autoscaler (catalog providers: aws), external-dns (catalog providers: aws)`);
    expect(r.stderr).toContain('hint: GKE and AKS autoscale nodes themselves');
  });
});

// Helm 3.18.0 is refused by opta-base itself (test/opta-base/helm-floor.ts).
describe.each(HELMS.filter(rendersOptaBase))('trust-policy subjects against opta-base rendered by helm $version', (helm) => {
  it.each(['opta-system', 'platform'])('release namespace %s: each subject is the rendered ServiceAccount', async (namespace) => {
    const r = await runHelm(helm, ['template', 'opta-base', archive, '-n', namespace, '-f', join(ROOT, 'chart-templates', 'opta-base', 'ci', 'aws-values.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    const accounts = r.stdout
      .split(/^---$/m)
      .map((d) => yaml.load(d) as { kind?: string; metadata?: { name: string; namespace?: string } } | undefined)
      .filter((o) => o?.kind === 'ServiceAccount')
      .map((o) => `system:serviceaccount:${o!.metadata!.namespace ?? namespace}:${o!.metadata!.name}`);
    const all = await roles('--namespace', namespace);
    for (const role of all) {
      const sub = role.trustPolicy.Statement[0].Condition!.StringEquals[`${OIDC}:sub`];
      expect(accounts, role.component).toContain(sub);
      expect(sub).toMatch(new RegExp(`:${role.component}$`));
    }
    expect(all[0].serviceAccount).toBe(`system:serviceaccount:${namespace}:cluster-autoscaler`);
    expect(all[1].serviceAccount).toBe('system:serviceaccount:external-dns:external-dns');
  });
});

describe('iam --help', () => {
  it('documents every flag', async () => {
    const r = await iam('--help');
    expect(r.code).toBe(0);
    for (const flag of ['--provider', '--cluster-name', '--account-id', '--oidc-provider', '--hosted-zone-id', '--namespace', '--output', '--json']) expect(r.stdout).toContain(flag);
  });
});
