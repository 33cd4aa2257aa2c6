{{/* The catalog data this chart was built with (providers; dependencies living in their own namespace). */}}
{{- define "opta-base.catalog" -}}
{{- .Files.Get "components.json" | fromJson | toYaml -}}
{{- end -}}

{{/* The providers whose tag is true, as a list. */}}
{{- define "opta-base.selectedProviders" -}}
{{- $catalog := include "opta-base.catalog" . | fromYaml -}}
{{- $tags := default dict .Values.tags -}}
{{- $selected := list -}}
{{- range $catalog.providers -}}
{{- $on := get $tags . -}}
{{- if and (kindIs "bool" $on) $on -}}{{- $selected = append $selected . -}}{{- end -}}
{{- end -}}
{{- toYaml (dict "providers" $selected) -}}
{{- end -}}

{{/* helm.sh/chart: name-version, "+" as "_", cut to a label value's 63 characters; the same text as every chart's
<chart>.chart helper (test/build/chart-helpers.test.ts). */}}
{{- define "opta-base.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "opta-base.labels" -}}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: opta-base
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ include "opta-base.chart" . | quote }}
{{- end -}}

{{/* "true" when meshed pods get linkerd-init (no CNI plugin): the control plane is on and a component paired with
its value (Linkerd's CNI plugin, paired with cniEnabled) is off. */}}
{{- define "opta-base.proxyInitMode" -}}
{{- $catalog := include "opta-base.catalog" . | fromYaml -}}
{{- $init := false -}}
{{- range $catalog.paired -}}
{{- range .valueKeys -}}
{{- if hasKey $.Subcharts . -}}
{{- $init = true -}}
{{- end -}}
{{- end -}}
{{- range .keys -}}
{{- if hasKey $.Subcharts .key -}}
{{- $init = false -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $init -}}
{{- end -}}
