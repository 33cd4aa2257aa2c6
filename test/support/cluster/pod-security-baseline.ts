// Pod Security "baseline" checks, newest version of each.
// Source: kubernetes/pod-security-admission v0.36.2, policy/check_{appArmorProfile,capabilities_baseline,hostNamespaces,
// hostPathVolumes,hostPorts,hostProbesAndhostLifecycle,privileged,procMount_baseline,seLinuxOptions,
// seccompProfile_baseline,sysctls,windowsHostProcess}.go.
import type { Obj } from './objects.js';
import {
  allContainers,
  type Check,
  containersLabel,
  plural,
  podSc,
  procMount,
  quote,
  sc,
  seccomp,
  settersCheck,
  uniqSorted,
  userNamespace,
} from './pod-security-helpers.js';

const BASELINE_CAPS = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];
const SYSCTLS = [
  ...[
    'kernel.shm_rmid_forced',
    'net.ipv4.ip_local_port_range',
    'net.ipv4.tcp_syncookies',
    'net.ipv4.ping_group_range',
    'net.ipv4.ip_unprivileged_port_start',
  ],
  ...['net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl'],
  ...['net.ipv4.tcp_keepalive_probes', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'],
];
const SELINUX_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];
const goodAppArmor = (t: string | undefined) => t === 'RuntimeDefault' || t === 'Localhost';

