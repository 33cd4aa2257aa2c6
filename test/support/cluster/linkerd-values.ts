// The part of the linkerd-control-plane chart's values that decides what Linkerd's proxy injector adds to a pod,
// and the pod/namespace annotations that override it.
// Source: linkerd/linkerd2 edge-26.8.3 — defaults in charts/linkerd-control-plane/values.yaml, annotation
// overrides in pkg/inject/inject.go (ApplyAnnotationOverrides, AppendNamespaceAnnotations), keys in pkg/k8s/labels.go.
import { clone, type Obj } from './objects.js';

export interface ResourcePair {
  request: string;
  limit: string;
}

export interface LinkerdControlPlane {
  /** Image tag of the proxy when `proxy.image.version` is empty (the chart's `linkerdVersion`). */
  linkerdVersion: string;
  cniEnabled: boolean;
  identity: { serviceAccountTokenProjection: boolean };
  proxy: {
    image: { name: string; version: string };
    ports: { admin: number; control: number; inbound: number; outbound: number };
    uid: number;
    gid: number;
    nativeSidecar: boolean;
    await: boolean;
    waitBeforeExitSeconds: number;
    /** `""` means "not set": the partial renders no request/limit for it. */
    resources: { cpu: ResourcePair; memory: ResourcePair; 'ephemeral-storage': ResourcePair };
    /** Non-empty: rendered verbatim instead of the template's default securityContext. */
    securityContext: Obj;
    capabilities?: { add?: string[]; drop?: string[] };
  };
  proxyInit: {
    runAsRoot: boolean;
    runAsUser: number;
    runAsGroup: number;
    privileged: boolean;
    closeWaitTimeoutSecs: number;
    ignoreInboundPorts: string;
    ignoreOutboundPorts: string;
    skipSubnets: string;
    xtMountPath: { name: string; mountPath: string };
    capabilities?: { add?: string[]; drop?: string[] };
  };
  networkValidator: { enableSecurityContext?: boolean; securityContext: Obj };
  /** The proxy injector webhook's selectors (values `proxyInjector.namespaceSelector` / `objectSelector`). */
  proxyInjector: { namespaceSelector: Obj; objectSelector: Obj };
}

const none = (): ResourcePair => ({ request: '', limit: '' });

/** The chart's defaults at edge-26.8.3 for the keys above (facts read from values.yaml). */
export function linkerdChartDefaults(): LinkerdControlPlane {
  return {
    linkerdVersion: 'edge-26.8.3',
    cniEnabled: false,
    identity: { serviceAccountTokenProjection: true },
    proxy: {
      image: { name: 'cr.l5d.io/linkerd/proxy', version: '' },
      ports: { admin: 4191, control: 4190, inbound: 4143, outbound: 4140 },
      uid: 2102,
      gid: -1,
      nativeSidecar: true,
      await: true,
      waitBeforeExitSeconds: 0,
      resources: { cpu: none(), memory: none(), 'ephemeral-storage': none() },
      securityContext: {},
    },
    proxyInit: {
      runAsRoot: false,
      runAsUser: 65534,
      runAsGroup: 65534,
      privileged: false,
      closeWaitTimeoutSecs: 0,
      ignoreInboundPorts: '4567,4568',
      ignoreOutboundPorts: '4567,4568',
      skipSubnets: '',
      xtMountPath: { name: 'linkerd-proxy-init-xtables-lock', mountPath: '/run' },
    },
    networkValidator: {
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        readOnlyRootFilesystem: true,
        runAsGroup: 65534,
        runAsNonRoot: true,
        runAsUser: 65534,
        seccompProfile: { type: 'RuntimeDefault' },
      },
    },
    proxyInjector: {
      namespaceSelector: {
        matchExpressions: [
          { key: 'config.linkerd.io/admission-webhooks', operator: 'NotIn', values: ['disabled'] },
          { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'cert-manager'] },
        ],
      },
      objectSelector: {
        matchExpressions: [
          { key: 'linkerd.io/control-plane-component', operator: 'DoesNotExist' },
          { key: 'linkerd.io/cni-resource', operator: 'DoesNotExist' },
        ],
      },
    },
  };
}

const isMap = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Helm-style merge: maps merge key by key, anything else (lists included) replaces; null removes the key. */
export function mergeValues(base: Obj, override: Obj): Obj {
  const out: Obj = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete out[key];
    else out[key] = isMap(value) && isMap(out[key]) ? mergeValues(out[key], value) : clone(value);
  }
  return out;
}

