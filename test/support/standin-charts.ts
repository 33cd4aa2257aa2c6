// Used by the test suite and by `npm run bench` (which runs offline); not part of the CLI.
// Stand-ins for the upstream base-stack charts (unreachable from tests): same names and versions, and the
// behaviour opta-base relies on — the value keys it sets, namespaceOverride where upstream has it, draft-07 schemas
// with the same structure for the keys opta-base sets (external-dns: open root, typed keys, `global` and `enabled`
// declared; datadog: open except a few deep keys), cluster-autoscaler rendering no Deployment without
// autoDiscovery.clusterName, Linkerd refusing to render without its identity, datadog's cluster-name check.
// Written from the upstream charts' facts (read at the versions noted in the opta-base verification), not copied.
import yaml from 'js-yaml';
import type { FileTree } from '../../generator/fs/tree.js';
import { packChart } from '../../generator/package/archive.js';
import { standInPadding } from './standin-padding.js';

export interface StandInChart {
  name: string;
  version: string;
  appVersion: string;
  files: FileTree;
}

const text = (s: string) => Buffer.from(s.replace(/^\n/, ''));
const json = (o: unknown) => Buffer.from(`${JSON.stringify(o, null, 2)}\n`);

/** A stand-in whose Chart.yaml is written from its name, version and appVersion (plus `chartExtra` fields), padded
 * to about the real chart's archive size (./standin-padding.ts). */
function standIn(name: string, version: string, appVersion: string, chartExtra: Record<string, unknown>, files: FileTree): StandInChart {
  const chartYaml = yaml.dump({ apiVersion: 'v2', name, version, appVersion, description: `Stand-in for the upstream ${name} chart`, type: 'application', ...chartExtra });
  return { name, version, appVersion, files: { 'Chart.yaml': Buffer.from(chartYaml), ...standInPadding(name), ...files } };
}

// Shared helper: fullname honours fullnameOverride, as every upstream chart here does.
const helpers = (name: string) =>
  text(`
{{- define "${name}.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- define "${name}.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride -}}
{{- end -}}
`);

/** `pod` adds template lines at the pod spec level (8 spaces), `spec` at the workload spec level (2 spaces),
 * `container` at the container level (10 spaces), `podMeta` at the pod metadata level (6 spaces). */
function deployment(
  name: string,
  opts: { namespace: string; args?: string; env?: string; sa?: boolean; kind?: string; spec?: string; pod?: string; container?: string; podMeta?: string },
): Buffer {
  const kind = opts.kind ?? 'Deployment';
  return text(`
apiVersion: apps/v1
kind: ${kind}
metadata:
  name: {{ include "${name}.fullname" . }}
  namespace: ${opts.namespace}
  labels:
    app.kubernetes.io/name: ${name}
    app.kubernetes.io/instance: {{ .Release.Name }}
spec:
${opts.spec ?? ''}  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
      app.kubernetes.io/instance: {{ .Release.Name }}
  template:
    metadata:
${opts.podMeta ?? ''}      labels:
        app.kubernetes.io/name: ${name}
        app.kubernetes.io/instance: {{ .Release.Name }}
    spec:
${opts.sa ? `      serviceAccountName: {{ include "${name}.fullname" . }}\n` : ''}${opts.pod ?? ''}      containers:
        - name: ${name}
          image: "example.invalid/${name}:{{ .Chart.AppVersion }}"
${opts.args ? `          args:\n${opts.args}` : ''}${opts.env ? `          env:\n${opts.env}` : ''}${opts.container ?? ''}`);
}

/** Container securityContext as the upstream charts set it for pods that pass Pod Security "restricted" (read from
 * their rendered output at the pinned versions); `extra` adds lines at the same level (e.g. NET_BIND_SERVICE). */
const restrictedContainer = (extra = '') => `          securityContext:
            allowPrivilegeEscalation: false
            capabilities:
              drop: [ALL]
${extra}            runAsNonRoot: true
            seccompProfile:
              type: RuntimeDefault
`;
const podAnnotations = (expr: string) => `      {{- with ${expr} }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
`;
const resources = (expr: string) => `          {{- with ${expr} }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
`;
/** A PodDisruptionBudget for `name`'s pods when `condition` holds, with minAvailable from `min`. */
const pdb = (name: string, namespace: string, condition: string, min: string) =>
  text(`
{{- if ${condition} }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "${name}.fullname" . }}
  namespace: ${namespace}
spec:
  minAvailable: {{ ${min} }}
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
      app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
`);

function serviceAccount(name: string, namespace: string, annotations: string): Buffer {
  return text(`
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "${name}.fullname" . }}
  namespace: ${namespace}
  {{- with ${annotations} }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
`);
}

/** A CRD document (schema open) serving `versions`, the first stored; `annotations` as metadata lines. */
function crdDoc(plural: string, group: string, kind: string, opts: { scope?: string; versions?: string[]; annotations?: string } = {}): string {
  const versions = opts.versions ?? ['v1beta1'];
  return `
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.${group}
${opts.annotations ? `  annotations:\n${opts.annotations}` : ''}spec:
  group: ${group}
  names:
    kind: ${kind}
    plural: ${plural}
    singular: ${kind.toLowerCase()}
  scope: ${opts.scope ?? 'Namespaced'}
  versions:
${versions
  .map(
    (v, i) => `    - name: ${v}
      served: true
      storage: ${i === 0}
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
`,
  )
  .join('')}`;
}

function linkerdCrds(): StandInChart {
  const crd = (plural: string, group: string, kind: string) => crdDoc(plural, group, kind);
  return standIn('linkerd-crds', '2026.8.3', 'edge-26.8.3', { kubeVersion: '>=1.31.0-0' }, {
    'values.yaml': text('installGatewayAPI: false\n'),
    'templates/policy.yaml': text(crd('servers', 'policy.linkerd.io', 'Server')),
    'templates/gateway-api.yaml': text(`{{- if .Values.installGatewayAPI }}${crd('httproutes', 'gateway.networking.k8s.io', 'HTTPRoute')}{{- end }}\n`),
  });
}

