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

{{/* True (non-empty) when the chart renders its own Secret. */}}
{{- define "opta-service.rendersSecret" -}}
{{- if and (not .Values.secret.existingSecret) (or .Values.secret.data (include "opta-service.databaseEnv" . | fromYaml)) -}}
true
{{- end -}}
{{- end -}}

{{/* Database credentials as env name: value, empty fields left out. */}}
{{- define "opta-service.databaseEnv" -}}
{{- $db := .Values.secret.database -}}
{{- with $db.host }}
DB_HOST: {{ . | toJson }}
{{- end }}
{{- with $db.port }}
DB_PORT: {{ . | toString | toJson }}
{{- end }}
{{- with $db.name }}
DB_NAME: {{ . | toJson }}
{{- end }}
{{- with $db.user }}
DB_USER: {{ . | toJson }}
{{- end }}
{{- with $db.password }}
DB_PASSWORD: {{ . | toJson }}
{{- end }}
{{- end -}}

{{/* Names of the enabled ports, in the order http, grpc, tcp. */}}
{{- define "opta-service.enabledPorts" -}}
{{- range $name := list "http" "grpc" "tcp" }}
{{- if (index $.Values.ports $name).enabled }}
- {{ $name }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
One probe. Arguments: root (the chart context), kind (liveness|readiness|startup).
http and tcp check a named port, grpc needs a number.
*/}}
{{- define "opta-service.probe" -}}
{{- $root := .root -}}
{{- $p := index $root.Values.probes .kind -}}
{{- $port := $p.port -}}
{{- if eq (toString $port) "" -}}
{{- if eq $p.type "grpc" }}{{ $port = "grpc" }}{{ else if eq $p.type "http" }}{{ $port = "http" }}{{ else }}{{ $port = first (include "opta-service.enabledPorts" $root | fromYamlArray) }}{{ end -}}
{{- end -}}
{{- if eq $p.type "http" }}
httpGet:
  path: {{ $p.path | toJson }}
  port: {{ $port | toJson }}
  scheme: {{ $p.scheme }}
  {{- with $p.httpHeaders }}
  httpHeaders:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- else if eq $p.type "tcp" }}
tcpSocket:
  port: {{ $port | toJson }}
{{- else if eq $p.type "grpc" }}
grpc:
  port: {{ if kindIs "string" $port }}{{ (index $root.Values.ports $port).containerPort }}{{ else }}{{ $port }}{{ end }}
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
