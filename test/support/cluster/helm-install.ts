// What `helm install` does with a chart's objects, in order, and what can fail on the way.
// Source: helm/helm v3.18.0 and v4.1.4 (same behaviour unless noted) — pkg/action/install.go (installCRDs, then Build of the whole
// release manifest, --create-namespace, pre-install hooks, Create of the resources, post-install hooks),
// pkg/action/validate.go (existingResourceConflict), pkg/kube/client.go (Helm 4 creates by server-side apply),
// pkg/action/hooks.go (execHook: hooks of an event sorted by weight then name, each built and created at its turn),
// pkg/releaseutil/kind_sorter.go (v3) = pkg/release/v1/util/kind_sorter.go (v4) (InstallOrder, unknown kinds last
// and alphabetically), manifest_sorter.go (hook annotations, unknown hook events skip the object, weight via Atoi).
// Kinds: only the built-in API and the CRDs of crds/ (installed first, after which Helm resets its REST mapper) are
// known when objects are mapped; a CRD created as a template or hook in the same install is not.
import type { BuiltinKind } from '../k8s-validate.js';
import { labelOf, type Obj } from './objects.js';

export interface HelmInstallInput {
  /** Objects from the charts' `crds/` directories. */
  crds: Obj[];
  /** Rendered template objects, hooks included. */
  manifests: Obj[];
  releaseNamespace: string;
  /** The built-in API (`builtinKinds()` of test/support/k8s-validate.ts). */
  builtinKinds: Iterable<BuiltinKind>;
  /** Namespaces present before the install, besides default, kube-system, kube-public and kube-node-lease. */
  existingNamespaces?: string[];
  /** `--create-namespace` (default true): Helm creates the release namespace before any hook. */
  createNamespace?: boolean;
  /** CRDs the cluster already has, not from this release (e.g. GKE's managed Gateway API CRDs). */
  existingCrds?: Obj[];
}

/** Helm's InstallOrder (identical in v3.18.0 and v4.1.4 up to the webhook configurations added last in v4). */
export const HELM_INSTALL_ORDER = [
  'PriorityClass',
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
];

const HOOK_EVENTS = [
  'pre-install',
  'post-install',
  'pre-delete',
  'post-delete',
  'pre-upgrade',
  'post-upgrade',
  'pre-rollback',
  'post-rollback',
  'test',
  'test-success',
];

/** lessByKind: known kinds in InstallOrder, unknown kinds after them alphabetically (stable within a kind). */
export function compareByInstallOrder(a: Obj, b: Obj): number {
  const ia = HELM_INSTALL_ORDER.indexOf(a.kind);
  const ib = HELM_INSTALL_ORDER.indexOf(b.kind);
  if (ia < 0 && ib < 0) return a.kind === b.kind ? 0 : a.kind < b.kind ? -1 : 1;
  if (ia < 0 || ib < 0) return ia < 0 ? 1 : -1;
  return ia - ib;
}

/** The hook events of an object (lower-cased, trimmed); undefined when it is not a hook. */
export function hookEvents(obj: Obj): string[] | undefined {
  const value = obj.metadata?.annotations?.['helm.sh/hook'];
  return value === undefined
    ? undefined
    : String(value)
        .split(',')
        .map((e) => e.trim().toLowerCase());
}

/** Go's strconv.Atoi of helm.sh/hook-weight; 0 when it does not parse. */
export function hookWeight(obj: Obj): number {
  const value = String(obj.metadata?.annotations?.['helm.sh/hook-weight'] ?? '');
  return /^[+-]?\d+$/.test(value) ? Number(value) : 0;
}

/** Hooks of one event in execution order: by kind first, then (stable) by weight, then by name. */
function hooksFor(hooks: Obj[], event: string): Obj[] {
  const byKind = hooks.filter((h) => hookEvents(h)!.includes(event)).sort(compareByInstallOrder);
  return byKind.sort(
    (a, b) => hookWeight(a) - hookWeight(b) || (a.metadata?.name < b.metadata?.name ? -1 : a.metadata?.name > b.metadata?.name ? 1 : 0),
  );
}

/** apiVersion/kind served by CRD objects, with their scope. */
function crdKinds(crds: Obj[]): BuiltinKind[] {
  return crds.flatMap((crd) =>
    (crd.spec?.versions ?? [])
      .filter((v: Obj) => v.served !== false)
      .map((v: Obj) => ({ apiVersion: `${crd.spec.group}/${v.name}`, kind: crd.spec.names?.kind, namespaced: crd.spec.scope === 'Namespaced' })),
  );
}