function linkerdControlPlane(): StandInChart {
  const name = 'linkerd-control-plane';
  return standIn(name, '2026.8.3', 'edge-26.8.3', { kubeVersion: '>=1.31.0-0' }, {
    'values.yaml': text(`
identityTrustAnchorsPEM: ""
identityTrustDomain: cluster.local
identity:
  externalCA: false
  issuer:
    scheme: linkerd.io/tls
    tls:
      crtPEM: ""
      keyPEM: ""
cniEnabled: false
controllerReplicas: 1
enablePodDisruptionBudget: false
enablePodAntiAffinity: false
webhookFailurePolicy: Ignore
proxy:
  resources:
    cpu:
      request: ""
    memory:
      request: ""
      limit: ""
# A default of 0 that Helm 3.18.0 reads as true (helm/helm#30923).
proxyInit:
  runAsRoot: false
  closeWaitTimeoutSecs: 0
proxyInjector:
  namespaceSelector: {}
podMonitor:
  enabled: false
`),
    'templates/_helpers.tpl': helpers(name),
    // Like upstream: trust roots come from values unless an external CA provides them; the issuer secret is
    // rendered from values only with the linkerd.io/tls scheme.
    'templates/identity.yaml': text(`
{{- if not .Values.identity.externalCA }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: linkerd-identity-trust-roots
  namespace: {{ .Release.Namespace }}
data:
  ca-bundle.crt: |-
    {{- required "Please provide the identity trust anchors (identityTrustAnchorsPEM)" .Values.identityTrustAnchorsPEM | trim | nindent 4 }}
{{- end }}
{{- if eq .Values.identity.issuer.scheme "linkerd.io/tls" }}
---
apiVersion: v1
kind: Secret
metadata:
  name: linkerd-identity-issuer
  namespace: {{ .Release.Namespace }}
type: Opaque
data:
  crt.pem: {{ required "Please provide the identity issuer certificate (identity.issuer.tls.crtPEM)" .Values.identity.issuer.tls.crtPEM | b64enc }}
  key.pem: {{ required "Please provide the identity issuer key (identity.issuer.tls.keyPEM)" .Values.identity.issuer.tls.keyPEM | b64enc }}
{{- end }}
`),
    // Like upstream's partials (_proxy-init.tpl): the check Helm 3.18.0 trips over, the init container that depends
    // on cniEnabled, the safe-to-evict annotation of control-plane pods, and the issuer Secret mounted by identity.
    'templates/identity-deployment.yaml': text(`
{{- if and .Values.proxyInit.closeWaitTimeoutSecs (not .Values.proxyInit.runAsRoot) }}
{{- fail "proxyInit.runAsRoot must be set to use proxyInit.closeWaitTimeoutSecs" }}
{{- end }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: linkerd-identity
  namespace: {{ .Release.Namespace }}
spec:
  replicas: {{ .Values.controllerReplicas }}
  selector:
    matchLabels:
      linkerd.io/control-plane-component: identity
  template:
    metadata:
      annotations:
        cluster-autoscaler.kubernetes.io/safe-to-evict: "true"
      labels:
        linkerd.io/control-plane-component: identity
    spec:
      initContainers:
        {{- if .Values.cniEnabled }}
        - name: linkerd-network-validator
          image: "example.invalid/linkerd-proxy:{{ .Chart.AppVersion }}"
          securityContext:
            allowPrivilegeEscalation: false
            capabilities:
              drop: [ALL]
            runAsNonRoot: true
            runAsUser: 65534
            seccompProfile:
              type: RuntimeDefault
        {{- else }}
        - name: linkerd-init
          image: "example.invalid/linkerd-proxy-init:{{ .Chart.AppVersion }}"
          securityContext:
            capabilities:
              add: [NET_ADMIN, NET_RAW]
        {{- end }}
      containers:
        - name: identity
          image: "example.invalid/linkerd-controller:{{ .Chart.AppVersion }}"
          volumeMounts:
            - name: identity-issuer
              mountPath: /var/run/linkerd/identity/issuer
      volumes:
        - name: identity-issuer
          secret:
            secretName: linkerd-identity-issuer
{{- if .Values.enablePodDisruptionBudget }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: linkerd-identity
  namespace: {{ .Release.Namespace }}
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      linkerd.io/control-plane-component: identity
{{- end }}
`),
    'templates/proxy-injector.yaml': text(`
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: linkerd-proxy-injector-webhook-config
webhooks:
  - name: linkerd-proxy-injector.linkerd.io
    failurePolicy: {{ .Values.webhookFailurePolicy }}
    admissionReviewVersions: [v1]
    sideEffects: None
    clientConfig:
      service:
        name: linkerd-proxy-injector
        namespace: {{ .Release.Namespace }}
        path: /
`),
    // A kind from a CRD outside the release (Prometheus operator), as upstream's podmonitor.yaml.
    'templates/podmonitor.yaml': text(`
{{- if .Values.podMonitor.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata:
  name: linkerd-controller
  namespace: {{ .Release.Namespace }}
spec:
  selector:
    matchLabels:
      linkerd.io/control-plane-ns: {{ .Release.Namespace }}
  podMetricsEndpoints:
    - port: admin-http
{{- end }}
`),
  });
}

/** Linkerd's CNI plugin: no namespace value (everything in the release namespace), a DaemonSet with hostPath volumes
 * for the node's CNI directories, and the repair controller as a second container. */
