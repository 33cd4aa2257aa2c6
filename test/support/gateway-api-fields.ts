// Strict checks of the Gateway API objects the charts render (GatewayClass, Gateway, HTTPRoute, GRPCRoute,
// ReferenceGrant) and of Envoy Gateway's EnvoyProxy. No npm package ships Gateway API types, and no upstream file is
// committed: this is a small hand-written list of the fields the charts may render, with the constraints the published
// CRDs put on them. Source: kubernetes-sigs/gateway-api v1.6.1 config/crd/standard/gateway.networking.k8s.io_*.yaml
// (the bundle envoyproxy/gateway v1.9.0 ships; standard channel: the fields used here are all standard), and
// envoyproxy/gateway v1.9.0 api/v1alpha1/envoyproxy_types.go, shared_types.go. A field not listed is reported, so a
// typo or a field outside this list fails the test until it is checked against the CRD and added.

type Spec =
  | { t: 'object'; fields: Record<string, Spec>; required?: string[] }
  | { t: 'string'; pattern?: RegExp; enum?: string[]; min?: number; max?: number }
  | { t: 'integer'; min?: number; max?: number }
  | { t: 'array'; items: Spec; min?: number; max?: number }
  | { t: 'map' } // string -> string
  | { t: 'any' }; // a Kubernetes core type inside a CRD, validated by the API server (corev1.*)

const obj = (fields: Record<string, Spec>, required?: string[]): Spec => ({ t: 'object', fields, required });
const str = (o: Omit<Extract<Spec, { t: 'string' }>, 't'> = {}): Spec => ({ t: 'string', ...o });
const arr = (items: Spec, min?: number, max?: number): Spec => ({ t: 'array', items, min, max });
const int = (min?: number, max?: number): Spec => ({ t: 'integer', min, max });

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const GROUP = str({ pattern: /^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, max: 253 });
const KIND = str({ pattern: /^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/, min: 1, max: 63 });
const NAME = str({ min: 1, max: 253 });
const NAMESPACE = str({ pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, min: 1, max: 63 });
const SECTION = str({ pattern: DNS_SUBDOMAIN, min: 1, max: 253 });
const PORT = int(1, 65535);
// Hostname: a DNS name, optionally a leading wildcard label (types.go Hostname).
const HOSTNAME = str({ pattern: /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, min: 1, max: 253 });
const DURATION = str({ pattern: /^([0-9]{1,5}(h|m|s|ms)){1,4}$/ });

