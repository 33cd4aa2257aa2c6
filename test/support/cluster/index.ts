// The cluster model: what a Kubernetes cluster (with Linkerd, the HPA controller, cluster-autoscaler, Pod Security
// admission and Helm) does to rendered objects. One module per concern; see README "The cluster model".
export { admissionProblems, type Admission, type AdmitOptions, type AdmittedWorkload, admitObjects, optaBaseLinkerd } from './admit.js';
export { isLocalVolume, podControllerKind, type ScaleDownOptions, scaleDownBlockers } from './cluster-autoscaler.js';
export {
  compareByInstallOrder,
  HELM_INSTALL_ORDER,
  type HelmInstallInput,
  helmInstallProblems,
  helmUninstallLeftovers,
  hookEvents,
  hookWeight,
} from './helm-install.js';
export { hpaMetricProblems } from './hpa.js';
export { injectLinkerd, linkerdEffectiveValues, linkerdSkipReason, type NamespaceInfo } from './linkerd-injector.js';
export {
  applyAnnotationOverrides,
  effectiveAnnotations,
  linkerdChartDefaults,
  type LinkerdControlPlane,
  linkerdControlPlaneFromValues,
  mergeValues,
  type ResourcePair,
} from './linkerd-values.js';
export { type Connection, type Endpoint, networkPolicyAllows } from './network-policy.js';
export { allContainers, labelOf, matchesSelector, type Obj, podSpecOf, type PodTemplate, podTemplateOf, WORKLOAD_KINDS } from './objects.js';
export { type PodSecurityLevel, podSecurityViolations } from './pod-security.js';
export { type BuiltinKind, builtinKinds } from '../k8s-validate.js';
