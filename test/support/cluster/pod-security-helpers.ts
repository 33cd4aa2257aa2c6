// Helpers shared by the Pod Security checks (pod-security-baseline.ts, pod-security-restricted.ts).
// Source: kubernetes/pod-security-admission v0.36.2 — policy/helpers.go (joinQuote, pluralize,
// relaxPolicyForUserNamespacePod), policy/visitor.go (init, regular and ephemeral containers), and the checks shared
// by both levels: policy/check_procMount_*.go, policy/check_seccompProfile_*.go.
import { allContainers, type Obj } from './objects.js';

export type PodSecurityLevel = 'baseline' | 'restricted';

/** A failed check: the admission controller prints `reason (detail)`. */
export type Result = { reason: string; detail: string } | undefined;

export interface Check {
  id: string;
  level: PodSecurityLevel;
  /** The baseline check this restricted check replaces. */
  overrides?: string;
  check(spec: Obj, metadata: Obj): Result;
}

export const quote = (items: string[]) => items.map((i) => `"${i}"`).join(', ');
export const plural = (one: string, many: string, n: number) => (n === 1 ? one : many);
export const containersLabel = (names: string[]) => `${plural('container', 'containers', names.length)} ${quote(names)}`;
export const uniqSorted = (items: string[]) => [...new Set(items)].sort();
export const sc = (c: Obj): Obj => c.securityContext ?? {};
export const podSc = (spec: Obj): Obj => spec.securityContext ?? {};
export const windows = (spec: Obj) => spec.os?.name === 'windows';
/** 1.35+: user namespaces (hostUsers: false) relax runAsNonRoot, runAsUser and the baseline procMount check. */
export const userNamespace = (spec: Obj) => spec.hostUsers === false;
export { allContainers };

/** Checks that flag containers (and optionally the pod) setting a field to a bad value. */
export function settersCheck(spec: Obj, podBad: boolean, bad: (c: Obj) => boolean): string[] {
  const setters = podBad ? ['pod'] : [];
  const names = allContainers(spec)
    .filter(bad)
    .map((c) => c.name);
  if (names.length) setters.push(containersLabel(names));
  return setters;
}

export const goodSeccomp = (t: string | undefined) => t === 'RuntimeDefault' || t === 'Localhost';

export function procMount(spec: Obj): Result {
  const bad = allContainers(spec).filter((c) => sc(c).procMount !== undefined && sc(c).procMount !== 'Default');
  if (!bad.length) return undefined;
  const types = uniqSorted(bad.map((c) => sc(c).procMount));
  return { reason: 'procMount', detail: `${containersLabel(bad.map((c) => c.name))} must not set securityContext.procMount to ${quote(types)}` };
}

export function seccomp(spec: Obj, restricted: boolean): Result {
  if (restricted && windows(spec)) return undefined;
  const podType = podSc(spec).seccompProfile?.type;
  const setters = settersCheck(
    spec,
    podType !== undefined && !goodSeccomp(podType),
    (c) => sc(c).seccompProfile !== undefined && !goodSeccomp(sc(c).seccompProfile.type),
  );
  const values = uniqSorted(
    [podType, ...allContainers(spec).map((c) => sc(c).seccompProfile?.type)].filter((t) => t !== undefined && !goodSeccomp(t)),
  );
  if (setters.length)
    return { reason: 'seccompProfile', detail: `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${quote(values)}` };
  if (!restricted || goodSeccomp(podType)) return undefined;
  const implicit = allContainers(spec)
    .filter((c) => sc(c).seccompProfile === undefined)
    .map((c) => c.name);
  if (!implicit.length) return undefined;
  return {
    reason: 'seccompProfile',
    detail: `pod or ${containersLabel(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
  };
}
