// The packaged umbrella, rendered and linted by both Helm releases with the stand-ins vendored inside.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELMS, runHelm, type HelmRelease } from '../support/helm.js';
import { validateK8sObject } from '../support/k8s-validate.js';
import { buildUmbrella, ROOT, standInFetcher, tempDir } from './build-umbrella.js';
import { rendersOptaBase } from './helm-floor.js';
import { hookEvents, hookWeight } from '../support/cluster/index.js';

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec?: any;
  [k: string]: unknown;
}
interface Rendered {
  source: string;
  obj: K8sObject;
}

const CI = join(ROOT, 'chart-templates', 'opta-base', 'ci');
const SCENARIOS = readdirSync(CI).filter((f) => f.endsWith('-values.yaml')).map((f) => f.replace(/-values\.yaml$/, '')).sort();
const tmp = tempDir('opta-base-umbrella-');
let archive = '';
const fetched: { name: string }[] = [];

beforeAll(async () => {
  const built = await buildUmbrella(standInFetcher(fetched as never));
  archive = join(tmp.dir, 'opta-base-0.1.0.tgz');
  writeFileSync(archive, built.archive);
});
afterAll(() => tmp.cleanup());

/** Each rendered object with the template it came from (`# Source: opta-base/charts/<key>/...`). */
function parse(stdout: string): Rendered[] {
  return stdout
    .split(/^---$/m)
    .map((doc) => ({ source: /^# Source: (\S+)/m.exec(doc)?.[1] ?? '', obj: yaml.load(doc) as K8sObject }))
    .filter((r) => r.obj);
}
const subchartOf = (r: Rendered) => /^opta-base\/charts\/([^/]+)\//.exec(r.source)?.[1] ?? 'opta-base';
const subcharts = (rs: Rendered[]) => [...new Set(rs.map(subchartOf))].sort();

async function template(helm: HelmRelease, args: string[]) {
  return runHelm(helm, ['template', 'opta-base', archive, '-n', 'opta-system', ...args]);
}
async function render(helm: HelmRelease, args: string[]): Promise<Rendered[]> {
  const r = await template(helm, args);
  if (r.code !== 0) throw new Error(`helm ${helm.version} template failed:\n${r.stderr}`);
  return parse(r.stdout);
}

/** Kubernetes schema validation of the umbrella's own objects, with the strict validator shared with opta-service. */
function validateOwnObjects(rs: Rendered[]): string[] {
  const own = rs.filter((r) => subchartOf(r) === 'opta-base').map((r) => r.obj);
  expect(own.length).toBeGreaterThan(0);
  return own.flatMap((o) => validateK8sObject(o).map((p) => `${o.kind}/${o.metadata.name}: ${p}`));
}

const find = (rs: Rendered[], kind: string, name: string) => rs.find((r) => r.obj.kind === kind && r.obj.metadata.name === name)?.obj;
const args = (d: K8sObject | undefined): string[] => d?.spec.template.spec.containers[0].args ?? [];
const container = (d: K8sObject | undefined, name: string) => d?.spec.template.spec.containers.find((c: { name: string }) => c.name === name);

// Helm 3.18.0 is refused with one message (test/opta-base/install-order.test.ts).
describe.each(HELMS.filter(rendersOptaBase))('opta-base with helm $version', (helm) => {
  it('vendors one archive per distinct chart', () => {
    expect(fetched.map((f) => f.name).sort()).toEqual(
      ['cert-manager', 'cluster-autoscaler', 'datadog', 'external-dns', 'gateway-helm', 'ingress-nginx', 'linkerd-control-plane', 'linkerd-crds', 'linkerd2-cni', 'metrics-server'],
    );
  });

  it('aws: renders exactly the aws components with their settings and namespaces', async () => {
    const rs = await render(helm, ['-f', join(CI, 'aws-values.yaml')]);
    expect(subcharts(rs)).toEqual(['cluster-autoscaler', 'external-dns', 'ingress-nginx-aws', 'linkerd-control-plane', 'linkerd-crds', 'linkerd2-cni-aws', 'metrics-server', 'opta-base']);
    const svc = find(rs, 'Service', 'ingress-nginx-controller')!;
    expect(svc.metadata.namespace).toBe('ingress-nginx');
    expect(svc.metadata.annotations).toMatchObject({ 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' });
    expect(svc.spec.externalTrafficPolicy).toBe('Local');
    const dns = find(rs, 'Deployment', 'external-dns')!;
    expect(dns.metadata.namespace).toBe('external-dns');
    expect(args(dns)).toEqual(expect.arrayContaining(['--provider=aws', '--policy=upsert-only', '--txt-owner-id=ci-aws', '--domain-filter=ci.example.com']));
    const ca = find(rs, 'Deployment', 'cluster-autoscaler')!;
    expect(ca.metadata.namespace).toBe('opta-system');
    expect(args(ca)).toContain('--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/ci-aws');
    expect(ca.spec.template.spec.containers[0].env).toContainEqual({ name: 'AWS_REGION', value: 'eu-west-1' });
    expect(find(rs, 'Deployment', 'metrics-server')?.metadata.namespace).toBe('opta-system');
    expect(find(rs, 'ConfigMap', 'linkerd-identity-trust-roots')?.metadata.namespace).toBe('opta-system');
    const namespaces = rs.filter((r) => r.obj.kind === 'Namespace').map((r) => r.obj);
    expect(namespaces.map((n) => [n.metadata.name, n.metadata.annotations?.['linkerd.io/inject'], n.metadata.labels?.['pod-security.kubernetes.io/enforce']])).toEqual([
      ['external-dns', undefined, 'restricted'],
      ['ingress-nginx', 'enabled', 'restricted'],
    ]);
    // Pre-install hooks before ingress-nginx's, never deleted by Helm (not even before re-creation).
    for (const n of namespaces) {
      expect(n.metadata.annotations).toMatchObject({
        'helm.sh/hook': 'pre-install,pre-upgrade',
        'helm.sh/hook-weight': '-100',
        'helm.sh/hook-delete-policy': 'hook-failed',
        'helm.sh/resource-policy': 'keep',
      });
    }
    expect(find(rs, 'Deployment', 'metrics-server')?.spec.template.metadata.annotations).toEqual({ 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes': 'tmp' });
    expect(validateOwnObjects(rs)).toEqual([]);
  });

  it.each([
    ['gcp', 'cloud.google.com/l4-rbs'],
    ['azure', 'service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path'],
  ])('%s: renders Linkerd and its own ingress only', async (provider, annotation) => {
    const rs = await render(helm, ['-f', join(CI, `${provider}-values.yaml`)]);
    expect(subcharts(rs)).toEqual([`ingress-nginx-${provider}`, 'linkerd-control-plane', 'linkerd-crds', `linkerd2-cni-${provider}`, 'opta-base']);
    const svc = find(rs, 'Service', 'ingress-nginx-controller')!;
    expect(svc.metadata.namespace).toBe('ingress-nginx');
    expect(Object.keys(svc.metadata.annotations ?? {})).toEqual([annotation]);
    expect(rs.filter((r) => r.obj.kind === 'Namespace').map((r) => r.obj.metadata.name)).toEqual(['ingress-nginx']);
    expect(validateOwnObjects(rs)).toEqual([]);
  });

  it.each([
    ['no provider', ['--set', 'tags.aws=false'], 'selected: none'],
    ['two providers', ['--set', 'tags.gcp=true'], 'selected: aws, gcp'],
  ])('%s fails with one clear message', async (_what, extra, selected) => {
    const r = await template(helm, ['-f', join(CI, 'aws-values.yaml'), ...extra]);
    expect(r.code).not.toBe(0);
    const message = `opta-base: select exactly one provider with one of tags.aws=true, tags.gcp=true, tags.azure=true (${selected})`;
    expect(r.stderr).toContain(message);
    expect(r.stderr.split(message).length).toBe(2);
  });

  it('fails through the schema without the Linkerd identity', async () => {
    const r = await template(helm, ['--set', 'tags.aws=true']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/schema/);
    expect(r.stderr).toMatch(/linkerd-control-plane/);
    const noKey = await template(helm, ['-f', join(CI, 'aws-values.yaml'), '--set', 'linkerd-control-plane.identity.issuer.tls.keyPEM=']);
    expect(noKey.code).not.toBe(0);
    expect(noKey.stderr).toMatch(/keyPEM/);
  });

  it('accepts an external CA instead of PEMs', async () => {
    const rs = await render(helm, ['-f', join(CI, 'azure-external-ca-values.yaml')]);
    expect(find(rs, 'ConfigMap', 'linkerd-identity-trust-roots')).toBeUndefined();
    expect(find(rs, 'Secret', 'linkerd-identity-issuer')).toBeUndefined();
  });

  it('datadog: off by default, on with a key source, and then requires one', async () => {
    const off = await render(helm, ['-f', join(CI, 'aws-values.yaml')]);
    expect(subcharts(off)).not.toContain('datadog');
    const on = await render(helm, ['-f', join(CI, 'aws-datadog-values.yaml')]);
    expect(container(find(on, 'DaemonSet', 'opta-base-datadog'), 'agent').env).toContainEqual({ name: 'DD_SITE', value: 'datadoghq.eu' });
    const noKey = await template(helm, ['-f', join(CI, 'aws-values.yaml'), '--set', 'components.datadog=true']);
    expect(noKey.code).not.toBe(0);
    expect(noKey.stderr).toMatch(/apiKey/);
  });

  it('datadog: the agent takes APM and DogStatsD from other pods on host ports, collects logs and events, and is not meshed', async () => {
    const rs = await render(helm, ['-f', join(CI, 'aws-datadog-values.yaml')]);
    const agent = find(rs, 'DaemonSet', 'opta-base-datadog')!;
    const env = (c: any) => Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value]));
    const core = container(agent, 'agent');
    const trace = container(agent, 'trace-agent');
    expect(core.ports).toContainEqual({ containerPort: 8125, hostPort: 8125, name: 'dogstatsdport', protocol: 'UDP' });
    expect(trace.ports).toContainEqual({ containerPort: 8126, hostPort: 8126, name: 'traceport', protocol: 'TCP' });
    expect(env(core)).toMatchObject({
      DD_CLUSTER_NAME: 'ci-aws',
      DD_TAGS: '["env:ci"]',
      DD_ENV: 'ci',
      DD_DOGSTATSD_NON_LOCAL_TRAFFIC: 'true',
      DD_LOGS_ENABLED: 'true',
      DD_LOGS_CONFIG_CONTAINER_COLLECT_ALL: 'true',
    });
    expect(env(trace)).toMatchObject({ DD_APM_NON_LOCAL_TRAFFIC: 'true', DD_APM_RECEIVER_PORT: '8126', DD_ENV: 'ci' });
    const clusterAgent = find(rs, 'Deployment', 'opta-base-datadog-cluster-agent')!;
    // Opt-in admission: only labelled pods get DD_AGENT_HOST (from status.hostIP: hostip mode, no hostPath socket).
    expect(env(container(clusterAgent, 'cluster-agent'))).toMatchObject({
      DD_CLUSTER_NAME: 'ci-aws',
      DD_TAGS: '["env:ci"]',
      DD_COLLECT_KUBERNETES_EVENTS: 'true',
      DD_ADMISSION_CONTROLLER_ENABLED: 'true',
      DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED: 'false',
      DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE: 'hostip',
    });
    expect(agent.spec.template.metadata.annotations).toEqual({ 'linkerd.io/inject': 'disabled' });
    // The cluster agent's scratch emptyDirs are declared, so cluster-autoscaler can drain its node.
    expect(clusterAgent.spec.template.metadata.annotations).toEqual({
      'linkerd.io/inject': 'disabled',
      'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes': 'datadogrun,varlog,tmpdir,config',
    });
    // The chart's default Datadog Operator is not installed.
    expect(rs.filter((r) => subchartOf(r) === 'datadog').map((r) => `${r.obj.kind}/${r.obj.metadata.name}`).sort()).toEqual([
      'DaemonSet/opta-base-datadog',
      'Deployment/opta-base-datadog-cluster-agent',
    ]);
  });

  it('aws TLS: the NLB terminates TLS with the ACM certificate, re-encrypts to the https port, and nginx redirects plain HTTP', async () => {
    const rs = await render(helm, ['-f', join(CI, 'aws-tls-values.yaml')]);
    const svc = find(rs, 'Service', 'ingress-nginx-controller')!;
    expect(svc.metadata.annotations).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
      'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': 'arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
      'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': 'https',
      'service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      'service.beta.kubernetes.io/aws-load-balancer-backend-protocol': 'ssl',
    });
    // Each Service port reaches the controller port of its own scheme, so nginx knows which requests were plain HTTP.
    const controllerPorts = container(find(rs, 'Deployment', 'ingress-nginx'), 'ingress-nginx').ports;
    const target = (port: string) => controllerPorts.find((p: any) => p.name === svc.spec.ports.find((sp: any) => sp.name === port).targetPort);
    expect(target('https')).toMatchObject({ name: 'https', containerPort: 443 });
    expect(target('http')).toMatchObject({ name: 'http', containerPort: 80 });
    expect(find(rs, 'ConfigMap', 'ingress-nginx-controller')?.data).toEqual({ 'force-ssl-redirect': 'true' });
  });

  it('ACME: the ClusterIssuer is a hook that runs after cert-manager answers, and needs cert-manager', async () => {
    const rs = await render(helm, ['-f', join(CI, 'gcp-acme-values.yaml')]);
    const issuer = find(rs, 'ClusterIssuer', 'letsencrypt-staging')!;
    expect(issuer.spec).toEqual({
      acme: {
        email: 'ops@example.com',
        server: 'https://acme-staging-v02.api.letsencrypt.org/directory',
        privateKeySecretRef: { name: 'letsencrypt-staging-account-key' },
        solvers: [{ http01: { ingress: { ingressClassName: 'nginx' } } }],
      },
    });
    expect(validateK8sObject(issuer)).toEqual([]);
    // Helm builds a hook only when it runs it (after the CRDs, regular objects of the release, exist), in weight order,
    // waiting for hook Jobs: the issuer comes after cert-manager's startupapicheck Job on install and on upgrade.
    const hooks = (e: string) => rs.map((r) => r.obj).filter((o) => hookEvents(o)?.includes(e));
    for (const event of ['post-install', 'post-upgrade']) {
      const check = hooks(event).find((o) => o.kind === 'Job' && o.metadata.name.endsWith('startupapicheck'));
      expect(check, event).toBeDefined();
      expect(hooks(event)).toContain(issuer);
      expect(hookWeight(issuer)).toBeGreaterThan(hookWeight(check!));
    }
    const classes = rs.filter((r) => r.obj.kind === 'IngressClass').map((r) => r.obj.metadata.name);
    expect(classes).toContain(issuer.spec.acme.solvers[0].http01.ingress.ingressClassName);
    expect(args(find(rs, 'Deployment', 'ingress-nginx'))).toContain('--default-ssl-certificate=ingress-nginx/wildcard-tls');
    const production = await render(helm, ['-f', join(CI, 'gcp-acme-values.yaml'), '--set', 'acme.server=production']);
    expect(find(production, 'ClusterIssuer', 'letsencrypt')?.spec.acme.server).toBe('https://acme-v02.api.letsencrypt.org/directory');
    for (const [extra, message] of [
      [['--set', 'components.cert-manager=false'], 'acme.email needs components.cert-manager=true'],
      [['--set', 'cert-manager.startupapicheck.enabled=false'], 'acme.email needs cert-manager.startupapicheck.enabled=true'],
      [['--set', 'acme.server=letsencrypt'], 'acme'],
    ] as [string[], string][]) {
      const r = await template(helm, ['-f', join(CI, 'gcp-acme-values.yaml'), ...extra]);
      expect(r.code, extra.join(' ')).not.toBe(0);
      expect(r.stderr).toContain(message);
    }
    expect(find(await render(helm, ['-f', join(CI, 'gcp-values.yaml')]), 'ClusterIssuer', 'letsencrypt')).toBeUndefined();
  });

  it('the umbrella injects only `global` into the schema-carrying subcharts (external-dns, datadog), whose typed keys still apply', async () => {
    // Both render with the umbrella's switches set (they live under `components`, not in the subchart sections).
    const rs = await render(helm, ['-f', join(CI, 'aws-datadog-values.yaml'), '--set', 'components.external-dns=true', '--set', 'global.x=1']);
    expect(subcharts(rs)).toEqual(expect.arrayContaining(['external-dns', 'datadog']));
    // The subchart's own schema is still applied to its section through the umbrella.
    const r = await template(helm, ['-f', join(CI, 'aws-datadog-values.yaml'), '--set', 'external-dns.policy=delete-all']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/policy/);
  });

  it('components switches win over the provider tag', async () => {
    const rs = await render(helm, ['-f', join(CI, 'aws-values.yaml'), '--set', 'components.ingress-nginx-aws=false,components.metrics-server=false']);
    expect(subcharts(rs)).toEqual(['cluster-autoscaler', 'external-dns', 'linkerd-control-plane', 'linkerd-crds', 'linkerd2-cni-aws', 'opta-base']);
    expect(rs.filter((r) => r.obj.kind === 'Namespace').map((r) => r.obj.metadata.name)).toEqual(['external-dns']);
  });

  it.each(SCENARIOS)('lints strictly with ci/%s-values.yaml', async (scenario) => {
    const r = await runHelm(helm, ['lint', '--strict', archive, '-f', join(CI, `${scenario}-values.yaml`)]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });
});

it('ci values files are complete values files of the schema', () => {
  for (const p of ['aws', 'gcp', 'azure']) {
    const v = yaml.load(readFileSync(join(CI, `${p}-values.yaml`), 'utf8')) as Record<string, any>;
    expect(v.tags[p]).toBe(true);
  }
});
