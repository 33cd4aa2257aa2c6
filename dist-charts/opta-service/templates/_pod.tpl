{{/*
The one pod template of the chart, shared by the Deployment, the StatefulSet and every CronJob.
Arguments: root (the chart context), cron (a cronJobs entry, or nil for the long-running pods).
Renders `metadata:` and `spec:` at column 0; callers indent it.
*/}}
{{- define "opta-service.podTemplate" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $cron := .cron -}}
{{- $isCron := not (empty $cron) -}}
{{- $name := include "opta-service.name" $root -}}
{{- $ports := include "opta-service.ports" $root | fromYamlArray -}}

{{- /* Labels. Cron pods get their own app.kubernetes.io/name, so the Service, HPA and PDB never select them. */}}
{{- $labels := merge (include "opta-service.labels" $root | fromYaml) $v.podLabels -}}
{{- if $cron -}}
{{- $_ := set $labels "app.kubernetes.io/name" (printf "%s-%s" $name $cron.name) -}}
{{- $_ := set $labels "app.kubernetes.io/component" "cron" -}}
{{- end -}}
{{- if eq $v.cloud.provider "azure" -}}
{{- $_ := set $labels "azure.workload.identity/use" "true" -}}
{{- end -}}
{{- $labels = merge $labels (include "opta-service.datadogLabels" $root | fromYaml) -}}
{{- if and $v.datadog.enabled $v.datadog.admissionController -}}
{{- $_ := set $labels "admission.datadoghq.com/enabled" "true" -}}
{{- end -}}

{{- /* Annotations the chart owns: a user podAnnotation with one of these keys is rejected, naming the value to use. */}}
{{- $owned := dict -}}
{{- $_ := set $owned "checksum/config" (list (include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum) "config") -}}
{{- $_ := set $owned "checksum/secret" (list (printf "%s%s" (include (print $root.Template.BasePath "/secret.yaml") $root) $v.secret.existingSecret | sha256sum) "secret") -}}
{{- $_ := set $owned "linkerd.io/inject" (list (ternary "enabled" "disabled" $v.linkerd.inject) "linkerd.inject") -}}
{{- if $v.linkerd.inject -}}
{{- with $v.linkerd.skipInboundPorts -}}
{{- $_ := set $owned "config.linkerd.io/skip-inbound-ports" (list (join "," .) "linkerd.skipInboundPorts") -}}
{{- end -}}
{{- $skipOut := $v.linkerd.skipOutboundPorts -}}
{{- if $v.datadog.enabled -}}
{{- /* DogStatsD is UDP (never proxied) and APM must reach the node's agent directly, not through the proxy. */}}
{{- $skipOut = concat $skipOut (list $v.datadog.dogstatsdPort $v.datadog.traceAgentPort) -}}
{{- end -}}
{{- with $skipOut -}}
{{- $_ := set $owned "config.linkerd.io/skip-outbound-ports" (list (join "," (uniq .)) "linkerd.skipOutboundPorts") -}}
{{- end -}}
{{- range $field, $annotation := dict "cpuRequest" "proxy-cpu-request" "cpuLimit" "proxy-cpu-limit" "memoryRequest" "proxy-memory-request" "memoryLimit" "proxy-memory-limit" -}}
{{- with index $v.linkerd.proxyResources $field -}}
{{- $_ := set $owned (printf "config.linkerd.io/%s" $annotation) (list (toString .) (printf "linkerd.proxyResources.%s" $field)) -}}
{{- end -}}
{{- end -}}
{{- $opaque := list -}}
{{- range $ports }}{{ if eq .type "tcp" }}{{ $opaque = append $opaque (toString .port) }}{{ end }}{{ end -}}
{{- if and $opaque (not $cron) -}}
{{- /* Plain TCP skips the proxy's protocol detection on the server side too (the Service says linkerd.io/opaque). */}}
{{- $_ := set $owned "config.linkerd.io/opaque-ports" (list (join "," $opaque) "ports") -}}
{{- end -}}
{{- if $cron -}}
{{- /* The proxy runs as a native sidecar (an init container with restartPolicy Always), so the Job completes
       when its container exits (linkerd/linkerd2 edge-26.8.3, pkg/k8s/labels.go ProxyEnableNativeSidecarAnnotation). */}}
{{- $_ := set $owned "config.linkerd.io/proxy-enable-native-sidecar" (list "true" "cronJobs") -}}
{{- end -}}
{{- if and $v.datadog.enabled $v.datadog.proxyMetrics -}}
{{- $check := dict "linkerd" (dict "init_config" (dict) "instances" (list (dict "openmetrics_endpoint" "http://%%host%%:4191/metrics"))) -}}
{{- $_ := set $owned "ad.datadoghq.com/linkerd-proxy.checks" (list (toJson $check) "datadog.proxyMetrics") -}}
{{- end -}}
{{- end -}}
{{- $scratch := concat (ternary (list "tmp") (list) $v.tmpDir.enabled) $v.scratchVolumes -}}
{{- if $v.linkerd.inject -}}
{{- /* Without the CNI plugin, linkerd-init mounts an emptyDir for its xtables lock
       (linkerd/linkerd2 edge-26.8.3, charts/partials/templates/_volumes.tpl). */}}
{{- $scratch = append $scratch "linkerd-proxy-init-xtables-lock" -}}
{{- end -}}
{{- with $scratch -}}
{{- $_ := set $owned "cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes" (list (join "," .) "scratchVolumes") -}}
{{- end -}}
{{- $annotations := dict -}}
{{- range $key, $pair := $owned }}{{ $_ := set $annotations $key (first $pair) }}{{ end -}}
{{- range $key, $value := $v.podAnnotations -}}
{{- if hasKey $owned $key -}}
{{- fail (printf "podAnnotations.%s: the chart sets this annotation; use %s instead" $key (last (get $owned $key))) -}}
{{- end -}}
{{- $_ := set $annotations $key $value -}}
{{- end -}}

