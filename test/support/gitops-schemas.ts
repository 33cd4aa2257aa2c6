// Minimal strict JSON Schemas of the GitOps kinds `opta-charts plan` writes, written from the published CRDs and docs
// (no upstream file is copied; no npm package ships these schemas for Node 20: @kubernetes-models/flux-cd and
// argo-cd 3.x/4.x need Node >= 22 and carry no field maps). Each schema lists the fields of its kind at the named
// version with their types, enums, patterns and required fields, and rejects unknown fields everywhere except in
// Helm values (x-kubernetes-preserve-unknown-fields upstream). Sources:
// - Argo CD v3.1: argoproj/argo-cd manifests/crds/application-crd.yaml (argoproj.io/v1alpha1 Application).
// - Flux v2.6: fluxcd/source-controller v1.6 config/crd/bases/source.toolkit.fluxcd.io_ocirepositories.yaml and
//   _helmrepositories.yaml (v1); fluxcd/helm-controller v1.3 config/crd/bases/helm.toolkit.fluxcd.io_helmreleases.yaml
//   (v2); fluxcd/kustomize-controller v1.6 config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml (v1).
// - kustomize v5: kubectl.docs.kubernetes.io "kustomization" reference (kustomize.config.k8s.io/v1beta1 Kustomization,
//   only the fields the plan uses: resources).
// - helmfile v1: docs/index.md "Configuration" (helmfile.readthedocs.io), the keys of `repositories` and `releases`.
import { Ajv } from 'ajv';

type Schema = Record<string, unknown>;

