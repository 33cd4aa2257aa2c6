// The containers Linkerd's injector adds, as the pinned chart partials render them.
// Source: linkerd/linkerd2 edge-26.8.3 — charts/partials/templates/_proxy.tpl, _proxy-init.tpl, _network-validator.tpl,
// _resources.tpl, _capabilities.tpl. Left out: env, image pull policy, proxy-init args other than ports/uid/subnets.
import { type LinkerdControlPlane, linkerdChartDefaults, type ResourcePair } from './linkerd-values.js';
import { clone, type Obj } from './objects.js';

/** _resources.tpl: only the non-empty values are rendered. */
function resources(r: LinkerdControlPlane['proxy']['resources']): Obj {
  const pick = (which: keyof ResourcePair) => {
    const out: Obj = {};
    for (const name of ['cpu', 'memory', 'ephemeral-storage'] as const) if (r[name]?.[which]) out[name] = String(r[name][which]);
    return Object.keys(out).length ? out : undefined;
  };
  const limits = pick('limit');
  const requests = pick('request');
  return { ...(limits && { limits }), ...(requests && { requests }) };
}

/** _capabilities.tpl: add/drop only when non-empty. */
function capabilities(c: { add?: string[]; drop?: string[] } | undefined): Obj | undefined {
  if (!c || (!c.add?.length && !c.drop?.length)) return undefined;
  return { ...(c.add?.length && { add: [...c.add] }), ...(c.drop?.length && { drop: [...c.drop] }) };
}

export function proxyContainer(v: LinkerdControlPlane, image: string, saMount: Obj | undefined): Obj {
  const p = v.proxy;
  const caps = capabilities(p.capabilities);
  const securityContext = Object.keys(p.securityContext ?? {}).length
    ? clone(p.securityContext)
    : {
        allowPrivilegeEscalation: false,
        ...(caps && { capabilities: caps }),
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        runAsUser: p.uid,
        ...(p.gid >= 0 && { runAsGroup: p.gid }),
        seccompProfile: { type: 'RuntimeDefault' },
      };
  const ready = { httpGet: { path: '/ready', port: p.ports.admin } };
  const lifecycle: Obj = {};
  if (!p.nativeSidecar && p.await)
    lifecycle.postStart = { exec: { command: ['/usr/lib/linkerd/linkerd-await', '--timeout=2m', `--port=${p.ports.admin}`] } };
  if (!p.nativeSidecar && p.waitBeforeExitSeconds) lifecycle.preStop = { exec: { command: ['/bin/sleep', String(p.waitBeforeExitSeconds)] } };
  return {
    image,
    livenessProbe: { httpGet: { path: '/live', port: p.ports.admin }, initialDelaySeconds: 10, timeoutSeconds: 1 },
    name: 'linkerd-proxy',
    ports: [
      { containerPort: p.ports.inbound, name: 'linkerd-proxy' },
      { containerPort: p.ports.admin, name: 'linkerd-admin' },
    ],
    readinessProbe: { ...ready, initialDelaySeconds: 2, timeoutSeconds: 1 },
    ...(p.nativeSidecar && p.await && { startupProbe: { ...ready, initialDelaySeconds: 0, periodSeconds: 1, failureThreshold: 120 } }),
    resources: resources(p.resources),
    securityContext,
    terminationMessagePolicy: 'FallbackToLogsOnError',
    ...(Object.keys(lifecycle).length && { lifecycle }),
    volumeMounts: [
      { mountPath: '/var/run/linkerd/identity/end-entity', name: 'linkerd-identity-end-entity' },
      ...(v.identity.serviceAccountTokenProjection ? [{ mountPath: '/var/run/secrets/tokens', name: 'linkerd-identity-token' }] : []),
      ...(saMount ? [{ mountPath: saMount.mountPath, name: saMount.name, readOnly: saMount.readOnly ?? false }] : []),
    ],
    ...(p.nativeSidecar && { restartPolicy: 'Always' }),
  };
}

export function proxyInit(v: LinkerdControlPlane, image: string, saMount: Obj | undefined): Obj {
  const i = v.proxyInit;
  const p = v.proxy;
  const escalates = Boolean(i.closeWaitTimeoutSecs || i.privileged);
  const user = (id: number) => (Number(id) === 0 ? 65534 : id);
  const args = ['--incoming-proxy-port', String(p.ports.inbound), '--outgoing-proxy-port', String(p.ports.outbound), '--proxy-uid', String(p.uid)];
  if (p.gid >= 0) args.push('--proxy-gid', String(p.gid));
  args.push('--inbound-ports-to-ignore', `${p.ports.control},${p.ports.admin}${i.ignoreInboundPorts ? `,${i.ignoreInboundPorts}` : ''}`);
  if (i.ignoreOutboundPorts) args.push('--outbound-ports-to-ignore', String(i.ignoreOutboundPorts));
  if (i.skipSubnets) args.push('--subnets-to-ignore', i.skipSubnets);
  return {
    args,
    image,
    command: ['/usr/lib/linkerd/linkerd2-proxy-init'],
    name: 'linkerd-init',
    resources: resources(p.resources),
    securityContext: {
      allowPrivilegeEscalation: escalates,
      capabilities: {
        add: ['NET_ADMIN', 'NET_RAW', ...(i.capabilities?.add ?? [])],
        ...(i.capabilities?.drop?.length && { drop: [...i.capabilities.drop] }),
      },
      privileged: escalates,
      ...(i.runAsRoot
        ? { runAsGroup: 0, runAsNonRoot: false, runAsUser: 0 }
        : { runAsNonRoot: true, runAsUser: user(i.runAsUser), runAsGroup: user(i.runAsGroup) }),
      readOnlyRootFilesystem: true,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    terminationMessagePolicy: 'FallbackToLogsOnError',
    volumeMounts: [
      { mountPath: i.xtMountPath.mountPath, name: i.xtMountPath.name },
      ...(saMount ? [{ mountPath: saMount.mountPath, name: saMount.name, readOnly: saMount.readOnly ?? false }] : []),
    ],
  };
}

export function networkValidator(v: LinkerdControlPlane, image: string): Obj {
  const sc = v.networkValidator.securityContext;
  return {
    name: 'linkerd-network-validator',
    image,
    resources: resources(v.proxy.resources),
    ...(v.networkValidator.enableSecurityContext !== false && {
      // The chart's default values carry the same securityContext the template falls back to.
      securityContext: Object.keys(sc ?? {}).length ? clone(sc) : linkerdChartDefaults().networkValidator.securityContext,
    }),
    command: ['/usr/lib/linkerd/linkerd2-network-validator'],
  };
}