function linkerd2Cni(): StandInChart {
  return standIn('linkerd2-cni', '2026.8.3', 'edge-26.8.3', { kubeVersion: '>=1.31.0-0' }, {
    'values.yaml': text(`
destCNINetDir: /etc/cni/net.d
destCNIBinDir: /opt/cni/bin
privileged: false
repairController:
  enabled: false
resources:
  cpu:
    request: ""
  memory:
    request: ""
`),
    'templates/cni-plugin.yaml': text(`
apiVersion: v1
kind: ServiceAccount
metadata:
  name: linkerd-cni
  namespace: {{ .Release.Namespace }}
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: linkerd-cni
  namespace: {{ .Release.Namespace }}
spec:
  selector:
    matchLabels:
      k8s-app: linkerd-cni
  template:
    metadata:
      labels:
        k8s-app: linkerd-cni
    spec:
      serviceAccountName: linkerd-cni
      containers:
        - name: install-cni
          image: "example.invalid/linkerd-cni-plugin:{{ .Chart.AppVersion }}"
          env:
            - name: DEST_CNI_NET_DIR
              value: {{ .Values.destCNINetDir | quote }}
            - name: DEST_CNI_BIN_DIR
              value: {{ .Values.destCNIBinDir | quote }}
          securityContext:
            privileged: {{ .Values.privileged }}
            readOnlyRootFilesystem: true
          volumeMounts:
            - name: cni-bin-dir
              mountPath: /host/opt/cni/bin
            - name: cni-net-dir
              mountPath: /host/etc/cni/net.d
        {{- if .Values.repairController.enabled }}
        - name: repair-controller
          image: "example.invalid/linkerd-cni-plugin:{{ .Chart.AppVersion }}"
        {{- end }}
      volumes:
        - name: cni-bin-dir
          hostPath:
            path: {{ .Values.destCNIBinDir }}
        - name: cni-net-dir
          hostPath:
            path: {{ .Values.destCNINetDir }}
`),
  });
}

/** cert-manager: `namespace` value, CRDs as templates behind crds.enabled, the webhook that must admit cert-manager
 * objects, the startupapicheck hook Job (and its hook RBAC) with annotations from values, and upstream's closed schema
 * root (additionalProperties: false; global and enabled declared). */
function certManager(): StandInChart {
  const name = 'cert-manager';
  const crd = (plural: string, kind: string, scope: string) => `
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.cert-manager.io
  {{- if .Values.crds.keep }}
  annotations:
    helm.sh/resource-policy: keep
  {{- end }}
spec:
  group: cert-manager.io
  names:
    kind: ${kind}
    plural: ${plural}
    singular: ${kind.toLowerCase()}
  scope: ${scope}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
`;
  const obj = { type: 'object' };
  const hookAnnotations = (weight: string) => `    annotations:
      helm.sh/hook: post-install
      helm.sh/hook-weight: "${weight}"
      helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded`;
  const component = () => ({
    type: 'object',
    additionalProperties: false,
    properties: { replicaCount: { type: 'number' }, podDisruptionBudget: obj, resources: obj, podAnnotations: obj },
  });
  return standIn(name, 'v1.21.1', 'v1.21.1', { kubeVersion: '>= 1.22.0-0' }, {
    'values.yaml': text(`
global: {}
namespace: ""
crds:
  enabled: false
  keep: true
replicaCount: 1
podDisruptionBudget:
  enabled: false
resources: {}
webhook:
  replicaCount: 1
cainjector:
  replicaCount: 1
startupapicheck:
  enabled: true
  jobAnnotations:
${hookAnnotations('1').replace('    annotations:\n', '')}
  rbac:
${hookAnnotations('-5')}
  serviceAccount:
${hookAnnotations('-5')}
enabled: true
`),
    'values.schema.json': json({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      additionalProperties: false,
      properties: {
        global: obj,
        enabled: { type: 'boolean' },
        namespace: { type: 'string' },
        fullnameOverride: { type: 'string' },
        crds: { type: 'object', additionalProperties: false, properties: { enabled: { type: 'boolean' }, keep: { type: 'boolean' } } },
        replicaCount: { type: 'number' },
        podDisruptionBudget: obj,
        resources: obj,
        podAnnotations: obj,
        // The controller's ControllerConfiguration (gatewayAPI.enabled for the Gateway API solver).
        config: obj,
        webhook: component(),
        cainjector: component(),
        startupapicheck: {
          type: 'object',
          additionalProperties: false,
          properties: {
            enabled: { type: 'boolean' },
            jobAnnotations: obj,
            rbac: { type: 'object', properties: { annotations: obj } },
            serviceAccount: { type: 'object', properties: { annotations: obj } },
          },
        },
      },
    }),
    'templates/_helpers.tpl': text(`
{{- define "cert-manager.fullname" -}}
{{- .Values.fullnameOverride | default (printf "%s-cert-manager" .Release.Name) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "cert-manager.namespace" -}}
{{- default .Release.Namespace .Values.namespace -}}
{{- end -}}
`),
    'templates/crds.yaml': text(`{{- if .Values.crds.enabled }}${crd('certificates', 'Certificate', 'Namespaced')}${crd('issuers', 'Issuer', 'Namespaced')}${crd('clusterissuers', 'ClusterIssuer', 'Cluster')}{{- end }}\n`),
    'templates/deployment.yaml': deployment(name, { namespace: '{{ include "cert-manager.namespace" . }}', container: restrictedContainer() }),
    'templates/webhook.yaml': text(`
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: {{ include "cert-manager.fullname" . }}-webhook
webhooks:
  - name: webhook.cert-manager.io
    failurePolicy: Fail
    admissionReviewVersions: [v1]
    sideEffects: None
    rules:
      - apiGroups: [cert-manager.io, acme.cert-manager.io]
        apiVersions: [v1]
        operations: [CREATE, UPDATE]
        resources: ["*/*"]
    clientConfig:
      service:
        name: {{ include "cert-manager.fullname" . }}-webhook
        namespace: {{ include "cert-manager.namespace" . }}
        path: /validate
`),
    'templates/startupapicheck.yaml': text(`
{{- if .Values.startupapicheck.enabled }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "cert-manager.fullname" . }}-startupapicheck
  namespace: {{ include "cert-manager.namespace" . }}
  {{- with .Values.startupapicheck.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ include "cert-manager.fullname" . }}-startupapicheck
  namespace: {{ include "cert-manager.namespace" . }}
  {{- with .Values.startupapicheck.rbac.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
rules:
  - apiGroups: [cert-manager.io]
    resources: [certificaterequests]
    verbs: [create]
---
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ include "cert-manager.fullname" . }}-startupapicheck
  namespace: {{ include "cert-manager.namespace" . }}
  {{- with .Values.startupapicheck.jobAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  template:
    spec:
      restartPolicy: OnFailure
      serviceAccountName: {{ include "cert-manager.fullname" . }}-startupapicheck
      containers:
        - name: cert-manager-startupapicheck
          image: "example.invalid/cert-manager-startupapicheck:{{ .Chart.AppVersion }}"
          args: [check, api, --wait=1m]
${restrictedContainer()}{{- end }}
`),
  });
}