const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', additionalProperties: false, properties, ...(required.length ? { required } : {}) });
const str: Schema = { type: 'string' };
const bool: Schema = { type: 'boolean' };
const strMap: Schema = { type: 'object', additionalProperties: { type: 'string' } };
const strList: Schema = { type: 'array', items: str };
const anyValues: Schema = { type: 'object' };
/** metav1.Duration as Flux's CRDs constrain it. */
const duration: Schema = { type: 'string', pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$' };
const metadata = (namespaced: boolean): Schema =>
  obj({ name: str, namespace: str, labels: strMap, annotations: strMap, finalizers: strList }, namespaced ? ['name', 'namespace'] : ['name']);
const kindOf = (apiVersion: string, kind: string, spec: Schema): Schema =>
  obj({ apiVersion: { const: apiVersion }, kind: { const: kind }, metadata: metadata(true), spec }, ['apiVersion', 'kind', 'metadata', 'spec']);

const localRef = obj({ name: str }, ['name']);
const crossRef = (kinds: string[]): Schema => obj({ apiVersion: str, kind: { enum: kinds }, name: str, namespace: str }, ['kind', 'name']);
const dependsOn: Schema = { type: 'array', items: obj({ name: str, namespace: str }, ['name']) };

const ociRepository = kindOf('source.toolkit.fluxcd.io/v1', 'OCIRepository', obj({
  url: { type: 'string', pattern: '^oci://.*$' },
  ref: obj({ digest: str, semver: str, semverFilter: str, tag: str }),
  layerSelector: obj({ mediaType: str, operation: { enum: ['extract', 'copy'] } }),
  provider: { enum: ['generic', 'aws', 'azure', 'gcp'] },
  secretRef: localRef, serviceAccountName: str, certSecretRef: localRef, proxySecretRef: localRef,
  verify: obj({ provider: { enum: ['cosign', 'notation'] }, secretRef: localRef, matchOIDCIdentity: { type: 'array' } }, ['provider']),
  interval: duration, timeout: duration, ignore: str, insecure: bool, suspend: bool,
}, ['interval', 'url']));

const helmRepository = kindOf('source.toolkit.fluxcd.io/v1', 'HelmRepository', obj({
  url: { type: 'string', pattern: '^(http|https|oci)://.*$' },
  secretRef: localRef, certSecretRef: localRef, passCredentials: bool, insecure: bool,
  interval: duration, timeout: duration, suspend: bool, accessFrom: { type: 'object' },
  type: { enum: ['default', 'oci'] }, provider: { enum: ['generic', 'aws', 'azure', 'gcp'] },
}, ['url']));

const remediation = obj({ retries: { type: 'integer' }, ignoreTestFailures: bool, remediateLastFailure: bool, strategy: { enum: ['rollback', 'uninstall'] } });
const helmRelease = kindOf('helm.toolkit.fluxcd.io/v2', 'HelmRelease', obj({
  chart: obj({
    metadata: obj({ labels: strMap, annotations: strMap }),
    spec: obj({
      chart: str, version: str, sourceRef: crossRef(['HelmRepository', 'GitRepository', 'Bucket']), interval: duration,
      reconcileStrategy: { enum: ['ChartVersion', 'Revision'] }, valuesFiles: strList, ignoreMissingValuesFiles: bool,
      verify: obj({ provider: { enum: ['cosign', 'notation'] }, secretRef: localRef }, ['provider']),
    }, ['chart', 'sourceRef']),
  }, ['spec']),
  chartRef: crossRef(['OCIRepository', 'HelmChart']),
  interval: duration, timeout: duration, releaseName: str, targetNamespace: str, storageNamespace: str,
  kubeConfig: { type: 'object' }, suspend: bool, serviceAccountName: str, maxHistory: { type: 'integer' },
  persistentClient: bool, driftDetection: { type: 'object' },
  dependsOn,
  install: obj({ timeout: duration, remediation, disableWait: bool, disableWaitForJobs: bool, disableHooks: bool, disableOpenAPIValidation: bool, disableSchemaValidation: bool, replace: bool, skipCRDs: bool, crds: { enum: ['Skip', 'Create', 'CreateReplace'] }, createNamespace: bool }),
  upgrade: obj({ timeout: duration, remediation, disableWait: bool, disableWaitForJobs: bool, disableHooks: bool, disableOpenAPIValidation: bool, disableSchemaValidation: bool, force: bool, preserveValues: bool, cleanupOnFail: bool, crds: { enum: ['Skip', 'Create', 'CreateReplace'] } }),
  test: { type: 'object' }, rollback: { type: 'object' }, uninstall: { type: 'object' }, postRenderers: { type: 'array' },
  values: anyValues,
  valuesFrom: { type: 'array', items: obj({ kind: { enum: ['Secret', 'ConfigMap'] }, name: str, valuesKey: str, targetPath: str, optional: bool }, ['kind', 'name']) },
}, ['interval']));

const kustomization = kindOf('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', obj({
  interval: duration, retryInterval: duration, timeout: duration, path: str, prune: bool, wait: bool, force: bool, suspend: bool,
  sourceRef: crossRef(['OCIRepository', 'GitRepository', 'Bucket', 'ExternalArtifact']),
  dependsOn, targetNamespace: str, serviceAccountName: str, healthChecks: { type: 'array' }, patches: { type: 'array' },
  postBuild: { type: 'object' }, decryption: { type: 'object' }, commonMetadata: obj({ labels: strMap, annotations: strMap }),
}, ['interval', 'prune', 'sourceRef']));

const application = kindOf('argoproj.io/v1alpha1', 'Application', obj({
  project: str,
  source: obj({
    repoURL: str, chart: str, path: str, targetRevision: str, ref: str, name: str,
    helm: obj({
      releaseName: str, values: str, valuesObject: anyValues, valueFiles: strList, parameters: { type: 'array' }, fileParameters: { type: 'array' },
      passCredentials: bool, ignoreMissingValueFiles: bool, skipCrds: bool, skipSchemaValidation: bool, skipTests: bool, version: str, namespace: str, kubeVersion: str, apiVersions: strList,
    }),
  }, ['repoURL']),
  destination: obj({ server: str, name: str, namespace: str }),
  syncPolicy: obj({
    automated: obj({ prune: bool, selfHeal: bool, allowEmpty: bool, enabled: bool }),
    syncOptions: strList,
    retry: obj({ limit: { type: 'integer' }, backoff: obj({ duration: str, factor: { type: 'integer' }, maxDuration: str }) }),
    managedNamespaceMetadata: obj({ labels: strMap, annotations: strMap }),
  }),
  ignoreDifferences: { type: 'array' }, info: { type: 'array' }, revisionHistoryLimit: { type: 'integer' },
}, ['destination', 'project']));

const kustomizeConfig: Schema = obj({ apiVersion: { const: 'kustomize.config.k8s.io/v1beta1' }, kind: { const: 'Kustomization' }, resources: strList }, ['resources']);

const helmfile: Schema = obj({
  repositories: { type: 'array', items: obj({ name: str, url: str, oci: bool, username: str, password: str, certFile: str, keyFile: str, caFile: str, passCredentials: bool, skipTLSVerify: bool }, ['name', 'url']) },
  releases: { type: 'array', items: obj({
    name: str, namespace: str, chart: str, version: str, values: { type: 'array' }, secrets: strList, set: { type: 'array' }, needs: strList,
    labels: strMap, createNamespace: bool, installed: bool, wait: bool, timeout: { type: 'integer' }, verify: bool, condition: str,
  }, ['name', 'chart']) },
  helmDefaults: { type: 'object' }, environments: { type: 'object' },
});

const ajv = new Ajv({ strict: true, allErrors: true });
const validators = new Map(
  [ociRepository, helmRepository, helmRelease, kustomization, application, kustomizeConfig].map((s) => {
    const p = (s as { properties: Record<string, { const: string }> }).properties;
    return [`${p.apiVersion.const} ${p.kind.const}`, ajv.compile(s)];
  }),
);
const helmfileValidator = ajv.compile(helmfile);

/** The GitOps kinds this file knows, as "apiVersion kind". */
export const GITOPS_KINDS = [...validators.keys()];

/** Errors of one GitOps object against its kind's schema; undefined when the kind is not a GitOps kind here. */
export function gitopsProblems(o: { apiVersion?: string; kind?: string }): string[] | undefined {
  const v = validators.get(`${o.apiVersion} ${o.kind}`);
  if (!v) return undefined;
  const kind = o.kind;
  return v(o) ? [] : v.errors!.map((e) => `${kind} ${e.instancePath || '/'}: ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
}

export function helmfileProblems(doc: unknown): string[] {
  return helmfileValidator(doc) ? [] : helmfileValidator.errors!.map((e) => `helmfile.yaml ${e.instancePath || '/'}: ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
}
