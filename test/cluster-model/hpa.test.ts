// The HPA controller's metric rules as modelled in test/support/cluster/hpa.ts.
import { describe, expect, test } from 'vitest';
import { hpaMetricProblems, injectLinkerd, linkerdControlPlaneFromValues } from '../support/cluster/index.js';
import { cpuUtilization, deployment, hpa, restrictedPod } from './fixtures.js';

const ns = { name: 'web' };
const defaults = linkerdControlPlaneFromValues();
const memoryUtilization = { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } };
const containerCpu = (container: string) => ({
  type: 'ContainerResource',
  containerResource: { name: 'cpu', container, target: { type: 'Utilization', averageUtilization: 80 } },
});
const web = deployment('web', restrictedPod());

describe('Resource metrics with a Utilization target', () => {
  test('pass when every container has the request', () => {
    expect(hpaMetricProblems(hpa('web', [cpuUtilization, memoryUtilization]), restrictedPod().spec, web)).toEqual([]);
  });

  test('fail with the controller message when a container has no request', () => {
    const pod = restrictedPod({ requests: { memory: '128Mi' } });
    expect(hpaMetricProblems(hpa('web', [cpuUtilization]), pod.spec, web)).toEqual([
      'HorizontalPodAutoscaler/web: failed to get cpu utilization: missing request for cpu in container app of Pod web-xxxxx',
    ]);
  });

  test("an injected pod with the chart's empty proxy requests fails on the native-sidecar proxy (restartable init containers count)", () => {
    const admitted = injectLinkerd(restrictedPod(), ns, defaults);
    expect(hpaMetricProblems(hpa('web', [cpuUtilization, memoryUtilization]), admitted.spec, web)).toEqual([
      'HorizontalPodAutoscaler/web: failed to get cpu utilization: missing request for cpu in container linkerd-proxy of Pod web-xxxxx',
      'HorizontalPodAutoscaler/web: failed to get memory utilization: missing request for memory in container linkerd-proxy of Pod web-xxxxx',
    ]);
  });

  test('the same failure without native sidecars (proxy as a regular container)', () => {
    const pod = restrictedPod({ annotations: { 'config.alpha.linkerd.io/proxy-enable-native-sidecar': 'false' } });
    expect(hpaMetricProblems(hpa('web', [cpuUtilization]), injectLinkerd(pod, ns, defaults).spec, web)).toEqual([
      'HorizontalPodAutoscaler/web: failed to get cpu utilization: missing request for cpu in container linkerd-proxy of Pod web-xxxxx',
    ]);
  });

  test('linkerd-init (run-to-completion init container) is not counted; proxy request annotations fix the metric', () => {
    const pod = restrictedPod({ annotations: { 'config.linkerd.io/proxy-cpu-request': '100m', 'config.linkerd.io/proxy-memory-request': '20Mi' } });
    expect(hpaMetricProblems(hpa('web', [cpuUtilization, memoryUtilization]), injectLinkerd(pod, ns, defaults).spec, web)).toEqual([]);
  });

  test('control-plane proxy.resources requests fix it too', () => {
    const cp = linkerdControlPlaneFromValues({ proxy: { resources: { cpu: { request: '100m' }, memory: { request: '20Mi' } } } });
    expect(hpaMetricProblems(hpa('web', [cpuUtilization, memoryUtilization]), injectLinkerd(restrictedPod(), ns, cp).spec, web)).toEqual([]);
  });

  test('pod-level requests replace the per-container sum', () => {
    const admitted = injectLinkerd(restrictedPod(), ns, defaults);
    admitted.spec.resources = { requests: { cpu: '1' } };
    expect(hpaMetricProblems(hpa('web', [cpuUtilization]), admitted.spec, web)).toEqual([]);
  });

  test('no metrics means the API default: CPU utilization 80%; autoscaling/v1 is CPU utilization', () => {
    const admitted = injectLinkerd(restrictedPod(), ns, defaults).spec;
    expect(hpaMetricProblems(hpa('web', []), admitted, web)).toHaveLength(1);
    const v1 = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 2 },
    };
    expect(hpaMetricProblems(v1, admitted, web)).toEqual([
      'HorizontalPodAutoscaler/web: failed to get cpu utilization: missing request for cpu in container linkerd-proxy of Pod web-xxxxx',
    ]);
  });
});

describe('other metric types', () => {
  const admitted = injectLinkerd(restrictedPod(), ns, defaults).spec;

  test('ContainerResource on the app container passes on an injected pod without proxy requests', () => {
    expect(hpaMetricProblems(hpa('web', [containerCpu('app')]), admitted, web)).toEqual([]);
  });

  test('ContainerResource fails for a missing container or a container without the request', () => {
    expect(hpaMetricProblems(hpa('web', [containerCpu('api')]), admitted, web)).toEqual([
      'HorizontalPodAutoscaler/web: failed to get cpu utilization: container api not present in metrics for pod web-xxxxx',
    ]);
    expect(hpaMetricProblems(hpa('web', [containerCpu('linkerd-proxy')]), admitted, web)).toEqual([
      'HorizontalPodAutoscaler/web: failed to get cpu utilization: missing request for cpu in container linkerd-proxy of Pod web-xxxxx',
    ]);
  });

  test('AverageValue targets and Pods/External metrics need no request', () => {
    const averageValue = { type: 'Resource', resource: { name: 'cpu', target: { type: 'AverageValue', averageValue: '200m' } } };
    const pods = { type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '10' } } };
    expect(hpaMetricProblems(hpa('web', [averageValue, pods]), admitted, web)).toEqual([]);
  });
});

test('scaleTargetRef must name the workload (kind, name and API group)', () => {
  const pod = restrictedPod().spec;
  expect(hpaMetricProblems(hpa('web', [cpuUtilization]), pod, deployment('api', restrictedPod()))).toEqual([
    'HorizontalPodAutoscaler/web: scaleTargetRef apps/v1/Deployment/web does not name apps/v1/Deployment/api',
  ]);
  const wrongGroup = hpa('web', [cpuUtilization]);
  wrongGroup.spec.scaleTargetRef.apiVersion = 'extensions/v1beta1';
  expect(hpaMetricProblems(wrongGroup, pod, web)).toHaveLength(1);
});
