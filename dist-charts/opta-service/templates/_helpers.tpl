{{/*
The service's name: every object carries it, so the Service resolves as <name>.<layer>.
*/}}
{{- define "opta-service.name" -}}
{{- .Values.name | default .Release.Name -}}
{{- end -}}

{{/* The Opta layer: the release namespace unless set. */}}
{{- define "opta-service.layer" -}}
{{- .Values.layer | default .Release.Namespace -}}
{{- end -}}

{{- define "opta-service.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The tag in use: image.tag, else the chart's appVersion (the placeholder image's tag). */}}
{{- define "opta-service.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion -}}
{{- end -}}

{{- define "opta-service.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (include "opta-service.imageTag" .) -}}
{{- end -}}
{{- end -}}

{{/*
Selector labels: minimal, and never changed by an upgrade (a Deployment's selector is immutable).
Label values are quoted: a layer "2024" or a component "1" must stay a string, not become a YAML number.
*/}}
{{- define "opta-service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "opta-service.name" . | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
{{- end -}}

{{- define "opta-service.labels" -}}
{{ include "opta-service.selectorLabels" . }}
{{- /* An image pinned only by digest has no version to show (the appVersion tag would be misleading). */}}
{{- $tag := ternary .Values.image.tag (include "opta-service.imageTag" .) (not (empty .Values.image.digest)) }}
{{- $version := regexReplaceAll "^[^A-Za-z0-9]+|[^A-Za-z0-9]+$" ($tag | trunc 63) "" }}
{{- if $version }}
app.kubernetes.io/version: {{ $version | quote }}
{{- end }}
app.kubernetes.io/component: {{ .Values.component | quote }}
app.kubernetes.io/part-of: {{ include "opta-service.layer" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
helm.sh/chart: {{ include "opta-service.chart" . | quote }}
{{- end -}}

{{/* The ServiceAccount the pods run as. */}}
{{- define "opta-service.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- include "opta-service.name" . -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{/* Kind of the long-running workload: a StatefulSet when the pods have persistent volumes. */}}
{{- define "opta-service.workloadKind" -}}
{{- ternary "StatefulSet" "Deployment" (not (empty .Values.persistence)) -}}
{{- end -}}

{{/* The ports as a YAML list, servicePort defaulted to port. */}}
{{- define "opta-service.ports" -}}
{{- range .Values.ports }}
- name: {{ .name }}
  type: {{ .type | default "http" }}
  port: {{ .port }}
  servicePort: {{ .servicePort | default .port }}
{{- end }}
{{- end -}}

{{/*
The port a probe or URI names. Arguments: root, name (empty: the first port whose type is in `types`).
Returns the port as YAML, or nothing.
*/}}
{{- define "opta-service.findPort" -}}
{{- $found := dict -}}
{{- range include "opta-service.ports" .root | fromYamlArray -}}
{{- if and (not $found) (or (eq $.name .name) (and (not $.name) (has .type $.types))) -}}
{{- $found = . -}}
{{- end -}}
{{- end -}}
{{- with $found }}{{ toYaml . }}{{ end -}}
{{- end -}}

{{/*
Service appProtocol per port type. Linkerd's policy controller reads `http` and `kubernetes.io/h2c`, and treats
`linkerd.io/opaque` as opaque TCP (linkerd/linkerd2 edge-26.8.3, policy-controller/core/src/outbound.rs);
`kubernetes.io/ws` is Kubernetes' name for WebSocket over cleartext (KEP-3726).
*/}}
{{- define "opta-service.appProtocol" -}}
{{- get (dict "http" "http" "grpc" "kubernetes.io/h2c" "websocket" "kubernetes.io/ws" "tcp" "linkerd.io/opaque") . -}}
{{- end -}}

{{/* True (non-empty) when the chart renders its own Secret. */}}
{{- define "opta-service.rendersSecret" -}}
{{- if or .Values.secret.data (include "opta-service.linkSecretData" . | fromYaml) -}}
true
{{- end -}}
{{- end -}}

{{/* Env var prefix of a link. */}}
{{- define "opta-service.linkPrefix" -}}
{{- .envPrefix | default (printf "%s_" (.name | upper | replace "-" "_")) -}}
{{- end -}}

{{/* Fields of a link per type, as env-suffix: field. */}}
{{- define "opta-service.linkFields" -}}
{{- if eq .type "redis" -}}
{"HOST": "host", "PORT": "port", "AUTH_TOKEN": "password"}
{{- else -}}
{"HOST": "host", "PORT": "port", "NAME": "database", "USER": "user", "PASSWORD": "password"}
{{- end -}}
{{- end -}}

{{/* Default port per link type. */}}
{{- define "opta-service.linkPort" -}}
{{- .port | default (get (dict "postgres" 5432 "mysql" 3306 "redis" 6379 "documentdb" 27017) .type) -}}
{{- end -}}

{{/* Values of the links given inline, as env name: value, for the chart's Secret (empty fields left out). */}}
{{- define "opta-service.linkSecretData" -}}
{{- range $link := .Values.links }}
{{- if not $link.existingSecret }}
{{- $prefix := include "opta-service.linkPrefix" $link }}
{{- $values := dict "host" $link.host "port" (include "opta-service.linkPort" $link) "database" $link.database "user" $link.user "password" $link.password }}
{{- range $suffix, $field := include "opta-service.linkFields" $link | fromJson }}
{{- with get $values $field }}
{{ printf "%s%s" $prefix $suffix }}: {{ . | toString | toJson }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* EnvVars reading links from existing Secrets. The host is required; other keys are optional in the Secret. */}}
{{- define "opta-service.linkSecretEnv" -}}
{{- range $link := .Values.links }}
{{- if $link.existingSecret }}
{{- $prefix := include "opta-service.linkPrefix" $link }}
{{- $keys := merge (dict) ($link.secretKeys | default dict) (dict "host" "host" "port" "port" "database" "database" "user" "username" "password" "password") }}
{{- range $suffix, $field := include "opta-service.linkFields" $link | fromJson }}
- name: {{ printf "%s%s" $prefix $suffix }}
  valueFrom:
    secretKeyRef:
      name: {{ $link.existingSecret | quote }}
      key: {{ get $keys $field | quote }}
      {{- if ne $field "host" }}
      optional: true
      {{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The port a probe checks (YAML), or nothing for exec. */}}
{{- define "opta-service.probePort" -}}
{{- $p := index .root.Values.probes .kind -}}
{{- if ne $p.type "exec" -}}
{{- $types := ternary (list "http" "grpc" "websocket" "tcp") (list $p.type) (eq $p.type "tcp") -}}
{{- if eq $p.type "http" }}{{ $types = list "http" "websocket" }}{{ end -}}
{{- include "opta-service.findPort" (dict "root" .root "name" $p.port "types" $types) -}}
{{- end -}}
{{- end -}}

{{/*
One probe. Arguments: root (the chart context), kind (liveness|readiness|startup).
http and tcp check the named container port; grpc needs the number.
*/}}
{{- define "opta-service.probe" -}}
{{- $p := index .root.Values.probes .kind -}}
{{- $port := include "opta-service.probePort" . | fromYaml -}}
{{- if eq $p.type "http" }}
httpGet:
  path: {{ $p.path | toJson }}
  port: {{ $port.name }}
  scheme: {{ $p.scheme }}
  {{- with $p.httpHeaders }}
  httpHeaders:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- else if eq $p.type "tcp" }}
tcpSocket:
  port: {{ $port.name }}
{{- else if eq $p.type "grpc" }}
grpc:
  port: {{ $port.port }}
  {{- with $p.grpcService }}
  service: {{ . | toJson }}
  {{- end }}
{{- else }}
exec:
  command:
    {{- toYaml $p.command | nindent 4 }}
{{- end }}
initialDelaySeconds: {{ $p.initialDelaySeconds }}
periodSeconds: {{ $p.periodSeconds }}
timeoutSeconds: {{ $p.timeoutSeconds }}
successThreshold: {{ $p.successThreshold }}
failureThreshold: {{ $p.failureThreshold }}
{{- with $p.terminationGracePeriodSeconds }}
terminationGracePeriodSeconds: {{ . }}
{{- end }}
{{- end -}}

{{/*
The user's NetworkPolicy rules (YAML list). When meshed, a rule that lists ports also gets the proxy's inbound port 4143,
where meshed peers connect for opaque ports and with Linkerd's transport-header mode (see networkpolicy.yaml).
*/}}
{{- define "opta-service.networkPolicyUserRules" -}}
{{- $out := list -}}
{{- range .rules -}}
{{- $r := deepCopy . -}}
{{- if and $.meshed $r.ports -}}
{{- $inbound := dict "port" 4143 "protocol" "TCP" -}}
{{- $has := false -}}
{{- range $r.ports }}{{ if and (eq (toString .port) "4143") (eq (.protocol | default "TCP") "TCP") }}{{ $has = true }}{{ end }}{{ end -}}
{{- if not $has }}{{ $_ := set $r "ports" (append $r.ports $inbound) }}{{ end -}}
{{- end -}}
{{- $out = append $out $r -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}