function metricsServer(): StandInChart {
  const name = 'metrics-server';
  return standIn(name, '3.13.1', '0.8.1', {}, {
    'values.yaml': text(`
fullnameOverride: ""
args: []
replicas: 1
podAnnotations: {}
podDisruptionBudget:
  enabled: false
  minAvailable:
resources:
  requests:
    cpu: 100m
    memory: 200Mi
tmpVolume:
  emptyDir: {}
`),
    'templates/_helpers.tpl': helpers(name),
    'templates/pdb.yaml': pdb(name, '{{ .Release.Namespace }}', '.Values.podDisruptionBudget.enabled', '.Values.podDisruptionBudget.minAvailable'),
    // Like upstream: a `tmp` emptyDir on disk (tmpVolume), which blocks cluster-autoscaler's drain unless declared.
    'templates/deployment.yaml': deployment(name, {
      namespace: '{{ .Release.Namespace }}',
      sa: true,
      spec: '  replicas: {{ .Values.replicas }}\n',
      podMeta: podAnnotations('.Values.podAnnotations'),
      pod: '      volumes:\n        - name: tmp\n          {{- toYaml .Values.tmpVolume | nindent 10 }}\n',
      container: resources('.Values.resources'),
      args: '            - --secure-port=10250\n            {{- range .Values.args }}\n            - {{ . | quote }}\n            {{- end }}\n',
    }),
    'templates/serviceaccount.yaml': serviceAccount(name, '{{ .Release.Namespace }}', 'dict'),
    // Upstream binds the auth-reader role in kube-system whatever the release namespace.
    'templates/rolebinding.yaml': text(`
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ include "metrics-server.fullname" . }}-auth-reader
  namespace: kube-system
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: extension-apiserver-authentication-reader
subjects:
  - kind: ServiceAccount
    name: {{ include "metrics-server.fullname" . }}
    namespace: {{ .Release.Namespace }}
`),
  });
}

function clusterAutoscaler(): StandInChart {
  const name = 'cluster-autoscaler';
  return standIn(name, '9.59.0', '1.35.0', { engine: 'gotpl' }, {
    // Upstream's Chart.yaml carries `engine: gotpl`.
    'values.yaml': text(`
cloudProvider: aws
awsRegion: us-east-1
autoDiscovery:
  clusterName: ""
  tags:
    - k8s.io/cluster-autoscaler/enabled
    - k8s.io/cluster-autoscaler/{{ .Values.autoDiscovery.clusterName }}
autoscalingGroups: []
fullnameOverride: ""
rbac:
  create: true
  serviceAccount:
    create: true
    name: ""
    annotations: {}
extraArgs:
  logtostderr: true
resources: {}
`),
    'templates/_helpers.tpl': helpers(name),
    'templates/deployment.yaml': text(`
{{- if or .Values.autoDiscovery.clusterName .Values.autoscalingGroups }}
${deployment(name, {
  namespace: '{{ .Release.Namespace }}',
  sa: true,
  args: `            - --cloud-provider={{ .Values.cloudProvider }}
            {{- if .Values.autoDiscovery.clusterName }}
            - --node-group-auto-discovery=asg:tag={{ tpl (join "," .Values.autoDiscovery.tags) . }}
            {{- end }}
            {{- range $k, $v := .Values.extraArgs }}
            - --{{ $k }}={{ $v }}
            {{- end }}
`,
  env: `            - name: AWS_REGION
              value: {{ .Values.awsRegion | quote }}
`,
  container: resources('.Values.resources'),
}).toString()}
{{- end }}
`),
    'templates/serviceaccount.yaml': serviceAccount(name, '{{ .Release.Namespace }}', '.Values.rbac.serviceAccount.annotations'),
  });
}

/** ingress-nginx's webhook-certificate hooks: metadata in the namespaceOverride namespace with upstream's annotations. */
const RBAC_HOOK = 'pre-install,pre-upgrade,post-install,post-upgrade';
const admissionHookMeta = (suffix: string, events: string) => `metadata:
  name: {{ include "ingress-nginx.fullname" . }}-${suffix}
  namespace: {{ include "ingress-nginx.namespace" . }}
  annotations:
    helm.sh/hook: ${events}
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded`;

