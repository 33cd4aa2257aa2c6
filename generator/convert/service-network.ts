// A k8s-service's network fields as opta-service values: `port`/`ports`, the probes on them, and `public_uri` as the
// Ingress (run-x/opta modules/base.py: PortSpec, probes, public_uri).
import type { ModuleFields } from './module-fields.js';
import { isMapping } from '../parse/mapping.js';
import type { Data } from './opta-files.js';

/** Opta's `port: {http: N}` (one port `main`, Service port 80) or `ports` (modules/base.py PortSpec). */
export function servicePorts(f: ModuleFields): Data[] | undefined {
  const d = f.m.data;
  if (d.port !== undefined && d.ports !== undefined) f.fail('port', 'give `port` or `ports`, not both (Opta refused both)');
  if (d.port !== undefined) {
    if (!isMapping(d.port) || Object.keys(d.port).length !== 1) f.fail('port', 'expected one of {http: N}, {grpc: N}, {websocket: N}, {tcp: N}');
    const [kind, n] = Object.entries(d.port)[0];
    const type = { http: 'http', grpc: 'grpc', websocket: 'websocket', tcp: 'websocket' }[kind];
    if (!type) f.fail(`port.${kind}`, 'expected http, grpc, websocket or tcp');
    return [{ name: 'main', type, port: portNumber(f, `port.${kind}`, n), servicePort: 80 }];
  }
  if (d.ports === undefined) return undefined;
  return f.list('ports').map((p, i) => {
    if (!isMapping(p)) f.fail(`ports[${i}]`, 'expected {name, type, port, service_port, protocol}');
    for (const k of Object.keys(p)) if (!['name', 'type', 'port', 'service_port', 'protocol'].includes(k)) f.fail(`ports[${i}].${k}`, 'unknown field of a port (expected name, type, port, service_port, protocol)');
    const type = p.type === 'tcp' ? (p.protocol ? f.fail(`ports[${i}].protocol`, 'only http ports take a protocol') : 'tcp') : p.type === 'http' ? (p.protocol === undefined ? 'http' : p.protocol === 'grpc' || p.protocol === 'websocket' ? p.protocol : f.fail(`ports[${i}].protocol`, 'expected grpc or websocket')) : f.fail(`ports[${i}].type`, 'expected http or tcp');
    const port = portNumber(f, `ports[${i}].port`, p.port);
    return { name: String(p.name), type, port, servicePort: p.service_port === undefined ? (type === 'tcp' ? port : 80) : portNumber(f, `ports[${i}].service_port`, p.service_port) };
  });
}

function portNumber(f: ModuleFields, field: string, v: unknown): number {
  const n = f.int(field, v);
  if (n === undefined || n < 1 || n > 65535) f.fail(field, `expected a port number 1-65535, got ${JSON.stringify(v)}`);
  return n;
}

/** Liveness and readiness from the healthcheck, the per-kind path or command (modules/base.py; an http probe on tcp ports is tcp). */
export function serviceProbes(f: ModuleFields, ports: Data[] | undefined): Data | undefined {
  const d = f.m.data;
  const probePort = d.probe_port === undefined ? ports?.[0] : ports?.find((p) => p.name === d.probe_port);
  if (d.probe_port !== undefined && !probePort) f.fail('probe_port', `"${String(d.probe_port)}" is not the name of a port`);
  const probe = (kind: 'liveness' | 'readiness'): Data | undefined => {
    const path = (d.healthcheck_path ?? d[`${kind}_probe_path`]) as string | undefined;
    const command = (d.healthcheck_command ?? d[`${kind}_probe_command`]) as unknown;
    if (path !== undefined && command !== undefined) f.fail(`${kind}_probe_path`, `a path and a command for the ${kind} probe (Opta refused both)`);
    const delay = f.int(`initial_${kind}_delay`);
    const timing = delay === undefined ? {} : { initialDelaySeconds: delay };
    if (command !== undefined) return { enabled: true, type: 'exec', command: f.strings(d.healthcheck_command !== undefined ? 'healthcheck_command' : `${kind}_probe_command`, command), ...timing };
    if (path === undefined) return undefined;
    if (!probePort) f.fail(d.healthcheck_path !== undefined ? 'healthcheck_path' : `${kind}_probe_path`, 'an http probe needs a port (`port` or `ports`)');
    const port = { port: String(probePort.name) };
    return probePort.type === 'tcp' ? { enabled: true, type: 'tcp', ...port, ...timing } : { enabled: true, type: 'http', path: String(path), ...port, ...timing };
  };
  const out = Object.fromEntries((['liveness', 'readiness'] as const).map((k) => [k, probe(k)]).filter(([, p]) => p));
  return Object.keys(out).length ? out : undefined;
}

/** `public_uri` as Opta read it: `host/path`, where `all`, a leading `/` or `*` mean any host (modules/base.py). */
export function serviceIngress(f: ModuleFields, clusterIssuer?: string): Data | undefined {
  const d = f.m.data;
  const raw = typeof d.public_uri === 'string' ? [d.public_uri] : f.strings('public_uri');
  const uris = raw.map((u, i) => {
    const text = u.startsWith('/') ? `all${u}` : u.startsWith('*') && !u.startsWith('*.') ? `all${u.slice(1)}` : u;
    const slash = text.indexOf('/');
    const host = slash < 0 ? text : text.slice(0, slash);
    const path = slash < 0 ? '/' : text.slice(slash).replace(/\/+$/, '') || '/';
    if (host.includes('{') || host.includes('$')) f.fail(`public_uri[${i}]`, `"${u}": the host has a part the converter cannot resolve (an Opta variable or output): pass --var for it, or write the host`);
    return { host: host === 'all' ? '' : host, pathPrefix: path };
  });
  const ingress: Data = {};
  if (uris.length) Object.assign(ingress, { enabled: true, uris });
  // Opta served its domain over TLS; with ACME each host gets its certificate from the ClusterIssuer.
  if (clusterIssuer && uris.some((u) => u.host)) ingress.clusterIssuer = clusterIssuer;
  if (d.keep_path_prefix !== undefined) ingress.keepPathPrefix = Boolean(d.keep_path_prefix);
  if (d.sticky_session !== undefined || d.sticky_session_max_age !== undefined) {
    ingress.stickySession = { enabled: Boolean(d.sticky_session), ...(d.sticky_session_max_age !== undefined ? { maxAge: f.int('sticky_session_max_age') } : {}) };
  }
  if (d.consistent_hash !== undefined && d.consistent_hash !== null) ingress.consistentHash = String(d.consistent_hash);
  const annotations = f.stringMap('ingress_extra_annotations');
  if (annotations) ingress.annotations = annotations;
  return Object.keys(ingress).length ? ingress : undefined;
}
