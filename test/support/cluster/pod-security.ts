// Pod Security admission, levels "baseline" and "restricted" at version "latest".
// Source: kubernetes/pod-security-admission v0.36.2 (Kubernetes 1.36): policy/registry.go (baseline checks then
// restricted ones, each group sorted by check ID; a restricted check replaces the baseline check it overrides),
// policy/checks.go and admission/admission.go (each failed check reads `reason (detail)`). The checks themselves are
// in pod-security-baseline.ts and pod-security-restricted.ts.
import type { Obj } from './objects.js';
import { BASELINE_CHECKS } from './pod-security-baseline.js';
import type { Check, PodSecurityLevel, Result } from './pod-security-helpers.js';
import { RESTRICTED_CHECKS } from './pod-security-restricted.js';

export type { PodSecurityLevel };

/** The checks of a level in the admission controller's order. */
function checksFor(level: PodSecurityLevel): Check[] {
  const byId = (a: Check, b: Check) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const baseline = [...BASELINE_CHECKS].sort(byId);
  if (level === 'baseline') return baseline;
  const restricted = [...RESTRICTED_CHECKS].sort(byId);
  const overridden = new Set(restricted.map((c) => c.overrides));
  return [...baseline.filter((c) => !overridden.has(c.id)), ...restricted];
}

/**
 * Every Pod Security violation of a pod spec at `level` ("latest"), as the admission controller words it:
 * `reason (detail)`, e.g. `unrestricted capabilities (container "linkerd-init" must set securityContext.capabilities.drop=["ALL"])`.
 * `metadata` matters only for AppArmor annotations. [] when the pod is admitted.
 */
export function podSecurityViolations(podSpec: Obj, level: PodSecurityLevel, metadata: Obj = {}): string[] {
  return checksFor(level)
    .map((c) => c.check(podSpec, metadata))
    .filter((r): r is NonNullable<Result> => r !== undefined)
    .map((r) => `${r.reason} (${r.detail})`);
}