function ingressNginx(): StandInChart {
  const name = 'ingress-nginx';
  return standIn(name, '4.15.1', '1.15.1', { kubeVersion: '>=1.21.0-0' }, {
    'values.yaml': text(`
namespaceOverride: ""
fullnameOverride: ""
controller:
  ingressClassResource:
    name: nginx
    default: false
    controllerValue: k8s.io/ingress-nginx
  podAnnotations: {}
  containerPort:
    http: 80
    https: 443
  extraArgs: {}
  # A default of 0 that Helm 3.18.0 reads as true (helm/helm#30923): it then renders progressDeadlineSeconds: 0.
  progressDeadlineSeconds: 0
  replicaCount: 1
  minAvailable: 1
  autoscaling:
    enabled: false
    minReplicas: 1
    maxReplicas: 11
    targetCPUUtilizationPercentage: 50
    targetMemoryUtilizationPercentage: 50
  topologySpreadConstraints: []
  resources:
    requests:
      cpu: 100m
      memory: 90Mi
  service:
    type: LoadBalancer
    annotations: {}
    externalTrafficPolicy: ""
    enableHttp: true
    enableHttps: true
    ports:
      http: 80
      https: 443
    targetPorts:
      http: http
      https: https
  config: {}
  admissionWebhooks:
    enabled: true
    certManager:
      enabled: false
    patch:
      podAnnotations: {}
`),
    // Like upstream's admission-webhooks/cert-manager.yaml: a sibling chart rendering objects of cert-manager's
    // kinds as regular templates (their CRDs come from the cert-manager chart of the same release).
    'templates/admission-webhooks/cert-manager.yaml': text(`
{{- if and .Values.controller.admissionWebhooks.enabled .Values.controller.admissionWebhooks.certManager.enabled }}
apiVersion: cert-manager.io/v1
kind: Issuer
metadata:
  name: {{ include "ingress-nginx.fullname" . }}-self-signed-issuer
  namespace: {{ include "ingress-nginx.namespace" . }}
spec:
  selfSigned: {}
{{- end }}
`),
    'templates/_helpers.tpl': helpers(name),
    'templates/controller-deployment.yaml': deployment(name, {
      namespace: '{{ include "ingress-nginx.namespace" . }}',
      spec: `  {{- if not .Values.controller.autoscaling.enabled }}
  replicas: {{ .Values.controller.replicaCount }}
  {{- end }}
  {{- if .Values.controller.progressDeadlineSeconds }}
  progressDeadlineSeconds: {{ .Values.controller.progressDeadlineSeconds }}
  {{- end }}
`,
      podMeta: podAnnotations('.Values.controller.podAnnotations'),
      pod: `      {{- with .Values.controller.topologySpreadConstraints }}
      topologySpreadConstraints:
        {{- toYaml . | nindent 8 }}
      {{- end }}
`,
      // Like upstream: extraArgs become `--key=value` flags; the container ports are named after
      // controller.containerPort, which the Service's targetPorts refer to; controller.config is the ConfigMap.
      args: `            - /nginx-ingress-controller
            - --ingress-class={{ .Values.controller.ingressClassResource.name }}
            - --configmap=$(POD_NAMESPACE)/{{ include "ingress-nginx.fullname" . }}-controller
            {{- range $key, $value := .Values.controller.extraArgs }}
            - --{{ $key }}={{ $value }}
            {{- end }}
`,
      container: `${restrictedContainer('              add: [NET_BIND_SERVICE]\n            runAsUser: 101\n')}${resources('.Values.controller.resources')}          ports:
            {{- range $key, $value := .Values.controller.containerPort }}
            - name: {{ $key }}
              containerPort: {{ $value }}
              protocol: TCP
            {{- end }}
`,
    }),
    'templates/controller-configmap.yaml': text(`
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "ingress-nginx.fullname" . }}-controller
  namespace: {{ include "ingress-nginx.namespace" . }}
data:
  {{- range $key, $value := .Values.controller.config }}
  {{ $key }}: {{ toString $value | quote }}
  {{- end }}
`),
    'templates/controller-hpa.yaml': text(`
{{- if .Values.controller.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "ingress-nginx.fullname" . }}-controller
  namespace: {{ include "ingress-nginx.namespace" . }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "ingress-nginx.fullname" . }}
  minReplicas: {{ .Values.controller.autoscaling.minReplicas }}
  maxReplicas: {{ .Values.controller.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .Values.controller.autoscaling.targetCPUUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ .Values.controller.autoscaling.targetMemoryUtilizationPercentage }}
{{- end }}
`),
    // Like upstream: a PodDisruptionBudget once more than one replica runs.
    'templates/controller-pdb.yaml': pdb(
      name,
      '{{ include "ingress-nginx.namespace" . }}',
      'or (gt (int .Values.controller.replicaCount) 1) (and .Values.controller.autoscaling.enabled (gt (int .Values.controller.autoscaling.minReplicas) 1))',
      '.Values.controller.minAvailable',
    ),
    // Like upstream's admission-webhooks/job-patch: hooks in the namespaceOverride namespace that run before any
    // regular object exists (pre-install), so that namespace must exist before them.
    'templates/admission-webhooks/job-patch/hooks.yaml': text(`
{{- if .Values.controller.admissionWebhooks.enabled }}
apiVersion: v1
kind: ServiceAccount
${admissionHookMeta('admission', RBAC_HOOK)}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
${admissionHookMeta('admission', RBAC_HOOK)}
rules:
  - apiGroups: [""]
    resources: [secrets]
    verbs: [get, create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
${admissionHookMeta('admission', RBAC_HOOK)}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {{ include "ingress-nginx.fullname" . }}-admission
subjects:
  - kind: ServiceAccount
    name: {{ include "ingress-nginx.fullname" . }}-admission
    namespace: {{ include "ingress-nginx.namespace" . }}
---
apiVersion: batch/v1
kind: Job
${admissionHookMeta('admission-create', 'pre-install,pre-upgrade')}
spec:
  template:
    metadata:
      {{- with .Values.controller.admissionWebhooks.patch.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      restartPolicy: OnFailure
      serviceAccountName: {{ include "ingress-nginx.fullname" . }}-admission
      containers:
        - name: create
          image: "example.invalid/kube-webhook-certgen:v1.6.9"
          args: [create]
${restrictedContainer()}{{- end }}
`),
    'templates/controller-service.yaml': text(`
apiVersion: v1
kind: Service
metadata:
  name: {{ include "ingress-nginx.fullname" . }}-controller
  namespace: {{ include "ingress-nginx.namespace" . }}
  {{- with .Values.controller.service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ .Values.controller.service.type }}
  {{- with .Values.controller.service.externalTrafficPolicy }}
  externalTrafficPolicy: {{ . }}
  {{- end }}
  selector:
    app.kubernetes.io/name: ingress-nginx
  ports:
    {{- if .Values.controller.service.enableHttp }}
    - name: http
      port: {{ .Values.controller.service.ports.http }}
      protocol: TCP
      targetPort: {{ .Values.controller.service.targetPorts.http }}
    {{- end }}
    {{- if .Values.controller.service.enableHttps }}
    - name: https
      port: {{ .Values.controller.service.ports.https }}
      protocol: TCP
      targetPort: {{ .Values.controller.service.targetPorts.https }}
    {{- end }}
`),
    'templates/controller-ingressclass.yaml': text(`
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: {{ .Values.controller.ingressClassResource.name }}
  {{- if .Values.controller.ingressClassResource.default }}
  annotations:
    ingressclass.kubernetes.io/is-default-class: "true"
  {{- end }}
spec:
  controller: {{ .Values.controller.ingressClassResource.controllerValue }}
`),
  });
}

