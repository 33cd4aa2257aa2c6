// Used by the test suite and by `npm run bench` (which runs offline); not part of the CLI.
// Small stand-ins for the upstream base-stack charts (unreachable from tests): same names and versions, and the
// behaviour opta-base relies on — the value keys it sets, namespaceOverride where upstream has it, draft-07 schemas
// with the same structure for the keys opta-base sets (external-dns: open root, typed keys, `global` and `enabled`
// declared; datadog: open except a few deep keys), cluster-autoscaler rendering no Deployment without
// autoDiscovery.clusterName, Linkerd refusing to render without its identity, datadog's cluster-name check.
// Written from the upstream charts' facts (read at the versions noted in the opta-base verification), not copied.
import yaml from 'js-yaml';
import type { FileTree } from '../chart/types.js';
import { packChart } from '../package/archive.js';

export interface StandInChart {
  name: string;
  version: string;
  appVersion: string;
  files: FileTree;
}

const text = (s: string) => Buffer.from(s.replace(/^\n/, ''));
const json = (o: unknown) => Buffer.from(`${JSON.stringify(o, null, 2)}\n`);

/** A stand-in whose Chart.yaml is written from its name, version and appVersion (plus `chartExtra` fields). */
function standIn(name: string, version: string, appVersion: string, chartExtra: Record<string, unknown>, files: FileTree): StandInChart {
  const chartYaml = yaml.dump({ apiVersion: 'v2', name, version, appVersion, description: `Stand-in for the upstream ${name} chart`, type: 'application', ...chartExtra });
  return { name, version, appVersion, files: { 'Chart.yaml': Buffer.from(chartYaml), ...files } };
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

function deployment(name: string, opts: { namespace: string; args?: string; env?: string; sa?: boolean; kind?: string }): Buffer {
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
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
      app.kubernetes.io/instance: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${name}
        app.kubernetes.io/instance: {{ .Release.Name }}
    spec:
${opts.sa ? `      serviceAccountName: {{ include "${name}.fullname" . }}\n` : ''}      containers:
        - name: ${name}
          image: "example.invalid/${name}:{{ .Chart.AppVersion }}"
${opts.args ? `          args:\n${opts.args}` : ''}${opts.env ? `          env:\n${opts.env}` : ''}`);
}

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

function linkerdCrds(): StandInChart {
  const crd = (plural: string, group: string, kind: string) => `
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.${group}
spec:
  group: ${group}
  names:
    kind: ${kind}
    plural: ${plural}
    singular: ${kind.toLowerCase()}
  scope: Namespaced
  versions:
    - name: v1beta1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
`;
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
identity:
  externalCA: false
  issuer:
    scheme: linkerd.io/tls
    tls:
      crtPEM: ""
      keyPEM: ""
proxyInjector:
  namespaceSelector: {}
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
    'templates/destination.yaml': text(`
apiVersion: apps/v1
kind: Deployment
metadata:
  name: linkerd-identity
  namespace: {{ .Release.Namespace }}
spec:
  selector:
    matchLabels:
      linkerd.io/control-plane-component: identity
  template:
    metadata:
      labels:
        linkerd.io/control-plane-component: identity
    spec:
      containers:
        - name: identity
          image: "example.invalid/linkerd-controller:{{ .Chart.AppVersion }}"
`),
  });
}

function metricsServer(): StandInChart {
  const name = 'metrics-server';
  return standIn(name, '3.13.1', '0.8.1', {}, {
    'values.yaml': text('fullnameOverride: ""\nargs: []\n'),
    'templates/_helpers.tpl': helpers(name),
    'templates/deployment.yaml': deployment(name, {
      namespace: '{{ .Release.Namespace }}',
      sa: true,
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
}).toString()}
{{- end }}
`),
    'templates/serviceaccount.yaml': serviceAccount(name, '{{ .Release.Namespace }}', '.Values.rbac.serviceAccount.annotations'),
  });
}

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
  service:
    type: LoadBalancer
    annotations: {}
    externalTrafficPolicy: ""
  config: {}
  admissionWebhooks:
    enabled: true
    patch:
      podAnnotations: {}
`),
    'templates/_helpers.tpl': helpers(name),
    'templates/controller-deployment.yaml': deployment(name, {
      namespace: '{{ include "ingress-nginx.namespace" . }}',
      args: '            - /nginx-ingress-controller\n            - --ingress-class={{ .Values.controller.ingressClassResource.name }}\n',
    }),
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
    - name: http
      port: 80
      targetPort: 80
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
  return standIn(name, '3.240.0', '7', {}, {
    'values.yaml': text(`
nameOverride: ""
fullnameOverride: ""
datadog:
  apiKey: ""
  apiKeyExistingSecret: ""
  site: datadoghq.com
  clusterName: ""
clusterAgent:
  enabled: true
`),
    // Upstream types only a few deep keys (e.g. datadog.apm.instrumentation, closed); everything else is open.
    'values.schema.json': json({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: {
        datadog: {
          type: 'object',
          properties: {
            apm: {
              type: 'object',
              properties: {
                instrumentation: {
                  type: 'object',
                  additionalProperties: false,
                  properties: { enabled: { type: 'boolean' }, enabledNamespaces: { type: 'array', items: str } },
                },
              },
            },
          },
        },
      },
    }),
    'templates/_helpers.tpl': helpers(name),
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
    'templates/agent.yaml': text(`
{{- with .Values.datadog.clusterName }}
{{- if or (gt (len .) 80) (not (regexMatch "^([a-z]([a-z0-9-]*[a-z0-9])?[.])*[a-z]([a-z0-9-]*[a-z0-9])?$" .)) }}
{{- fail "datadog.clusterName is not valid: dot-separated tokens of lowercase letters, digits and hyphens, each starting with a letter, at most 80 characters" }}
{{- end }}
{{- end }}
${deployment(name, {
  kind: 'DaemonSet',
  namespace: '{{ .Release.Namespace }}',
  env: `            - name: DD_SITE
              value: {{ .Values.datadog.site | quote }}
            - name: DD_CLUSTER_NAME
              value: {{ .Values.datadog.clusterName | quote }}
`,
}).toString()}`),
  });
}

/** Every stand-in, in catalog order. */
export function standInCharts(): StandInChart[] {
  return [linkerdCrds(), linkerdControlPlane(), metricsServer(), clusterAutoscaler(), ingressNginx(), externalDns(), datadog()];
}

function standInChart(name: string, version: string): StandInChart {
  const chart = standInCharts().find((c) => c.name === name && c.version === version);
  if (!chart) throw new Error(`no stand-in chart ${name}-${version}`);
  return chart;
}

/** The stand-in as a Helm archive `<name>-<version>.tgz` (deterministic bytes). */
export function standInArchive(name: string, version: string): Buffer {
  return packChart(name, standInChart(name, version).files);
}
