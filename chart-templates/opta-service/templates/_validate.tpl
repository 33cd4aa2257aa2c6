{{/*
Rules the values schema cannot express. Each message names the keys involved.
Included once, from deployment.yaml (rendered whatever the workload kind).
*/}}
{{- define "opta-service.validate" -}}
{{- $v := .Values -}}
{{- if and (not $v.name) (not (regexMatch "^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$" .Release.Name)) -}}
{{- fail (printf "name: the release name %q is not a DNS-1035 label (lower-case letters, digits, '-', starting with a letter, at most 63 characters); set name" .Release.Name) -}}
{{- end -}}
{{- if and $v.layer (ne $v.layer .Release.Namespace) -}}
{{- fail (printf "layer: %q differs from the release namespace %q; the service is reachable as <name>.<layer> only when installed in the namespace named after its layer (helm install -n %s), or leave layer empty" $v.layer .Release.Namespace $v.layer) -}}
{{- end -}}
{{- $name := include "opta-service.name" . -}}

{{- /* Ports: unique names and numbers. */}}
{{- $ports := include "opta-service.ports" . | fromYamlArray -}}
{{- $seen := dict -}}
{{- range $i, $p := $ports -}}
{{- range $field := list "name" "port" "servicePort" -}}
{{- $key := printf "%s/%v" $field (index $p $field) -}}
{{- if hasKey $seen $key -}}
{{- fail (printf "ports.%d.%s: %v is already used by ports.%v" $i $field (index $p $field) (get $seen $key)) -}}
{{- end -}}
{{- $_ := set $seen $key $i -}}
{{- end -}}
{{- end -}}

{{- if not (or $v.workload.enabled $v.cronJobs) -}}
{{- fail "workload.enabled: false leaves nothing to run; add cronJobs or set workload.enabled to true" -}}
{{- end -}}

{{- if and $v.workload.enabled $v.autoscaling.enabled -}}
{{- $a := $v.autoscaling -}}
{{- if gt (int $a.minReplicas) (int $a.maxReplicas) -}}
{{- fail (printf "autoscaling.minReplicas (%v) must not exceed autoscaling.maxReplicas (%v)" $a.minReplicas $a.maxReplicas) -}}
{{- end -}}
{{- if and (kindIs "invalid" $a.targetCPUUtilizationPercentage) (kindIs "invalid" $a.targetMemoryUtilizationPercentage) -}}
{{- fail "autoscaling: set autoscaling.targetCPUUtilizationPercentage or autoscaling.targetMemoryUtilizationPercentage, or set autoscaling.enabled to false" -}}
{{- end -}}
{{- $requests := $v.resources.requests | default dict -}}
{{- if and (not (kindIs "invalid" $a.targetCPUUtilizationPercentage)) (not (hasKey $requests "cpu")) -}}
{{- fail "autoscaling.targetCPUUtilizationPercentage needs resources.requests.cpu (utilisation is a share of the application container's request)" -}}
{{- end -}}
{{- if and (not (kindIs "invalid" $a.targetMemoryUtilizationPercentage)) (not (hasKey $requests "memory")) -}}
{{- fail "autoscaling.targetMemoryUtilizationPercentage needs resources.requests.memory (utilisation is a share of the application container's request)" -}}
{{- end -}}
{{- end -}}

{{- if eq $v.strategy.type "RollingUpdate" -}}
{{- if and (eq (toString $v.strategy.maxSurge) "0") (eq (toString $v.strategy.maxUnavailable) "0") -}}
{{- fail "strategy.maxSurge and strategy.maxUnavailable cannot both be 0" -}}
{{- end -}}
{{- end -}}

