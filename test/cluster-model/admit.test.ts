// admitObjects: rendered objects through the injector, Pod Security, cluster-autoscaler and the HPA rules.
import { describe, expect, test } from 'vitest';
import { admissionProblems, admitObjects, linkerdControlPlaneFromValues, type Obj, optaBaseLinkerd } from '../support/cluster/index.js';
import { cpuUtilization, deployment, hpa, restrictedPod } from './fixtures.js';

const listed = { 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes': 'tmp' };
const cni = linkerdControlPlaneFromValues({ cniEnabled: true, proxy: { resources: { cpu: { request: '100m' }, memory: { request: '20Mi' } } } });
const opts = { namespace: 'web', linkerd: cni, level: 'restricted' as const };

describe('admitObjects', () => {
  test('a hardened, meshed Deployment with a CPU HPA is admitted with no problem', () => {
    const result = admitObjects([deployment('web', restrictedPod({ annotations: listed })), hpa('web', [cpuUtilization])], opts);
    expect(result.problems).toEqual([]);
    expect(result.pods.map((p) => p.workload)).toEqual(['Deployment/web']);
    expect(result.pods[0].admittedPod.spec.initContainers.map((c: Obj) => c.name)).toEqual(['linkerd-network-validator', 'linkerd-proxy']);
  });

  test('each rule reports against the admitted pod, prefixed with the workload', () => {
    const proxyInit = linkerdControlPlaneFromValues();
    const problems = admissionProblems([deployment('web', restrictedPod()), hpa('web', [cpuUtilization])], { ...opts, linkerd: proxyInit });
    expect(problems).toEqual([
      'Deployment/web: violates PodSecurity "restricted:latest": unrestricted capabilities (container "linkerd-init" must not include "NET_ADMIN", "NET_RAW" in securityContext.capabilities.add)',
      'Deployment/web: blocks cluster-autoscaler scale-down: pod with local storage present: web (volumes tmp, linkerd-proxy-init-xtables-lock not in cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes)',
      'HorizontalPodAutoscaler/web: failed to get cpu utilization: missing request for cpu in container linkerd-proxy of Pod web-xxxxx',
    ]);
  });

  test('baseline level, namespace-level injection, CronJobs and bare Pods', () => {
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly' },
      spec: { schedule: '@daily', jobTemplate: { spec: { template: restrictedPod({ annotations: listed }) } } },
    };
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', annotations: listed }, spec: restrictedPod().spec };
    const result = admitObjects([cronJob, pod], { ...opts, level: 'baseline', namespaceAnnotations: { 'linkerd.io/inject': 'enabled' } });
    expect(result.problems).toEqual(['Pod/debug: blocks cluster-autoscaler scale-down: web/debug is not replicated']);
    expect(result.pods.map((p) => p.admittedPod.spec.initContainers?.length)).toEqual([2, 2]);
  });

  test('a PDB selecting the pods clears the kube-system rule; an HPA without its target is reported', () => {
    const pdb = {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web' },
      spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } },
    };
    const objects = [deployment('web', restrictedPod({ annotations: listed })), hpa('api', [cpuUtilization])];
    const system = { ...opts, namespace: 'kube-system' };
    expect(admissionProblems(objects, system)).toEqual([
      expect.stringMatching(
        /^Deployment\/web: blocks cluster-autoscaler scale-down: non-daemonset, non-mirrored, non-pdb-assigned kube-system pod present: web/,
      ),
      'HorizontalPodAutoscaler/api: scaleTargetRef Deployment/api is not among the objects',
    ]);
    expect(admissionProblems([...objects, pdb], system)).toEqual([
      'HorizontalPodAutoscaler/api: scaleTargetRef Deployment/api is not among the objects',
    ]);
  });
});

test("optaBaseLinkerd reads opta-base's control-plane values from stack.catalog.yaml", async () => {
  const cp = await optaBaseLinkerd('aws');
  expect(cp.proxy.uid).toBe(2102);
  expect(typeof cp.cniEnabled).toBe('boolean');
});
