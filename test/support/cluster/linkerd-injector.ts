// What Linkerd's proxy injector (mutating webhook) does to a pod at creation.
// Source: linkerd/linkerd2 edge-26.8.3 — decision in pkg/inject/report.go (Injectable, disabledByAnnotation),
// pkg/healthcheck/sidecar.go and the webhook selectors of charts/linkerd-control-plane/values.yaml; the patch
// (volumes, container placement) in charts/patch/templates/patch.json and charts/partials/templates/_volumes.tpl, the
// containers in linkerd-containers.ts; capabilities and the service-account mount copied from the first container
// in pkg/inject/inject.go (injectPodSpec, injectProxyInit).
// Left out (they matter to none of the modelled rules): env, image pull policy, most proxy-init args (only the
// port/uid ones), the debug container, tracing's podinfo volume, the trust-root checksum annotation, the opaque-ports
// annotation, labels, and the CLI (`linkerd inject`) path.
import { networkValidator, proxyContainer, proxyInit } from './linkerd-containers.js';
import { applyAnnotationOverrides, effectiveAnnotations, type LinkerdControlPlane } from './linkerd-values.js';
import { clone, matchesSelector, type Obj, type PodTemplate } from './objects.js';

export interface NamespaceInfo {
  name?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const INJECT = 'linkerd.io/inject';
const SA_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Why the injector leaves this pod alone (Linkerd's own wording where it has one); undefined when it injects. */
export function linkerdSkipReason(pod: PodTemplate, ns: NamespaceInfo, cp: LinkerdControlPlane): string | undefined {
  // The webhook is not even called for namespaces/pods its selectors exclude (values.yaml proxyInjector.*Selector).
  const nsLabels = { ...(ns.labels ?? {}), ...(ns.name ? { 'kubernetes.io/metadata.name': ns.name } : {}) };
  if (!matchesSelector(nsLabels, cp.proxyInjector.namespaceSelector)) return 'namespace excluded by the webhook namespaceSelector';
  if (!matchesSelector(pod.metadata.labels ?? {}, cp.proxyInjector.objectSelector)) return 'pod excluded by the webhook objectSelector';
  const spec = pod.spec;
  if (spec.hostNetwork === true) return 'hostNetwork is enabled';
  const containers: Obj[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  if (containers.some((c) => c.name === 'linkerd-proxy' || c.name === 'istio-proxy' || /^cr\.l5d\.io\/linkerd\/proxy:/.test(c.image ?? '')))
    return 'pod has a sidecar injected already';
  if ((spec.initContainers ?? []).some((c: Obj) => c.name === 'linkerd-init' || c.name === 'istio-init')) return 'pod has a sidecar injected already';
  const valid = ['', 'enabled', 'disabled', 'ingress'];
  const nsValue = ns.annotations?.[INJECT] ?? '';
  const podValue = pod.metadata.annotations?.[INJECT] ?? '';
  if (!valid.includes(nsValue)) return `invalid value for annotation "${INJECT}" at namespace`;
  if (!valid.includes(podValue)) return `invalid value for annotation "${INJECT}" at workload`;
  const enables = (v: string) => v === 'enabled' || v === 'ingress';
  if (enables(nsValue) && podValue === 'disabled') return `pod has the annotation "${INJECT}:disabled"`;
  if (!enables(nsValue) && !enables(podValue)) return `neither the namespace nor the pod have the annotation "${INJECT}:enabled"`;
  if (spec.automountServiceAccountToken === false && !cp.identity.serviceAccountTokenProjection)
    return 'automountServiceAccountToken set to "false", with Values.identity.serviceAccountTokenProjection set to "false"';
  return undefined;
}

/**
 * The control-plane values the injector renders this pod's patch with: `cp` overridden by the pod's annotations and
 * the config annotations it inherits from its namespace (e.g. `proxyInit.ignoreOutboundPorts` from skip-outbound-ports,
 * which the CNI plugin also reads).
 */
export function linkerdEffectiveValues(pod: PodTemplate, ns: NamespaceInfo, cp: LinkerdControlPlane): LinkerdControlPlane {
  return applyAnnotationOverrides(cp, effectiveAnnotations(pod.metadata?.annotations, ns.annotations));
}

/** The admitted pod: `pod` with Linkerd's containers, volumes and annotations when the injector injects it. */
export function injectLinkerd(pod: PodTemplate, ns: NamespaceInfo, cp: LinkerdControlPlane): PodTemplate {
  const out: PodTemplate = { metadata: clone(pod.metadata ?? {}), spec: clone(pod.spec) };
  if (linkerdSkipReason(out, ns, cp)) return out;
  const annotations = effectiveAnnotations(out.metadata.annotations, ns.annotations);
  if (ns.annotations?.[INJECT] && !out.metadata.annotations?.[INJECT]) annotations[INJECT] = ns.annotations[INJECT];
  const v = linkerdEffectiveValues(out, ns, cp);
  const closeWait = goDurationSeconds(out.metadata.annotations?.['config.linkerd.io/close-wait-timeout']);
  if (closeWait !== undefined) v.proxyInit.closeWaitTimeoutSecs = closeWait;
  // _proxy-init.tpl fails to render this combination; the webhook (failurePolicy Ignore) then admits the pod as is.
  if (!v.cniEnabled && v.proxyInit.closeWaitTimeoutSecs && !v.proxyInit.runAsRoot) return out;

  const spec = out.spec;
  const first: Obj | undefined = spec.containers?.[0];
  const caps = first?.securityContext?.capabilities;
  if (caps) v.proxy.capabilities = { add: [...(caps.add ?? [])], drop: [...(caps.drop ?? [])] };
  if (v.proxy.capabilities) {
    const drop = (v.proxy.capabilities.drop ?? []).filter((c) => c !== 'NET_RAW' && c !== 'NET_ADMIN');
    v.proxyInit.capabilities = { add: v.proxy.capabilities.add ?? [], drop };
  }
  const saMount: Obj | undefined = (first?.volumeMounts ?? []).find((m: Obj) => m.mountPath === SA_MOUNT_PATH);
  const version = v.proxy.image.version || v.linkerdVersion;
  const image = `${v.proxy.image.name}:${version}`;

  spec.volumes = [...(spec.volumes ?? [])];
  if (!v.cniEnabled) spec.volumes.push({ emptyDir: {}, name: v.proxyInit.xtMountPath.name });
  spec.volumes.push({ name: 'linkerd-identity-end-entity', emptyDir: { medium: 'Memory' } });
  if (v.identity.serviceAccountTokenProjection)
    spec.volumes.push({
      name: 'linkerd-identity-token',
      projected: { sources: [{ serviceAccountToken: { path: 'linkerd-identity-token', expirationSeconds: 86400, audience: 'identity.l5d.io' } }] },
    });

  const setup = v.cniEnabled ? networkValidator(v, image) : proxyInit(v, image, saMount);
  const proxy = proxyContainer(v, image, saMount);
  const inits: Obj[] = spec.initContainers ?? [];
  const containers: Obj[] = spec.containers ?? [];
  if (v.proxy.nativeSidecar) {
    spec.initContainers = [setup, proxy, ...inits];
  } else {
    spec.initContainers = [...inits, setup];
    spec.containers = v.proxy.await ? [proxy, ...containers] : [...containers, proxy];
  }
  out.metadata.annotations = {
    ...annotations,
    'linkerd.io/created-by': `linkerd/proxy-injector ${v.linkerdVersion}`,
    'linkerd.io/proxy-version': version,
  };
  return out;
}

/** Go's time.ParseDuration, whole seconds (the injector ignores a value that does not parse). */
function goDurationSeconds(value: string | undefined): number | undefined {
  if (!value || !/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(value)) return undefined;
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  for (const [, n, , u] of value.matchAll(/(\d+(\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(n) * unit[u];
  return Math.trunc(total);
}