/** Upstream's generated schemas (external-dns, datadog) leave the root open (unknown keys pass) but type the keys they
 * declare; external-dns declares `global` and an `enabled: boolean|null` for parents that use it as a condition. */
function typedSchema(properties: Record<string, unknown>): Buffer {
  return json({
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    additionalProperties: true,
    properties: { global: { type: 'object' }, ...properties },
  });
}

function externalDns(): StandInChart {
  const name = 'external-dns';
  const str = { type: 'string' };
  const nullableStr = { type: ['string', 'null'] };
  return standIn(name, '1.21.1', '0.21.0', { kubeVersion: '>=1.22.0-0' }, {
    'values.yaml': text(`
global: {}
namespaceOverride: ""
nameOverride: ""
fullnameOverride: ""
serviceAccount:
  create: true
  annotations: {}
  name: ""
provider:
  name: aws
sources:
  - service
  - ingress
domainFilters: []
policy: upsert-only
registry: txt
txtOwnerId: ""
txtPrefix: ""
extraArgs: []
`),
    'values.schema.json': typedSchema({
      enabled: { type: ['boolean', 'null'] },
      namespaceOverride: nullableStr,
      nameOverride: nullableStr,
      fullnameOverride: nullableStr,
      serviceAccount: {
        type: 'object',
        properties: { create: { type: 'boolean' }, annotations: { type: 'object' }, name: nullableStr },
      },
      // The legacy string form is still accepted upstream; the object form carries `name`.
      provider: { type: ['object', 'string'], properties: { name: str } },
      sources: { type: 'array', items: str, uniqueItems: true },
      domainFilters: { type: 'array', items: str, uniqueItems: true },
      policy: { type: 'string', enum: ['sync', 'upsert-only', 'create-only'] },
      registry: { type: 'string', enum: ['txt', 'aws-sd', 'dynamodb', 'noop'] },
      txtOwnerId: nullableStr,
      txtPrefix: nullableStr,
      extraArgs: { type: ['array', 'object', 'null'] },
    }),
    'templates/_helpers.tpl': helpers(name),
    'templates/deployment.yaml': deployment(name, {
      namespace: '{{ include "external-dns.namespace" . }}',
      sa: true,
      container: restrictedContainer(),
      args: `            - --provider={{ .Values.provider.name }}
            - --policy={{ .Values.policy }}
            - --registry={{ .Values.registry }}
            {{- with .Values.txtOwnerId }}
            - --txt-owner-id={{ . }}
            {{- end }}
            {{- range .Values.sources }}
            - --source={{ . }}
            {{- end }}
            {{- range .Values.domainFilters }}
            - --domain-filter={{ . }}
            {{- end }}
            {{- range .Values.extraArgs }}
            - {{ . }}
            {{- end }}
`,
    }),
    'templates/serviceaccount.yaml': serviceAccount(name, '{{ include "external-dns.namespace" . }}', '.Values.serviceAccount.annotations'),
  });
}

