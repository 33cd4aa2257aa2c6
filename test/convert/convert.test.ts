// `opta-charts convert` on the fixtures (test/convert/fixtures: Opta files written from Opta's module specs): every
// written values file passes its chart's schema, renders (opta-base with the Helm releases that render it, opta-service
// with both), each rendered object passes strict Kubernetes validation, services pass the cluster model, and
// MIGRATION.md accounts for every field of every file.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../generator/cli.js';
import { memoryOutput } from '../support/memory-output.js';
import { admissionProblems, optaBaseLinkerd } from '../support/cluster/index.js';
import { HELMS, runHelm } from '../support/helm.js';
import { validateK8sObject } from '../support/k8s-validate.js';
import { buildUmbrella, ROOT, tempDir } from '../opta-base/build-umbrella.js';
import { rendersOptaBase } from '../opta-base/helm-floor.js';
import { buildChart, type BuiltChart, type K8sObject } from '../opta-service/chart.js';

const FIXTURES = join(ROOT, 'test', 'convert', 'fixtures');
const tmp = tempDir('opta-convert-');

export async function convert(args: string[], cwd = tmp.dir) {
  const output = memoryOutput();
  const code = await main(['node', 'opta-charts', 'convert', '--source', ROOT, ...args], { output, cwd, env: {}, stdin: process.stdin });
  return { code, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') };
}

/** Each fixture set: the environment, its services, and the flags a user would add. */
export const SETS = {
  aws: { files: ['aws/opta.yaml', 'aws/storefront.yaml', 'aws/checkout.yaml', 'aws/mailer.yaml'], flags: ['--image', 'mailer=123456789012.dkr.ecr.eu-west-1.amazonaws.com/opta-mailer-worker:1.0.3'] },
  gcp: { files: ['gcp/opta.yaml', 'gcp/orders.yaml'], flags: ['--acme-email', 'ops@example.com'] },
  azure: { files: ['azure/opta.yaml', 'azure/reports.yaml'], flags: ['--var', 'bucket=reports-qa'] },
} as const;
type SetName = keyof typeof SETS;

let baseArchive = '';
let baseSchema: object;
let serviceChart: BuiltChart;
let serviceSchema: object;
const outDir = (set: SetName) => join(tmp.dir, set);

beforeAll(async () => {
  const built = await buildUmbrella();
  baseArchive = join(tmp.dir, 'opta-base.tgz');
  writeFileSync(baseArchive, built.archive);
  baseSchema = JSON.parse(built.files['values.schema.json'].toString());
  serviceChart = await buildChart();
  serviceSchema = JSON.parse(serviceChart.files['values.schema.json'].toString());
  for (const [set, { files, flags }] of Object.entries(SETS)) {
    const r = await convert([...files.map((f) => join(FIXTURES, f)), ...flags, '-o', set]);
    if (r.code !== 0) throw new Error(`convert ${set}: ${r.stderr}`);
  }
});
afterAll(() => {
  serviceChart?.cleanup();
  tmp.cleanup();
});

const load = (file: string) => yaml.load(readFileSync(file, 'utf8')) as Record<string, any>;
const schemaErrors = (schema: object, values: unknown) => {
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
  return validate(values) ? [] : validate.errors;
};

describe.each(Object.keys(SETS) as SetName[])('convert %s', (set) => {
  const services = () => SETS[set].files.slice(1).map((f) => f.split('/')[1].replace('.yaml', ''));

  it('writes opta-base values that pass the umbrella schema and render with every Helm release that renders opta-base; every object valid', async () => {
    const file = join(outDir(set), 'opta-base.values.yaml');
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    expect((statSync(join(outDir(set), 'opta-base.trust-anchor.key.pem')).mode & 0o777).toString(8)).toBe('600');
    const values = load(file);
    expect(schemaErrors(baseSchema, values)).toEqual([]);
    expect(values.tags[set]).toBe(true);
    for (const helm of HELMS.filter(rendersOptaBase)) {
      const r = await runHelm(helm, ['template', 'opta-base', baseArchive, '-n', 'opta-system', '-f', file, '--set-file', `meshIdentity.trustAnchor.keyPEM=${join(outDir(set), 'opta-base.trust-anchor.key.pem')}`]);
      expect(r.code, r.stderr).toBe(0);
      const objects = (yaml.loadAll(r.stdout) as K8sObject[]).filter(Boolean);
      for (const o of objects) expect(validateK8sObject(o), `${o.kind}/${o.metadata.name}`).toEqual([]);
      expect(objects.some((o) => o.kind === 'Certificate' && o.metadata.name === 'linkerd-identity-issuer')).toBe(true);
    }
  });

  it('writes one opta-service values file per service: schema-valid, renders with both Helm releases, strictly valid, admitted by the cluster model', async () => {
    const linkerd = await optaBaseLinkerd(set);
    for (const service of services()) {
      const file = join(outDir(set), `${service}.values.yaml`);
      const values = load(file);
      expect(values.layer).toBe(service);
      expect(schemaErrors(serviceSchema, values), service).toEqual([]);
      for (const helm of HELMS) {
        const r = await runHelm(helm, ['template', `${service}-${values.name}`, serviceChart.archive, '-n', service, '-f', file]);
        expect(r.code, `${service} helm ${helm.version}: ${r.stderr}`).toBe(0);
        const objects = (yaml.loadAll(r.stdout) as K8sObject[]).filter(Boolean);
        for (const o of objects) expect(validateK8sObject(o), `${service}: ${o.kind}/${o.metadata.name}`).toEqual([]);
        expect(admissionProblems(objects, { namespace: service, linkerd, level: 'restricted' }), service).toEqual([]);
      }
    }
  });

  it('install.sh installs opta-base first, then each service in command-line order, namespace = layer', () => {
    const script = readFileSync(join(outDir(set), 'install.sh'), 'utf8');
    expect((statSync(join(outDir(set), 'install.sh')).mode & 0o777).toString(8)).toBe('755');
    const installs = script.split('\n').filter((l) => l.startsWith('helm upgrade --install'));
    expect(installs[0]).toBe('helm upgrade --install opta-base "$OPTA_BASE_CHART" -n opta-system --create-namespace -f opta-base.values.yaml --set-file meshIdentity.trustAnchor.keyPEM=opta-base.trust-anchor.key.pem --wait');
    expect(installs.slice(1).map((l) => l.split(' ')[6])).toEqual(services());
    for (const [i, s] of services().entries()) expect(installs[i + 1]).toContain(`-f ${s}.values.yaml`);
  });

  it('MIGRATION.md accounts for every field of every module of every file', () => {
    const report = readFileSync(join(outDir(set), 'MIGRATION.md'), 'utf8');
    expect(report).toContain('the cluster gets a new mesh identity');
    for (const f of SETS[set].files) {
      const doc = yaml.load(readFileSync(join(FIXTURES, f), 'utf8')) as { modules: Record<string, unknown>[] };
      doc.modules.forEach((m, i) => {
        for (const field of Object.keys(m).filter((k) => !['type', 'name'].includes(k))) {
          expect(report, `${f} modules[${i}].${field}`).toMatch(new RegExp(`\\| \\S*${f.replace('/', '\\/').replace('.', '\\.')} \\| \`modules\\[${i}\\]\\.${field}\` \\| (converted|report) \\|`));
        }
      });
    }
  });
});

describe('convert: what each fixture becomes', () => {
  it('aws: region, cluster, domain, HA, ACM TLS, nginx_config/linkerd_values/ingress_nginx_values merged, Datadog, IRSA role ARNs', () => {
    const v = load(join(outDir('aws'), 'opta-base.values.yaml'));
    expect(v['cluster-autoscaler']).toMatchObject({ awsRegion: 'eu-west-1', autoDiscovery: { clusterName: 'opta-production' } });
    expect(v['cluster-autoscaler'].rbac.serviceAccount.annotations['eks.amazonaws.com/role-arn']).toBe('arn:aws:iam::123456789012:role/opta-production-cluster-autoscaler');
    expect(v['external-dns']).toMatchObject({ domainFilters: ['shop.example.com'], txtOwnerId: 'opta-production' });
    expect(v['linkerd-control-plane']).toMatchObject({ highAvailability: true, proxy: { logLevel: 'warn,linkerd=info' } });
    const nginx = v['ingress-nginx-aws'] ?? v['ingress-nginx'];
    expect(nginx.controller.config).toEqual({ 'force-ssl-redirect': 'true', 'proxy-body-size': '16m', 'use-gzip': 'true', 'keep-alive': '75' });
    expect(nginx.controller.minReadySeconds).toBe(10);
    expect(nginx.controller.service.annotations['service.beta.kubernetes.io/aws-load-balancer-ssl-cert']).toMatch(/^arn:aws:acm:eu-west-1:/);
    expect(v.components).toEqual({ 'cert-manager': true, datadog: true });
    expect(v.datadog).toMatchObject({ datadog: { apiKeyExistingSecret: 'datadog-api-key', clusterName: 'opta-production', tags: ['env:production'] }, clusterAgent: { replicas: 2 } });
  });

  it('aws storefront: ports, probes, autoscaling from {vars.*}, resources, env with {parent.domain}, links as Secret references with Opta\'s env names, ingress, storage, cron, tolerations', () => {
    const v = load(join(outDir('aws'), 'storefront.values.yaml'));
    expect(v).toMatchObject({ name: 'web', layer: 'storefront', image: { repository: 'ghcr.io/acme/storefront', tag: '4.2.0' } });
    expect(v.ports).toEqual([
      { name: 'http', type: 'http', port: 8080, servicePort: 80 },
      { name: 'grpc', type: 'grpc', port: 9090, servicePort: 9090 },
      { name: 'metrics', type: 'tcp', port: 9100, servicePort: 9100 },
    ]);
    expect(v.probes.liveness).toEqual({ enabled: true, type: 'http', path: '/healthz', port: 'http', initialDelaySeconds: 20 });
    expect(v.autoscaling).toEqual({ enabled: true, minReplicas: 2, maxReplicas: 8, targetCPUUtilizationPercentage: 70, targetMemoryUtilizationPercentage: 75 });
    expect(v.resources).toEqual({ requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1024Mi' } });
    expect(v.env).toMatchObject({ LOG_LEVEL: 'info', PUBLIC_URL: 'https://shop.example.com', DEPLOY_ENV: 'production' });
    expect(v.extraEnv.map((e: any) => `${e.name}<-${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`)).toEqual([
      'db_db_user<-link-db/db_user',
      'db_db_name<-link-db/db_name',
      'db_db_password<-link-db/db_password',
      'db_db_host<-link-db/db_host',
      'REDIS_HOST<-link-cache/cache_host',
      'REDIS_TOKEN<-link-cache/cache_auth_token',
    ]);
    expect(v.ingress).toMatchObject({ enabled: true, keepPathPrefix: true, stickySession: { enabled: true, maxAge: 3600 }, uris: [{ host: 'www.shop.example.com', pathPrefix: '/' }, { host: 'shop.example.com', pathPrefix: '/shop' }] });
    expect(v.persistence).toEqual([{ name: 'data-0', size: '20Gi', path: '/var/lib/storefront' }]);
    expect(v.cronJobs).toEqual([{ name: 'cron-0', schedule: '0 3 * * *', command: ['/app/storefront', 'cleanup'], args: ['--older-than', '7d'] }]);
    expect(v.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }, { key: 'spot', operator: 'Exists' }]);
    expect(v).toMatchObject({ command: ['/app/storefront'], args: ['serve', '--port', '8080'], secret: { existingSecret: 'manual-secrets' }, datadog: { enabled: true } });
    const report = readFileSync(join(outDir('aws'), 'MIGRATION.md'), 'utf8');
    expect(report).toContain('`modules[3].env_vars.SEARCH_URL` | `${{module.search.url}}`');
    expect(report).toContain('kubectl -n storefront create secret generic link-db');
    expect(report).toContain('npx opta-charts iam --provider aws --cluster-name opta-production --account-id 123456789012');
    expect(readFileSync(join(outDir('aws'), 'MIGRATION.md'), 'utf8')).toContain('| `input_variables[0]` | converted | default of `{vars.max_nodes}` (--var wins) |');
  });

  it('aws checkout and mailer: legacy port (main, Service port 80), equal bounds are a fixed count, digest, AUTO image from --image, exec probes', () => {
    const c = load(join(outDir('aws'), 'checkout.values.yaml'));
    expect(c.ports).toEqual([{ name: 'main', type: 'http', port: 8000, servicePort: 80 }]);
    expect(c).toMatchObject({ replicaCount: 2, autoscaling: { enabled: false }, ingress: { consistentHash: '$request_uri', uris: [{ host: 'checkout.shop.example.com', pathPrefix: '/' }] } });
    expect(c.image.digest).toMatch(/^sha256:/);
    const m = load(join(outDir('aws'), 'mailer.values.yaml'));
    expect(m.image).toEqual({ repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/opta-mailer-worker', tag: '1.0.3' });
    expect(m.probes.readiness).toEqual({ enabled: true, type: 'exec', command: ['/app/mailer', '--check'] });
    expect(m.ports).toBeUndefined();
  });

  it('gcp: no region or external-dns (not in the gcp stack), HA from nginx_high_availability alone (reported), ACME from --acme-email, gRPC port', () => {
    const v = load(join(outDir('gcp'), 'opta-base.values.yaml'));
    expect(v['cluster-autoscaler']).toBeUndefined();
    expect(v.acme).toEqual({ email: 'ops@example.com', server: 'production' });
    expect(v['linkerd-control-plane'].highAvailability).toBe(true);
    const report = readFileSync(join(outDir('gcp'), 'MIGRATION.md'), 'utf8');
    expect(report).toContain('only nginx_high_availability is true');
    expect(report).toContain('expose_self_signed_ssl has no equivalent');
    const o = load(join(outDir('gcp'), 'orders.values.yaml'));
    expect(o.ports).toEqual([{ name: 'main', type: 'grpc', port: 50051, servicePort: 80 }]);
    expect(o.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } });
    // gRPC through nginx needs TLS: ACME gives each host its certificate.
    expect(o.ingress).toMatchObject({ clusterIssuer: 'letsencrypt', uris: [{ host: 'orders.staging.example.com', pathPrefix: '/' }] });
  });

  it('azure: public_uri "/reports" is any host, {vars.bucket} from --var, ingress_nginx_values into the Azure ingress-nginx section', () => {
    const v = load(join(outDir('azure'), 'opta-base.values.yaml'));
    expect(v['ingress-nginx-azure'].controller.minReadySeconds).toBe(5);
    const r = load(join(outDir('azure'), 'reports.values.yaml'));
    expect(r.ingress.uris).toEqual([{ host: '', pathPrefix: '/reports' }]);
    expect(r.env).toEqual({ REPORT_BUCKET: 'reports-qa' });
    expect(r.probes.readiness).toEqual({ enabled: true, type: 'http', path: '/ready', port: 'main', initialDelaySeconds: 10 });
    // Linkerd's proxy resource annotations are the chart's: they move to linkerd.proxyResources.
    expect(r.linkerd).toEqual({ proxyResources: { cpuRequest: '100m' } });
    expect(r.podAnnotations).toBeUndefined();
  });
});

describe("the README's worked example", () => {
  it('converts as the README shows: the service values (extraEnv abbreviated there) and the install lines', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('Worked example. `opta.yaml` and `shop.yaml`'));
    const blocks = [...section.matchAll(/```(yaml|sh)\n([\s\S]*?)```/g)].map((m) => m[2]);
    const [envYaml, shopYaml, , shownValues, shownInstall] = blocks;
    const dir = join(tmp.dir, 'readme-example');
    (await import('node:fs')).mkdirSync(dir);
    writeFileSync(join(dir, 'opta.yaml'), envYaml);
    writeFileSync(join(dir, 'shop.yaml'), shopYaml);
    const r = await convert(['opta.yaml', 'shop.yaml', '-o', 'out'], dir);
    expect(r.code, r.stderr).toBe(0);
    const values = load(join(dir, 'out', 'shop.values.yaml'));
    const shown = yaml.load(shownValues) as Record<string, any>;
    expect({ ...values, extraEnv: values.extraEnv.slice(0, 1) }).toEqual(shown);
    expect(values.extraEnv.map((e: any) => e.name)).toEqual(['db_db_user', 'db_db_name', 'db_db_password', 'db_db_host']);
    const script = readFileSync(join(dir, 'out', 'install.sh'), 'utf8');
    for (const line of shownInstall.trim().split('\n')) expect(script).toContain(line);
    const report = readFileSync(join(dir, 'out', 'MIGRATION.md'), 'utf8');
    expect(report.match(/^\d+\. \[ \]/gm)).toHaveLength(Number(/MIGRATION\.md lists (\d+) items/.exec(section)![1]));
  });
});