{{- /* Volumes: persistence becomes a StatefulSet; every volume name is unique. */}}
{{- $volumes := dict "tmp" "tmpDir" "config" "config" "ca-bundle" "caBundle" -}}
{{- range $i, $vol := $v.extraVolumes -}}
{{- $_ := set $volumes (toString $vol.name) (printf "extraVolumes.%d" $i) -}}
{{- end -}}
{{- range $i, $p := $v.persistence -}}
{{- if hasKey $volumes $p.name -}}
{{- fail (printf "persistence.%d.name: %q is already the name of %s" $i $p.name (get $volumes $p.name)) -}}
{{- end -}}
{{- $_ := set $volumes $p.name (printf "persistence.%d" $i) -}}
{{- end -}}
{{- if and $v.persistence (eq $v.strategy.type "Recreate") -}}
{{- fail "strategy.type: with persistence the workload is a StatefulSet, which replaces pods one by one (RollingUpdate); Recreate is not available" -}}
{{- end -}}
{{- range $i, $s := $v.scratchVolumes -}}
{{- $found := false -}}
{{- range $v.extraVolumes }}{{ if eq (toString .name) $s }}{{ $found = true }}{{ end }}{{ end -}}
{{- if not $found -}}
{{- fail (printf "scratchVolumes.%d: %q is not the name of one of extraVolumes" $i $s) -}}
{{- end -}}
{{- end -}}

{{- if and $v.secret.existingSecret $v.secret.data -}}
{{- fail "secret.existingSecret: leave secret.data empty when an existing Secret is used" -}}
{{- end -}}

{{- /* Links: unique names and env prefixes; values inline or from an existing Secret, not both. */}}
{{- $prefixes := dict -}}
{{- range $i, $link := $v.links -}}
{{- $prefix := include "opta-service.linkPrefix" $link -}}
{{- if hasKey $prefixes $prefix -}}
{{- fail (printf "links.%d.envPrefix: %q is already the prefix of links.%v; set a different envPrefix or name" $i $prefix (get $prefixes $prefix)) -}}
{{- end -}}
{{- $_ := set $prefixes $prefix $i -}}
{{- if $link.existingSecret -}}
{{- range $field := list "host" "port" "database" "user" "password" -}}
{{- if index $link $field -}}
{{- fail (printf "links.%d.%s: leave it empty when links.%d.existingSecret is set (the Secret holds it)" $i $field $i) -}}
{{- end -}}
{{- end -}}
{{- else if not $link.host -}}
{{- fail (printf "links.%d.host: a link needs a host, or links.%d.existingSecret" $i $i) -}}
{{- end -}}
{{- end -}}

{{- if and $v.caBundle.existingConfigMap $v.caBundle.pem -}}
{{- fail "caBundle.pem: set either caBundle.existingConfigMap or caBundle.pem, not both" -}}
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

