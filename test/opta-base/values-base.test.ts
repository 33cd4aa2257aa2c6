// `opta-charts values base`: a complete, schema-valid values file per provider, mode 0600, keys printed nowhere else.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorFilePaths } from '../../generator/certs/anchor-files.js';
import { main } from '../../generator/cli.js';
import { memoryOutput } from '../support/memory-output.js';
import { HELMS, runHelm } from '../support/helm.js';
import { validateK8sObject } from '../support/k8s-validate.js';
import { buildUmbrella, ROOT, tempDir } from './build-umbrella.js';
import { HELM_FLOOR_MESSAGE, rendersOptaBase } from './helm-floor.js';

const tmp = tempDir('opta-base-values-');
const ACM_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
let archive = '';
let schema: object;
beforeAll(async () => {
  const built = await buildUmbrella();
  archive = join(tmp.dir, 'opta-base-0.1.0.tgz');
  writeFileSync(archive, built.archive);
  schema = JSON.parse(built.files['values.schema.json'].toString());
});
afterAll(() => tmp.cleanup());

async function run(args: string[]) {
  const output = memoryOutput();
  const code = await main(['node', 'opta-charts', 'values', 'base', '--source', ROOT, ...args], { output, cwd: tmp.dir, env: {}, stdin: process.stdin });
  return { code, output };
}

/**
 * `helm template` of the archive with a values file and its trust-anchor key, as the install command `values base`
 * prints; undefined for a Helm below opta-base's floor, after checking its one refusal.
 */
async function renderAsInstalled(helm: (typeof HELMS)[number], file: string, keyFile = anchorFilePaths(file).key) {
  const r = await runHelm(helm, ['template', 'opta-base', archive, '-n', 'opta-system', '-f', file, '--set-file', `meshIdentity.trustAnchor.keyPEM=${keyFile}`]);
  if (!rendersOptaBase(helm)) {
    expect(r.stderr).toContain(HELM_FLOOR_MESSAGE);
    return undefined;
  }
  expect(r.code, r.stderr).toBe(0);
  return r;
}