/** The control plane described by linkerd-control-plane chart values (as given to the chart), chart defaults filled in. */
export function linkerdControlPlaneFromValues(values: Obj = {}): LinkerdControlPlane {
  return mergeValues(linkerdChartDefaults(), values) as LinkerdControlPlane;
}

// Kubernetes resource.Quantity syntax: the injector ignores (with a warning) an annotation that does not parse.
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$/;
// Go's strconv.ParseBool.
const BOOLS: Record<string, boolean> = {
  '1': true,
  t: true,
  T: true,
  TRUE: true,
  true: true,
  True: true,
  '0': false,
  f: false,
  F: false,
  FALSE: false,
  false: false,
  False: false,
};

const C = 'config.linkerd.io/';
/** Config annotations a pod inherits from its namespace when it does not set them (inject.go ProxyAnnotations, the modelled subset). */
const INHERITED = [
  ...[
    'proxy-cpu-request',
    'proxy-cpu-limit',
    'proxy-memory-request',
    'proxy-memory-limit',
    'proxy-ephemeral-storage-request',
    'proxy-ephemeral-storage-limit',
  ],
  ...[
    'proxy-uid',
    'proxy-gid',
    'skip-inbound-ports',
    'skip-outbound-ports',
    'skip-subnets',
    'opaque-ports',
    'proxy-await',
    'proxy-enable-native-sidecar',
  ],
]
  .map((k) => C + k)
  .concat(['config.alpha.linkerd.io/proxy-wait-before-exit-seconds', 'config.alpha.linkerd.io/proxy-enable-native-sidecar']);

/** The pod's annotations plus the config annotations it inherits from its namespace (the pod's own win). */
export function effectiveAnnotations(podAnnotations: Obj = {}, nsAnnotations: Obj = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of INHERITED) if (key in nsAnnotations && !(key in podAnnotations)) out[key] = String(nsAnnotations[key]);
  return { ...out, ...podAnnotations };
}

/** The control plane values after the injector applied the pod's (effective) annotations. */
export function applyAnnotationOverrides(cp: LinkerdControlPlane, annotations: Record<string, string>): LinkerdControlPlane {
  const v = clone(cp);
  const quantity = (key: string, set: (q: string) => void) => {
    const q = annotations[C + key];
    if (q !== undefined && QUANTITY.test(q)) set(q);
  };
  const r = v.proxy.resources;
  quantity('proxy-cpu-request', (q) => (r.cpu.request = q));
  quantity('proxy-cpu-limit', (q) => (r.cpu.limit = q));
  quantity('proxy-memory-request', (q) => (r.memory.request = q));
  quantity('proxy-memory-limit', (q) => (r.memory.limit = q));
  quantity('proxy-ephemeral-storage-request', (q) => (r['ephemeral-storage'].request = q));
  quantity('proxy-ephemeral-storage-limit', (q) => (r['ephemeral-storage'].limit = q));
  const int = (key: string) => (/^[+-]?\d+$/.test(annotations[key] ?? '') ? Number(annotations[key]) : undefined);
  v.proxy.uid = int(C + 'proxy-uid') ?? v.proxy.uid;
  v.proxy.gid = int(C + 'proxy-gid') ?? v.proxy.gid;
  v.proxy.waitBeforeExitSeconds = int('config.alpha.linkerd.io/proxy-wait-before-exit-seconds') ?? v.proxy.waitBeforeExitSeconds;
  // The GA key wins over beta, beta over alpha; an unparsable value keeps the control plane's setting.
  const native = ['config.linkerd.io/', 'config.beta.linkerd.io/', 'config.alpha.linkerd.io/']
    .map((prefix) => annotations[`${prefix}proxy-enable-native-sidecar`])
    .find((value) => value !== undefined);
  if (native !== undefined && native in BOOLS) v.proxy.nativeSidecar = BOOLS[native];
  const await_ = annotations[C + 'proxy-await'];
  if (await_ === 'enabled' || await_ === 'disabled') v.proxy.await = await_ === 'enabled';
  if (annotations[C + 'skip-inbound-ports'] !== undefined) v.proxyInit.ignoreInboundPorts = annotations[C + 'skip-inbound-ports'];
  if (annotations[C + 'skip-outbound-ports'] !== undefined) v.proxyInit.ignoreOutboundPorts = annotations[C + 'skip-outbound-ports'];
  if (annotations[C + 'skip-subnets'] !== undefined) v.proxyInit.skipSubnets = annotations[C + 'skip-subnets'];
  return v;
}
