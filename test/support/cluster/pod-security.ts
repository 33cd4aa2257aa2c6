// Pod Security admission, levels "baseline" and "restricted" at version "latest".
// Source: kubernetes/pod-security-admission v0.36.2 (Kubernetes 1.36), policy/check_*.go (newest version of each
// check), policy/registry.go (baseline checks then restricted ones, each group sorted by check ID; a restricted
// check replaces the baseline check it overrides), policy/checks.go and admission/admission.go (each failed check
// reads `reason (detail)`), policy/visitor.go (init, regular and ephemeral containers), policy/helpers.go.
import { allContainers, type Obj } from './objects.js';

export type PodSecurityLevel = 'baseline' | 'restricted';

type Result = { reason: string; detail: string } | undefined;
interface Check {
  id: string;
  level: PodSecurityLevel;
  overrides?: string;
  check(spec: Obj, metadata: Obj): Result;
}

const quote = (items: string[]) => items.map((i) => `"${i}"`).join(', ');
const plural = (one: string, many: string, n: number) => (n === 1 ? one : many);
const containersLabel = (names: string[]) => `${plural('container', 'containers', names.length)} ${quote(names)}`;
const uniqSorted = (items: string[]) => [...new Set(items)].sort();
const sc = (c: Obj): Obj => c.securityContext ?? {};
const podSc = (spec: Obj): Obj => spec.securityContext ?? {};
const windows = (spec: Obj) => spec.os?.name === 'windows';
const userNamespace = (spec: Obj) => spec.hostUsers === false; // 1.35+: relaxes runAsNonRoot, runAsUser, baseline procMount

/** Checks that flag containers (and optionally the pod) setting a field to a bad value. */
function settersCheck(spec: Obj, podBad: boolean, bad: (c: Obj) => boolean): string[] {
  const setters = podBad ? ['pod'] : [];
  const names = allContainers(spec).filter(bad).map((c) => c.name);
  if (names.length) setters.push(containersLabel(names));
  return setters;
}

const BASELINE_CAPS = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];
const SYSCTLS = [
  ...['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start'],
  ...['net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl'],
  ...['net.ipv4.tcp_keepalive_probes', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'],
];
const SELINUX_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];
const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];
const goodSeccomp = (t: string | undefined) => t === 'RuntimeDefault' || t === 'Localhost';
const goodAppArmor = (t: string | undefined) => t === 'RuntimeDefault' || t === 'Localhost';

function procMount(spec: Obj): Result {
  const bad = allContainers(spec).filter((c) => sc(c).procMount !== undefined && sc(c).procMount !== 'Default');
  if (!bad.length) return undefined;
  const types = uniqSorted(bad.map((c) => sc(c).procMount));
  return { reason: 'procMount', detail: `${containersLabel(bad.map((c) => c.name))} must not set securityContext.procMount to ${quote(types)}` };
}

function seccomp(spec: Obj, restricted: boolean): Result {
  const podType = podSc(spec).seccompProfile?.type;
  const setters = settersCheck(spec, podType !== undefined && !goodSeccomp(podType), (c) => sc(c).seccompProfile !== undefined && !goodSeccomp(sc(c).seccompProfile.type));
  const values = uniqSorted([podType, ...allContainers(spec).map((c) => sc(c).seccompProfile?.type)].filter((t) => t !== undefined && !goodSeccomp(t)));
  if (setters.length) return { reason: 'seccompProfile', detail: `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${quote(values)}` };
  if (!restricted || goodSeccomp(podType) || windows(spec)) return undefined;
  const implicit = allContainers(spec).filter((c) => sc(c).seccompProfile === undefined).map((c) => c.name);
  if (!implicit.length) return undefined;
  return { reason: 'seccompProfile', detail: `pod or ${containersLabel(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"` };
}