export const BASELINE_CHECKS: Check[] = [
  {
    id: 'appArmorProfile',
    level: 'baseline',
    check: (spec, metadata) => {
      const setters = settersCheck(
        spec,
        podSc(spec).appArmorProfile !== undefined && !goodAppArmor(podSc(spec).appArmorProfile.type),
        (c) => sc(c).appArmorProfile !== undefined && !goodAppArmor(sc(c).appArmorProfile.type),
      );
      const values = uniqSorted(
        [podSc(spec).appArmorProfile?.type, ...allContainers(spec).map((c) => sc(c).appArmorProfile?.type)].filter(
          (t) => t !== undefined && !goodAppArmor(t),
        ),
      );
      const annotations = Object.entries(metadata.annotations ?? {})
        .filter(
          ([k, v]) =>
            k.startsWith('container.apparmor.security.beta.kubernetes.io/') &&
            !(v === '' || v === 'runtime/default' || String(v).startsWith('localhost/')),
        )
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .sort();
      if (annotations.length) setters.push(plural('annotation', 'annotations', annotations.length));
      const all = [...values, ...annotations];
      return setters.length
        ? {
            reason: plural('forbidden AppArmor profile', 'forbidden AppArmor profiles', all.length),
            detail: `${setters.join(' and ')} must not set AppArmor profile type to ${quote(all)}`,
          }
        : undefined;
    },
  },
  {
    id: 'capabilities_baseline',
    level: 'baseline',
    check: (spec) => {
      const bad = allContainers(spec).filter((c) => (sc(c).capabilities?.add ?? []).some((a: string) => !BASELINE_CAPS.includes(a)));
      const caps = uniqSorted(bad.flatMap((c) => sc(c).capabilities.add.filter((a: string) => !BASELINE_CAPS.includes(a))));
      return bad.length
        ? {
            reason: 'non-default capabilities',
            detail: `${containersLabel(bad.map((c) => c.name))} must not include ${quote(caps)} in securityContext.capabilities.add`,
          }
        : undefined;
    },
  },
  {
    id: 'hostNamespaces',
    level: 'baseline',
    check: (spec) => {
      const used = (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((f) => spec[f] === true).map((f) => `${f}=true`);
      return used.length ? { reason: 'host namespaces', detail: used.join(', ') } : undefined;
    },
  },
  {
    id: 'hostPathVolumes',
    level: 'baseline',
    check: (spec) => {
      const names = (spec.volumes ?? []).filter((v: Obj) => v.hostPath).map((v: Obj) => v.name);
      return names.length ? { reason: 'hostPath volumes', detail: `${plural('volume', 'volumes', names.length)} ${quote(names)}` } : undefined;
    },
  },
  {
    id: 'hostPorts',
    level: 'baseline',
    check: (spec) => {
      const bad = allContainers(spec).filter((c) => (c.ports ?? []).some((p: Obj) => p.hostPort));
      const ports = uniqSorted(bad.flatMap((c) => c.ports.filter((p: Obj) => p.hostPort).map((p: Obj) => String(p.hostPort))));
      return bad.length
        ? {
            reason: 'hostPort',
            detail: `${containersLabel(bad.map((c) => c.name))} ${plural('uses', 'use', bad.length)} ${plural('hostPort', 'hostPorts', ports.length)} ${ports.join(', ')}`,
          }
        : undefined;
    },
  },
  {
    id: 'hostProbesAndHostLifecycle',
    level: 'baseline',
    check: (spec) => {
      const hosts = (c: Obj) =>
        [c.livenessProbe, c.readinessProbe, c.startupProbe, c.lifecycle?.postStart, c.lifecycle?.preStop]
          .flatMap((h: Obj | undefined) => [h?.httpGet?.host, h?.tcpSocket?.host])
          .filter((h) => h);
      const bad = allContainers(spec).filter((c) => hosts(c).length);
      const all = uniqSorted(bad.flatMap(hosts));
      return bad.length
        ? {
            reason: 'probe or lifecycle host',
            detail: `${containersLabel(uniqSorted(bad.map((c) => c.name)))} ${plural('uses', 'use', bad.length)} ${plural('probe or lifecycle host', 'probe or lifecycle hosts', all.length)} ${quote(all)}`,
          }
        : undefined;
    },
  },
  {
    id: 'privileged',
    level: 'baseline',
    check: (spec) => {
      const names = allContainers(spec)
        .filter((c) => sc(c).privileged === true)
        .map((c) => c.name);
      return names.length ? { reason: 'privileged', detail: `${containersLabel(names)} must not set securityContext.privileged=true` } : undefined;
    },
  },
  { id: 'procMount', level: 'baseline', check: (spec) => (userNamespace(spec) ? undefined : procMount(spec)) },
  {
    id: 'seLinuxOptions',
    level: 'baseline',
    check: (spec) => {
      const problems = new Set<string>();
      const types: string[] = [];
      const invalid = (o: Obj | undefined) => {
        if (!o) return false;
        let bad = false;
        if (!SELINUX_TYPES.includes(o.type ?? '')) ((bad = true), types.push(o.type));
        if (o.user) ((bad = true), problems.add('user may not be set'));
        if (o.role) ((bad = true), problems.add('role may not be set'));
        return bad;
      };
      const setters = settersCheck(spec, invalid(podSc(spec).seLinuxOptions), (c) => invalid(sc(c).seLinuxOptions));
      if (!setters.length) return undefined;
      const data = [...(types.length ? [`${plural('type', 'types', uniqSorted(types).length)} ${quote(uniqSorted(types))}`] : []), ...problems];
      return { reason: 'seLinuxOptions', detail: `${setters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}` };
    },
  },
  { id: 'seccompProfile_baseline', level: 'baseline', check: (spec) => seccomp(spec, false) },
  {
    id: 'sysctls',
    level: 'baseline',
    check: (spec) => {
      const bad = (podSc(spec).sysctls ?? []).map((s: Obj) => s.name).filter((n: string) => !SYSCTLS.includes(n));
      return bad.length ? { reason: 'forbidden sysctls', detail: bad.join(', ') } : undefined;
    },
  },
  {
    id: 'windowsHostProcess',
    level: 'baseline',
    check: (spec) => {
      const setters = settersCheck(spec, podSc(spec).windowsOptions?.hostProcess === true, (c) => sc(c).windowsOptions?.hostProcess === true);
      return setters.length
        ? { reason: 'hostProcess', detail: `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true` }
        : undefined;
    },
  },
];