function datadog(): StandInChart {
  const name = 'datadog';
  const str = { type: 'string' };
  const bool = { type: 'boolean' };
  return standIn(name, '3.240.0', '7', {}, {
    // The defaults of datadog 3.240.0 for the keys opta-base sets or relies on.
    'values.yaml': text(`
nameOverride: ""
fullnameOverride: ""
datadog:
  apiKey: ""
  apiKeyExistingSecret: ""
  site: datadoghq.com
  clusterName: ""
  tags: []
  envDict: {}
  collectEvents: true
  apm:
    socketEnabled: true
    portEnabled: false
    port: 8126
  dogstatsd:
    port: 8125
    useHostPort: false
    nonLocalTraffic: true
  logs:
    enabled: false
    containerCollectAll: false
  operator:
    enabled: true
agents:
  podAnnotations: {}
clusterAgent:
  enabled: true
  podAnnotations: {}
  admissionController:
    enabled: true
    mutateUnlabelled: false
    configMode: null
clusterChecksRunner:
  enabled: false
  podAnnotations: {}
`),
    // The real schema (draft-07, open root) types only a few keys: registryMigrationMode, datadog.instrumentationCrd,
    // datadog.apm.errorTrackingStandalone, datadog.apm.instrumentation and datadog.appsec (both closed). The keys
    // opta-base sets (apm.portEnabled, dogstatsd.*, logs.*, tags, envDict, clusterAgent.*, *.podAnnotations) are not
    // typed there, so they are not here either; the templates below consume them as upstream's do.
    'values.schema.json': json({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: {
        registryMigrationMode: { type: 'string', enum: ['', 'auto', 'all'] },
        datadog: {
          type: 'object',
          properties: {
            instrumentationCrd: { type: 'object', properties: { enabled: { type: ['boolean', 'null'] } } },
            apm: {
              type: 'object',
              properties: {
                errorTrackingStandalone: { type: 'object', properties: { enabled: bool } },
                instrumentation: {
                  type: 'object',
                  additionalProperties: false,
                  properties: { enabled: bool, enabledNamespaces: { type: 'array', items: str }, disabledNamespaces: { type: 'array', items: str } },
                },
              },
            },
            appsec: { type: 'object', additionalProperties: false, properties: { injector: { type: 'object' } } },
          },
        },
      },
    }),
    'templates/_helpers.tpl': text(`
${helpers(name).toString()}
{{- define "datadog.podAnnotations" -}}
{{- with . }}
      annotations:
        {{- toYaml . | nindent 8 }}
{{- end }}
{{- end -}}
{{- define "datadog.commonEnv" -}}
- name: DD_SITE
  value: {{ .Values.datadog.site | quote }}
- name: DD_CLUSTER_NAME
  value: {{ .Values.datadog.clusterName | quote }}
{{- with .Values.datadog.tags }}
- name: DD_TAGS
  value: {{ toJson . | quote }}
{{- end }}
{{- end -}}
{{- define "datadog.nodeEnv" -}}
{{ include "datadog.commonEnv" . }}
{{- range $k, $v := .Values.datadog.envDict }}
- name: {{ $k }}
  value: {{ $v | quote }}
{{- end }}
{{- end -}}
`),
    // Like upstream: no key renders a placeholder (it does not fail), and a cluster name that is not dot-separated
    // lowercase DNS-like tokens of at most 80 characters fails.
    'templates/secret-api-key.yaml': text(`
{{- if not .Values.datadog.apiKeyExistingSecret }}
apiVersion: v1
kind: Secret
metadata:
  name: {{ include "datadog.fullname" . }}
  namespace: {{ .Release.Namespace }}
type: Opaque
data:
  api-key: {{ default "MISSING" .Values.datadog.apiKey | b64enc | quote }}
{{- end }}
`),
    // Like upstream's agent DaemonSet: DogStatsD on the agent container (UDP, hostPort with useHostPort), APM on the
    // trace-agent container (TCP, hostPort with apm.portEnabled, non-local traffic always accepted), datadog.envDict
    // on the node agents only, events collected here only when there is no Cluster Agent.
    'templates/agent.yaml': text(`
{{- with .Values.datadog.clusterName }}
{{- if or (gt (len .) 80) (not (regexMatch "^([a-z]([a-z0-9-]*[a-z0-9])?[.])*[a-z]([a-z0-9-]*[a-z0-9])?$" .)) }}
{{- fail "datadog.clusterName is not valid: dot-separated tokens of lowercase letters, digits and hyphens, each starting with a letter, at most 80 characters" }}
{{- end }}
{{- end }}
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: {{ include "datadog.fullname" . }}
  namespace: {{ .Release.Namespace }}
spec:
  selector:
    matchLabels:
      app: {{ include "datadog.fullname" . }}
  template:
    metadata:
      labels:
        app: {{ include "datadog.fullname" . }}
      {{- include "datadog.podAnnotations" .Values.agents.podAnnotations }}
    spec:
      containers:
        - name: agent
          image: "example.invalid/agent:{{ .Chart.AppVersion }}"
          ports:
            - containerPort: {{ .Values.datadog.dogstatsd.port }}
              {{- if .Values.datadog.dogstatsd.useHostPort }}
              hostPort: {{ .Values.datadog.dogstatsd.port }}
              {{- end }}
              name: dogstatsdport
              protocol: UDP
          env:
            {{- include "datadog.nodeEnv" . | nindent 12 }}
            - name: DD_DOGSTATSD_PORT
              value: {{ .Values.datadog.dogstatsd.port | quote }}
            {{- if .Values.datadog.dogstatsd.nonLocalTraffic }}
            - name: DD_DOGSTATSD_NON_LOCAL_TRAFFIC
              value: {{ .Values.datadog.dogstatsd.nonLocalTraffic | quote }}
            {{- end }}
            - name: DD_LOGS_ENABLED
              value: {{ .Values.datadog.logs.enabled | quote }}
            - name: DD_LOGS_CONFIG_CONTAINER_COLLECT_ALL
              value: {{ .Values.datadog.logs.containerCollectAll | quote }}
            {{- if and (not .Values.clusterAgent.enabled) .Values.datadog.collectEvents }}
            - name: DD_COLLECT_KUBERNETES_EVENTS
              value: "true"
            {{- end }}
        - name: trace-agent
          image: "example.invalid/agent:{{ .Chart.AppVersion }}"
          ports:
            - containerPort: {{ .Values.datadog.apm.port }}
              {{- if .Values.datadog.apm.portEnabled }}
              hostPort: {{ .Values.datadog.apm.port }}
              {{- end }}
              name: traceport
              protocol: TCP
          env:
            {{- include "datadog.nodeEnv" . | nindent 12 }}
            - name: DD_APM_NON_LOCAL_TRAFFIC
              value: "true"
            - name: DD_APM_RECEIVER_PORT
              value: {{ .Values.datadog.apm.port | quote }}
`),
    // Like upstream's Cluster Agent: events, and the admission controller; an unset configMode becomes socket while
    // datadog.apm.socketEnabled (the default), else hostip with apm.portEnabled.
    'templates/cluster-agent.yaml': text(`
{{- if .Values.clusterAgent.enabled }}
{{- $ac := .Values.clusterAgent.admissionController }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "datadog.fullname" . }}-cluster-agent
  namespace: {{ .Release.Namespace }}
spec:
  selector:
    matchLabels:
      app: {{ include "datadog.fullname" . }}-cluster-agent
  template:
    metadata:
      labels:
        app: {{ include "datadog.fullname" . }}-cluster-agent
      {{- include "datadog.podAnnotations" .Values.clusterAgent.podAnnotations }}
    spec:
      containers:
        - name: cluster-agent
          image: "example.invalid/cluster-agent:{{ .Chart.AppVersion }}"
          env:
            {{- include "datadog.commonEnv" . | nindent 12 }}
            {{- if .Values.datadog.collectEvents }}
            - name: DD_COLLECT_KUBERNETES_EVENTS
              value: {{ .Values.datadog.collectEvents | quote }}
            {{- end }}
            - name: DD_ADMISSION_CONTROLLER_ENABLED
              value: {{ $ac.enabled | quote }}
            - name: DD_ADMISSION_CONTROLLER_MUTATE_UNLABELLED
              value: {{ $ac.mutateUnlabelled | quote }}
            - name: DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE
              value: {{ $ac.configMode | default (ternary "socket" (ternary "hostip" "socket" .Values.datadog.apm.portEnabled) .Values.datadog.apm.socketEnabled) }}
      # Like upstream: scratch emptyDirs on disk, which keep cluster-autoscaler from draining the node unless declared.
      volumes:
        - name: datadogrun
          emptyDir: {}
        - name: varlog
          emptyDir: {}
        - name: tmpdir
          emptyDir: {}
        - name: config
          emptyDir: {}
{{- end }}
`),
    // datadog 3.x installs the Datadog Operator subchart (alias operator) unless datadog.operator.enabled is false.
    'templates/operator.yaml': text(`
{{- if .Values.datadog.operator.enabled }}
${deployment('datadog-operator', { namespace: '{{ .Release.Namespace }}' }).toString().replace('{{ include "datadog-operator.fullname" . }}', '{{ .Release.Name }}-datadog-operator')}
{{- end }}
`),
  });
}