const CHECKS: Check[] = [
  { id: 'appArmorProfile', level: 'baseline', check: (spec, metadata) => {
    const setters = settersCheck(spec, podSc(spec).appArmorProfile !== undefined && !goodAppArmor(podSc(spec).appArmorProfile.type), (c) => sc(c).appArmorProfile !== undefined && !goodAppArmor(sc(c).appArmorProfile.type));
    const values = uniqSorted([podSc(spec).appArmorProfile?.type, ...allContainers(spec).map((c) => sc(c).appArmorProfile?.type)].filter((t) => t !== undefined && !goodAppArmor(t)));
    const annotations = Object.entries(metadata.annotations ?? {})
      .filter(([k, v]) => k.startsWith('container.apparmor.security.beta.kubernetes.io/') && !(v === '' || v === 'runtime/default' || String(v).startsWith('localhost/')))
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`).sort();
    if (annotations.length) setters.push(plural('annotation', 'annotations', annotations.length));
    const all = [...values, ...annotations];
    return setters.length ? { reason: plural('forbidden AppArmor profile', 'forbidden AppArmor profiles', all.length), detail: `${setters.join(' and ')} must not set AppArmor profile type to ${quote(all)}` } : undefined;
  } },
  { id: 'capabilities_baseline', level: 'baseline', check: (spec) => {
    const bad = allContainers(spec).filter((c) => (sc(c).capabilities?.add ?? []).some((a: string) => !BASELINE_CAPS.includes(a)));
    const caps = uniqSorted(bad.flatMap((c) => sc(c).capabilities.add.filter((a: string) => !BASELINE_CAPS.includes(a))));
    return bad.length ? { reason: 'non-default capabilities', detail: `${containersLabel(bad.map((c) => c.name))} must not include ${quote(caps)} in securityContext.capabilities.add` } : undefined;
  } },
  { id: 'hostNamespaces', level: 'baseline', check: (spec) => {
    const used = (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((f) => spec[f] === true).map((f) => `${f}=true`);
    return used.length ? { reason: 'host namespaces', detail: used.join(', ') } : undefined;
  } },
  { id: 'hostPathVolumes', level: 'baseline', check: (spec) => {
    const names = (spec.volumes ?? []).filter((v: Obj) => v.hostPath).map((v: Obj) => v.name);
    return names.length ? { reason: 'hostPath volumes', detail: `${plural('volume', 'volumes', names.length)} ${quote(names)}` } : undefined;
  } },
  { id: 'hostPorts', level: 'baseline', check: (spec) => {
    const bad = allContainers(spec).filter((c) => (c.ports ?? []).some((p: Obj) => p.hostPort));
    const ports = uniqSorted(bad.flatMap((c) => c.ports.filter((p: Obj) => p.hostPort).map((p: Obj) => String(p.hostPort))));
    return bad.length ? { reason: 'hostPort', detail: `${containersLabel(bad.map((c) => c.name))} ${plural('uses', 'use', bad.length)} ${plural('hostPort', 'hostPorts', ports.length)} ${ports.join(', ')}` } : undefined;
  } },
  { id: 'hostProbesAndHostLifecycle', level: 'baseline', check: (spec) => {
    const hosts = (c: Obj) => [c.livenessProbe, c.readinessProbe, c.startupProbe, c.lifecycle?.postStart, c.lifecycle?.preStop]
      .flatMap((h: Obj | undefined) => [h?.httpGet?.host, h?.tcpSocket?.host]).filter((h) => h);
    const bad = allContainers(spec).filter((c) => hosts(c).length);
    const all = uniqSorted(bad.flatMap(hosts));
    return bad.length ? { reason: 'probe or lifecycle host', detail: `${containersLabel(uniqSorted(bad.map((c) => c.name)))} ${plural('uses', 'use', bad.length)} ${plural('probe or lifecycle host', 'probe or lifecycle hosts', all.length)} ${quote(all)}` } : undefined;
  } },
  { id: 'privileged', level: 'baseline', check: (spec) => {
    const names = allContainers(spec).filter((c) => sc(c).privileged === true).map((c) => c.name);
    return names.length ? { reason: 'privileged', detail: `${containersLabel(names)} must not set securityContext.privileged=true` } : undefined;
  } },
  { id: 'procMount', level: 'baseline', check: (spec) => (userNamespace(spec) ? undefined : procMount(spec)) },
  { id: 'seLinuxOptions', level: 'baseline', check: (spec) => {
    const problems = new Set<string>();
    const types: string[] = [];
    const invalid = (o: Obj | undefined) => {
      if (!o) return false;
      let bad = false;
      if (!SELINUX_TYPES.includes(o.type ?? '')) (bad = true), types.push(o.type);
      if (o.user) (bad = true), problems.add('user may not be set');
      if (o.role) (bad = true), problems.add('role may not be set');
      return bad;
    };
    const setters = settersCheck(spec, invalid(podSc(spec).seLinuxOptions), (c) => invalid(sc(c).seLinuxOptions));
    if (!setters.length) return undefined;
    const data = [...(types.length ? [`${plural('type', 'types', uniqSorted(types).length)} ${quote(uniqSorted(types))}`] : []), ...problems];
    return { reason: 'seLinuxOptions', detail: `${setters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}` };
  } },
  { id: 'seccompProfile_baseline', level: 'baseline', check: (spec) => seccomp(spec, false) },
  { id: 'sysctls', level: 'baseline', check: (spec) => {
    const bad = (podSc(spec).sysctls ?? []).map((s: Obj) => s.name).filter((n: string) => !SYSCTLS.includes(n));
    return bad.length ? { reason: 'forbidden sysctls', detail: bad.join(', ') } : undefined;
  } },
  { id: 'windowsHostProcess', level: 'baseline', check: (spec) => {
    const setters = settersCheck(spec, podSc(spec).windowsOptions?.hostProcess === true, (c) => sc(c).windowsOptions?.hostProcess === true);
    return setters.length ? { reason: 'hostProcess', detail: `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true` } : undefined;
  } },
  { id: 'allowPrivilegeEscalation', level: 'restricted', check: (spec) => {
    const names = windows(spec) ? [] : allContainers(spec).filter((c) => sc(c).allowPrivilegeEscalation !== false).map((c) => c.name);
    return names.length ? { reason: 'allowPrivilegeEscalation != false', detail: `${containersLabel(names)} must set securityContext.allowPrivilegeEscalation=false` } : undefined;
  } },
  { id: 'capabilities_restricted', level: 'restricted', overrides: 'capabilities_baseline', check: (spec) => {
    if (windows(spec)) return undefined;
    const missingDrop = allContainers(spec).filter((c) => !(sc(c).capabilities?.drop ?? []).includes('ALL')).map((c) => c.name);
    const adding = allContainers(spec).filter((c) => (sc(c).capabilities?.add ?? []).some((a: string) => a !== 'NET_BIND_SERVICE'));
    const caps = uniqSorted(adding.flatMap((c) => sc(c).capabilities.add.filter((a: string) => a !== 'NET_BIND_SERVICE')));
    const details = [
      ...(missingDrop.length ? [`${containersLabel(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`] : []),
      ...(adding.length ? [`${containersLabel(adding.map((c) => c.name))} must not include ${quote(caps)} in securityContext.capabilities.add`] : []),
    ];
    return details.length ? { reason: 'unrestricted capabilities', detail: details.join('; ') } : undefined;
  } },
  { id: 'procMount_restricted', level: 'restricted', overrides: 'procMount', check: procMount },
  { id: 'restrictedVolumes', level: 'restricted', overrides: 'hostPathVolumes', check: (spec) => {
    const bad = (spec.volumes ?? []).filter((v: Obj) => !RESTRICTED_VOLUMES.some((t) => v[t]));
    const types = uniqSorted(bad.map((v: Obj) => Object.keys(v).find((k) => k !== 'name') ?? 'unknown'));
    return bad.length ? { reason: 'restricted volume types', detail: `${plural('volume', 'volumes', bad.length)} ${quote(bad.map((v: Obj) => v.name))} ${plural('uses', 'use', bad.length)} ${plural('restricted volume type', 'restricted volume types', types.length)} ${quote(types)}` } : undefined;
  } },
  { id: 'runAsNonRoot', level: 'restricted', check: (spec) => {
    if (userNamespace(spec)) return undefined;
    const pod = podSc(spec).runAsNonRoot;
    const setters = settersCheck(spec, pod === false, (c) => sc(c).runAsNonRoot === false);
    if (setters.length) return { reason: 'runAsNonRoot != true', detail: `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false` };
    const implicit = pod === true ? [] : allContainers(spec).filter((c) => sc(c).runAsNonRoot === undefined).map((c) => c.name);
    return implicit.length ? { reason: 'runAsNonRoot != true', detail: `pod or ${containersLabel(implicit)} must set securityContext.runAsNonRoot=true` } : undefined;
  } },
  { id: 'runAsUser', level: 'restricted', check: (spec) => {
    if (userNamespace(spec)) return undefined;
    const setters = settersCheck(spec, podSc(spec).runAsUser === 0, (c) => sc(c).runAsUser === 0);
    return setters.length ? { reason: 'runAsUser=0', detail: `${setters.join(' and ')} must not set runAsUser=0` } : undefined;
  } },
  { id: 'seccompProfile_restricted', level: 'restricted', overrides: 'seccompProfile_baseline', check: (spec) => seccomp(spec, true) },
];

/** The checks of a level in the admission controller's order. */
function checksFor(level: PodSecurityLevel): Check[] {
  const byId = (a: Check, b: Check) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const baseline = CHECKS.filter((c) => c.level === 'baseline').sort(byId);
  if (level === 'baseline') return baseline;
  const restricted = CHECKS.filter((c) => c.level === 'restricted').sort(byId);
  const overridden = new Set(restricted.map((c) => c.overrides));
  return [...baseline.filter((c) => !overridden.has(c.id)), ...restricted];
}

/**
 * Every Pod Security violation of a pod spec at `level` ("latest"), as the admission controller words it:
 * `reason (detail)`, e.g. `unrestricted capabilities (container "linkerd-init" must set securityContext.capabilities.drop=["ALL"])`.
 * `metadata` matters only for AppArmor annotations. [] when the pod is admitted.
 */
export function podSecurityViolations(podSpec: Obj, level: PodSecurityLevel, metadata: Obj = {}): string[] {
  return checksFor(level)
    .map((c) => c.check(podSpec, metadata))
    .filter((r): r is NonNullable<Result> => r !== undefined)
    .map((r) => `${r.reason} (${r.detail})`);
}
