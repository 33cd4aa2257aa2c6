// The values bjw-s app-template and stakater/application users expect (issue 9 §4), checked on the rendered objects and
// on what the cluster model makes of them: sidecars and init containers, lifecycle, pod fields, NetworkPolicy (with
// the connections Linkerd needs), ServiceMonitor/PodMonitor, extraObjects.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as clientModels from '@kubernetes/client-node/dist/gen/models/all.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  admitObjects,
  allContainers,
  type Endpoint,
  linkerdControlPlaneFromValues,
  networkPolicyAllows,
  podSpecOf,
  scaleDownBlockers,
} from '../support/cluster/index.js';
import { HELMS } from '../support/helm.js';
import { validateK8sObject } from '../support/k8s-validate.js';
import { type BuiltChart, buildChart, ciScenarios, ciValuesFile, findObject, getObject, type K8sObject, NAMESPACE, renderObjects, ROOT } from './chart.js';

const CNI = linkerdControlPlaneFromValues({ cniEnabled: true });
const MONITORING_KINDS = ['ServiceMonitor', 'PodMonitor'];

describe.each(HELMS)('opta-service extras, Helm $version', (helm) => {
  let chart: BuiltChart;
  const rendered = new Map<string, K8sObject[]>();
  beforeAll(async () => {
    chart = await buildChart();
    await Promise.all(['sidecars', 'network-policy', 'service-monitor', 'extra-objects'].map(async (s) => rendered.set(s, (await renderObjects(helm, chart.archive, ['-f', ciValuesFile(s)])).objects)));
  });
  afterAll(() => chart?.cleanup());

  const render = async (values: string[]) => (await renderObjects(helm, chart.archive, values.flatMap((v) => ['--set', v]))).objects;

  test('sidecars: the app container stays first; each extra container inherits the restricted securityContext, its own fields winning', () => {
    const pod = podSpecOf(getObject(rendered.get('sidecars')!, 'Deployment'));
    expect(pod.containers.map((c: K8sObject) => c.name)).toEqual(['app', 'cache']);
    expect(pod.initContainers.map((c: K8sObject) => [c.name, c.restartPolicy])).toEqual([['migrate', undefined], ['log-shipper', 'Always']]);
    const app = pod.containers[0];
    for (const c of [...pod.initContainers, pod.containers[1]]) {
      expect(c.securityContext).toMatchObject(app.securityContext);
    }
    expect(pod.containers[1].securityContext.runAsUser).toBe(999);
    expect(app.securityContext.runAsUser).toBeUndefined();
  });

  test('sidecars: pod fields, envFrom after the chart\'s own, and the preStop sleep within the grace period', () => {
    const deployment = getObject(rendered.get('sidecars')!, 'Deployment');
    const pod = podSpecOf(deployment);
    expect(deployment.spec.revisionHistoryLimit).toBe(3);
    expect(pod).toMatchObject({
      priorityClassName: 'high-priority',
      runtimeClassName: 'gvisor',
      enableServiceLinks: true,
      shareProcessNamespace: true,
      hostAliases: [{ ip: '10.1.2.3', hostnames: ['legacy.internal'] }],
      dnsConfig: { options: [{ name: 'ndots', value: '2' }] },
      terminationGracePeriodSeconds: 45,
    });
    const app = pod.containers[0];
    expect(app.lifecycle).toEqual({ postStart: { exec: { command: ['/app/warm-cache'] } }, preStop: { sleep: { seconds: 15 } } });
    expect(app.envFrom).toEqual([
      { configMapRef: { name: 'shared-settings' } },
      { prefix: 'PAYMENT_', secretRef: { name: 'payment-keys' } },
      { configMapRef: { name: 'feature-flags', optional: true } },
    ]);
  });

  test('defaults: enableServiceLinks off, a 5 s preStop sleep on services with ports, none on workers and cron jobs', async () => {
    const objects = await render([]);
    const pod = podSpecOf(getObject(objects, 'Deployment'));
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
    for (const k of ['priorityClassName', 'runtimeClassName', 'hostAliases', 'dnsConfig', 'shareProcessNamespace', 'initContainers']) expect(pod).not.toHaveProperty(k);
    expect(getObject(objects, 'Deployment').spec).not.toHaveProperty('revisionHistoryLimit');
    const worker = podSpecOf(getObject(await render(['ports=null']), 'Deployment'));
    expect(worker.containers[0]).not.toHaveProperty('lifecycle');
    const cron = await renderObjects(helm, chart.archive, ['-f', ciValuesFile('cron-jobs')]);
    for (const c of cron.objects.filter((o) => o.kind === 'CronJob')) expect(podSpecOf(c).containers[0]).not.toHaveProperty('lifecycle');
    const off = podSpecOf(getObject(await render(['lifecycle.preStopSleepSeconds=null']), 'Deployment'));
    expect(off.containers[0]).not.toHaveProperty('lifecycle');
  });

  test('sidecars and init containers stay out of cron job pods (a regular sidecar would keep the Job from completing)', async () => {
    const objects = await renderObjects(helm, chart.archive, ['-f', ciValuesFile('sidecars'), '--set', 'cronJobs[0].name=nightly,cronJobs[0].schedule=@daily,cronJobs[0].command[0]=/app/nightly']);
    const cron = podSpecOf(getObject(objects.objects, 'CronJob'));
    expect(cron.containers.map((c: K8sObject) => c.name)).toEqual(['job']);
    expect(cron).not.toHaveProperty('initContainers');
  });

  test('sidecars, admitted: Linkerd\'s proxy starts before the user\'s init containers, copies the app container\'s securityContext, the HPA still measures the app', () => {
    const objects = rendered.get('sidecars')!;
    const admission = admitObjects(objects, { namespace: NAMESPACE, linkerd: CNI, level: 'restricted' });
    expect(admission.problems).toEqual([]);
    const [pod] = admission.pods;
    expect(pod.admittedPod.spec.initContainers.map((c: K8sObject) => c.name)).toEqual(['linkerd-network-validator', 'linkerd-proxy', 'migrate', 'log-shipper']);
    expect(pod.admittedPod.spec.containers.map((c: K8sObject) => c.name)).toEqual(['app', 'cache']);
    const hpa = getObject(objects, 'HorizontalPodAutoscaler');
    expect(hpa.spec.metrics.map((m: K8sObject) => m.containerResource.container)).toEqual(['app', 'app']);
  });

  test('sidecars: an emptyDir the sidecars use blocks node scale-down unless listed in scratchVolumes', () => {
    const deployment = structuredClone(getObject(rendered.get('sidecars')!, 'Deployment'));
    const annotations = deployment.spec.template.metadata.annotations;
    expect(annotations['cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes']).toBe('tmp,logs,linkerd-proxy-init-xtables-lock');
    annotations['cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes'] = 'tmp';
    expect(scaleDownBlockers(deployment.spec.template, { kind: 'Deployment' }).join('\n')).toMatch(/volumes logs not in/);
  });

  describe('network-policy: the connections the service and Linkerd need, and no others', () => {
    let objects: K8sObject[];
    let app: Endpoint;
    let cron: Endpoint;
    const pod = (namespace: string, labels: Record<string, string> = {}): Endpoint => ({ kind: 'pod', namespace, labels });
    beforeAll(() => {
      objects = rendered.get('network-policy')!;
      const admitted = admitObjects(objects, { namespace: NAMESPACE, linkerd: CNI, level: 'restricted' });
      expect(admitted.problems).toEqual([]);
      const endpoint = (kind: string): Endpoint => {
        const p = admitted.pods.find((x) => x.workload.startsWith(kind))!.admittedPod;
        return { kind: 'pod', namespace: NAMESPACE, labels: p.metadata.labels, ports: allContainers(p.spec).flatMap((c) => c.ports ?? []) };
      };
      app = endpoint('Deployment');
      cron = endpoint('CronJob');
    });
    const allows = (from: Endpoint, to: Endpoint, port: number, protocol: 'TCP' | 'UDP' = 'TCP') => networkPolicyAllows(objects, { from, to, port, protocol });

    test('inbound: the namespace on any port; the edge to the http port and the proxy; other namespaces not', () => {
      for (const port of [8080, 5672, 4143]) expect(allows(pod(NAMESPACE), app, port), String(port)).toBe(true);
      for (const edge of ['ingress-nginx', 'envoy-gateway-system']) {
        expect(allows(pod(edge), app, 8080), edge).toBe(true);
        expect(allows(pod(edge), app, 4143), `${edge} through the proxy's inbound port`).toBe(true);
        expect(allows(pod(edge), app, 5672), `${edge}: amqp is not routed by the edge`).toBe(false);
      }
      expect(allows(pod('other'), app, 8080)).toBe(false);
    });

    test('inbound: the user rule by port name, plus 4143 for meshed clients of the opaque port', () => {
      expect(allows(pod('billing'), app, 5672)).toBe(true);
      expect(allows(pod('billing'), app, 4143)).toBe(true);
      expect(allows(pod('billing'), app, 8080)).toBe(false);
    });

    test('inbound: the Datadog agent and Prometheus reach the proxy\'s metrics port, Prometheus the app\'s metrics; the kubelet everything', () => {
      expect(allows(pod('opta-system'), app, 4191)).toBe(true);
      expect(allows(pod('opta-system'), app, 8080)).toBe(false);
      for (const port of [8080, 4191, 4143]) expect(allows(pod('monitoring'), app, port), String(port)).toBe(true);
      for (const port of [8080, 4191]) expect(allows({ kind: 'node' }, app, port)).toBe(true);
    });

    test('outbound: DNS, the namespace, Linkerd\'s identity, destination and policy servers; the user\'s rules; nothing else', () => {
      const identity = pod('opta-system', { 'linkerd.io/control-plane-component': 'identity' });
      const destination = pod('opta-system', { 'linkerd.io/control-plane-component': 'destination' });
      for (const from of [app, cron]) {
        expect(allows(from, pod('kube-system', { 'k8s-app': 'kube-dns' }), 53, 'UDP')).toBe(true);
        expect(allows(from, pod('kube-system', { 'k8s-app': 'kube-dns' }), 53, 'TCP')).toBe(true);
        expect(allows(from, identity, 8080)).toBe(true);
        expect(allows(from, destination, 8086)).toBe(true);
        expect(allows(from, destination, 8090)).toBe(true);
        expect(allows(from, pod(NAMESPACE, { app: 'peer' }), 9000)).toBe(true);
        expect(allows(from, { kind: 'node' }, 8126)).toBe(true); // the Datadog agent's host port
        expect(allows(from, { kind: 'external', ip: '10.20.3.4' }, 5432)).toBe(true);
        expect(allows(from, { kind: 'external', ip: '93.184.216.34' }, 443)).toBe(true);
        expect(allows(from, { kind: 'external', ip: '169.254.169.254' }, 443)).toBe(false);
        expect(allows(from, { kind: 'external', ip: '93.184.216.34' }, 80)).toBe(false);
        expect(allows(from, pod('opta-system', { app: 'other' }), 8086)).toBe(false);
      }
    });

    test('unmeshed: no proxy ports are opened', async () => {
      const unmeshed = await renderObjects(helm, chart.archive, ['-f', ciValuesFile('network-policy'), '--set', 'linkerd.inject=false']);
      const policy = getObject(unmeshed.objects, 'NetworkPolicy');
      expect(JSON.stringify(policy.spec)).not.toMatch(/4143|4191|8086/);
    });
  });

  test('route with a NetworkPolicy: the Gateway\'s proxies (namespace of route.parentRefs) reach the routed port', async () => {
    const { objects } = await renderObjects(helm, chart.archive, ['-f', ciValuesFile('route'), '--set', 'networkPolicy.enabled=true']);
    const route = getObject(objects, 'HTTPRoute');
    const port = podSpecOf(getObject(objects, 'Deployment')).containers[0].ports[0].containerPort;
    const app: Endpoint = { kind: 'pod', namespace: NAMESPACE, labels: getObject(objects, 'Deployment').spec.template.metadata.labels };
    for (const parent of route.spec.parentRefs) {
      expect(networkPolicyAllows(objects, { from: { kind: 'pod', namespace: parent.namespace, labels: {} }, to: app, port }), parent.namespace).toBe(true);
    }
  });

  test('network-policy off by default; egress left open unless restrictEgress', async () => {
    expect(findObject(await render([]), 'NetworkPolicy')).toBeUndefined();
    const policy = getObject(await render(['networkPolicy.enabled=true']), 'NetworkPolicy');
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec).not.toHaveProperty('egress');
    // No edge: no rule with an empty namespace list (the API server refuses `In` without values).
    const internal = getObject(await render(['networkPolicy.enabled=true', 'networkPolicy.edgeNamespaces=null']), 'NetworkPolicy');
    expect(internal.spec.ingress).toEqual([{ from: [{ podSelector: {} }] }]);
  });

  test('service-monitor: selects the Service by its labels and names its port; strict against the CRD schema', () => {
    const objects = rendered.get('service-monitor')!;
    const monitor = getObject(objects, 'ServiceMonitor');
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'app')!;
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(monitor.spec.namespaceSelector).toEqual({ matchNames: [NAMESPACE] });
    expect(service.spec.ports.map((p: K8sObject) => p.name)).toContain(monitor.spec.endpoints[0].port);
    expect(monitor.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(monitor.spec.endpoints[0]).toMatchObject({ port: 'metrics', path: '/prometheus', interval: '30s', scrapeTimeout: '10s', scheme: 'http' });
    const bad = structuredClone(monitor);
    bad.spec.endpoints[0].targetPort = 9102;
    bad.spec.endpoints[0].relabelings[0].action = 'Rename';
    const problems = validateK8sObject(bad).join('\n');
    expect(problems).toMatch(/relabelings\/0\/action/);
  });

  test('the CRD check rejects an unknown field at any depth', () => {
    const monitor = structuredClone(getObject(rendered.get('service-monitor')!, 'ServiceMonitor'));
    monitor.spec.endpoints[0].metricRelabelings[0].sourceLabel = ['x'];
    expect(validateK8sObject(monitor)).toEqual([expect.stringMatching(/ServiceMonitor\/app: .*'"sourceLabel"' is not a field of the CRD schema/)]);
  });

  test('network-policy\'s PodMonitor selects the long-running pods (not the cron pods) by their container port name', () => {
    const objects = rendered.get('network-policy')!;
    const monitor = getObject(objects, 'PodMonitor');
    const deployment = getObject(objects, 'Deployment');
    expect(deployment.spec.template.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(getObject(objects, 'CronJob').spec.jobTemplate.spec.template.metadata.labels).not.toMatchObject(monitor.spec.selector.matchLabels);
    expect(podSpecOf(deployment).containers[0].ports.map((p: K8sObject) => p.name)).toContain(monitor.spec.podMetricsEndpoints[0].port);
  });

  test('monitoring.coreos.com objects appear only when monitor.enabled, so no other scenario needs the CRDs', async () => {
    for (const scenario of ciScenarios().filter((s) => !['service-monitor', 'network-policy'].includes(s))) {
      const { objects } = await renderObjects(helm, chart.archive, ['-f', ciValuesFile(scenario)]);
      expect(objects.filter((o) => MONITORING_KINDS.includes(o.kind)), scenario).toEqual([]);
    }
  });

  test('extra-objects: objects and strings rendered through tpl', () => {
    const objects = rendered.get('extra-objects')!;
    const dashboards = objects.find((o) => o.metadata.name === 'app-dashboards')!;
    expect(dashboards).toMatchObject({ kind: 'ConfigMap', metadata: { namespace: NAMESPACE }, data: { 'reports.json': '{"title": "app reports"}' } });
    const legacy = objects.find((o) => o.metadata.name === 'app-legacy')!;
    expect(legacy.spec).toEqual({ type: 'ExternalName', externalName: `reports.legacy.${NAMESPACE}.svc.cluster.local` });
  });
});

