// cluster-autoscaler's drainability rules (1.35.0) as modelled in test/support/cluster/cluster-autoscaler.ts.
import { describe, expect, test } from 'vitest';
import { injectLinkerd, linkerdControlPlaneFromValues, type PodTemplate, scaleDownBlockers } from '../support/cluster/index.js';
import { restrictedPod } from './fixtures.js';

const ns = { name: 'web' };
const named = (pod: PodTemplate, annotations: Record<string, string> = {}): PodTemplate => ({
  metadata: { ...pod.metadata, name: 'web', namespace: 'web', annotations: { ...pod.metadata.annotations, ...annotations } },
  spec: pod.spec,
});
const deploymentOwner = { kind: 'Deployment' };

describe('local storage', () => {
  test('an emptyDir /tmp blocks scale-down until it is listed', () => {
    expect(scaleDownBlockers(named(restrictedPod()), deploymentOwner)).toEqual([
      'pod with local storage present: web (volumes tmp not in cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes)',
    ]);
    expect(
      scaleDownBlockers(named(restrictedPod(), { 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes': 'tmp' }), deploymentOwner),
    ).toEqual([]);
  });

  test('emptyDir with medium Memory is not local storage; hostPath is', () => {
    const pod = restrictedPod();
    pod.spec.volumes = [
      { name: 'mem', emptyDir: { medium: 'Memory' } },
      { name: 'host', hostPath: { path: '/var/log' } },
    ];
    expect(scaleDownBlockers(named(pod), deploymentOwner)).toEqual([
      'pod with local storage present: web (volumes host not in cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes)',
    ]);
  });

  test("Linkerd's volumes: the xtables lock (no CNI) must be listed too, a partial list keeps blocking", () => {
    const admitted = injectLinkerd(restrictedPod(), ns, linkerdControlPlaneFromValues());
    expect(scaleDownBlockers(named(admitted, { 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes': 'tmp' }), deploymentOwner)).toEqual([
      'pod with local storage present: web (volumes linkerd-proxy-init-xtables-lock not in cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes)',
    ]);
    expect(
      scaleDownBlockers(
        named(admitted, { 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes': 'tmp,linkerd-proxy-init-xtables-lock' }),
        deploymentOwner,
      ),
    ).toEqual([]);
    // With CNI only the Memory identity volume and the projected token are added: neither is local storage.
    const cni = injectLinkerd(restrictedPod(), ns, linkerdControlPlaneFromValues({ cniEnabled: true }));
    expect(scaleDownBlockers(named(cni, { 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes': 'tmp' }), deploymentOwner)).toEqual([]);
  });

  test('the list is split on commas without trimming spaces', () => {
    expect(
      scaleDownBlockers(named(restrictedPod(), { 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes': 'x, tmp' }), deploymentOwner),
    ).toHaveLength(1);
  });
});

describe('annotations and owners', () => {
  test('safe-to-evict "true" overrides every blocker; "false" blocks', () => {
    expect(scaleDownBlockers(named(restrictedPod(), { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true' }), undefined)).toEqual([]);
    const pod = named(restrictedPod(), {
      'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false',
      'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes': 'tmp',
    });
    expect(scaleDownBlockers(pod, deploymentOwner)).toEqual(['pod annotated as not safe to evict present: web']);
  });

  test('pods without a controller (or with a custom one) are not replicated', () => {
    const pod = named(restrictedPod(), { 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes': 'tmp' });
    expect(scaleDownBlockers(pod, undefined)).toEqual(['web/web is not replicated']);
    expect(scaleDownBlockers(pod, { kind: 'Pod' })).toEqual(['web/web is not replicated']);
    expect(scaleDownBlockers(pod, { kind: 'Rollout' })).toEqual(['web/web is not replicated']);
    expect(scaleDownBlockers(pod, { kind: 'Rollout' }, { skipNodesWithCustomControllerPods: false })).toEqual([]);
    for (const kind of ['Deployment', 'StatefulSet', 'Job', 'CronJob', 'ReplicaSet']) expect(scaleDownBlockers(pod, { kind })).toEqual([]);
  });

  test('DaemonSet pods are not evicted, so they never block', () => {
    const pod = named(restrictedPod(), { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' });
    expect(scaleDownBlockers(pod, { kind: 'DaemonSet' })).toEqual([]);
  });

  test('kube-system pods need a PDB', () => {
    const pod: PodTemplate = { metadata: { name: 'dns', namespace: 'kube-system' }, spec: { containers: [{ name: 'c' }] } };
    expect(scaleDownBlockers(pod, deploymentOwner)).toEqual([
      'non-daemonset, non-mirrored, non-pdb-assigned kube-system pod present: dns (until --blocking-system-pod-distruption-timeout, 1h, after its creation)',
    ]);
    expect(scaleDownBlockers(pod, deploymentOwner, { hasPdb: true })).toEqual([]);
  });
});