/** Every way `helm install` of these objects would fail (Helm's and the API server's wording where they have one). */
export function helmInstallProblems(input: HelmInstallInput): string[] {
  const problems: string[] = [];
  const known = new Map<string, BuiltinKind>();
  const existingCrds = input.existingCrds ?? [];
  for (const k of [...input.builtinKinds, ...crdKinds(existingCrds), ...crdKinds(input.crds)]) known.set(`${k.apiVersion} ${k.kind}`, k);
  // installCRDs skips a CRD that already exists ("already present. Skipping."): the cluster's version stays.
  const crdNames = new Set([...existingCrds, ...input.crds].map((c) => c.metadata?.name));
  const preexisting = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease', ...(input.existingNamespaces ?? [])]);
  const namespaces = new Set(preexisting);
  if (input.createNamespace !== false) namespaces.add(input.releaseNamespace);
  const mappingError = (o: Obj, ns: string) =>
    `resource mapping not found for name: "${o.metadata?.name}" namespace: "${ns}" from "": no matches for kind "${o.kind}" in version "${o.apiVersion}"\nensure CRDs are installed first`;

  for (const crd of input.crds)
    if (crd.kind !== 'CustomResourceDefinition') problems.push(`crds/: ${labelOf(crd)}: only CustomResourceDefinitions belong in crds/`);

  const hooks: Obj[] = [];
  const regular: Obj[] = [];
  for (const o of input.manifests) {
    const events = hookEvents(o);
    if (!events) regular.push(o);
    else if (events.every((e) => HOOK_EVENTS.includes(e))) hooks.push(o);
    else problems.push(`${labelOf(o)}: helm.sh/hook "${o.metadata.annotations['helm.sh/hook']}" names an unknown hook: Helm skips the object`);
  }

  const isNamespace = (o: Obj) => o.kind === 'Namespace' && o.apiVersion === 'v1';
  /** Creates one object: its kind must be mapped and its namespace exist; a Namespace then exists. */
  const create = (o: Obj, phase: string) => {
    // Helm 3 creates objects (AlreadyExists fails); Helm 4 applies them server-side by default.
    if (isNamespace(o) && namespaces.has(o.metadata?.name) && !(phase === 'resource' && preexisting.has(o.metadata?.name)))
      problems.push(`Helm 3.18.0: ${phase} ${labelOf(o)}: namespaces "${o.metadata?.name}" already exists (Helm 4 applies it server-side)`);
    const kind = known.get(`${o.apiVersion} ${o.kind}`);
    const ns = kind?.namespaced ? (o.metadata?.namespace ?? input.releaseNamespace) : '';
    if (!kind) problems.push(`${phase} ${labelOf(o)}: ${mappingError(o, o.metadata?.namespace ?? input.releaseNamespace)}`);
    else if (kind.namespaced && !namespaces.has(ns)) problems.push(`${phase} ${labelOf(o)}: namespaces "${ns}" not found`);
    if (isNamespace(o)) namespaces.add(o.metadata?.name);
    // A CRD created as a template or hook serves the hooks built after it: the Helm CLI builds each hook with a new
    // REST mapper (pkg/cli/environment.go: non-persistent genericclioptions.ConfigFlags), whose discovery cache is not
    // "fresh", so client-go's DeferredDiscoveryRESTMapper re-discovers on a miss. (SDK users with a persistent
    // RESTClientGetter, e.g. Flux helm-controller >= 0.31, do not get this: fluxcd/helm-controller#655.)
    if (o.kind === 'CustomResourceDefinition' && kind) for (const k of crdKinds([o])) known.set(`${k.apiVersion} ${k.kind}`, k);
  };

  // The whole release manifest is mapped to API kinds before any hook runs.
  for (const o of regular)
    if (!known.has(`${o.apiVersion} ${o.kind}`))
      problems.push(`unable to build kubernetes objects from release manifest: ${mappingError(o, o.metadata?.namespace ?? input.releaseNamespace)}`);
  if (problems.some((p) => p.startsWith('unable to build'))) return problems;
  // existingResourceConflict: a regular object that exists and is not the release's own stops the install.
  for (const o of regular)
    if (isNamespace(o) && preexisting.has(o.metadata?.name))
      problems.push(
        `unable to continue with install: Namespace "${o.metadata.name}" in namespace "" exists and cannot be imported into the current release: invalid ownership metadata`,
      );
  // A CRD rendered as a template that already exists (from crds/, which Helm creates without release ownership, or
  // from the cluster) is not the release's own: existingResourceConflict stops the install (one owner per CRD).
  for (const o of regular)
    if (o.kind === 'CustomResourceDefinition' && crdNames.has(o.metadata?.name))
      problems.push(
        `unable to continue with install: CustomResourceDefinition "${o.metadata.name}" in namespace "" exists and cannot be imported into the current release: invalid ownership metadata`,
      );
  // The release record (a Secret in the release namespace) is stored before any hook runs.
  if (!namespaces.has(input.releaseNamespace)) return [...problems, `create: failed to create: namespaces "${input.releaseNamespace}" not found`];

  for (const h of hooksFor(hooks, 'pre-install')) create(h, `pre-install hook (weight ${hookWeight(h)})`);
  for (const o of [...regular].sort(compareByInstallOrder)) create(o, 'resource');
  for (const h of hooksFor(hooks, 'post-install')) create(h, `post-install hook (weight ${hookWeight(h)})`);
  return problems;
}

/** What `helm uninstall` leaves in the cluster (information, not errors). */
export function helmUninstallLeftovers(input: { crds: Obj[]; manifests: Obj[] }): string[] {
  const out = input.crds.map((crd) => `${labelOf(crd)}: from crds/, never deleted by Helm`);
  for (const o of input.manifests) {
    const annotations = o.metadata?.annotations ?? {};
    const events = hookEvents(o);
    if (events?.some((e) => e === 'pre-install' || e === 'post-install')) {
      // Hooks are not part of the release: only a hook-succeeded (or hook-failed) delete policy removes them.
      const policies = String(annotations['helm.sh/hook-delete-policy'] ?? '')
        .split(',')
        .map((p) => p.trim().toLowerCase());
      if (!policies.includes('hook-succeeded')) out.push(`${labelOf(o)}: install hook without hook-succeeded delete policy, left in the cluster`);
    } else if (!events && annotations['helm.sh/resource-policy'] === 'keep') {
      out.push(`${labelOf(o)}: helm.sh/resource-policy: keep, left in the cluster`);
    }
  }
  return out;
}