const parentRef = obj({ group: GROUP, kind: KIND, name: NAME, namespace: NAMESPACE, sectionName: SECTION, port: PORT }, ['name']);
const backendRef = obj({ group: GROUP, kind: KIND, name: NAME, namespace: NAMESPACE, port: PORT, weight: int(0, 1000000) }, ['name']);
const pathModifier = obj(
  { type: str({ enum: ['ReplaceFullPath', 'ReplacePrefixMatch'] }), replaceFullPath: str({ max: 1024 }), replacePrefixMatch: str({ max: 1024 }) },
  ['type'],
);
const httpFilter = obj(
  {
    type: str({ enum: ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestMirror', 'RequestRedirect', 'URLRewrite', 'ExtensionRef', 'CORS', 'ExternalAuth'] }),
    urlRewrite: obj({ hostname: str({ pattern: DNS_SUBDOMAIN, min: 1, max: 253 }), path: pathModifier }),
    requestRedirect: obj({ scheme: str({ enum: ['http', 'https'] }), hostname: str({ pattern: DNS_SUBDOMAIN, min: 1, max: 253 }), path: pathModifier, port: PORT, statusCode: int(301, 308) }),
  },
  ['type'],
);
const routeSpec = (rule: Record<string, Spec>) =>
  obj({ parentRefs: arr(parentRef, undefined, 32), hostnames: arr(HOSTNAME, undefined, 16), rules: arr(obj(rule), 1, 16) });

const allowedRoutes = obj({ namespaces: obj({ from: str({ enum: ['All', 'Selector', 'Same'] }), selector: { t: 'any' } }), kinds: arr(obj({ group: GROUP, kind: KIND }, ['kind']), undefined, 8) });
const secretRef = obj({ group: GROUP, kind: KIND, name: NAME, namespace: NAMESPACE }, ['name']);

const metadataSpec = obj({ name: NAME, namespace: NAMESPACE, labels: { t: 'map' }, annotations: { t: 'map' } }, ['name']);
const kindSpecs: Record<string, Spec> = {
  'gateway.networking.k8s.io/v1 GatewayClass': obj({
    spec: obj(
      {
        controllerName: str({ pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/, min: 1, max: 253 }),
        parametersRef: obj({ group: GROUP, kind: KIND, name: NAME, namespace: NAMESPACE }, ['group', 'kind', 'name']),
        description: str({ max: 64 }),
      },
      ['controllerName'],
    ),
  }, ['spec']),
  'gateway.networking.k8s.io/v1 Gateway': obj({
    spec: obj(
      {
        gatewayClassName: str({ pattern: DNS_SUBDOMAIN, min: 1, max: 253 }),
        listeners: arr(
          obj(
            {
              name: SECTION,
              hostname: HOSTNAME,
              port: PORT,
              protocol: str({ pattern: /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9]+$/, min: 1, max: 255 }),
              tls: obj({ mode: str({ enum: ['Terminate', 'Passthrough'] }), certificateRefs: arr(secretRef, undefined, 64), options: { t: 'map' } }),
              allowedRoutes,
            },
            ['name', 'port', 'protocol'],
          ),
          1,
          64,
        ),
      },
      ['gatewayClassName', 'listeners'],
    ),
  }, ['spec']),
  'gateway.networking.k8s.io/v1 HTTPRoute': obj({
    spec: routeSpec({
      name: SECTION,
      matches: arr(obj({ path: obj({ type: str({ enum: ['Exact', 'PathPrefix', 'RegularExpression'] }), value: str({ max: 1024 }) }) }), undefined, 64),
      filters: arr(httpFilter, undefined, 16),
      backendRefs: arr(backendRef, undefined, 16),
      timeouts: obj({ request: DURATION, backendRequest: DURATION }),
    }),
  }, ['spec']),
  'gateway.networking.k8s.io/v1 GRPCRoute': obj({
    spec: routeSpec({
      name: SECTION,
      matches: arr(obj({ method: obj({ type: str({ enum: ['Exact', 'RegularExpression'] }), service: str({ max: 1024 }), method: str({ max: 1024 }) }) }), undefined, 64),
      backendRefs: arr(backendRef, undefined, 16),
    }),
  }, ['spec']),
  'gateway.networking.k8s.io/v1beta1 ReferenceGrant': obj({
    spec: obj({ from: arr(obj({ group: GROUP, kind: KIND, namespace: NAMESPACE }, ['group', 'kind', 'namespace']), 1, 16), to: arr(obj({ group: GROUP, kind: KIND, name: NAME }, ['group', 'kind']), 1, 16) }, ['from', 'to']),
  }, ['spec']),
  // EnvoyProxySpec: only the fields the stack catalog uses (routingType, the Kubernetes provider's deployment, service, PDB).
  'gateway.envoyproxy.io/v1alpha1 EnvoyProxy': obj({
    spec: obj({
      routingType: str({ enum: ['Service', 'Endpoint'] }),
      provider: obj(
        {
          type: str({ enum: ['Kubernetes', 'Custom'] }),
          kubernetes: obj({
            envoyDeployment: obj({
              replicas: int(0),
              pod: obj({ annotations: { t: 'map' }, labels: { t: 'map' }, topologySpreadConstraints: arr({ t: 'any' }), affinity: { t: 'any' }, tolerations: arr({ t: 'any' }) }),
              container: obj({ resources: { t: 'any' } }),
            }),
            envoyService: obj({ annotations: { t: 'map' }, externalTrafficPolicy: str({ enum: ['Local', 'Cluster'] }), type: str({ enum: ['ClusterIP', 'LoadBalancer', 'NodePort'] }) }),
            envoyPDB: obj({ minAvailable: { t: 'any' }, maxUnavailable: { t: 'any' } }),
          }),
        },
        ['type'],
      ),
    }),
  }),
};

function check(value: unknown, spec: Spec, path: string, out: string[]): void {
  const at = path || '(root)';
  switch (spec.t) {
    case 'any':
      return;
    case 'map':
      if (!value || typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) out.push(`${at}: must be a map of strings`);
      return;
    case 'string':
      if (typeof value !== 'string') return void out.push(`${at}: must be a string`);
      if (spec.enum && !spec.enum.includes(value)) out.push(`${at}: must be one of ${spec.enum.join(', ')}`);
      if (spec.pattern && !spec.pattern.test(value)) out.push(`${at}: "${value}" does not match ${spec.pattern}`);
      if (spec.min !== undefined && value.length < spec.min) out.push(`${at}: shorter than ${spec.min}`);
      if (spec.max !== undefined && value.length > spec.max) out.push(`${at}: longer than ${spec.max}`);
      return;
    case 'integer':
      if (!Number.isInteger(value)) return void out.push(`${at}: must be an integer`);
      if ((spec.min !== undefined && (value as number) < spec.min) || (spec.max !== undefined && (value as number) > spec.max)) out.push(`${at}: out of range`);
      return;
    case 'array':
      if (!Array.isArray(value)) return void out.push(`${at}: must be a list`);
      if (spec.min !== undefined && value.length < spec.min) out.push(`${at}: at least ${spec.min} items`);
      if (spec.max !== undefined && value.length > spec.max) out.push(`${at}: at most ${spec.max} items`);
      value.forEach((v, i) => check(v, spec.items, `${path}[${i}]`, out));
      return;
    case 'object': {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return void out.push(`${at}: must be an object`);
      const o = value as Record<string, unknown>;
      for (const r of spec.required ?? []) if (!(r in o)) out.push(`${path ? `${path}.` : ''}${r}: is required`);
      for (const [k, v] of Object.entries(o)) {
        const sub = spec.fields[k];
        if (!sub) out.push(`${path ? `${path}.` : ''}${k}: unknown field`);
        else check(v, sub, path ? `${path}.${k}` : k, out);
      }
    }
  }
}

/** Problems of a Gateway API or EnvoyProxy object; undefined when this module does not know the kind. */
export function gatewayApiProblems(o: { apiVersion?: unknown; kind?: unknown; [k: string]: unknown }): string[] | undefined {
  const spec = kindSpecs[`${String(o.apiVersion)} ${String(o.kind)}`];
  if (!spec || spec.t !== 'object') return undefined;
  const out: string[] = [];
  const { apiVersion: _a, kind: _k, metadata, ...rest } = o;
  check(metadata, metadataSpec, 'metadata', out);
  check(rest, spec, '', out);
  return out;
}
