// `opta-charts values base`: a complete, schema-valid values file per provider, mode 0600, keys printed nowhere else.
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../generator/cli.js';
import { createLinkerdIdentity } from '../../generator/certs/linkerd-identity.js';
import { memoryOutput } from '../../generator/output.js';
import { HELMS, runHelm } from '../support/helm.js';
import { buildUmbrella, ROOT, tempDir } from './build-umbrella.js';
import { HELM_FLOOR_MESSAGE, rendersOptaBase } from './helm-floor.js';

const tmp = tempDir('opta-base-values-');
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

describe('Linkerd identity', () => {
  it('is an ECDSA P-256 issuer CA signed by the trust anchor, with the requested validity', async () => {
    const now = new Date('2026-08-01T00:00:00Z');
    const id = await createLinkerdIdentity({ validityDays: 30, now });
    const anchor = new X509Certificate(id.trustAnchorPEM);
    const issuer = new X509Certificate(id.issuerCrtPEM);
    expect(issuer.verify(anchor.publicKey)).toBe(true);
    expect(issuer.checkIssued(anchor)).toBe(true);
    expect(issuer.ca && anchor.ca).toBe(true);
    expect(issuer.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(new Date(issuer.validTo).getTime()).toBe(now.getTime() + 30 * 86_400_000);
    expect(issuer.subject).toBe('CN=identity.linkerd.cluster.local');
    expect(id.issuerKeyPEM).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });
});

describe('values base', () => {
  const cases = [
    ['aws', ['--region', 'eu-west-1', '--domain', 'example.com', '--autoscaler-role-arn', 'arn:aws:iam::123456789012:role/ca', '--external-dns-role-arn', 'arn:aws:iam::123456789012:role/dns']],
    ['gcp', []],
    ['azure', []],
  ] as const;

  it.each(cases)('%s: writes a 0600 file that passes the schema and renders with both Helm releases', async (provider, extra) => {
    const file = join(tmp.dir, `${provider}.yaml`);
    const { code, output } = await run(['--provider', provider, '--cluster-name', 'prod-1', ...extra, '-o', file]);
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
    for (const helm of HELMS) {
      const r = await runHelm(helm, ['template', 'opta-base', archive, '-n', 'opta-system', '-f', file]);
      if (!rendersOptaBase(helm)) {
        expect(r.stderr).toContain(HELM_FLOOR_MESSAGE);
        continue;
      }
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('name: linkerd-identity-issuer');
    }
  });

  it.each([
    [['--provider', 'aws', '--cluster-name', 'c'], '--region is required for --provider aws'],
    [['--provider', 'gcp', '--cluster-name', 'c', '--domain', 'x.com'], '--domain: external-dns is not part of the gcp stack'],
    [['--provider', 'aws', '--cluster-name', 'c', '--region', 'r', '--autoscaler-role-arn', 'nope'], '--autoscaler-role-arn: "nope" is not an IAM role ARN'],
    [['--provider', 'azure', '--cluster-name', 'c', '--validity-days', '0'], '--validity-days: "0" must be a whole number'],
    [['--provider', 'gcp', '--cluster-name', 'Prod_1', '--datadog-api-key-secret', 'dd'], '--cluster-name: "Prod_1" cannot be Datadog\'s cluster name'],
    [['--provider', 'aws', '--cluster-name', 'c', '--region', 'us east'], '--region: "us east" is not an AWS region such as us-east-1'],
    [['--provider', 'gcp', '--cluster-name', 'c', '--region', 'europe-west1'], '--region: cluster-autoscaler is not part of the gcp stack'],
    [['--provider', 'aws', '--cluster-name', 'c', '--region', 'us-east-1', '--domain', 'Not A Domain'], '--domain: "Not A Domain" is not a DNS name'],
    [['--provider', 'gcp', '--cluster-name', 'c', '--datadog-site', 'datadoghq.eu'], '--datadog-site: only used with --datadog-api-key-secret'],
    [['--provider', 'gcp', '--cluster-name', 'c', '--datadog-api-key-secret', 'dd', '--datadog-site', 'https://datadoghq.eu'], '--datadog-site: "https://datadoghq.eu" is not a DNS name'],
    [['--provider', 'gcp', '--cluster-name', 'c', '--datadog-api-key-secret', 'DD_Key'], '--datadog-api-key-secret: "DD_Key" is not a Kubernetes Secret name'],
    [['--provider', 'gcp', '--cluster-name', 'c', '--trust-domain', 'a,O=b'], '--trust-domain: "a,O=b" is not a DNS name'],
  ])('refuses %j', async (args, message) => {
    const file = join(tmp.dir, 'refused.yaml');
    const { code, output } = await run([...args, '-o', file]);
    expect(code).toBe(1);
    expect(output.stderr.join('\n')).toContain(message);
    expect(existsSync(file)).toBe(false);
  });

  it('writes the trust domain the issuer certificate is made for as Linkerd\'s identityTrustDomain', async () => {
    const file = join(tmp.dir, 'trust-domain.yaml');
    const { code } = await run(['--provider', 'gcp', '--cluster-name', 'c', '--trust-domain', 'prod.example', '-o', file]);
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
});