/** Envoy Gateway (gateway-helm): `namespaceOverride`; the Gateway API and Envoy Gateway CRDs in crds/ of the bundled
 * `crds` subchart (condition crds.enabled), so Helm creates them before any template; the controller Deployment; the
 * certgen hook Job (pre-install, pre-upgrade) with pod annotations from values; the controller PDB from
 * podDisruptionBudget.minAvailable >= 1. No GatewayClass (upstream's chart renders none). Facts of envoyproxy/gateway
 * v1.9.0 charts/gateway-helm (Gateway API bundle v1.6.1). */
function envoyGateway(): StandInChart {
  const name = 'gateway-helm';
  const bundle = '    gateway.networking.k8s.io/bundle-version: v1.6.1\n';
  const crd = (plural: string, group: string, kind: string, scope: string, versions: string[]) => crdDoc(plural, group, kind, { scope, versions, annotations: bundle });
  const gw = 'gateway.networking.k8s.io';
  const ns = '{{ include "gateway-helm.namespace" . }}';
  return standIn(name, 'v1.9.0', 'v1.9.0', { dependencies: [{ name: 'crds', version: '0.0.0', condition: 'crds.enabled' }] }, {
    'values.yaml': text(`
crds:
  enabled: true
namespaceOverride: ""
createNamespace: false
deployment:
  replicas: 1
podDisruptionBudget:
  minAvailable: 0
certgen:
  job:
    pod:
      annotations: {}
`),
    'templates/_helpers.tpl': helpers(name),
    'templates/deployment.yaml': Buffer.from(
      // Upstream's deployment.envoyGateway.securityContext (restricted, uid 65532).
      deployment(name, { namespace: ns, spec: '  replicas: {{ .Values.deployment.replicas }}\n', container: restrictedContainer('            runAsUser: 65532\n') })
        .toString()
        .replace('{{ include "gateway-helm.fullname" . }}', 'envoy-gateway'),
    ),
    'templates/pdb.yaml': text(`
{{- if and .Values.podDisruptionBudget.minAvailable (ge (int .Values.podDisruptionBudget.minAvailable) 1) }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: envoy-gateway
  namespace: ${ns}
spec:
  minAvailable: {{ .Values.podDisruptionBudget.minAvailable }}
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
{{- end }}
`),
    'templates/certgen.yaml': text(`
apiVersion: batch/v1
kind: Job
metadata:
  name: envoy-gateway-certgen
  namespace: ${ns}
  annotations:
    "helm.sh/hook": pre-install, pre-upgrade
spec:
  template:
    metadata:
      {{- with .Values.certgen.job.pod.annotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      restartPolicy: Never
      containers:
        - name: envoy-gateway-certgen
          image: "example.invalid/envoy-gateway:{{ .Chart.AppVersion }}"
${restrictedContainer('            runAsUser: 65532\n')}`),
    'charts/crds/Chart.yaml': text('apiVersion: v2\nname: crds\ndescription: Envoy Gateway and Gateway API CRDs\ntype: application\nversion: 0.0.0\nappVersion: "0.0.0"\n'),
    'charts/crds/values.yaml': text('gatewayAPI:\n  safeUpgradePolicy:\n    enabled: true\n'),
    'charts/crds/crds/gatewayapi-crds.yaml': text(
      crd('gatewayclasses', gw, 'GatewayClass', 'Cluster', ['v1', 'v1beta1']) +
        crd('gateways', gw, 'Gateway', 'Namespaced', ['v1', 'v1beta1']) +
        crd('httproutes', gw, 'HTTPRoute', 'Namespaced', ['v1', 'v1beta1']) +
        crd('grpcroutes', gw, 'GRPCRoute', 'Namespaced', ['v1']) +
        crd('referencegrants', gw, 'ReferenceGrant', 'Namespaced', ['v1beta1', 'v1']),
    ),
    'charts/crds/crds/generated/gateway.envoyproxy.io_envoyproxies.yaml': text(crd('envoyproxies', 'gateway.envoyproxy.io', 'EnvoyProxy', 'Namespaced', ['v1alpha1'])),
  });
}

/** Every stand-in, in catalog order. */
export function standInCharts(): StandInChart[] {
  return [linkerdCrds(), linkerdControlPlane(), linkerd2Cni(), metricsServer(), clusterAutoscaler(), ingressNginx(), envoyGateway(), externalDns(), certManager(), datadog()];
}

function standInChart(name: string, version: string): StandInChart {
  const chart = standInCharts().find((c) => c.name === name && c.version === version);
  if (!chart) throw new Error(`no stand-in chart ${name}-${version}`);
  return chart;
}

const archives = new Map<string, Buffer>();

/** The stand-in as a Helm archive `<name>-<version>.tgz` (deterministic bytes, so packed once per process). */
export function standInArchive(name: string, version: string): Buffer {
  const key = `${name}@${version}`;
  const archive = archives.get(key) ?? packChart(name, standInChart(name, version).files);
  archives.set(key, archive);
  return archive;
}