{{- /* Ingress. */}}
{{- $i := $v.ingress -}}
{{- if and (not $i.enabled) $i.stickySession.enabled -}}
{{- fail "ingress.stickySession: sticky sessions are made by the Ingress (nginx's affinity cookie); set ingress.enabled and ingress.uris" -}}
{{- end -}}
{{- if and (not $i.enabled) $i.consistentHash -}}
{{- fail "ingress.consistentHash: consistent hashing is done by the Ingress (nginx's upstream-hash-by); set ingress.enabled and ingress.uris" -}}
{{- end -}}
{{- if $i.enabled -}}
{{- if not $v.workload.enabled -}}
{{- fail "ingress.enabled: a cron-only service (workload.enabled false) has no pods to route to" -}}
{{- end -}}
{{- if not $i.uris -}}
{{- fail "ingress.uris: list at least one host and path prefix when ingress.enabled is true" -}}
{{- end -}}
{{- if and $i.stickySession.enabled $i.consistentHash -}}
{{- fail "ingress.consistentHash: choose sticky sessions (ingress.stickySession) or consistent hashing, not both" -}}
{{- end -}}
{{- if and $i.clusterIssuer $i.tlsSecret -}}
{{- fail "ingress.tlsSecret: set either ingress.clusterIssuer (cert-manager makes the certificates) or ingress.tlsSecret, not both" -}}
{{- end -}}
{{- $uris := dict -}}
{{- range $n, $uri := $i.uris -}}
{{- $key := printf "%s%s" ($uri.host | default "") ($uri.pathPrefix | default "/") -}}
{{- if hasKey $uris $key -}}
{{- fail (printf "ingress.uris.%d: host %q and pathPrefix %q repeat ingress.uris.%v" $n ($uri.host | default "") ($uri.pathPrefix | default "/") (get $uris $key)) -}}
{{- end -}}
{{- $_ := set $uris $key $n -}}
{{- $portName := $uri.port | default $i.port -}}
{{- $where := ternary (printf "ingress.uris.%d.port" $n) "ingress.port" (not (empty $uri.port)) -}}
{{- $port := include "opta-service.findPort" (dict "root" $ "name" $portName "types" (list "http" "grpc" "websocket")) | fromYaml -}}
{{- if not $port -}}
{{- if $portName -}}
{{- fail (printf "%s: no port is named %q" $where $portName) -}}
{{- else -}}
{{- fail "ingress.port: the Ingress needs a port of type http, grpc or websocket in ports" -}}
{{- end -}}
{{- end -}}
{{- if eq $port.type "tcp" -}}
{{- fail (printf "%s: port %q is plain tcp; nginx routes http, grpc and websocket ports only" $where $portName) -}}
{{- end -}}
{{- if and (eq $port.type "grpc") (not (and $uri.host (or $i.clusterIssuer $i.tlsSecret))) -}}
{{- fail (printf "ingress.uris.%d: gRPC through nginx needs HTTP/2, which nginx offers over TLS only; give the URI a host and set ingress.clusterIssuer or ingress.tlsSecret" $n) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /* Gateway API routes. */}}
{{- $r := $v.route -}}
{{- if $r.enabled -}}
{{- if not $v.workload.enabled -}}
{{- fail "route.enabled: a cron-only service (workload.enabled false) has no pods to route to" -}}
{{- end -}}
{{- if not $r.uris -}}
{{- fail "route.uris: list at least one host and path prefix when route.enabled is true" -}}
{{- end -}}
{{- $routeUris := dict -}}
{{- range $n, $uri := $r.uris -}}
{{- $key := printf "%s%s" ($uri.host | default "") ($uri.pathPrefix | default "/") -}}
{{- if hasKey $routeUris $key -}}
{{- fail (printf "route.uris.%d: host %q and pathPrefix %q repeat route.uris.%v" $n ($uri.host | default "") ($uri.pathPrefix | default "/") (get $routeUris $key)) -}}
{{- end -}}
{{- $_ := set $routeUris $key $n -}}
{{- $portName := $uri.port | default $r.port -}}
{{- $where := ternary (printf "route.uris.%d.port" $n) "route.port" (not (empty $uri.port)) -}}
{{- $port := include "opta-service.findPort" (dict "root" $ "name" $portName "types" (list "http" "grpc" "websocket")) | fromYaml -}}
{{- if not $port -}}
{{- if $portName -}}
{{- fail (printf "%s: no port is named %q" $where $portName) -}}
{{- else -}}
{{- fail "route.port: the routes need a port of type http, grpc or websocket in ports" -}}
{{- end -}}
{{- end -}}
{{- if eq $port.type "tcp" -}}
{{- fail (printf "%s: port %q is plain tcp; HTTPRoute and GRPCRoute carry http, grpc and websocket only" $where $portName) -}}
{{- end -}}
{{- if and (eq $port.type "grpc") (ne ($uri.pathPrefix | default "/") "/") -}}
{{- fail (printf "route.uris.%d.pathPrefix: a GRPCRoute matches gRPC services and methods, not path prefixes; use / for grpc port %q" $n $port.name) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- if and $v.workload.enabled $v.podDisruptionBudget.enabled -}}
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
{{- if and (ne $p.type "exec") (not (include "opta-service.probePort" (dict "root" $ "kind" $kind))) -}}
{{- if $p.port -}}
{{- fail (printf "probes.%s.port: no port is named %q" $kind $p.port) -}}
{{- else -}}
{{- fail (printf "probes.%s.port: the %s probe needs a port of type %s in ports; add one, name one, or use an exec probe" $kind $p.type (ternary "http or websocket" $p.type (eq $p.type "http"))) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /* Cron jobs: unique names, and object names Kubernetes accepts (a CronJob's name is at most 52 characters). */}}
{{- $crons := dict -}}
{{- range $n, $c := $v.cronJobs -}}
{{- if hasKey $crons $c.name -}}
{{- fail (printf "cronJobs.%d.name: %q is already the name of cronJobs.%v" $n $c.name (get $crons $c.name)) -}}
{{- end -}}
{{- $_ := set $crons $c.name $n -}}
{{- if gt (len (printf "%s-%s" $name $c.name)) 52 -}}
{{- fail (printf "cronJobs.%d.name: the CronJob %s-%s is longer than Kubernetes' 52 characters" $n $name $c.name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