describe('values base', () => {
  const cases = [
    ['aws', ['--region', 'eu-west-1', '--domain', 'example.com', '--autoscaler-role-arn', 'arn:aws:iam::123456789012:role/ca', '--external-dns-role-arn', 'arn:aws:iam::123456789012:role/dns']],
    ['gcp', []],
    ['azure', []],
  ] as const;

  it.each(cases)('%s, static issuer: writes a 0600 file that passes the schema and renders with both Helm releases', async (provider, extra) => {
    const file = join(tmp.dir, `${provider}.yaml`);
    const { code, output } = await run(['--provider', provider, '--cluster-name', 'prod-1', '--issuer', 'static', ...extra, '-o', file]);
    expect(code, output.stderr.join('\n')).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    const values = yaml.load(text) as Record<string, any>;
    expect([...output.stdout, ...output.stderr].join('\n')).not.toMatch(/PRIVATE KEY|BEGIN/);
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate(values), JSON.stringify(validate.errors)).toBe(true);
    expect(values.tags).toEqual({ aws: provider === 'aws', gcp: provider === 'gcp', azure: provider === 'azure' });
    if (provider === 'aws') {
      expect(values['cluster-autoscaler']).toEqual({
        autoDiscovery: { clusterName: 'prod-1' },
        awsRegion: 'eu-west-1',
        rbac: { serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/ca' } } },
      });
      expect(values['external-dns']).toEqual({
        txtOwnerId: 'prod-1',
        policy: 'upsert-only',
        domainFilters: ['example.com'],
        serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/dns' } },
      });
    } else {
      expect(Object.keys(values).sort()).toEqual(['linkerd-control-plane', 'tags']);
    }
    // The trust anchor's key is kept, but in its own 0600 file, never in the values file.
    const anchorKey = readFileSync(join(tmp.dir, `${provider}.trust-anchor.key.pem`), 'utf8');
    expect(statSync(join(tmp.dir, `${provider}.trust-anchor.key.pem`)).mode & 0o777).toBe(0o600);
    expect(text).not.toContain(anchorKey.split('\n')[1]);
    expect(new X509Certificate(values['linkerd-control-plane'].identityTrustAnchorsPEM).checkPrivateKey(createPrivateKey(anchorKey))).toBe(true);
    for (const helm of HELMS) {
      // cert-manager issuer (the default): the anchor key is passed at install, as `values base` prints.
      const r = await renderAsInstalled(helm, file);
      if (!r) continue;
      expect(r.stdout).toContain('name: linkerd-identity-issuer');
    }
  });

  it.each([
    [['--provider', 'aws', '--cluster-name', 'c'], '--region is required for --provider aws'],
    [['--provider', 'gcp', '--cluster-name', 'c', '--domain', 'x.com'], '--domain: external-dns is not part of the gcp stack'],
    [['--provider', 'aws', '--cluster-name', 'c', '--region', 'r', '--autoscaler-role-arn', 'nope'], '--autoscaler-role-arn: "nope" is not an IAM role ARN'],
    [['--provider', 'azure', '--cluster-name', 'c', '--issuer', 'static', '--validity-days', '0'], '--validity-days: "0" must be a whole number'],
    [['--provider', 'azure', '--cluster-name', 'c', '--validity-days', '30'], '--validity-days: only used with --issuer static'],
    [['--provider', 'azure', '--cluster-name', 'c', '--issuer', 'static', '--validity-days', '400', '--anchor-validity-days', '365'], '--anchor-validity-days: 365 must be longer than the issuer\'s 400 days'],
    [['--provider', 'azure', '--cluster-name', 'c', '--issuer', 'static', '--trust-anchor-secret', 'ta'], '--trust-anchor-secret: only used with --issuer cert-manager'],
    [['--provider', 'azure', '--cluster-name', 'c', '--trust-anchor-secret', 'Trust_Anchor'], '--trust-anchor-secret: "Trust_Anchor" is not a Kubernetes Secret name'],
    [['--provider', 'azure', '--cluster-name', 'c', '--issuer', 'vault'], "option '--issuer <mode>' argument 'vault' is invalid"],
    [['--provider', 'gcp', '--cluster-name', 'Prod_1', '--datadog-api-key-secret', 'dd'], '--cluster-name: "Prod_1" cannot be Datadog\'s cluster name'],
    [['--provider', 'aws', '--cluster-name', 'c', '--region', 'us east'], '--region: "us east" is not an AWS region such as us-east-1'],
    [['--provider', 'gcp', '--cluster-name', 'c', '--region', 'europe-west1'], '--region: cluster-autoscaler is not part of the gcp stack'],
    [['--provider', 'aws', '--cluster-name', 'c', '--region', 'us-east-1', '--domain', 'Not A Domain'], '--domain: "Not A Domain" is not a DNS name'],
    [['--provider', 'gcp', '--cluster-name', 'c', '--datadog-site', 'datadoghq.eu'], '--datadog-site: only used with --datadog-api-key-secret'],
    [['--provider', 'gcp', '--cluster-name', 'c', '--datadog-api-key-secret', 'dd', '--datadog-site', 'https://datadoghq.eu'], '--datadog-site: "https://datadoghq.eu" is not a DNS name'],
    [['--provider', 'gcp', '--cluster-name', 'c', '--datadog-api-key-secret', 'DD_Key'], '--datadog-api-key-secret: "DD_Key" is not a Kubernetes Secret name'],
    [['--provider', 'gcp', '--cluster-name', 'c', '--trust-domain', 'a,O=b'], '--trust-domain: "a,O=b" is not a DNS name'],
    [['--provider', 'gcp', '--cluster-name', 'c', '--tls-cert-arn', ACM_ARN], '--tls-cert-arn: an ACM certificate terminates TLS at AWS\'s NLB only; on gcp use --tls-secret or --acme-email'],
    [['--provider', 'aws', '--cluster-name', 'c', '--region', 'eu-west-1', '--tls-cert-arn', 'arn:aws:iam::123456789012:role/x'], '--tls-cert-arn: "arn:aws:iam::123456789012:role/x" is not an ACM certificate ARN'],
    [['--provider', 'aws', '--cluster-name', 'c', '--region', 'us-east-1', '--tls-cert-arn', ACM_ARN], '--tls-cert-arn: the certificate is in eu-west-1, but the cluster\'s NLB is in --region us-east-1'],
    [['--provider', 'aws', '--cluster-name', 'c', '--region', 'eu-west-1', '--tls-cert-arn', ACM_ARN, '--tls-secret', 'a/b'], '--tls-secret: not used with --tls-cert-arn'],
    [['--provider', 'aws', '--cluster-name', 'c', '--region', 'eu-west-1', '--tls-cert-arn', ACM_ARN, '--acme-email', 'ops@example.com'], '--acme-email: not used with --tls-cert-arn'],
    [['--provider', 'azure', '--cluster-name', 'c', '--tls-secret', 'wildcard-tls'], '--tls-secret: "wildcard-tls" is not NAMESPACE/NAME of a Secret'],
    [['--provider', 'azure', '--cluster-name', 'c', '--tls-secret', 'Ingress/x'], '--tls-secret: "Ingress/x" is not NAMESPACE/NAME of a Secret'],
    [['--provider', 'azure', '--cluster-name', 'c', '--acme-server', 'staging'], '--acme-server: only used with --acme-email'],
    [['--provider', 'azure', '--cluster-name', 'c', '--acme-email', 'ops.example.com'], '--acme-email: "ops.example.com" is not an e-mail address'],
    [['--provider', 'azure', '--cluster-name', 'c', '--acme-email', 'ops@example.com', '--acme-server', 'prod'], "option '--acme-server <server>' argument 'prod' is invalid"],
    [['--provider', 'gcp', '--cluster-name', 'c', '--datadog-env', 'prod'], '--datadog-env: only used with --datadog-api-key-secret'],
    [['--provider', 'gcp', '--cluster-name', 'c', '--datadog-api-key-secret', 'dd', '--datadog-env', 'Prod'], '--datadog-env: "Prod" is not a Datadog tag value'],
  ])('refuses %j', async (args, message) => {
    const file = join(tmp.dir, 'refused.yaml');
    const { code, output } = await run([...args, '-o', file]);
    expect(code).toBe(1);
    expect(output.stderr.join('\n')).toContain(message);
    expect(readdirSync(tmp.dir).filter((f) => f.startsWith('refused'))).toEqual([]);
  });

  it.each([
    ['aws', ['--region', 'eu-west-1', '--tls-cert-arn', ACM_ARN]],
    ['aws', ['--region', 'eu-west-1', '--tls-secret', 'ingress-nginx/wildcard-tls']],
    ['gcp', ['--tls-secret', 'ingress-nginx/wildcard-tls']],
    ['azure', ['--tls-secret', 'ingress-nginx/wildcard-tls']],
    ['aws', ['--region', 'eu-west-1', '--acme-email', 'ops@example.com']],
    ['gcp', ['--acme-email', 'ops@example.com', '--acme-server', 'staging']],
    ['azure', ['--acme-email', 'ops@example.com', '--tls-secret', 'ingress-nginx/wildcard-tls']],
  ])('%s %j: TLS at the edge renders with both Helm releases', async (provider, extra) => {
    const file = join(tmp.dir, `edge-${provider}-${extra.length}.yaml`);
    // --issuer static: these files are about the edge; cert-manager's identity would need the anchor key at render time.
    const { code, output } = await run(['--provider', provider, '--cluster-name', 'prod-1', '--issuer', 'static', ...extra, '-o', file, '--force']);
    expect(code, output.stderr.join('\n')).toBe(0);
    const values = yaml.load(readFileSync(file, 'utf8')) as Record<string, any>;
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate(values), JSON.stringify(validate.errors)).toBe(true);
    for (const helm of HELMS) {
      const r = await renderAsInstalled(helm, file);
      if (!r) continue;
      const objects = yaml.loadAll(r.stdout) as any[];
      const svc = objects.find((o) => o?.kind === 'Service' && o.metadata.name === 'ingress-nginx-controller');
      const controller = objects.find((o) => o?.kind === 'Deployment' && o.metadata.name === 'ingress-nginx');
      const config = objects.find((o) => o?.kind === 'ConfigMap' && o.metadata.name === 'ingress-nginx-controller');
      const issuer = objects.find((o) => o?.kind === 'ClusterIssuer');
      if (extra.includes('--acme-email')) {
        expect(values.components['cert-manager']).toBe(true);
        expect(issuer.metadata.name).toBe(extra.includes('staging') ? 'letsencrypt-staging' : 'letsencrypt');
        expect(issuer.spec.acme.email).toBe('ops@example.com');
        expect(validateK8sObject(issuer)).toEqual([]);
      } else {
        expect(issuer).toBeUndefined();
      }
      if (extra.includes('--tls-cert-arn')) {
        expect(svc.metadata.annotations['service.beta.kubernetes.io/aws-load-balancer-ssl-cert']).toBe(extra[extra.indexOf('--tls-cert-arn') + 1]);
        expect(svc.metadata.annotations['service.beta.kubernetes.io/aws-load-balancer-backend-protocol']).toBe('ssl');
        expect(config.data).toEqual({ 'force-ssl-redirect': 'true' });
      } else if (extra.includes('--tls-secret')) {
        expect(controller.spec.template.spec.containers[0].args).toContain('--default-ssl-certificate=ingress-nginx/wildcard-tls');
        expect(Object.keys(svc.metadata.annotations ?? {}).filter((k) => k.includes('ssl'))).toEqual([]);
      }
    }
  });

  it.each([
    ['aws', ['--region', 'eu-west-1']],
    ['gcp', ['--tls-secret', 'envoy-gateway-system/wildcard-tls', '--ha']],
    ['azure', ['--tls-secret', 'web/wildcard-tls', '--acme-email', 'ops@example.com']],
  ])('%s --edge envoy-gateway %j: the Gateway API edge instead of ingress-nginx, one owner of the CRDs, and it renders', async (provider, extra) => {
    const file = join(tmp.dir, `gateway-${provider}.yaml`);
    const { code, output } = await run(['--provider', provider, '--cluster-name', 'prod-1', '--issuer', 'static', '--edge', 'envoy-gateway', ...extra, '-o', file, '--force']);
    expect(code, output.stderr.join('\n')).toBe(0);
    const values = yaml.load(readFileSync(file, 'utf8')) as Record<string, any>;
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate(values), JSON.stringify(validate.errors)).toBe(true);
    expect(values.components).toMatchObject({ 'envoy-gateway': true, [`ingress-nginx-${provider}`]: false });
    expect(values['linkerd-crds']).toEqual({ installGatewayAPI: false });
    const secret = extra.includes('--tls-secret') ? extra[extra.indexOf('--tls-secret') + 1] : undefined;
    expect(values.gateway?.tlsSecret).toBe(secret);
    if (extra.includes('--ha')) {
      expect(values.gateway.proxy.provider.kubernetes.envoyDeployment.replicas).toBe(3);
      expect(values['envoy-gateway']).toMatchObject({ deployment: { replicas: 2 }, podDisruptionBudget: { minAvailable: 1 } });
    }
    if (extra.includes('--acme-email')) {
      expect(values.acme).toEqual({ email: 'ops@example.com', server: 'production', solver: 'gateway' });
      expect(values['cert-manager'].config.gatewayAPI).toEqual({ enabled: true });
    }
    const helm = HELMS.find(rendersOptaBase)!;
    const r = await runHelm(helm, ['template', 'opta-base', archive, '-n', 'opta-system', '-f', file]);
    expect(r.code, r.stderr).toBe(0);
    const objects = (yaml.loadAll(r.stdout) as any[]).filter(Boolean);
    expect(objects.find((o) => o.kind === 'Service' && o.metadata.name === 'ingress-nginx-controller')).toBeUndefined();
    const gateway = objects.find((o) => o.kind === 'Gateway');
    expect(gateway.spec.listeners.map((l: any) => l.name)).toEqual(secret ? ['http', 'https'] : ['http']);
    if (extra.includes('--ha')) expect(objects.find((o) => o.kind === 'EnvoyProxy').spec.provider.kubernetes.envoyPDB).toEqual({ minAvailable: 2 });
    for (const o of objects.filter((x) => /gateway/.test(x.apiVersion))) expect(validateK8sObject(o), o.kind).toEqual([]);
  });

  it.each([
    [['--provider', 'gcp', '--cluster-name', 'c', '--edge', 'traefik'], '--edge: "traefik" is not one of ingress-nginx, envoy-gateway on gcp'],
    [['--provider', 'aws', '--cluster-name', 'c', '--region', 'eu-west-1', '--edge', 'envoy-gateway', '--tls-cert-arn', 'arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0'], '--tls-cert-arn: not supported with --edge envoy-gateway yet'],
  ])('--edge refuses %j', async (args, message) => {
    const file = join(tmp.dir, 'refused-edge.yaml');
    const { code, output } = await run([...args, '-o', file]);
    expect(code).toBe(1);
    expect(output.stderr.join('\n')).toContain(message);
    expect(existsSync(file)).toBe(false);
  });

  it('Datadog: writes the per-cluster settings (key Secret, site, cluster name, env tag) on top of the catalog defaults', async () => {
    const file = join(tmp.dir, 'datadog.yaml');
    const args = ['--provider', 'gcp', '--cluster-name', 'prod-1', '--issuer', 'static', '--datadog-api-key-secret', 'datadog-key', '--datadog-site', 'datadoghq.eu'];
    expect((await run([...args, '-o', file])).code).toBe(0);
    const values = yaml.load(readFileSync(file, 'utf8')) as Record<string, any>;
    // --issuer static: cert-manager stays off.
    expect(values.components).toEqual({ datadog: true });
    // The env tag defaults to the cluster name.
    expect(values.datadog).toEqual({
      datadog: { apiKeyExistingSecret: 'datadog-key', clusterName: 'prod-1', site: 'datadoghq.eu', tags: ['env:prod-1'], envDict: { DD_ENV: 'prod-1' } },
    });
    expect((await run([...args, '--datadog-env', 'production', '-o', file, '--force'])).code).toBe(0);
    expect((yaml.load(readFileSync(file, 'utf8')) as Record<string, any>).datadog.datadog).toMatchObject({ tags: ['env:production'], envDict: { DD_ENV: 'production' } });
  });

  it.each(['aws', 'gcp', 'azure'])('%s: --linkerd-mode proxy-init writes both keys Helm cannot tie (CNI switch and cniEnabled); cni (the default) writes neither', async (provider) => {
    const regionArgs = provider === 'aws' ? ['--region', 'eu-west-1'] : [];
    const base = ['--provider', provider, '--cluster-name', 'c', ...regionArgs, '--issuer', 'static'];
    const cniFile = join(tmp.dir, `cni-${provider}.yaml`);
    const initFile = join(tmp.dir, `proxy-init-${provider}.yaml`);
    expect((await run([...base, '-o', cniFile])).code).toBe(0);
    expect((await run([...base, '--linkerd-mode', 'proxy-init', '-o', initFile])).code).toBe(0);
    const cni = yaml.load(readFileSync(cniFile, 'utf8')) as Record<string, any>;
    const init = yaml.load(readFileSync(initFile, 'utf8')) as Record<string, any>;
    expect(cni.components?.[`linkerd2-cni-${provider}`]).toBeUndefined();
    expect(cni['linkerd-control-plane'].cniEnabled).toBeUndefined();
    expect(init.components[`linkerd2-cni-${provider}`]).toBe(false);
    expect(init['linkerd-control-plane'].cniEnabled).toBe(false);

    const helm = HELMS.find(rendersOptaBase)!;
    const daemonSets = async (file: string) => {
      const r = await runHelm(helm, ['template', 'opta-base', archive, '-n', 'opta-system', '-f', file]);
      expect(r.code, r.stderr).toBe(0);
      return (yaml.loadAll(r.stdout) as any[]).filter((o) => o?.kind === 'DaemonSet').map((o) => o.metadata.name);
    };
    expect((await daemonSets(cniFile)).some((n) => n.includes('cni'))).toBe(true);
    expect((await daemonSets(initFile)).some((n) => n.includes('cni'))).toBe(false);
  });

  it('writes the trust domain the issuer certificate is made for as Linkerd\'s identityTrustDomain', async () => {
    const file = join(tmp.dir, 'trust-domain.yaml');
    const { code } = await run(['--provider', 'gcp', '--cluster-name', 'c', '--issuer', 'static', '--trust-domain', 'prod.example', '-o', file]);
    expect(code).toBe(0);
    const linkerd = (yaml.load(readFileSync(file, 'utf8')) as Record<string, any>)['linkerd-control-plane'];
    expect(linkerd.identityTrustDomain).toBe('prod.example');
    expect(new X509Certificate(linkerd.identity.issuer.tls.crtPEM).subject).toBe('CN=identity.linkerd.prod.example');
  });

  it('names an output path that is a directory, and leaves no temp file next to it', async () => {
    const dir = join(tmp.dir, 'a-directory');
    mkdirSync(dir);
    const { code, output } = await run(['--provider', 'gcp', '--cluster-name', 'c', '-o', dir, '--force']);
    expect(code).toBe(1);
    expect(output.stderr.join('\n')).toBe(`error: ${dir}: cannot write: is a directory`);
    expect(readdirSync(tmp.dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('does not replace an existing file without --force', async () => {
    const file = join(tmp.dir, 'existing.yaml');
    writeFileSync(file, 'keep: me\n');
    const { code, output } = await run(['--provider', 'gcp', '--cluster-name', 'c', '-o', file]);
    expect(code).toBe(1);
    expect(output.stderr.join('\n')).toMatch(/already exists/);
    expect(readFileSync(file, 'utf8')).toBe('keep: me\n');
  });

  it('cert-manager (the default): the values hold only public certificates; the anchor key goes to its own 0600 file; the install command passes it', async () => {
    const file = join(tmp.dir, 'cm.yaml');
    const { code, output } = await run(['--provider', 'azure', '--cluster-name', 'prod-1', '-o', file]);
    expect(code, output.stderr.join('\n')).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/PRIVATE KEY/);
    const values = yaml.load(text) as Record<string, any>;
    const anchorPEM = readFileSync(join(tmp.dir, 'cm.trust-anchor.crt.pem'), 'utf8');
    expect(values).toEqual({
      tags: { aws: false, gcp: false, azure: true },
      components: { 'cert-manager': true },
      meshIdentity: { issuer: 'cert-manager', trustAnchor: { crtPEM: anchorPEM } },
      'linkerd-control-plane': {
        identityTrustDomain: 'cluster.local',
        identityTrustAnchorsPEM: anchorPEM,
        identity: { issuer: { scheme: 'kubernetes.io/tls' } },
      },
    });
    const keyFile = join(tmp.dir, 'cm.trust-anchor.key.pem');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(tmp.dir, 'cm.trust-anchor.crt.pem')).mode & 0o777).toBe(0o644);
    expect(new X509Certificate(anchorPEM).checkPrivateKey(createPrivateKey(readFileSync(keyFile)))).toBe(true);
    expect(new X509Certificate(anchorPEM).subject).toBe('CN=root.linkerd.cluster.local');
    const printed = output.stdout.join('\n');
    expect(printed).not.toMatch(/PRIVATE KEY|BEGIN/);
    expect(printed).toContain(`install: helm install opta-base <chart> -n opta-system --create-namespace -f ${file} --set-file meshIdentity.trustAnchor.keyPEM=cm.trust-anchor.key.pem`);
    expect(printed).toMatch(/^trust anchor valid until 20\d\d-\d\d-\d\dT/m);
    expect(printed).toContain('Linkerd issuer: made and renewed by cert-manager');
    expect(text.split('\n')[0]).toBe('# opta-base values for azure, cluster prod-1; generated by `opta-charts values base`.');
    expect(text).toContain('# Install: helm install opta-base <chart> -n opta-system --create-namespace -f <this file> --set-file meshIdentity.trustAnchor.keyPEM=cm.trust-anchor.key.pem');
  });

  it.each([['aws', ['--region', 'eu-west-1']], ['gcp', []], ['azure', []]] as const)(
    '%s, cert-manager: passes the schema (also with the key given at install) and, installed as printed, renders cert-manager\'s Issuer and Certificate from the anchor',
    async (provider, extra) => {
      const file = join(tmp.dir, `cm-${provider}.yaml`);
      const keyFile = join(tmp.dir, `cm-${provider}.trust-anchor.key.pem`);
      const made = await run(['--provider', provider, '--cluster-name', 'prod-1', ...extra, '-o', file]);
      expect(made.code, made.output.stderr.join('\n')).toBe(0);
      const values = yaml.load(readFileSync(file, 'utf8')) as Record<string, any>;
      const validate = new Ajv({ strict: false }).compile(schema);
      expect(validate(values), JSON.stringify(validate.errors)).toBe(true);
      // As Helm sees them with the key given at install time.
      expect(validate({ ...values, meshIdentity: { ...values.meshIdentity, trustAnchor: { ...values.meshIdentity.trustAnchor, keyPEM: readFileSync(keyFile, 'utf8') } } }), JSON.stringify(validate.errors)).toBe(true);
      for (const helm of HELMS.filter(rendersOptaBase)) {
        // The command `values base` printed, with the archive for <chart>.
        const r = (await renderAsInstalled(helm, file, keyFile))!;
        const objects = yaml.loadAll(r.stdout).filter(Boolean) as Record<string, any>[];
        const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata?.name === name);
        expect(find('Secret', 'linkerd-trust-anchor')?.data['tls.crt']).toBe(Buffer.from(values.meshIdentity.trustAnchor.crtPEM).toString('base64'));
        expect(find('Issuer', 'linkerd-trust-anchor')?.spec.ca.secretName).toBe('linkerd-trust-anchor');
        expect(find('Certificate', 'linkerd-identity-issuer')?.spec).toMatchObject({ secretName: 'linkerd-identity-issuer', commonName: 'identity.linkerd.cluster.local', isCA: true });
        // Linkerd reads the issuer from cert-manager's Secret: the chart renders none of its own.
        expect(find('Secret', 'linkerd-identity-issuer')).toBeUndefined();
        expect(find('ConfigMap', 'linkerd-identity-trust-roots')?.data['ca-bundle.crt'].trim()).toBe(values.meshIdentity.trustAnchor.crtPEM.trim());
      }
    },
  );

  it('cert-manager with --trust-anchor-secret: names the Secret instead of the PEM and prints the kubectl command that makes it', async () => {
    const file = join(tmp.dir, 'secret.yaml');
    const { code, output } = await run(['--provider', 'gcp', '--cluster-name', 'c', '--trust-anchor-secret', 'linkerd-anchor', '-o', file]);
    expect(code, output.stderr.join('\n')).toBe(0);
    const values = yaml.load(readFileSync(file, 'utf8')) as Record<string, any>;
    expect(values.meshIdentity).toEqual({ issuer: 'cert-manager', trustAnchor: { existingSecret: 'linkerd-anchor' } });
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate(values), JSON.stringify(validate.errors)).toBe(true);
    expect(output.stdout).toContain(
      'before installing: kubectl create namespace opta-system; kubectl -n opta-system create secret tls linkerd-anchor --cert=secret.trust-anchor.crt.pem --key=secret.trust-anchor.key.pem',
    );
    expect(output.stdout).toContain(`install: helm install opta-base <chart> -n opta-system --create-namespace -f ${file}`);
  });

  it('--trust-anchor-key puts the key (and its certificate beside it) where asked', async () => {
    mkdirSync(join(tmp.dir, 'keys'));
    const file = join(tmp.dir, 'custom.yaml');
    const { code } = await run(['--provider', 'gcp', '--cluster-name', 'c', '--trust-anchor-key', 'keys/anchor.key.pem', '-o', file]);
    expect(code).toBe(0);
    expect(statSync(join(tmp.dir, 'keys/anchor.key.pem')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(tmp.dir, 'keys/anchor.crt.pem'), 'utf8')).toBe((yaml.load(readFileSync(file, 'utf8')) as any).meshIdentity.trustAnchor.crtPEM);
    expect(existsSync(join(tmp.dir, 'custom.trust-anchor.key.pem'))).toBe(false);
  });

  it('refuses a missing output directory, naming it, and creates nothing', async () => {
    const missing = join(tmp.dir, 'missing', 'dir');
    const { code, output } = await run(['--provider', 'gcp', '--cluster-name', 'c', '-o', join(missing, 'v.yaml')]);
    expect(code).toBe(1);
    expect(output.stderr[0]).toBe(`error: ${missing}: no such directory`);
    expect(existsSync(join(tmp.dir, 'missing'))).toBe(false);
  });

  it('writes nothing when the key file cannot be written (all or nothing)', async () => {
    const file = join(tmp.dir, 'half.yaml');
    const { code, output } = await run(['--provider', 'gcp', '--cluster-name', 'c', '--trust-anchor-key', 'nowhere/a.key.pem', '-o', file]);
    expect(code).toBe(1);
    expect(output.stderr[0]).toBe(`error: ${join(tmp.dir, 'nowhere')}: no such directory`);
    expect(readdirSync(tmp.dir).filter((f) => f.startsWith('half'))).toEqual([]);
  });

  it('does not replace an existing trust-anchor key without --force (it is the only copy)', async () => {
    const file = join(tmp.dir, 'kept.yaml');
    writeFileSync(join(tmp.dir, 'kept.trust-anchor.key.pem'), 'old key\n');
    const { code, output } = await run(['--provider', 'gcp', '--cluster-name', 'c', '-o', file]);
    expect(code).toBe(1);
    expect(output.stderr.join('\n')).toContain('kept.trust-anchor.key.pem: already exists');
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(join(tmp.dir, 'kept.trust-anchor.key.pem'), 'utf8')).toBe('old key\n');
    const forced = await run(['--provider', 'gcp', '--cluster-name', 'c', '-o', file, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(tmp.dir, 'kept.trust-anchor.key.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });
});
