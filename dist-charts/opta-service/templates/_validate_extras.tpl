{{/*
Rules of the pod extras (sidecars, init containers, lifecycle) and the monitor that the values schema cannot express.
Included from opta-service.validate; each message names the key.
*/}}
{{- define "opta-service.validateExtras" -}}
{{- $v := .Values -}}
{{- $name := include "opta-service.name" . -}}

{{- /* Container names are unique in a pod, init containers included. Linkerd's injector skips a pod that already has
       a container named like its own (linkerd/linkerd2 edge-26.8.3, pkg/inject/report.go, "pod has a sidecar injected already"). */}}
{{- $containers := dict $name "the application container (the service's name)" -}}
{{- if $v.linkerd.inject -}}
{{- range list "linkerd-proxy" "linkerd-init" "linkerd-network-validator" }}{{ $_ := set $containers . "Linkerd's injected container" }}{{ end -}}
{{- end -}}
{{- range $key := list "initContainers" "sidecars" -}}
{{- range $i, $c := index $v $key -}}
{{- if hasKey $containers $c.name -}}
{{- fail (printf "%s.%d.name: %q is already the name of %s; give it another name" $key $i $c.name (get $containers $c.name)) -}}
{{- end -}}
{{- $_ := set $containers $c.name (printf "%s.%d" $key $i) -}}
{{- if and (hasKey $c "restartPolicy") (or (eq $key "sidecars") (ne (toString $c.restartPolicy) "Always")) -}}
{{- fail (printf "%s.%d.restartPolicy: only an init container may set it, and only to Always (a native sidecar)" $key $i) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /* The preStop sleep must end before the kubelet's SIGKILL at the end of the grace period. */}}
{{- $sleep := include "opta-service.lifecycle" . | fromYaml | dig "preStop" "sleep" "seconds" 0 | int -}}
{{- if and $sleep (le (int $v.terminationGracePeriodSeconds) $sleep) -}}
{{- fail (printf "lifecycle.preStopSleepSeconds (%d) must be less than terminationGracePeriodSeconds (%v), or the app is killed before it gets SIGTERM" $sleep $v.terminationGracePeriodSeconds) -}}
{{- end -}}

{{- if $v.monitor.enabled -}}
{{- $m := $v.monitor -}}
{{- if not $v.workload.enabled -}}
{{- fail "monitor.enabled: a cron-only service (workload.enabled false) has no long-running pods to scrape" -}}
{{- end -}}
{{- $port := include "opta-service.findPort" (dict "root" . "name" $m.port "types" (list "http")) | fromYaml -}}
{{- if not $port -}}
{{- if $m.port -}}
{{- fail (printf "monitor.port: no port of type http is named %q" $m.port) -}}
{{- else -}}
{{- fail "monitor.port: the monitor needs a port of type http in ports" -}}
{{- end -}}
{{- end -}}
{{- if ne $port.type "http" -}}
{{- fail (printf "monitor.port: port %q is of type %s; metrics are scraped over plain HTTP (type http)" $m.port $port.type) -}}
{{- end -}}
{{- if and (eq $m.kind "ServiceMonitor") (eq (include "opta-service.workloadKind" .) "StatefulSet") -}}
{{- fail "monitor.kind: a StatefulSet has two Services (the headless one too), so a ServiceMonitor would scrape each pod twice; use PodMonitor" -}}
{{- end -}}
{{- end -}}
{{- end -}}
