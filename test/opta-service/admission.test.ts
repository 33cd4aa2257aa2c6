// Every ci scenario as an opta-base cluster admits it (test/support/cluster): Linkerd's injector in both modes,
// Pod Security, cluster-autoscaler's eviction rules and the HPA's metric rules on the admitted pods.
// The control plane is opta-base's, read from chart-templates/opta-base/stack.catalog.yaml, and each mode explicitly.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { admissionProblems, admitObjects, hpaMetricProblems, type LinkerdControlPlane, linkerdControlPlaneFromValues, optaBaseLinkerd, podSpecOf } from '../support/cluster/index.js';
import { HELMS } from '../support/helm.js';
import { type BuiltChart, buildChart, ciScenarios, ciValuesFile, getObject, type K8sObject, NAMESPACE, renderObjects } from './chart.js';

const SCENARIOS = ['(defaults)', ...ciScenarios()];
const CNI = linkerdControlPlaneFromValues({ cniEnabled: true });
const PROXY_INIT = linkerdControlPlaneFromValues({ cniEnabled: false });
/** The one thing that keeps a meshed pod out of "baseline" without the CNI plugin (README: Pod Security per Linkerd mode). */
const LINKERD_INIT_CAPABILITIES = /linkerd-init.*(NET_ADMIN|NET_RAW)|(NET_ADMIN|NET_RAW).*linkerd-init/;

const admit = (objects: K8sObject[], linkerd: LinkerdControlPlane, level: 'baseline' | 'restricted') => admissionProblems(objects, { namespace: NAMESPACE, linkerd, level });

describe.each(HELMS)('opta-service admitted to an opta-base cluster, Helm $version', (helm) => {
  let chart: BuiltChart;
  let catalogLinkerd: LinkerdControlPlane;
  const rendered = new Map<string, K8sObject[]>();
  beforeAll(async () => {
    chart = await buildChart();
    catalogLinkerd = await optaBaseLinkerd('aws');
    await Promise.all(
      SCENARIOS.map(async (s) => rendered.set(s, (await renderObjects(helm, chart.archive, s === '(defaults)' ? [] : ['-f', ciValuesFile(s)])).objects)),
    );
  });
  afterAll(() => chart?.cleanup());

  test.each(SCENARIOS)("%s: with opta-base's control plane (catalog values) the cluster takes it at the level the README claims", (scenario) => {
    const objects = rendered.get(scenario)!;
    const problems = admit(objects, catalogLinkerd, 'restricted');
    if (catalogLinkerd.cniEnabled) expect(problems).toEqual([]);
    else expect(problems.filter((p) => !LINKERD_INIT_CAPABILITIES.test(p))).toEqual([]);
  });

  test.each(SCENARIOS)('%s: Linkerd CNI mode passes "restricted", metrics computable, nodes drainable', (scenario) => {
    expect(admit(rendered.get(scenario)!, CNI, 'restricted')).toEqual([]);
  });

  test.each(SCENARIOS)('%s: proxy-init mode fails "baseline" only by linkerd-init\'s NET_ADMIN/NET_RAW, and only when meshed', (scenario) => {
    const objects = rendered.get(scenario)!;
    for (const level of ['baseline', 'restricted'] as const) {
      const problems = admit(objects, PROXY_INIT, level);
      expect(problems.filter((p) => !LINKERD_INIT_CAPABILITIES.test(p)), level).toEqual([]);
      const meshed = admitObjects(objects, { namespace: NAMESPACE, linkerd: PROXY_INIT, level }).pods.filter((p) =>
        (p.admittedPod.spec.initContainers ?? []).some((c: { name: string }) => c.name === 'linkerd-init'),
      );
      // Every meshed workload is refused, and a refusal is always linkerd-init's.
      expect(new Set(problems.map((p) => p.split(':')[0])), level).toEqual(new Set(meshed.map((p) => p.workload)));
    }
  });

  test('the admitted pod of a meshed web service: proxy resources from the annotations, HPA on the app container', () => {
    const objects = rendered.get('meshed-autoscaled-web')!;
    for (const linkerd of [CNI, PROXY_INIT]) {
      const [pod] = admitObjects(objects, { namespace: NAMESPACE, linkerd, level: 'baseline' }).pods;
      const proxy = [...(pod.admittedPod.spec.initContainers ?? []), ...pod.admittedPod.spec.containers].find((c: { name: string }) => c.name === 'linkerd-proxy');
      expect(proxy.resources).toEqual({ limits: { memory: '128Mi' }, requests: { cpu: '50m', memory: '32Mi' } });
    }
  });

  test('the model proves the fix: a Resource metric on the admitted pod fails when the control plane sets no proxy request', () => {
    const objects = rendered.get('meshed-autoscaled-web')!;
    const hpa = getObject(objects, 'HorizontalPodAutoscaler');
    const deployment = getObject(objects, 'Deployment');
    const noAnnotations = structuredClone(deployment);
    for (const k of Object.keys(noAnnotations.spec.template.metadata.annotations)) if (k.startsWith('config.linkerd.io/proxy-')) delete noAnnotations.spec.template.metadata.annotations[k];
    const [pod] = admitObjects([noAnnotations], { namespace: NAMESPACE, linkerd: CNI, level: 'restricted' }).pods;
    const resourceHpa = structuredClone(hpa);
    resourceHpa.spec.metrics = hpa.spec.metrics.map((m: K8sObject) => ({ type: 'Resource', resource: { name: m.containerResource.name, target: m.containerResource.target } }));
    expect(hpaMetricProblems(resourceHpa, pod.admittedPod.spec, noAnnotations).join('\n')).toMatch(/linkerd-proxy/);
    // The chart's ContainerResource metrics compute even then.
    expect(hpaMetricProblems(hpa, pod.admittedPod.spec, noAnnotations)).toEqual([]);
  });

  test('scratch volumes: without the safe-to-evict list the chart\'s /tmp and linkerd-init\'s xtables lock pin the node', () => {
    const objects = rendered.get('minimal')!;
    const stripped = structuredClone(objects);
    delete getObject(stripped, 'Deployment').spec.template.metadata.annotations['cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes'];
    const problems = admit(stripped, PROXY_INIT, 'baseline').filter((p) => !LINKERD_INIT_CAPABILITIES.test(p));
    expect(problems.join('\n')).toMatch(/volumes tmp, linkerd-proxy-init-xtables-lock not in cluster-autoscaler.kubernetes.io\/safe-to-evict-local-volumes/);
  });

  test('cron jobs run the proxy as a native sidecar whatever the control plane says, so their Jobs complete', () => {
    const objects = rendered.get('cron-jobs')!;
    const noNative = linkerdControlPlaneFromValues({ cniEnabled: true, proxy: { nativeSidecar: false } });
    const pods = admitObjects(objects, { namespace: NAMESPACE, linkerd: noNative, level: 'restricted' }).pods;
    for (const pod of pods.filter((p) => p.workload.startsWith('CronJob'))) {
      const proxy = (pod.admittedPod.spec.initContainers ?? []).find((c: { name: string }) => c.name === 'linkerd-proxy');
      expect(proxy?.restartPolicy, pod.workload).toBe('Always');
      expect(pod.admittedPod.spec.containers.map((c: { name: string }) => c.name)).toEqual(['job']);
    }
    // The long-running pods follow the control plane.
    const deployment = pods.find((p) => p.workload.startsWith('Deployment'))!;
    expect(deployment.admittedPod.spec.containers.map((c: { name: string }) => c.name)).toContain('linkerd-proxy');
    expect(podSpecOf(getObject(objects, 'Deployment')).containers).toHaveLength(1);
  });
});
