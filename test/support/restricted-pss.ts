// The Pod Security Standards "restricted" profile (baseline + restricted rules, Kubernetes 1.31),
// checked on a rendered pod spec the way the PodSecurity admission controller would.
// https://kubernetes.io/docs/concepts/security/pod-security-standards/

type Obj = Record<string, any>;

// Volume types "restricted" allows.
const ALLOWED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
const SAFE_SYSCTLS = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];
const SELINUX_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];

/** Pod template spec of a workload object, or the spec of a Pod. */
export function podSpecOf(workload: Obj): Obj {
  if (workload.kind === 'Pod') return workload.spec;
  const spec = workload.spec?.template?.spec ?? workload.spec?.jobTemplate?.spec?.template?.spec;
  if (!spec) throw new Error(`${workload.kind}/${workload.metadata?.name}: no pod template`);
  return spec;
}

/** Every violation of the restricted profile in a pod spec; [] when the pod would be admitted. */
export function restrictedPssViolations(pod: Obj): string[] {
  const out: string[] = [];
  const podSc: Obj = pod.securityContext ?? {};
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) if (pod[field] === true) out.push(`spec.${field} must not be true`);
  for (const [i, v] of (pod.volumes ?? []).entries()) {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (!type || !ALLOWED_VOLUMES.includes(type)) out.push(`spec.volumes[${i}] (${v.name}): volume type ${type} is not allowed`);
  }
  for (const s of podSc.sysctls ?? []) if (!SAFE_SYSCTLS.includes(s.name)) out.push(`spec.securityContext.sysctls: ${s.name} is not a safe sysctl`);
  checkSeLinux(podSc.seLinuxOptions, 'spec.securityContext', out);
  if (podSc.appArmorProfile?.type === 'Unconfined') out.push('spec.securityContext.appArmorProfile must not be Unconfined');
  if (podSc.runAsUser === 0) out.push('spec.securityContext.runAsUser must not be 0');

  const containers: [string, Obj][] = [
    ...(pod.initContainers ?? []).map((c: Obj, i: number) => [`spec.initContainers[${i}]`, c] as [string, Obj]),
    ...(pod.containers ?? []).map((c: Obj, i: number) => [`spec.containers[${i}]`, c] as [string, Obj]),
    ...(pod.ephemeralContainers ?? []).map((c: Obj, i: number) => [`spec.ephemeralContainers[${i}]`, c] as [string, Obj]),
  ];
  for (const [at, c] of containers) {
    const sc: Obj = c.securityContext ?? {};
    const where = `${at} (${c.name}).securityContext`;
    if (sc.privileged === true) out.push(`${where}.privileged must not be true`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${where}.allowPrivilegeEscalation must be false`);
    if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) out.push(`${where}.runAsNonRoot (or the pod's) must be true`);
    if (sc.runAsUser === 0) out.push(`${where}.runAsUser must not be 0`);
    const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') out.push(`${where}.seccompProfile.type (or the pod's) must be RuntimeDefault or Localhost`);
    const drop: string[] = sc.capabilities?.drop ?? [];
    if (!drop.includes('ALL')) out.push(`${where}.capabilities.drop must include ALL`);
    for (const cap of sc.capabilities?.add ?? []) if (cap !== 'NET_BIND_SERVICE') out.push(`${where}.capabilities.add must not add ${cap}`);
    if (sc.procMount !== undefined && sc.procMount !== 'Default') out.push(`${where}.procMount must be Default`);
    if (sc.appArmorProfile?.type === 'Unconfined') out.push(`${where}.appArmorProfile must not be Unconfined`);
    checkSeLinux(sc.seLinuxOptions, where, out);
    for (const [i, p] of (c.ports ?? []).entries()) if (p.hostPort) out.push(`${at}.ports[${i}].hostPort must not be set`);
  }
  return out;
}

function checkSeLinux(options: Obj | undefined, where: string, out: string[]): void {
  if (!options) return;
  if (!SELINUX_TYPES.includes(options.type ?? '')) out.push(`${where}.seLinuxOptions.type ${options.type} is not allowed`);
  if (options.user) out.push(`${where}.seLinuxOptions.user must not be set`);
  if (options.role) out.push(`${where}.seLinuxOptions.role must not be set`);
}
