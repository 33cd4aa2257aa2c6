{{/*
Rules the values schema cannot express. Each message names the keys involved.
Included once, from deployment.yaml.
*/}}
{{- define "opta-service.validate" -}}
{{- $v := .Values -}}
{{- if and (not $v.name) (not (regexMatch "^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$" .Release.Name)) -}}
{{- fail (printf "name: the release name %q is not a DNS-1035 label (lower-case letters, digits, '-', starting with a letter, at most 63 characters); set name" .Release.Name) -}}
{{- end -}}
{{- $enabled := include "opta-service.enabledPorts" . | fromYamlArray -}}
{{- if not $enabled -}}
{{- fail "ports: enable at least one of ports.http, ports.grpc, ports.tcp" -}}
{{- end -}}
{{- $seen := dict -}}
{{- range $name := $enabled -}}
{{- $p := index $v.ports $name -}}
{{- range $field := list "port" "containerPort" -}}
{{- $key := printf "%s/%v" $field (index $p $field) -}}
{{- if hasKey $seen $key -}}
{{- fail (printf "ports.%s.%s: %v is already used by ports.%s.%s" $name $field (index $p $field) (get $seen $key) $field) -}}
{{- end -}}
{{- $_ := set $seen $key $name -}}
{{- end -}}
{{- end -}}

{{- if $v.autoscaling.enabled -}}
{{- $a := $v.autoscaling -}}
{{- if gt (int $a.minReplicas) (int $a.maxReplicas) -}}
{{- fail (printf "autoscaling.minReplicas (%v) must not exceed autoscaling.maxReplicas (%v)" $a.minReplicas $a.maxReplicas) -}}
{{- end -}}
{{- if and (kindIs "invalid" $a.targetCPUUtilizationPercentage) (kindIs "invalid" $a.targetMemoryUtilizationPercentage) -}}
{{- fail "autoscaling: set autoscaling.targetCPUUtilizationPercentage or autoscaling.targetMemoryUtilizationPercentage, or set autoscaling.enabled to false" -}}
{{- end -}}
{{- $requests := $v.resources.requests | default dict -}}
{{- if and (not (kindIs "invalid" $a.targetCPUUtilizationPercentage)) (not (hasKey $requests "cpu")) -}}
{{- fail "autoscaling.targetCPUUtilizationPercentage needs resources.requests.cpu (utilisation is a share of the request)" -}}
{{- end -}}
{{- if and (not (kindIs "invalid" $a.targetMemoryUtilizationPercentage)) (not (hasKey $requests "memory")) -}}
{{- fail "autoscaling.targetMemoryUtilizationPercentage needs resources.requests.memory (utilisation is a share of the request)" -}}
{{- end -}}
{{- end -}}

{{- if eq $v.strategy.type "RollingUpdate" -}}
{{- if and (eq (toString $v.strategy.maxSurge) "0") (eq (toString $v.strategy.maxUnavailable) "0") -}}
{{- fail "strategy.maxSurge and strategy.maxUnavailable cannot both be 0" -}}
{{- end -}}
{{- end -}}

{{- if and $v.secret.existingSecret (or $v.secret.data (include "opta-service.databaseEnv" . | fromYaml)) -}}
{{- fail "secret.existingSecret: leave secret.data and secret.database empty when an existing Secret is used" -}}
{{- end -}}

{{- $provider := $v.cloud.provider -}}
{{- if ne $provider "none" -}}
{{- if not $v.serviceAccount.create -}}
{{- fail (printf "cloud.provider: %s identity is bound to the chart's ServiceAccount; set serviceAccount.create to true" $provider) -}}
{{- end -}}
{{- if and (eq $provider "aws") (not $v.cloud.aws.roleArn) -}}
{{- fail "cloud.aws.roleArn is required when cloud.provider is aws" -}}
{{- end -}}
{{- if and (eq $provider "gcp") (not $v.cloud.gcp.serviceAccount) -}}
{{- fail "cloud.gcp.serviceAccount is required when cloud.provider is gcp" -}}
{{- end -}}
{{- if and (eq $provider "azure") (not $v.cloud.azure.clientId) -}}
{{- fail "cloud.azure.clientId is required when cloud.provider is azure" -}}
{{- end -}}
{{- end -}}

{{- if $v.ingress.enabled -}}
{{- if not $v.ingress.hosts -}}
{{- fail "ingress.hosts: list at least one host when ingress.enabled is true" -}}
{{- end -}}
{{- if not (has $v.ingress.servicePort $enabled) -}}
{{- fail (printf "ingress.servicePort: %s, but ports.%s.enabled is false" $v.ingress.servicePort $v.ingress.servicePort) -}}
{{- end -}}
{{- end -}}

{{- if $v.podDisruptionBudget.enabled -}}
{{- $pdb := $v.podDisruptionBudget -}}
{{- if eq (kindIs "invalid" $pdb.minAvailable) (kindIs "invalid" $pdb.maxUnavailable) -}}
{{- fail "podDisruptionBudget: set exactly one of podDisruptionBudget.minAvailable and podDisruptionBudget.maxUnavailable (the other null)" -}}
{{- end -}}
{{- end -}}

{{- range $kind := list "liveness" "readiness" "startup" -}}
{{- $p := index $v.probes $kind -}}
{{- if $p.enabled -}}
{{- if and (eq $p.type "exec") (not $p.command) -}}
{{- fail (printf "probes.%s.command: an exec probe needs a command" $kind) -}}
{{- end -}}
{{- if and (ne $kind "readiness") (ne (int $p.successThreshold) 1) -}}
{{- fail (printf "probes.%s.successThreshold must be 1 for a %s probe" $kind $kind) -}}
{{- end -}}
{{- if and (eq $kind "readiness") (not (kindIs "invalid" $p.terminationGracePeriodSeconds)) -}}
{{- fail "probes.readiness.terminationGracePeriodSeconds: Kubernetes allows it on liveness and startup probes only" -}}
{{- end -}}
{{- $port := toString $p.port -}}
{{- if and (ne $p.type "exec") (eq $port "") -}}
{{- $port = ternary "grpc" (ternary "http" (first $enabled) (eq $p.type "http")) (eq $p.type "grpc") -}}
{{- end -}}
{{- if and (ne $p.type "exec") (has $port (list "http" "grpc" "tcp")) (not (has $port $enabled)) -}}
{{- fail (printf "probes.%s.port: the %s probe checks port %q, but ports.%s.enabled is false; enable it or set probes.%s.port" $kind $p.type $port $port $kind) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
