// Runs rendered objects through the cluster model: what each workload's pods become at admission (Linkerd's
// injector, then Pod Security), whether cluster-autoscaler can evict them, and whether each HPA can compute its
// metrics on the admitted pods of its target.
import { fileURLToPath } from 'node:url';
import { loadCatalog } from '../../../generator/charts/opta-base/catalog.js';
import { scaleDownBlockers } from './cluster-autoscaler.js';
import { hpaMetricProblems } from './hpa.js';
import { injectLinkerd } from './linkerd-injector.js';
import { type LinkerdControlPlane, linkerdControlPlaneFromValues, mergeValues } from './linkerd-values.js';
import { labelOf, matchesSelector, type Obj, podTemplateOf, type PodTemplate } from './objects.js';
import { type PodSecurityLevel, podSecurityViolations } from './pod-security.js';

export interface AdmitOptions {
  /** The namespace the objects are installed in (the release namespace). */
  namespace: string;
  namespaceAnnotations?: Record<string, string>;
  namespaceLabels?: Record<string, string>;
  linkerd: LinkerdControlPlane;
  /** The namespace's Pod Security level (`pod-security.kubernetes.io/enforce`). */
  level: PodSecurityLevel;
}

export interface AdmittedWorkload {
  /** `Kind/name` of the workload. */
  workload: string;
  admittedPod: PodTemplate;
  problems: string[];
}

export interface Admission {
  pods: AdmittedWorkload[];
  /** Every problem: the workloads' and the HPAs'. */
  problems: string[];
}

export function admitObjects(objects: Obj[], opts: AdmitOptions): Admission {
  const ns = { name: opts.namespace, annotations: opts.namespaceAnnotations ?? {}, labels: opts.namespaceLabels ?? {} };
  const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
  const pods: AdmittedWorkload[] = [];
  const admittedByWorkload = new Map<string, { workload: Obj; pod: PodTemplate }>();
  for (const workload of objects) {
    const template = podTemplateOf(workload);
    if (!template) continue;
    const label = labelOf(workload);
    const admittedPod = injectLinkerd(template, ns, opts.linkerd);
    const namespace = workload.metadata?.namespace ?? opts.namespace;
    const podLabels = admittedPod.metadata.labels ?? {};
    // policy/v1: a PDB without selector selects nothing, an empty one every pod of its namespace.
    const hasPdb = pdbs.some(
      (p) => (p.metadata?.namespace ?? opts.namespace) === namespace && p.spec?.selector && matchesSelector(podLabels, p.spec.selector),
    );
    const problems = [
      ...podSecurityViolations(admittedPod.spec, opts.level, admittedPod.metadata).map(
        (v) => `${label}: violates PodSecurity "${opts.level}:latest": ${v}`,
      ),
      ...scaleDownBlockers(
        { metadata: { ...admittedPod.metadata, name: workload.metadata?.name, namespace }, spec: admittedPod.spec },
        { kind: workload.kind },
        { hasPdb },
      ).map((b) => `${label}: blocks cluster-autoscaler scale-down: ${b}`),
    ];
    pods.push({ workload: label, admittedPod, problems });
    admittedByWorkload.set(`${workload.kind}/${workload.metadata?.name}`, { workload, pod: admittedPod });
  }
  const problems = pods.flatMap((p) => p.problems);
  for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const ref = hpa.spec?.scaleTargetRef ?? {};
    const target = admittedByWorkload.get(`${ref.kind}/${ref.name}`);
    if (!target) problems.push(`${labelOf(hpa)}: scaleTargetRef ${ref.kind}/${ref.name} is not among the objects`);
    else problems.push(...hpaMetricProblems(hpa, target.pod.spec, target.workload));
  }
  return { pods, problems };
}

/** Convenience for chart tests: every admission problem of the objects, [] when the cluster takes them as they are. */
export function admissionProblems(objects: Obj[], opts: AdmitOptions): string[] {
  return admitObjects(objects, opts).problems;
}

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * opta-base's Linkerd control plane: the linkerd-control-plane component's `values` in stack.catalog.yaml (merged
 * with the provider's own), Linkerd's chart defaults for everything else.
 */
export async function optaBaseLinkerd(provider = 'aws', root = REPO_ROOT): Promise<LinkerdControlPlane> {
  const catalog = await loadCatalog(root);
  const component = catalog.components.find((c) => c.name === 'linkerd-control-plane');
  if (!component) throw new Error('stack.catalog.yaml has no linkerd-control-plane component');
  return linkerdControlPlaneFromValues(mergeValues(component.values ?? {}, component.providers[provider] ?? {}));
}
