// Renders the packaged opta-service chart with both Helm releases over the ci/ matrix and checks the objects.
import { copyFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HELMS, runHelm } from '../support/helm.js';
import { validateK8sObject } from '../support/k8s-validate.js';
import { podSpecOf, restrictedPssViolations } from '../support/restricted-pss.js';
import { type BuiltChart, buildChart, ciScenarios, ciValuesFile, findObject, getObject, type K8sObject, renderObjects } from './chart.js';

const FORBIDDEN_KINDS = ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'];

describe.each(HELMS)('opta-service with Helm $version', (helm) => {
  let chart: BuiltChart;
  let scratch: string;
  beforeAll(async () => {
    chart = await buildChart();
    scratch = mkdtempSync(join(tmpdir(), 'opta-service-values-'));
  });
  afterAll(() => {
    chart?.cleanup();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** Renders the archive with a ci scenario and/or inline values (written to a temp file). */
  async function render(scenario?: string, values?: Record<string, unknown>): Promise<K8sObject[]> {
    const args: string[] = [];
    if (scenario) args.push('-f', ciValuesFile(scenario));
    if (values) {
      const file = join(scratch, `v-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, JSON.stringify(values));
      args.push('-f', file);
    }
    return (await renderObjects(helm, chart.archive, args)).objects;
  }

  test('helm lint --strict passes on the packaged chart', async () => {
    const r = await runHelm(helm, ['lint', '--strict', chart.archive]);
    expect(r.stderr + r.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(r.code).toBe(0);
  });

  test('helm lint --strict passes with every ci values file', async () => {
    for (const scenario of ciScenarios()) {
      const r = await runHelm(helm, ['lint', '--strict', chart.archive, '-f', ciValuesFile(scenario)]);
      expect(r.code, `${scenario}: ${r.stdout}${r.stderr}`).toBe(0);
    }
  });

  describe.each(['(defaults)', ...ciScenarios()])('%s', (scenario) => {
    test('renders objects valid against the Kubernetes API schema, a restricted pod, and no RBAC', async () => {
      const objects = await render(scenario === '(defaults)' ? undefined : scenario);
      expect(objects.map((o) => o.kind)).toEqual(expect.arrayContaining(['Deployment', 'Service']));
      expect(objects.flatMap((o) => validateK8sObject(o))).toEqual([]);
      expect(objects.filter((o) => FORBIDDEN_KINDS.includes(o.kind))).toEqual([]);
      for (const o of objects) expect(o.metadata.namespace, `${o.kind} namespace`).toBe('hello-world');

      const pod = podSpecOf(getObject(objects, 'Deployment'));
      expect(restrictedPssViolations(pod)).toEqual([]);
      // Beyond the profile: read-only root filesystem with a writable /tmp.
      const container = pod.containers[0];
      expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(pod.volumes.find((v: { name: string }) => v.name === 'tmp')).toHaveProperty('emptyDir');
    });
  });

  test('helm show chart, values and readme read the archive', async () => {
    const chartYaml = yaml.load((await runHelm(helm, ['show', 'chart', chart.archive])).stdout) as Record<string, unknown>;
    expect(chartYaml).toMatchObject({ apiVersion: 'v2', name: 'opta-service', version: '0.1.0', kubeVersion: '>=1.31.0-0' });
    const values = (await runHelm(helm, ['show', 'values', chart.archive])).stdout;
    expect(values.trimEnd()).toBe(chart.files['values.yaml'].toString('utf8').trimEnd());
    const readme = (await runHelm(helm, ['show', 'readme', chart.archive])).stdout;
    expect(readme).toContain('| `autoscaling.maxReplicas` | integer | `3` |');
  });

  test('works as a subchart: global values are accepted', async () => {
    const objects = await render('minimal', { global: { imageRegistry: 'mirror.example.com', anything: { nested: true } } });
    expect(getObject(objects, 'Deployment').metadata.name).toBe('app');
  });

  test('kubeVersion: Kubernetes 1.31 and vendor builds render, 1.30 is refused', async () => {
    for (const version of ['1.31.0', 'v1.31.4-eks-1234567']) {
      const r = await runHelm(helm, ['template', 'app', chart.archive, '-n', 'hello-world', '--kube-version', version]);
      expect(r.code, `${version}: ${r.stderr}`).toBe(0);
    }
    const old = await runHelm(helm, ['template', 'app', chart.archive, '-n', 'hello-world', '--kube-version', '1.30.9']);
    expect(old.code).not.toBe(0);
    expect(old.stderr).toMatch(/>=1\.31\.0-0/);
  });

  test('minimal: the Service is named after the release, so app.hello-world resolves', async () => {
    const objects = await render('minimal');
    expect(objects.map((o) => o.kind).sort()).toEqual(['Deployment', 'HorizontalPodAutoscaler', 'Service', 'ServiceAccount']);
    for (const o of objects) expect(o.metadata.name).toBe('app');
    const service = getObject(objects, 'Service');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': 'app', 'app.kubernetes.io/instance': 'app' });
  });

  test('minimal: labels, frozen selector, image, Linkerd and checksum annotations', async () => {
    const objects = await render('minimal');
    const deployment = getObject(objects, 'Deployment');
    expect(deployment.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'app',
      'app.kubernetes.io/instance': 'app',
      'app.kubernetes.io/version': '1.0.0',
      'app.kubernetes.io/component': 'service',
      'app.kubernetes.io/part-of': 'hello-world',
      'app.kubernetes.io/managed-by': 'Helm',
      'helm.sh/chart': 'opta-service-0.1.0',
    });
    expect(deployment.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'app', 'app.kubernetes.io/instance': 'app' } });
    // Upgrading the image must not change the selector.
    const upgraded = getObject(await render('minimal', { image: { tag: '2.0.0' } }), 'Deployment');
    expect(upgraded.spec.selector).toEqual(deployment.spec.selector);
    expect(upgraded.metadata.labels['app.kubernetes.io/version']).toBe('2.0.0');

    const pod = deployment.spec.template;
    expect(pod.spec.containers[0].image).toBe('ghcr.io/acme/hello:1.0.0');
    expect(pod.metadata.annotations['linkerd.io/inject']).toBe('enabled');
    expect(pod.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
    expect(pod.metadata.annotations['checksum/secret']).toMatch(/^[0-9a-f]{64}$/);
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    expect(pod.spec.serviceAccountName).toBe('app');
    expect(getObject(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
  });

  test('autoscaling on: HPA autoscaling/v2 with CPU and memory targets, and no replicas on the Deployment', async () => {
    const objects = await render('minimal');
    expect(getObject(objects, 'Deployment').spec).not.toHaveProperty('replicas');
    const hpa = getObject(objects, 'HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toMatchObject({ minReplicas: 1, maxReplicas: 3, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app' } });
    expect(hpa.spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
    ]);
  });

  test('replicas-no-autoscaling: fixed replicas, no HPA, Recreate, Linkerd opted out', async () => {
    const objects = await render('replicas-no-autoscaling');
    expect(findObject(objects, 'HorizontalPodAutoscaler')).toBeUndefined();
    const deployment = getObject(objects, 'Deployment');
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(deployment.spec.template.metadata.annotations['linkerd.io/inject']).toBe('disabled');
  });

  test('full: HPA behavior and CPU only, spread constraints get the selector, grpc ingress backend', async () => {
    const objects = await render('full');
    for (const o of objects) expect(o.metadata.name).toBe('api');
    const hpa = getObject(objects, 'HorizontalPodAutoscaler');
    expect(hpa.spec.metrics.map((m: { resource: { name: string } }) => m.resource.name)).toEqual(['cpu']);
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
    const pod = getObject(objects, 'Deployment').spec.template;
    expect(pod.spec.topologySpreadConstraints[0].labelSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'app' } });
    expect(pod.metadata.labels.team).toBe('a');
    expect(pod.metadata.labels['app.kubernetes.io/part-of']).toBe('hello-world');
    expect(pod.spec.containers[0].env).toEqual([
      { name: 'LOG_FORMAT', value: 'json' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ]);
    // Config mounted as files only.
    expect(pod.spec.containers[0].envFrom).toBeUndefined();
    expect(pod.spec.containers[0].volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/api', readOnly: true });
    expect(getObject(objects, 'Service').spec.ports.map((p: { name: string }) => p.name)).toEqual(['http', 'grpc']);
    expect(getObject(objects, 'Ingress').spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'api', port: { name: 'grpc' } } });
  });

  describe('cloud identity: only the chosen provider binding', () => {
    const IDENTITY_KEYS = ['eks.amazonaws.com/role-arn', 'iam.gke.io/gcp-service-account', 'azure.workload.identity/client-id'];
    const cases = [
      { scenario: 'aws', key: 'eks.amazonaws.com/role-arn', value: 'arn:aws:iam::123456789012:role/opta-hello-world-api', azureLabel: false },
      { scenario: 'gcp', key: 'iam.gke.io/gcp-service-account', value: 'hello-world-api@acme-prod.iam.gserviceaccount.com', azureLabel: false },
      { scenario: 'azure', key: 'azure.workload.identity/client-id', value: '6f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f', azureLabel: true },
      { scenario: 'minimal', key: undefined, value: undefined, azureLabel: false },
    ];
    test.each(cases)('$scenario', async ({ scenario, key, value, azureLabel }) => {
      const objects = await render(scenario);
      const annotations = getObject(objects, 'ServiceAccount').metadata.annotations ?? {};
      expect(Object.keys(annotations).filter((k) => IDENTITY_KEYS.includes(k))).toEqual(key ? [key] : []);
      if (key) expect(annotations[key]).toBe(value);
      const labels = getObject(objects, 'Deployment').spec.template.metadata.labels;
      if (azureLabel) expect(labels['azure.workload.identity/use']).toBe('true');
      else expect(labels).not.toHaveProperty('azure.workload.identity/use');
    });
  });

  test('ingress-tls: class nginx, TLS, hosts, paths, service-upstream while meshed; PDB', async () => {
    const objects = await render('ingress-tls');
    const ingress = getObject(objects, 'Ingress');
    expect(ingress.apiVersion).toBe('networking.k8s.io/v1');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.metadata.annotations).toEqual({
      'cert-manager.io/cluster-issuer': 'letsencrypt',
      'nginx.ingress.kubernetes.io/service-upstream': 'true',
    });
    expect(ingress.spec.tls).toEqual([{ secretName: 'app-example-com-tls', hosts: ['app.example.com', 'www.example.com'] }]);
    expect(ingress.spec.rules.map((r: { host: string; http: { paths: { path: string }[] } }) => [r.host, r.http.paths.map((p) => p.path)])).toEqual([
      ['app.example.com', ['/', '/api']],
      ['www.example.com', ['/']],
    ]);
    const pdb = getObject(objects, 'PodDisruptionBudget');
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec).toEqual({ selector: { matchLabels: { 'app.kubernetes.io/name': 'app', 'app.kubernetes.io/instance': 'app' } }, minAvailable: 1 });
  });

  test('ingress-unmeshed: no annotations block at all, a rule and TLS entry per host, HPA on memory only', async () => {
    const objects = await render('ingress-unmeshed');
    const ingress = getObject(objects, 'Ingress');
    expect(ingress.metadata).not.toHaveProperty('annotations');
    expect(ingress.spec.tls.map((t: { secretName: string }) => t.secretName)).toEqual(['app-example-com-tls', 'api-example-com-tls']);
    expect(ingress.spec.rules.map((r: { host: string; http: { paths: { path: string; pathType: string }[] } }) => [r.host, r.http.paths.map((p) => `${p.pathType} ${p.path}`)])).toEqual([
      ['app.example.com', ['Prefix /']],
      ['api.example.com', ['Prefix /v1', 'Exact /healthz']],
    ]);
    expect(getObject(objects, 'HorizontalPodAutoscaler').spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 75 } } },
    ]);
    expect(getObject(objects, 'Deployment').spec.template.metadata.annotations['linkerd.io/inject']).toBe('disabled');
  });

  test('numeric-strings: label values and Secret keys stay strings under YAML 1.1 (Helm and Kubernetes read it so)', async () => {
    const { objects, text } = await renderObjects(helm, chart.archive, ['-f', ciValuesFile('numeric-strings')]);
    for (const o of objects) {
      expect(o.metadata.labels['app.kubernetes.io/part-of'], o.kind).toBe('2024');
      expect(o.metadata.labels['app.kubernetes.io/component'], o.kind).toBe('1');
      expect(o.metadata.labels['app.kubernetes.io/version'], o.kind).toBe('1.0');
    }
    // js-yaml reads YAML 1.2, where ON and Y are strings anyway; Helm's YAML 1.1 reads them as booleans unless quoted.
    expect(text).toMatch(/^ {2}"ON": "dHJ1ZQ=="$/m);
    expect(text).toMatch(/^ {2}"Y": "MQ=="$/m);
  });

  test('ingress without the mesh has no service-upstream annotation', async () => {
    const objects = await render('ingress-tls', { linkerd: { inject: false } });
    expect(getObject(objects, 'Ingress').metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': 'letsencrypt' });
  });

  test('probes-http: httpGet on the named port with every timing', async () => {
    const c = podSpecOf(getObject(await render('probes-http'), 'Deployment')).containers[0];
    expect(c.livenessProbe).toEqual({
      httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP', httpHeaders: [{ name: 'X-Probe', value: 'liveness' }] },
      initialDelaySeconds: 5,
      periodSeconds: 15,
      timeoutSeconds: 2,
      successThreshold: 1,
      failureThreshold: 4,
      terminationGracePeriodSeconds: 10,
    });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/ready', port: 8080, scheme: 'HTTP' });
    expect(c.readinessProbe.successThreshold).toBe(2);
    expect(c.startupProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 2, failureThreshold: 60 });
  });

  test('probes-tcp: tcpSocket on the tcp port, Linkerd skips it inbound', async () => {
    const objects = await render('probes-tcp');
    const pod = getObject(objects, 'Deployment').spec.template;
    const c = pod.spec.containers[0];
    expect(c.livenessProbe.tcpSocket).toEqual({ port: 'tcp' });
    expect(c.readinessProbe.tcpSocket).toEqual({ port: 'tcp' });
    expect(c.startupProbe).toBeUndefined();
    expect(c.ports).toEqual([{ name: 'tcp', containerPort: 5672, protocol: 'TCP' }]);
    expect(getObject(objects, 'Service').spec.ports).toEqual([{ name: 'tcp', port: 5672, targetPort: 'tcp', protocol: 'TCP' }]);
    expect(pod.metadata.annotations['config.linkerd.io/skip-inbound-ports']).toBe('5672');
  });

  test('probes-grpc: grpc probes on the grpc container port', async () => {
    const c = podSpecOf(getObject(await render('probes-grpc'), 'Deployment')).containers[0];
    expect(c.livenessProbe.grpc).toEqual({ port: 50051 });
    expect(c.readinessProbe.grpc).toEqual({ port: 50051, service: 'acme.api.v1.Api' });
    expect(c.startupProbe.grpc).toEqual({ port: 50051 });
    expect(c.startupProbe.failureThreshold).toBe(30);
  });

  test('probes-exec: exec probes, command and args', async () => {
    const c = podSpecOf(getObject(await render('probes-exec'), 'Deployment')).containers[0];
    expect(c.command).toEqual(['/app/server']);
    expect(c.args).toEqual(['--listen', ':8080']);
    expect(c.livenessProbe.exec).toEqual({ command: ['/app/healthcheck', '--live'] });
    expect(c.readinessProbe).toMatchObject({ exec: { command: ['/app/healthcheck', '--ready'] }, timeoutSeconds: 5 });
  });

  test('existing-secret: no Secret rendered, the existing one is exposed as env; config as env and files', async () => {
    const objects = await render('existing-secret');
    expect(findObject(objects, 'Secret')).toBeUndefined();
    const configMap = getObject(objects, 'ConfigMap');
    expect(configMap.data).toEqual({ LOG_LEVEL: 'info', 'app.yaml': 'feature: true\n' });
    const pod = getObject(objects, 'Deployment').spec.template.spec;
    expect(pod.containers[0].envFrom).toEqual([{ configMapRef: { name: 'app' } }, { secretRef: { name: 'api-credentials' } }]);
    expect(pod.containers[0].env).toEqual([{ name: 'PORT', value: '8080' }]);
    expect(pod.volumes).toContainEqual({ name: 'config', configMap: { name: 'app' } });
  });

  test('secret-database: sensitive values and DB credentials in the Secret, exposed as env', async () => {
    const objects = await render('secret-database');
    const secret = getObject(objects, 'Secret');
    const decoded = Object.fromEntries(Object.entries(secret.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    expect(decoded).toEqual({ DB_HOST: 'db.hello-world.svc', DB_NAME: 'app', DB_PASSWORD: 's3cr3t', DB_PORT: '5432', DB_USER: 'app', STRIPE_KEY: 'sk_test_123' });
    const pod = getObject(objects, 'Deployment').spec.template;
    expect(pod.spec.containers[0].envFrom).toEqual([{ secretRef: { name: 'app' } }]);
    expect(pod.metadata.annotations['config.linkerd.io/skip-outbound-ports']).toBe('5432,6000-6010');
  });

  test('image-digest: image by digest, pull policy and pull secrets', async () => {
    const pod = podSpecOf(getObject(await render('image-digest'), 'Deployment'));
    expect(pod.containers[0].image).toBe('registry.example.com/acme/api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
    expect(pod.containers[0].imagePullPolicy).toBe('Always');
    expect(pod.imagePullSecrets).toEqual([{ name: 'registry-example-com' }]);
  });

  test('image-digest: no version label unless a tag is given too', async () => {
    const labels = async (values?: Record<string, unknown>) => getObject(await render('image-digest', values), 'Deployment').metadata.labels;
    expect(await labels()).not.toHaveProperty('app.kubernetes.io/version');
    expect((await labels({ image: { tag: '2.3.1' } }))['app.kubernetes.io/version']).toBe('2.3.1');
  });

  test('changing configuration or secrets changes the checksum annotations (pods roll)', async () => {
    const annotations = async (values: Record<string, unknown>) =>
      getObject(await render('minimal', values), 'Deployment').spec.template.metadata.annotations as Record<string, string>;
    const base = await annotations({ config: { data: { A: '1' } }, secret: { data: { S: 'x' } } });
    const config = await annotations({ config: { data: { A: '2' } }, secret: { data: { S: 'x' } } });
    const secret = await annotations({ config: { data: { A: '1' } }, secret: { data: { S: 'y' } } });
    expect(config['checksum/config']).not.toBe(base['checksum/config']);
    expect(config['checksum/secret']).toBe(base['checksum/secret']);
    expect(secret['checksum/secret']).not.toBe(base['checksum/secret']);
    expect(secret['checksum/config']).toBe(base['checksum/config']);
  });

  test('every security field can be overridden', async () => {
    const pod = podSpecOf(
      getObject(
        await render('minimal', {
          securityContext: { readOnlyRootFilesystem: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } },
          podSecurityContext: { runAsUser: 1000, seccompProfile: null },
          tmpDir: { enabled: false },
        }),
        'Deployment',
      ),
    );
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000 });
    expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(false);
    expect(pod.containers[0].securityContext.capabilities.add).toEqual(['NET_BIND_SERVICE']);
    expect(pod.volumes).toBeUndefined();
    // The container still carries its own RuntimeDefault seccomp profile, so the pod stays restricted.
    expect(restrictedPssViolations(pod)).toEqual([]);
  });

  test('NOTES.txt gives the in-cluster address and the public URL', async () => {
    // `helm template` skips NOTES.txt and Helm 3 cannot `install --dry-run` without a cluster, so render a copy
    // of the chart with one more template that runs NOTES.txt through `tpl`.
    const notesChart = join(scratch, 'notes-chart');
    cpSync(chart.dir, notesChart, { recursive: true });
    copyFileSync(join(notesChart, 'templates', 'NOTES.txt'), join(notesChart, 'notes-source.txt'));
    writeFileSync(join(notesChart, 'templates', 'notes-rendered.yaml'), 'notes: |\n{{ tpl (.Files.Get "notes-source.txt") . | indent 2 }}\n');
    const notes = async (args: string[]) => {
      const r = await runHelm(helm, ['template', 'app', notesChart, '-n', 'hello-world', '--show-only', 'templates/notes-rendered.yaml', ...args]);
      expect(r.stderr).toBe('');
      return (yaml.load(r.stdout) as { notes: string }).notes;
    };
    const text = await notes(['-f', ciValuesFile('ingress-tls')]);
    expect(text).toContain('http: app.hello-world:80');
    expect(text).toContain('https://app.example.com/api');
    expect(text).toContain('https://www.example.com/');
    expect(await notes([])).not.toContain('Public URL');
  });
});
