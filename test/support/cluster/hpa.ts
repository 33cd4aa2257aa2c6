// What the HorizontalPodAutoscaler controller needs from the pods it scales to compute its metrics.
// Source: kubernetes/kubernetes pkg/controller/podautoscaler/replica_calculator.go (1.31 calculatePodRequests;
// 1.34+ calculateRequests / calculatePodRequestsFromContainers / calculatePodLevelRequests) and
// pkg/controller/podautoscaler/metrics/client.go (getContainerMetrics); default metric in
// pkg/apis/autoscaling/v2/defaults.go (no metrics = CPU Utilization 80%).
// Rule: a `Resource` metric with a `Utilization` target sums the requests of every regular container AND every
// restartable init container (native sidecar, `restartPolicy: Always`, e.g. Linkerd's proxy in native-sidecar mode);
// one container without a request fails the whole metric. Pod-level `spec.resources.requests` (PodLevelResources,
// on by default since 1.34) replace the sum. `ContainerResource` measures only the named container.
// `AverageValue`/`Value` targets need no request.
import { labelOf, type Obj } from './objects.js';

interface ResourceMetric {
  kind: 'Resource' | 'ContainerResource';
  resource: string;
  container?: string;
  targetType: string;
}

/** The resource metrics of an autoscaling/v2 (or v1) HPA, after API defaulting. */
function resourceMetrics(hpa: Obj): ResourceMetric[] {
  const spec = hpa.spec ?? {};
  if (hpa.apiVersion === 'autoscaling/v1') return [{ kind: 'Resource', resource: 'cpu', targetType: 'Utilization' }]; // targetCPUUtilizationPercentage, default 80
  const metrics: Obj[] = spec.metrics?.length ? spec.metrics : [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization' } } }];
  return metrics.flatMap((m): ResourceMetric[] => {
    if (m.type === 'Resource') return [{ kind: 'Resource', resource: m.resource?.name, targetType: m.resource?.target?.type }];
    if (m.type === 'ContainerResource')
      return [
        {
          kind: 'ContainerResource',
          resource: m.containerResource?.name,
          container: m.containerResource?.container,
          targetType: m.containerResource?.target?.type,
        },
      ];
    return []; // Pods, Object, External metrics do not look at requests.
  });
}

const group = (apiVersion: string | undefined) => (apiVersion?.includes('/') ? apiVersion.split('/')[0] : '');

/**
 * Why the HPA controller cannot compute `hpa`'s metrics for pods shaped like `admittedPodSpec` (the spec after
 * admission: Linkerd's injector included). `workload` is the object the HPA should scale. [] when all metrics work.
 */
export function hpaMetricProblems(hpa: Obj, admittedPodSpec: Obj, workload?: Obj): string[] {
  const at = labelOf(hpa);
  const ref = hpa.spec?.scaleTargetRef ?? {};
  const problems: string[] = [];
  if (workload && (ref.kind !== workload.kind || ref.name !== workload.metadata?.name || group(ref.apiVersion) !== group(workload.apiVersion)))
    problems.push(`${at}: scaleTargetRef ${ref.apiVersion}/${ref.kind}/${ref.name} does not name ${workload.apiVersion}/${labelOf(workload)}`);
  const podName = `${ref.name ?? workload?.metadata?.name ?? 'pod'}-xxxxx`;
  // Regular containers, then restartable init containers: the order the controller walks them.
  const counted: Obj[] = [
    ...(admittedPodSpec.containers ?? []),
    ...(admittedPodSpec.initContainers ?? []).filter((c: Obj) => c.restartPolicy === 'Always'),
  ];
  for (const m of resourceMetrics(hpa)) {
    if (m.targetType !== 'Utilization') continue;
    const failed = `${at}: failed to get ${m.resource} utilization: `;
    if (m.kind === 'ContainerResource') {
      const container = counted.find((c) => c.name === m.container);
      if (!container) problems.push(`${failed}container ${m.container} not present in metrics for pod ${podName}`);
      else if (container.resources?.requests?.[m.resource] === undefined)
        problems.push(`${failed}missing request for ${m.resource} in container ${m.container} of Pod ${podName}`);
      continue;
    }
    if (admittedPodSpec.resources?.requests?.[m.resource] !== undefined) continue; // pod-level requests
    const missing = counted.find((c) => c.resources?.requests?.[m.resource] === undefined);
    if (missing) problems.push(`${failed}missing request for ${m.resource} in container ${missing.name} of Pod ${podName}`);
  }
  return problems;
}