{{- $configEnv := and $v.config.data $v.config.asEnv -}}
{{- $configMount := and $v.config.data $v.config.mountPath -}}
{{- $secretNames := list -}}
{{- if include "opta-service.rendersSecret" $root }}{{ $secretNames = append $secretNames $name }}{{ end -}}
{{- with $v.secret.existingSecret }}{{ $secretNames = append $secretNames . }}{{ end -}}
{{- $caConfigMap := $v.caBundle.existingConfigMap | default (ternary (printf "%s-ca-bundle" $name) "" (not (empty $v.caBundle.pem))) -}}
{{- $resources := $v.resources -}}
{{- if and $cron $cron.resources -}}
{{- $resources = $cron.resources -}}
{{- end -}}
metadata:
  annotations:
    {{- toYaml $annotations | nindent 4 }}
  labels:
    {{- toYaml $labels | nindent 4 }}
spec:
  serviceAccountName: {{ include "opta-service.serviceAccountName" $root | quote }}
  automountServiceAccountToken: {{ $v.serviceAccount.automountToken }}
  {{- if $cron }}
  restartPolicy: Never
  {{- end }}
  {{- with $v.imagePullSecrets }}
  imagePullSecrets:
    {{- range . }}
    - name: {{ . | quote }}
    {{- end }}
  {{- end }}
  {{- with $v.podSecurityContext }}
  securityContext:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  terminationGracePeriodSeconds: {{ $v.terminationGracePeriodSeconds }}
  enableServiceLinks: {{ $v.enableServiceLinks }}
  {{- if $v.shareProcessNamespace }}
  shareProcessNamespace: true
  {{- end }}
  {{- with $v.priorityClassName }}
  priorityClassName: {{ . | quote }}
  {{- end }}
  {{- with $v.runtimeClassName }}
  runtimeClassName: {{ . | quote }}
  {{- end }}
  {{- with $v.hostAliases }}
  hostAliases:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with include "opta-service.dnsConfig" $root }}
  dnsConfig:
    {{- . | nindent 4 }}
  {{- end }}
  {{- if and $v.initContainers (not $cron) }}
  initContainers:
    {{- include "opta-service.extraContainers" (dict "root" $root "containers" $v.initContainers) | nindent 4 }}
  {{- end }}
  containers:
    - name: {{ ternary "job" $name $isCron }}
      image: {{ include "opta-service.image" $root | quote }}
      imagePullPolicy: {{ $v.image.pullPolicy }}
      {{- with ternary (($cron | default dict).command) $v.command $isCron }}
      command:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with ternary (($cron | default dict).args) $v.args $isCron }}
      args:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- if and $ports (not $cron) }}
      ports:
        {{- range $ports }}
        - name: {{ .name }}
          containerPort: {{ .port }}
          protocol: TCP
        {{- end }}
      {{- end }}
      {{- $datadogEnv := include "opta-service.datadogEnv" $root | fromYamlArray }}
      {{- $linkEnv := include "opta-service.linkSecretEnv" $root | fromYamlArray }}
      {{- if or $v.env $v.extraEnv $datadogEnv $linkEnv $caConfigMap }}
      env:
        {{- range $key, $value := $v.env }}
        - name: {{ $key }}
          value: {{ $value | toJson }}
        {{- end }}
        {{- with $datadogEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
        {{- with $linkEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
        {{- if $caConfigMap }}
        - name: {{ $v.caBundle.envName }}
          value: {{ printf "%s/%s" (trimSuffix "/" $v.caBundle.mountPath) $v.caBundle.key | toJson }}
        {{- end }}
        {{- with $v.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- end }}
      {{- if or $configEnv $secretNames $v.envFrom }}
      envFrom:
        {{- if $configEnv }}
        - configMapRef:
            name: {{ $name }}
        {{- end }}
        {{- range $secretNames }}
        - secretRef:
            name: {{ . | quote }}
        {{- end }}
        {{- with $v.envFrom }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- end }}
      {{- if not $cron }}
      {{- range $kind := list "liveness" "readiness" "startup" }}
      {{- if (index $v.probes $kind).enabled }}
      {{ $kind }}Probe:
        {{- include "opta-service.probe" (dict "root" $root "kind" $kind) | nindent 8 }}
      {{- end }}
      {{- end }}
      {{- end }}
      {{- if or $resources.requests $resources.limits }}
      resources:
        {{- with $resources.requests }}
        requests:
          {{- toYaml . | nindent 10 }}
        {{- end }}
        {{- with $resources.limits }}
        limits:
          {{- toYaml . | nindent 10 }}
        {{- end }}
      {{- end }}
      {{- with and (not $cron) (include "opta-service.lifecycle" $root) }}
      lifecycle:
        {{- . | trim | nindent 8 }}
      {{- end }}
      {{- with $v.securityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- $persistent := ternary (list) $v.persistence $isCron }}
      {{- if or $v.tmpDir.enabled $configMount $caConfigMap $persistent $v.extraVolumeMounts }}
      volumeMounts:
        {{- if $v.tmpDir.enabled }}
        - name: tmp
          mountPath: /tmp
        {{- end }}
        {{- if $configMount }}
        - name: config
          mountPath: {{ $v.config.mountPath | toJson }}
          readOnly: true
        {{- end }}
        {{- if $caConfigMap }}
        - name: ca-bundle
          mountPath: {{ $v.caBundle.mountPath | toJson }}
          readOnly: true
        {{- end }}
        {{- range $persistent }}
        - name: {{ .name }}
          mountPath: {{ .path | toJson }}
        {{- end }}
        {{- with $v.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- end }}
    {{- if and $v.sidecars (not $cron) }}
    {{- include "opta-service.extraContainers" (dict "root" $root "containers" $v.sidecars) | nindent 4 }}
    {{- end }}
  {{- if or $v.tmpDir.enabled $configMount $caConfigMap $v.extraVolumes }}
  volumes:
    {{- if $v.tmpDir.enabled }}
    - name: tmp
      emptyDir:
        {{- if kindIs "invalid" $v.tmpDir.sizeLimit }} {}
        {{- else }}
        sizeLimit: {{ $v.tmpDir.sizeLimit | toJson }}
        {{- end }}
    {{- end }}
    {{- if $configMount }}
    - name: config
      configMap:
        name: {{ $name }}
    {{- end }}
    {{- if $caConfigMap }}
    - name: ca-bundle
      configMap:
        name: {{ $caConfigMap | quote }}
        items:
          - key: {{ $v.caBundle.key | quote }}
            path: {{ $v.caBundle.key | quote }}
    {{- end }}
    {{- with $v.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
  {{- with $v.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if not $cron }}
  {{- with $v.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- range . }}
    {{- $c := . }}
    {{- if not (hasKey $c "labelSelector") }}
    {{- $c = merge (dict "labelSelector" (dict "matchLabels" (include "opta-service.selectorLabels" $root | fromYaml))) $c }}
    {{- end }}
    - {{- toYaml $c | nindent 6 }}
    {{- end }}
  {{- end }}
  {{- end }}
{{- end -}}

{{/* Datadog unified service tagging labels (on the workload and the pods). */}}
{{- define "opta-service.datadogLabels" -}}
{{- $d := .Values.datadog -}}
{{- if $d.enabled -}}
{{- with $d.env }}
tags.datadoghq.com/env: {{ . | quote }}
{{- end }}
tags.datadoghq.com/service: {{ $d.service | default (include "opta-service.name" .) | quote }}
{{- with (include "opta-service.labels" . | fromYaml) }}
{{- with (get . "app.kubernetes.io/version") }}
tags.datadoghq.com/version: {{ . | quote }}
{{- end }}
{{- end }}
{{- end -}}
{{- end -}}

{{/*
Datadog env: DD_ENV/DD_SERVICE/DD_VERSION from the pod's labels, and the node's agent as DD_AGENT_HOST unless the
Cluster Agent's admission controller injects it.
*/}}
{{- define "opta-service.datadogEnv" -}}
{{- $d := .Values.datadog -}}
{{- if $d.enabled -}}
{{- range $suffix, $tag := dict "ENV" "env" "SERVICE" "service" "VERSION" "version" }}
{{- if hasKey (include "opta-service.datadogLabels" $ | fromYaml) (printf "tags.datadoghq.com/%s" $tag) }}
- name: DD_{{ $suffix }}
  valueFrom:
    fieldRef:
      fieldPath: {{ printf "metadata.labels['tags.datadoghq.com/%s']" $tag }}
{{- end }}
{{- end }}
{{- if not $d.admissionController }}
- name: DD_AGENT_HOST
  valueFrom:
    fieldRef:
      fieldPath: status.hostIP
{{- end }}
- name: DD_TRACE_AGENT_PORT
  value: {{ $d.traceAgentPort | toString | quote }}
- name: DD_DOGSTATSD_PORT
  value: {{ $d.dogstatsdPort | toString | quote }}
{{- end -}}
{{- end -}}

{{/*
Sidecars or init containers as a YAML list: each inherits the container securityContext, its own fields winning.
Arguments: root, containers.
*/}}
{{- define "opta-service.extraContainers" -}}
{{- $inherited := .root.Values.securityContext | default dict -}}
{{- $out := list -}}
{{- range .containers -}}
{{- $c := deepCopy . -}}
{{- if or $inherited (hasKey $c "securityContext") -}}
{{- $_ := set $c "securityContext" (mergeOverwrite (deepCopy $inherited) (deepCopy ($c.securityContext | default dict))) -}}
{{- end -}}
{{- $out = append $out $c -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/*
The application container's lifecycle (YAML), or nothing: the preStop sleep lets the edge and Linkerd take the pod out
of their endpoints before SIGTERM. The sleep action (KEP-3960) is beta and on by default in Kubernetes 1.30-1.33, GA
in 1.34 (kubernetes/kubernetes pkg/features/kube_features.go PodLifecycleSleepAction); seconds must be at least 1
before 1.33's PodLifecycleSleepActionAllowZero.
*/}}
{{- define "opta-service.lifecycle" -}}
{{- $l := .Values.lifecycle -}}
{{- $ports := include "opta-service.ports" . | fromYamlArray -}}
{{- with $l.postStart }}
postStart:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if $l.preStop }}
preStop:
  {{- toYaml $l.preStop | nindent 2 }}
{{- else if and $ports (not (kindIs "invalid" $l.preStopSleepSeconds)) }}
preStop:
  sleep:
    seconds: {{ $l.preStopSleepSeconds }}
{{- end }}
{{- end -}}

{{/* dnsConfig (YAML) with its empty lists left out, or nothing. */}}
{{- define "opta-service.dnsConfig" -}}
{{- $d := dict -}}
{{- range $key, $value := .Values.dnsConfig }}{{ if $value }}{{ $_ := set $d $key $value }}{{ end }}{{ end -}}
{{- with $d }}{{ toYaml . }}{{ end -}}
{{- end -}}
