// Shapes shared by the cluster model: loosely typed Kubernetes objects and the pod templates of workloads.

/** A Kubernetes object or fragment as parsed from YAML. */
export type Obj = Record<string, any>;

/** A pod template (or a pod): what admission controllers see when the pod is created. */
export interface PodTemplate {
  metadata: Obj;
  spec: Obj;
}

/** Kinds whose objects carry a pod template, and the path to it. */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'] as const;

/** `Kind/name`, the way problems name an object. */
export function labelOf(obj: Obj): string {
  return `${obj?.kind ?? '?'}/${obj?.metadata?.name ?? '?'}`;
}

/** The pod template of a workload (the Pod itself for a Pod); undefined for other kinds. */
export function podTemplateOf(workload: Obj): PodTemplate | undefined {
  const template =
    workload.kind === 'Pod'
      ? workload
      : workload.kind === 'CronJob'
        ? workload.spec?.jobTemplate?.spec?.template
        : (WORKLOAD_KINDS as readonly string[]).includes(workload.kind)
          ? workload.spec?.template
          : undefined;
  if (!template?.spec) return undefined;
  return { metadata: template.metadata ?? {}, spec: template.spec };
}

/** Pod spec of a workload object, or the spec of a Pod; throws for objects without a pod template. */
export function podSpecOf(workload: Obj): Obj {
  const template = podTemplateOf(workload);
  if (!template) throw new Error(`${labelOf(workload)}: no pod template`);
  return template.spec;
}

/** Every container of a pod spec with where it sits: init containers, containers, ephemeral containers. */
export function allContainers(spec: Obj): Obj[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

/** Deep copy of plain JSON data. */
export function clone<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/** Whether labels match a metav1.LabelSelector (matchLabels and matchExpressions; an empty selector matches all). */
export function matchesSelector(labels: Obj = {}, selector: Obj = {}): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  return (selector.matchExpressions ?? []).every((e: Obj) => {
    const has = e.key in labels;
    switch (e.operator) {
      case 'In':
        return has && e.values.includes(labels[e.key]);
      case 'NotIn':
        return !has || !e.values.includes(labels[e.key]);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        throw new Error(`label selector: unknown operator ${e.operator}`);
    }
  });
}
