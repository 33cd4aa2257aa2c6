// Renders the packaged opta-service chart with both Helm releases over the ci/ matrix and checks the objects.
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HELMS, runHelm } from '../support/helm.js';
import { validateK8sObject } from '../support/k8s-validate.js';
import { podSpecOf, restrictedPssViolations } from '../support/restricted-pss.js';
import { type BuiltChart, buildChart, ciScenarios, ciValuesFile, findObject, getObject, type K8sObject, renderObjects, template } from './chart.js';

const FORBIDDEN_KINDS = ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'];
const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'CronJob'];

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
    test('renders objects valid against the Kubernetes API schema, restricted pods, and no RBAC', async () => {
      const objects = await render(scenario === '(defaults)' ? undefined : scenario);
      const workloads = objects.filter((o) => WORKLOAD_KINDS.includes(o.kind));
      expect(workloads.length).toBeGreaterThan(0);
      expect(objects.flatMap((o) => validateK8sObject(o))).toEqual([]);
      expect(objects.filter((o) => FORBIDDEN_KINDS.includes(o.kind))).toEqual([]);
      for (const o of objects) expect(o.metadata.namespace, `${o.kind} namespace`).toBe('hello-world');

      for (const workload of workloads) {
        const pod = podSpecOf(workload);
        expect(restrictedPssViolations(pod), workload.metadata.name).toEqual([]);
        // Beyond the profile: read-only root filesystem with a writable /tmp.
        const container = pod.containers[0];
        expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
        expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
        expect(pod.volumes.find((v: { name: string }) => v.name === 'tmp')).toHaveProperty('emptyDir');
      }
    });
  });

  test('helm show chart, values and readme read the archive', async () => {
    const chartYaml = yaml.load((await runHelm(helm, ['show', 'chart', chart.archive])).stdout) as Record<string, unknown>;
    expect(chartYaml).toMatchObject({ apiVersion: 'v2', name: 'opta-service', version: '0.2.0', kubeVersion: '>=1.31.0-0' });
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
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' }]);
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
      'helm.sh/chart': 'opta-service-0.2.0',
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

  test('autoscaling on: HPA autoscaling/v2 measuring the application container only, and no replicas on the Deployment', async () => {
    const objects = await render('minimal');
    expect(getObject(objects, 'Deployment').spec).not.toHaveProperty('replicas');
    const hpa = getObject(objects, 'HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toMatchObject({ minReplicas: 1, maxReplicas: 3, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app' } });
    // ContainerResource, so the injected linkerd-proxy neither dilutes nor blocks the metric.
    expect(hpa.spec.metrics).toEqual([
      { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'app', target: { type: 'Utilization', averageUtilization: 80 } } },
      { type: 'ContainerResource', containerResource: { name: 'memory', container: 'app', target: { type: 'Utilization', averageUtilization: 80 } } },
    ]);
    expect(podSpecOf(getObject(objects, 'Deployment')).containers.map((c: { name: string }) => c.name)).toEqual(['app']);
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
    for (const o of objects.filter((o) => o.kind !== 'Ingress')) expect(o.metadata.name).toBe('api');
    const hpa = getObject(objects, 'HorizontalPodAutoscaler');
    expect(hpa.spec.metrics.map((m: { containerResource: { name: string; container: string } }) => `${m.containerResource.container}/${m.containerResource.name}`)).toEqual(['api/cpu']);
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
    const ingress = getObject(objects, 'Ingress');
    expect(ingress.spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'api', port: { number: 9090 } } });
    expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/backend-protocol']).toBe('GRPC');
    expect(ingress.spec.tls).toEqual([{ secretName: 'internal-example-com-tls', hosts: ['api.internal.example.com'] }]);
    // The user's emptyDir is declared scratch with the chart's, so cluster-autoscaler can drain its node.
    expect(pod.metadata.annotations['cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes']).toBe('tmp,cache,linkerd-proxy-init-xtables-lock');
  });

  test('route: one HTTPRoute per URI on opta-base\'s Gateway, targeting the Service port by number, prefix stripped by URLRewrite', async () => {
    const objects = await render('route');
    expect(objects.filter((o) => o.kind === 'Ingress')).toEqual([]);
    const routes = objects.filter((o) => o.kind === 'HTTPRoute');
    expect(routes.map((r) => [r.spec.hostnames, r.spec.rules[0].matches[0].path.value, r.spec.rules[0].filters])).toEqual([
      [['example.com'], '/api', [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }]],
      [['api.example.com'], '/', undefined],
      [undefined, '/internal/api', [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }]],
    ]);
    for (const r of routes) {
      expect(r.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'opta', namespace: 'envoy-gateway-system' }]);
      expect(r.spec.rules[0].backendRefs).toEqual([{ group: '', kind: 'Service', name: 'app', port: 80 }]);
    }
    // Named like the Ingresses of the same URIs, so switching edges keeps names stable.
    const ingress = await render('route', { route: { enabled: false }, ingress: { enabled: true, uris: [{ host: 'example.com', pathPrefix: '/api' }] } });
    expect(getObject(ingress, 'Ingress').metadata.name).toBe(routes[0].metadata.name);
    const kept = await render('route', { route: { keepPathPrefix: true } });
    expect(kept.filter((o) => o.kind === 'HTTPRoute').every((r) => r.spec.rules[0].filters === undefined)).toBe(true);
    // Beside the Ingress: both render.
    const both = await render('route', { ingress: { enabled: true, uris: [{ host: 'example.com' }] } });
    expect(both.map((o) => o.kind)).toEqual(expect.arrayContaining(['Ingress', 'HTTPRoute']));
  });

  test('grpc-route: a GRPCRoute on the https listener, to the grpc Service port (appProtocol h2c)', async () => {
    const objects = await render('grpc-route');
    const route = getObject(objects, 'GRPCRoute');
    expect(route.spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'opta', namespace: 'envoy-gateway-system', sectionName: 'https' }],
      hostnames: ['orders.example.com'],
      rules: [{ backendRefs: [{ group: '', kind: 'Service', name: 'app', port: 443 }] }],
    });
    const port = getObject(objects, 'Service').spec.ports.find((p: { port: number }) => p.port === 443);
    expect(port.appProtocol).toBe('kubernetes.io/h2c');
    expect(objects.filter((o) => o.kind === 'HTTPRoute')).toEqual([]);
  });

  test('Gateway API objects are checked field by field (an unknown field or a bad value is reported)', () => {
    const route = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r' } };
    expect(validateK8sObject({ ...route, spec: { parentRefs: [{ name: 'opta', sectionname: 'http' }], rules: [{ backendRefs: [{ name: 'app', port: 0 }] }] } })).toEqual([
      'HTTPRoute/r: spec.parentRefs[0].sectionname: unknown field',
      'HTTPRoute/r: spec.rules[0].backendRefs[0].port: out of range',
    ]);
    expect(validateK8sObject({ ...route, spec: { rules: [{ matches: [{ path: { type: 'Prefix', value: '/' } }] }] } })).toEqual([
      'HTTPRoute/r: spec.rules[0].matches[0].path.type: must be one of Exact, PathPrefix, RegularExpression',
    ]);
    expect(validateK8sObject({ ...route, kind: 'GRPCRoute', spec: { rules: [] } })).toEqual(['GRPCRoute/r: spec.rules: at least 1 items']);
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

  /** Ingresses as [name, host, path, pathType, backend port] rows. */
  const ingressRows = (objects: K8sObject[]) =>
    objects
      .filter((o) => o.kind === 'Ingress')
      .map((i) => {
        const rule = i.spec.rules[0];
        const path = rule.http.paths[0];
        return [i.metadata.name, rule.host ?? '*', path.path, path.pathType, path.backend.service.port.number];
      });

  test('ingress-tls: one Ingress per URI with a cert-manager certificate each, service-upstream while meshed; PDB', async () => {
    const objects = await render('ingress-tls');
    const ingresses = objects.filter((o) => o.kind === 'Ingress');
    // Named `<name>-<first 8 hex of sha256(host + prefix)>`.
    const named = (host: string, prefix: string) => `app-${createHash('sha256').update(host + prefix).digest('hex').slice(0, 8)}`;
    expect(ingressRows(objects)).toEqual([
      [named('app.example.com', '/'), 'app.example.com', '/', 'Prefix', 80],
      [named('app.example.com', '/api'), 'app.example.com', '/api', 'Prefix', 80],
      [named('www.example.com', '/'), 'www.example.com', '/', 'Prefix', 80],
    ]);
    for (const ingress of ingresses) {
      expect(ingress.apiVersion).toBe('networking.k8s.io/v1');
      expect(ingress.spec.ingressClassName).toBe('nginx');
      expect(ingress.metadata.annotations).toEqual({
        'cert-manager.io/cluster-issuer': 'letsencrypt',
        'nginx.ingress.kubernetes.io/service-upstream': 'true',
      });
      expect(ingress.spec.tls).toEqual([{ secretName: `${ingress.metadata.name}-tls`, hosts: [ingress.spec.rules[0].host] }]);
    }
    const pdb = getObject(objects, 'PodDisruptionBudget');
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec).toEqual({ selector: { matchLabels: { 'app.kubernetes.io/name': 'app', 'app.kubernetes.io/instance': 'app' } }, minAvailable: 1 });
  });

  test('adding a URI never renames the other Ingresses', async () => {
    const names = (objects: K8sObject[]) => objects.filter((o) => o.kind === 'Ingress').map((o) => o.metadata.name);
    const before = names(await render('ingress-tls'));
    const after = names(await render('ingress-tls', { ingress: { uris: [{ host: 'new.example.com' }, { host: 'app.example.com' }, { host: 'app.example.com', pathPrefix: '/api' }, { host: 'www.example.com' }] } }));
    expect(after).toHaveLength(4);
    expect(after).toEqual(expect.arrayContaining(before));
  });

  test('ingress-unmeshed: no annotations block at all, one wildcard certificate, HPA on memory only', async () => {
    const objects = await render('ingress-unmeshed');
    for (const ingress of objects.filter((o) => o.kind === 'Ingress')) {
      expect(ingress.metadata).not.toHaveProperty('annotations');
      expect(ingress.spec.tls[0].secretName).toBe('wildcard-example-com-tls');
    }
    expect(ingressRows(objects).map((r) => `${r[1]} ${r[3]} ${r[2]}`)).toEqual(['app.example.com Prefix /', 'api.example.com Prefix /v1']);
    expect(getObject(objects, 'HorizontalPodAutoscaler').spec.metrics).toEqual([
      { type: 'ContainerResource', containerResource: { name: 'memory', container: 'app', target: { type: 'Utilization', averageUtilization: 75 } } },
    ]);
    const pod = getObject(objects, 'Deployment').spec.template;
    expect(pod.metadata.annotations['linkerd.io/inject']).toBe('disabled');
    // Unmeshed: no proxy settings, and only the chart's own scratch volume to declare.
    expect(Object.keys(pod.metadata.annotations).filter((k) => k.includes('linkerd.io/') && k !== 'linkerd.io/inject')).toEqual([]);
    expect(pod.metadata.annotations['cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes']).toBe('tmp');
  });

  test('numeric-strings: label values and Secret keys stay strings under YAML 1.1 (Helm and Kubernetes read it so)', async () => {
    const { objects, text } = await renderObjects(helm, chart.archive, ['-f', ciValuesFile('numeric-strings')]);
    for (const o of objects) {
      expect(o.metadata.labels['app.kubernetes.io/component'], o.kind).toBe('1');
      expect(o.metadata.labels['app.kubernetes.io/version'], o.kind).toBe('1.0');
    }
    // js-yaml reads YAML 1.2, where ON and Y are strings anyway; Helm's YAML 1.1 reads them as booleans unless quoted.
    expect(text).toMatch(/^ {2}"ON": "dHJ1ZQ=="$/m);
    expect(text).toMatch(/^ {2}"Y": "MQ=="$/m);
    // A numeric layer, installed in its own namespace.
    const r = await runHelm(helm, ['template', 'app', chart.archive, '-n', '2024', '-f', ciValuesFile('numeric-strings'), '--set-string', 'layer=2024']);
    expect(r.stderr).toBe('');
    for (const o of yaml.loadAll(r.stdout) as K8sObject[]) if (o) expect(o.metadata.labels['app.kubernetes.io/part-of'], o.kind).toBe('2024');
  });

  test('ingress without the mesh has no service-upstream annotation', async () => {
    const objects = await render('ingress-tls', { linkerd: { inject: false } });
    expect(getObject(objects, 'Ingress').metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': 'letsencrypt' });
  });

  test('layer: equal to the release namespace renders; anything else fails naming layer', async () => {
    expect(getObject(await render('minimal', { layer: 'hello-world' }), 'Service').metadata.name).toBe('app');
    const r = await template(helm, chart.archive, ['--set', 'layer=payments']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('layer: "payments" differs from the release namespace "hello-world"');
  });

  test('meshed-autoscaled-web: proxy requests and limits as Linkerd annotations, probes, HTTPS', async () => {
    const objects = await render('meshed-autoscaled-web');
    const pod = getObject(objects, 'Deployment').spec.template;
    expect(pod.metadata.annotations).toMatchObject({
      'linkerd.io/inject': 'enabled',
      'config.linkerd.io/proxy-cpu-request': '50m',
      'config.linkerd.io/proxy-memory-request': '32Mi',
      'config.linkerd.io/proxy-memory-limit': '128Mi',
    });
    expect(pod.metadata.annotations).not.toHaveProperty('config.linkerd.io/proxy-cpu-limit');
    expect(getObject(objects, 'HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 2, maxReplicas: 10 });
    expect(pod.spec.containers[0].readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http', scheme: 'HTTP' });
    // Proxy resources are values: each can be changed or left to the control plane.
    const custom = getObject(await render('meshed-autoscaled-web', { linkerd: { proxyResources: { cpuLimit: '1', memoryLimit: '' } } }), 'Deployment');
    expect(custom.spec.template.metadata.annotations['config.linkerd.io/proxy-cpu-limit']).toBe('1');
    expect(custom.spec.template.metadata.annotations).not.toHaveProperty('config.linkerd.io/proxy-memory-limit');
  });

  test('grpc-ingress: nginx speaks gRPC to the grpc port by number, appProtocol per port, grpc probes by number', async () => {
    const objects = await render('grpc-ingress');
    const ingress = getObject(objects, 'Ingress');
    expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/backend-protocol']).toBe('GRPC');
    expect(ingress.spec.rules[0].http.paths[0].backend.service.port).toEqual({ number: 443 });
    expect(getObject(objects, 'Service').spec.ports).toEqual([
      { name: 'grpc', port: 443, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' },
      { name: 'metrics', port: 9100, targetPort: 'metrics', protocol: 'TCP', appProtocol: 'http' },
    ]);
    const c = podSpecOf(getObject(objects, 'Deployment')).containers[0];
    expect(c.readinessProbe.grpc).toEqual({ port: 50051 });
    expect(c.livenessProbe.grpc).toEqual({ port: 50051 });
  });

  test('websocket: hour-long nginx timeouts, appProtocol kubernetes.io/ws, prefix stripped', async () => {
    const objects = await render('websocket');
    const ingress = getObject(objects, 'Ingress');
    expect(ingress.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
      'nginx.ingress.kubernetes.io/rewrite-target': '/$2',
    });
    expect(ingress.spec.rules[0].http.paths[0]).toMatchObject({ path: '/socket(/|$)(.*)', pathType: 'ImplementationSpecific' });
    expect(getObject(objects, 'Service').spec.ports[0].appProtocol).toBe('kubernetes.io/ws');
    expect(podSpecOf(getObject(objects, 'Deployment')).containers[0].readinessProbe.httpGet.port).toBe('ws');
  });

  test('worker-no-ports: no Service, no Ingress, no container ports, an exec probe', async () => {
    const objects = await render('worker-no-ports');
    expect(objects.map((o) => o.kind).sort()).toEqual(['Deployment', 'HorizontalPodAutoscaler', 'ServiceAccount']);
    const c = podSpecOf(getObject(objects, 'Deployment')).containers[0];
    expect(c).not.toHaveProperty('ports');
    expect(c.livenessProbe.exec).toEqual({ command: ['/app/worker', '--check'] });
    expect(c.command).toEqual(['/app/worker']);
  });

  test('statefulset-persistence: StatefulSet with claims and a headless governing Service; HPA and PDB target it', async () => {
    const objects = await render('statefulset-persistence');
    expect(findObject(objects, 'Deployment')).toBeUndefined();
    const sts = getObject(objects, 'StatefulSet');
    expect(sts.spec.serviceName).toBe('app-headless');
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Delete' });
    expect(sts.spec.volumeClaimTemplates.map((t: K8sObject) => [t.metadata.name, t.spec.storageClassName, t.spec.resources.requests.storage, t.spec.accessModes])).toEqual([
      ['data', 'gp3', '20Gi', ['ReadWriteOnce']],
      ['cache', undefined, '1Gi', ['ReadWriteOnce']],
    ]);
    expect(podSpecOf(sts).containers[0].volumeMounts).toEqual(expect.arrayContaining([{ name: 'data', mountPath: '/var/lib/indexer' }, { name: 'cache', mountPath: '/var/cache/indexer' }]));
    const services = objects.filter((o) => o.kind === 'Service');
    expect(services.map((o) => [o.metadata.name, o.spec.clusterIP ?? o.spec.type])).toEqual([['app', 'ClusterIP'], ['app-headless', 'None']]);
    expect(getObject(objects, 'HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'app' });
    expect(getObject(objects, 'PodDisruptionBudget').spec.selector.matchLabels).toEqual(sts.spec.selector.matchLabels);
  });

  test('cron-jobs: CronJobs share image, ServiceAccount, env, config and secrets; meshed as native sidecars; never selected by the Service', async () => {
    const objects = await render('cron-jobs');
    const deployment = getObject(objects, 'Deployment');
    const crons = objects.filter((o) => o.kind === 'CronJob');
    expect(crons.map((c) => c.metadata.name)).toEqual(['app-invoices', 'app-cleanup']);
    const [invoices, cleanup] = crons;
    expect(invoices.spec).toMatchObject({ schedule: '0 3 * * *', timeZone: 'Europe/Paris', concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    expect(invoices.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 3600 });
    expect(cleanup.spec).toMatchObject({ schedule: '@hourly', concurrencyPolicy: 'Replace', successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 3, startingDeadlineSeconds: 300 });
    expect(cleanup.spec.jobTemplate.spec.backoffLimit).toBe(0);
    const app = podSpecOf(deployment).containers[0];
    for (const cron of crons) {
      const pod = cron.spec.jobTemplate.spec.template;
      const c = pod.spec.containers[0];
      expect(pod.spec.restartPolicy).toBe('Never');
      expect(pod.spec.serviceAccountName).toBe('app');
      expect(pod.spec.securityContext).toEqual(podSpecOf(deployment).securityContext);
      expect(c.image).toBe(app.image);
      expect(c.env).toEqual(app.env);
      expect(c.envFrom).toEqual(app.envFrom);
      expect(c.securityContext).toEqual(app.securityContext);
      expect(c).not.toHaveProperty('ports');
      expect(c).not.toHaveProperty('readinessProbe');
      expect(pod.metadata.annotations['config.linkerd.io/proxy-enable-native-sidecar']).toBe('true');
      // Not selected by the Service, HPA or PDB of the long-running pods.
      const selector = deployment.spec.selector.matchLabels as Record<string, string>;
      expect(Object.entries(selector).every(([k, v]) => pod.metadata.labels[k] === v)).toBe(false);
    }
    expect(invoices.spec.jobTemplate.spec.template.spec.containers[0]).toMatchObject({
      command: ['/app/billing', 'invoices'],
      args: ['--send'],
      resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } },
    });
    expect(cleanup.spec.jobTemplate.spec.template.spec.containers[0].resources).toEqual(app.resources);
  });

  test('cron-only: CronJobs and nothing long-running', async () => {
    const objects = await render('cron-only');
    expect(objects.map((o) => o.kind).sort()).toEqual(['CronJob', 'ServiceAccount']);
  });

  test('datadog: unified service tagging, DD_AGENT_HOST from the node, agent ports skipped, proxy metrics autodiscovered', async () => {
    const objects = await render('datadog');
    const deployment = getObject(objects, 'Deployment');
    const tags = { 'tags.datadoghq.com/env': 'production', 'tags.datadoghq.com/service': 'app', 'tags.datadoghq.com/version': '4.2.0' };
    expect(deployment.metadata.labels).toMatchObject(tags);
    const pod = deployment.spec.template;
    expect(pod.metadata.labels).toMatchObject(tags);
    const env = pod.spec.containers[0].env;
    expect(env).toEqual([
      { name: 'DD_ENV', valueFrom: { fieldRef: { fieldPath: "metadata.labels['tags.datadoghq.com/env']" } } },
      { name: 'DD_SERVICE', valueFrom: { fieldRef: { fieldPath: "metadata.labels['tags.datadoghq.com/service']" } } },
      { name: 'DD_VERSION', valueFrom: { fieldRef: { fieldPath: "metadata.labels['tags.datadoghq.com/version']" } } },
      { name: 'DD_AGENT_HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'DD_TRACE_AGENT_PORT', value: '8126' },
      { name: 'DD_DOGSTATSD_PORT', value: '8125' },
    ]);
    expect(pod.metadata.annotations['config.linkerd.io/skip-outbound-ports']).toBe('5432,8125,8126');
    expect(JSON.parse(pod.metadata.annotations['ad.datadoghq.com/linkerd-proxy.checks'])).toEqual({
      linkerd: { init_config: {}, instances: [{ openmetrics_endpoint: 'http://%%host%%:4191/metrics' }] },
    });
    const cronPod = getObject(objects, 'CronJob').spec.jobTemplate.spec.template;
    expect(cronPod.metadata.labels).toMatchObject(tags);
    expect(cronPod.spec.containers[0].env).toEqual(env);
  });

  test('datadog-admission: the admission label instead of DD_AGENT_HOST; no env tag; no proxy check', async () => {
    const pod = getObject(await render('datadog-admission'), 'Deployment').spec.template;
    expect(pod.metadata.labels['admission.datadoghq.com/enabled']).toBe('true');
    expect(pod.metadata.labels).not.toHaveProperty('tags.datadoghq.com/env');
    expect(pod.metadata.labels['tags.datadoghq.com/service']).toBe('public-api');
    const names = pod.spec.containers[0].env.map((e: { name: string }) => e.name);
    expect(names).toEqual(['DD_SERVICE', 'DD_VERSION', 'DD_TRACE_AGENT_PORT', 'DD_DOGSTATSD_PORT']);
    expect(pod.metadata.annotations).not.toHaveProperty('ad.datadoghq.com/linkerd-proxy.checks');
  });

  test('sticky-sessions and consistent-hash: nginx balances over endpoints (service-upstream off)', async () => {
    const sticky = getObject(await render('sticky-sessions'), 'Ingress').metadata.annotations;
    expect(sticky).toEqual({
      'cert-manager.io/cluster-issuer': 'letsencrypt',
      'nginx.ingress.kubernetes.io/service-upstream': 'false',
      'nginx.ingress.kubernetes.io/affinity': 'cookie',
      'nginx.ingress.kubernetes.io/session-cookie-name': 'opta-cookie',
      'nginx.ingress.kubernetes.io/session-cookie-max-age': '3600',
      'nginx.ingress.kubernetes.io/session-cookie-expires': '3600',
    });
    const hash = await render('consistent-hash');
    expect(getObject(hash, 'Ingress').metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/service-upstream': 'false',
      'nginx.ingress.kubernetes.io/upstream-hash-by': '$request_uri',
    });
    expect(ingressRows(hash)).toEqual([[expect.stringMatching(/^app-[0-9a-f]{8}$/), '*', '/', 'Prefix', 80]]);
  });

  test('path-rewrite: stripped prefixes use a regex path and rewrite-target; a rule with no host; user annotations kept', async () => {
    const objects = await render('path-rewrite');
    expect(ingressRows(objects).map((r) => r.slice(1))).toEqual([
      ['example.com', '/api(/|$)(.*)', 'ImplementationSpecific', 80],
      ['api.example.com', '/', 'Prefix', 80],
      ['*', '/internal/api(/|$)(.*)', 'ImplementationSpecific', 80],
    ]);
    const [api, root, internal] = objects.filter((o) => o.kind === 'Ingress');
    for (const i of [api, internal]) expect(i.metadata.annotations).toMatchObject({ 'nginx.ingress.kubernetes.io/rewrite-target': '/$2', 'nginx.ingress.kubernetes.io/use-regex': 'true' });
    expect(root.metadata.annotations).not.toHaveProperty('nginx.ingress.kubernetes.io/rewrite-target');
    for (const i of [api, root, internal]) expect(i.metadata.annotations['nginx.ingress.kubernetes.io/proxy-body-size']).toBe('8m');
    // No host, no certificate.
    expect(internal.spec).not.toHaveProperty('tls');
    // A prefix is matched literally: its dots are escaped in the regex.
    const dotted = getObject(await render('path-rewrite', { ingress: { uris: [{ host: 'example.com', pathPrefix: '/v1.2' }] } }), 'Ingress');
    expect(dotted.spec.rules[0].http.paths[0].path).toBe('/v1\\.2(/|$)(.*)');
  });

  test('multi-link-database: inline links in the chart Secret, existing Secrets by key, the CA bundle and RDS_CA_PATH', async () => {
    const objects = await render('multi-link-database');
    const secret = getObject(objects, 'Secret');
    const decoded = Object.fromEntries(Object.entries(secret.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    expect(decoded).toEqual({
      MAIN_DB_HOST: 'main.cluster-abc.eu-west-1.rds.amazonaws.com',
      MAIN_DB_PORT: '5432',
      MAIN_DB_NAME: 'app',
      MAIN_DB_USER: 'app',
      MAIN_DB_PASSWORD: 'pg-s3cr3t',
      CACHE_HOST: 'cache.abc.euw1.cache.amazonaws.com',
      CACHE_PORT: '6379',
      CACHE_AUTH_TOKEN: 'redis-token',
    });
    const pod = getObject(objects, 'Deployment').spec.template.spec;
    const c = pod.containers[0];
    expect(c.envFrom).toEqual([{ secretRef: { name: 'app' } }]);
    const fromSecret = c.env.filter((e: K8sObject) => e.valueFrom?.secretKeyRef).map((e: K8sObject) => `${e.name}=${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}${e.valueFrom.secretKeyRef.optional ? '?' : ''}`);
    expect(fromSecret).toEqual([
      'LEGACY_DB_HOST=legacy-mysql/host',
      'LEGACY_DB_NAME=legacy-mysql/database?',
      'LEGACY_DB_PASSWORD=legacy-mysql/password?',
      'LEGACY_DB_PORT=legacy-mysql/port?',
      'LEGACY_DB_USER=legacy-mysql/username?',
      'DOCS_HOST=docs-docdb/host',
      'DOCS_NAME=docs-docdb/database?',
      'DOCS_PASSWORD=docs-docdb/password?',
      'DOCS_PORT=docs-docdb/port?',
      'DOCS_USER=docs-docdb/user?',
    ]);
    expect(c.env).toContainEqual({ name: 'RDS_CA_PATH', value: '/etc/opta/ca/ca.pem' });
    expect(c.volumeMounts).toContainEqual({ name: 'ca-bundle', mountPath: '/etc/opta/ca', readOnly: true });
    expect(pod.volumes).toContainEqual({ name: 'ca-bundle', configMap: { name: 'app-ca-bundle', items: [{ key: 'ca.pem', path: 'ca.pem' }] } });
    const ca = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'app-ca-bundle');
    expect(ca?.data['ca.pem']).toMatch(/^-----BEGIN CERTIFICATE-----/);
    // An existing ConfigMap instead, with another env name.
    const existing = podSpecOf(getObject(await render('minimal', { caBundle: { existingConfigMap: 'rds-ca', key: 'global-bundle.pem', envName: 'DB_CA' } }), 'Deployment'));
    expect(existing.containers[0].env).toEqual([{ name: 'DB_CA', value: '/etc/opta/ca/global-bundle.pem' }]);
    expect(existing.volumes).toContainEqual({ name: 'ca-bundle', configMap: { name: 'rds-ca', items: [{ key: 'global-bundle.pem', path: 'global-bundle.pem' }] } });
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
    expect(c.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http', scheme: 'HTTP' });
    expect(c.readinessProbe.successThreshold).toBe(2);
    expect(c.startupProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 2, failureThreshold: 60 });
  });

  test('probes-tcp: tcpSocket on the tcp port, opaque to Linkerd, skipped inbound', async () => {
    const objects = await render('probes-tcp');
    const pod = getObject(objects, 'Deployment').spec.template;
    const c = pod.spec.containers[0];
    expect(c.livenessProbe.tcpSocket).toEqual({ port: 'amqp' });
    expect(c.readinessProbe.tcpSocket).toEqual({ port: 'amqp' });
    expect(c.startupProbe).toBeUndefined();
    expect(c.ports).toEqual([{ name: 'amqp', containerPort: 5672, protocol: 'TCP' }]);
    expect(getObject(objects, 'Service').spec.ports).toEqual([{ name: 'amqp', port: 5672, targetPort: 'amqp', protocol: 'TCP', appProtocol: 'linkerd.io/opaque' }]);
    expect(pod.metadata.annotations['config.linkerd.io/opaque-ports']).toBe('5672');
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

  test('secret-database: sensitive values and a database link in the Secret, exposed as env', async () => {
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
    expect(text).toContain('http (http): app.hello-world:80');
    expect(text).toContain('https://app.example.com/api');
    expect(text).toContain('https://www.example.com/');
    expect(text).toContain('rollout status deployment/app');
    expect(await notes([])).not.toContain('Public URL');
    // A worker and a cron-only service say they have no address.
    expect(await notes(['-f', ciValuesFile('worker-no-ports')])).toContain('No ports: this worker has no Service and no address.');
    const cronOnly = await notes(['-f', ciValuesFile('cron-only')]);
    expect(cronOnly).toContain('so there is no address');
    expect(cronOnly).toContain('Cron job app-nightly: 30 1 * * 1-5');
    expect(cronOnly).not.toContain('rollout status');
    expect(await notes(['-f', ciValuesFile('path-rewrite')])).toContain('http://<any host>/internal/api');
    expect(await notes(['-f', ciValuesFile('statefulset-persistence')])).toContain('rollout status statefulset/app');
  });
});
