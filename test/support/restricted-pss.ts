// Kept for existing imports: the one Pod Security checker is test/support/cluster/pod-security.ts.
import { type Obj, podSpecOf } from './cluster/objects.js';
import { podSecurityViolations } from './cluster/pod-security.js';

export { podSpecOf };

/** Every violation of Pod Security "restricted" (latest) in a pod spec; [] when the pod would be admitted. */
export function restrictedPssViolations(pod: Obj): string[] {
  return podSecurityViolations(pod, 'restricted');
}
