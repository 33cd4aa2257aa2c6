// Whether cluster-autoscaler may evict a pod when it scales a node down.
// Source: kubernetes/autoscaler cluster-autoscaler-1.35.0 — rule order in
// cluster-autoscaler/simulator/drainability/rules/rules.go (the first rule with an outcome decides), the rules in
// simulator/drainability/rules/{mirror,daemonset,safetoevict,replicated,system,notsafetoevict,localstorage}/rule.go,
// helpers and annotation keys in cluster-autoscaler/utils/drain/drain.go and utils/pod/pod.go, flag defaults in
// config/flags/flags.go (--skip-nodes-with-local-storage, --skip-nodes-with-system-pods,
// --skip-nodes-with-custom-controller-pods: all true).
// Not modelled (need a live cluster): long-terminating and terminal pods, controllers missing or below
// --min-replica-count, PDBs without disruptions left.
import type { Obj, PodTemplate } from './objects.js';

const SAFE_TO_EVICT = 'cluster-autoscaler.kubernetes.io/safe-to-evict';
const SAFE_LOCAL_VOLUMES = 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes';

export interface ScaleDownOptions {
  /** The pod's namespace when its metadata has none. */
  namespace?: string;
  /** A PodDisruptionBudget selects the pod (matters to kube-system pods). */
  hasPdb?: boolean;
  skipNodesWithLocalStorage?: boolean;
  skipNodesWithSystemPods?: boolean;
  skipNodesWithCustomControllerPods?: boolean;
}

/** The kind of the pod's controller (ownerReference) for pods created by a workload of `kind`. */
export function podControllerKind(workloadKind: string | undefined): string | undefined {
  if (workloadKind === 'Deployment') return 'ReplicaSet';
  if (workloadKind === 'CronJob') return 'Job';
  if (workloadKind === 'Pod' || !workloadKind) return undefined;
  return workloadKind;
}

/** drain.isLocalVolume: hostPath, and emptyDir unless its medium is Memory. */
export function isLocalVolume(volume: Obj): boolean {
  return Boolean(volume.hostPath) || (Boolean(volume.emptyDir) && volume.emptyDir.medium !== 'Memory');
}

/**
 * Why cluster-autoscaler would not remove a node running this pod (its own messages), [] when the pod can be
 * evicted. `owner` is the workload that creates the pod (Deployment, StatefulSet, …) or undefined for a bare Pod.
 * The autoscaler stops at the first blocker; all are listed so that one fix does not hide the next.
 */
export function scaleDownBlockers(pod: PodTemplate, owner: { kind: string } | undefined, opts: ScaleDownOptions = {}): string[] {
  const annotations: Record<string, string> = pod.metadata?.annotations ?? {};
  const name = pod.metadata?.name ?? pod.metadata?.generateName ?? 'pod';
  const namespace = pod.metadata?.namespace ?? opts.namespace ?? 'default';
  const controller = podControllerKind(owner?.kind);
  // Decisive "drainable"/"skip" outcomes come first in the rule order.
  if ('kubernetes.io/config.mirror' in annotations) return [];
  if (controller === 'DaemonSet' || annotations['cluster-autoscaler.kubernetes.io/daemonset-pod'] === 'true') return [];
  if (annotations[SAFE_TO_EVICT] === 'true') return [];

  const blockers: string[] = [];
  const replicatedKinds = ['ReplicationController', 'Job', 'ReplicaSet', 'StatefulSet'];
  const replicated = controller !== undefined && (opts.skipNodesWithCustomControllerPods === false || replicatedKinds.includes(controller));
  if (!replicated) blockers.push(`${namespace}/${name} is not replicated`);
  if (opts.skipNodesWithSystemPods !== false && namespace === 'kube-system' && !opts.hasPdb)
    blockers.push(
      `non-daemonset, non-mirrored, non-pdb-assigned kube-system pod present: ${name} (until --blocking-system-pod-distruption-timeout, 1h, after its creation)`,
    );
  if (annotations[SAFE_TO_EVICT] === 'false') blockers.push(`pod annotated as not safe to evict present: ${name}`);
  if (opts.skipNodesWithLocalStorage !== false) {
    // Every local volume must be listed; a partial list leaves the others blocking.
    const listed = new Set((annotations[SAFE_LOCAL_VOLUMES] ?? '').split(',').filter((v) => v !== ''));
    const blocking = (pod.spec.volumes ?? []).filter((v: Obj) => isLocalVolume(v) && !listed.has(v.name)).map((v: Obj) => v.name);
    if (blocking.length) blockers.push(`pod with local storage present: ${name} (volumes ${blocking.join(', ')} not in ${SAFE_LOCAL_VOLUMES})`);
  }
  return blockers;
}