describe('schema rules for Kubernetes objects use exactly the fields of the Kubernetes types', () => {
  const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'opta-service.values.schema.json'), 'utf8'));
  const models = clientModels as unknown as Record<string, { attributeTypeMap?: { baseName: string }[] }>;
  const fields = (model: string) => models[model].attributeTypeMap!.map((a) => a.baseName).sort();
  const keys = (node: { properties: Record<string, unknown> }) => Object.keys(node.properties).sort();
  const defs = schema.definitions;

  test.each([
    ['networkPolicyIngressRule', 'V1NetworkPolicyIngressRule'],
    ['networkPolicyEgressRule', 'V1NetworkPolicyEgressRule'],
    ['networkPolicyPeer', 'V1NetworkPolicyPeer'],
    ['networkPolicyPort', 'V1NetworkPolicyPort'],
    ['labelSelector', 'V1LabelSelector'],
    ['envFromSource', 'V1EnvFromSource'],
  ])('%s = %s', (def, model) => {
    expect(keys(defs[def])).toEqual(fields(model));
  });

  test('nested ones too: IPBlock, LabelSelectorRequirement, HostAlias, PodDNSConfig, PodDNSConfigOption, ConfigMapEnvSource', () => {
    expect(keys(defs.networkPolicyPeer.properties.ipBlock)).toEqual(fields('V1IPBlock'));
    expect(keys(defs.labelSelector.properties.matchExpressions.items)).toEqual(fields('V1LabelSelectorRequirement'));
    expect(keys(schema.properties.hostAliases.items)).toEqual(fields('V1HostAlias'));
    expect(keys(schema.properties.dnsConfig)).toEqual(fields('V1PodDNSConfig'));
    expect(keys(schema.properties.dnsConfig.properties.options.items)).toEqual(fields('V1PodDNSConfigOption'));
    expect(keys(defs.objectRef)).toEqual(fields('V1ConfigMapEnvSource'));
    expect(keys(defs.objectRef)).toEqual(fields('V1SecretEnvSource'));
  });
});
