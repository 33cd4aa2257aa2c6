// Pod Security "restricted" checks, newest version of each (each may replace the baseline check it overrides).
// Source: kubernetes/pod-security-admission v0.36.2, policy/check_{allowPrivilegeEscalation,capabilities_restricted,
// procMount_restricted,restrictedVolumes,runAsNonRoot,runAsUser,seccompProfile_restricted}.go.
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
  windows,
} from './pod-security-helpers.js';

const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];

export const RESTRICTED_CHECKS: Check[] = [
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    check: (spec) => {
      const names = windows(spec)
        ? []
        : allContainers(spec)
            .filter((c) => sc(c).allowPrivilegeEscalation !== false)
            .map((c) => c.name);
      return names.length
        ? { reason: 'allowPrivilegeEscalation != false', detail: `${containersLabel(names)} must set securityContext.allowPrivilegeEscalation=false` }
        : undefined;
    },
  },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    overrides: 'capabilities_baseline',
    check: (spec) => {
      if (windows(spec)) return undefined;
      const missingDrop = allContainers(spec)
        .filter((c) => !(sc(c).capabilities?.drop ?? []).includes('ALL'))
        .map((c) => c.name);
      const adding = allContainers(spec).filter((c) => (sc(c).capabilities?.add ?? []).some((a: string) => a !== 'NET_BIND_SERVICE'));
      const caps = uniqSorted(adding.flatMap((c) => sc(c).capabilities.add.filter((a: string) => a !== 'NET_BIND_SERVICE')));
      const details = [
        ...(missingDrop.length ? [`${containersLabel(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`] : []),
        ...(adding.length
          ? [`${containersLabel(adding.map((c) => c.name))} must not include ${quote(caps)} in securityContext.capabilities.add`]
          : []),
      ];
      return details.length ? { reason: 'unrestricted capabilities', detail: details.join('; ') } : undefined;
    },
  },
  { id: 'procMount_restricted', level: 'restricted', overrides: 'procMount', check: procMount },
  {
    id: 'restrictedVolumes',
    level: 'restricted',
    overrides: 'hostPathVolumes',
    check: (spec) => {
      const bad = (spec.volumes ?? []).filter((v: Obj) => !RESTRICTED_VOLUMES.some((t) => v[t]));
      const types = uniqSorted(bad.map((v: Obj) => Object.keys(v).find((k) => k !== 'name') ?? 'unknown'));
      return bad.length
        ? {
            reason: 'restricted volume types',
            detail: `${plural('volume', 'volumes', bad.length)} ${quote(bad.map((v: Obj) => v.name))} ${plural('uses', 'use', bad.length)} ${plural('restricted volume type', 'restricted volume types', types.length)} ${quote(types)}`,
          }
        : undefined;
    },
  },
  {
    id: 'runAsNonRoot',
    level: 'restricted',
    check: (spec) => {
      if (userNamespace(spec)) return undefined;
      const pod = podSc(spec).runAsNonRoot;
      const setters = settersCheck(spec, pod === false, (c) => sc(c).runAsNonRoot === false);
      if (setters.length)
        return { reason: 'runAsNonRoot != true', detail: `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false` };
      const implicit =
        pod === true
          ? []
          : allContainers(spec)
              .filter((c) => sc(c).runAsNonRoot === undefined)
              .map((c) => c.name);
      return implicit.length
        ? { reason: 'runAsNonRoot != true', detail: `pod or ${containersLabel(implicit)} must set securityContext.runAsNonRoot=true` }
        : undefined;
    },
  },
  {
    id: 'runAsUser',
    level: 'restricted',
    check: (spec) => {
      if (userNamespace(spec)) return undefined;
      const setters = settersCheck(spec, podSc(spec).runAsUser === 0, (c) => sc(c).runAsUser === 0);
      return setters.length ? { reason: 'runAsUser=0', detail: `${setters.join(' and ')} must not set runAsUser=0` } : undefined;
    },
  },
  { id: 'seccompProfile_restricted', level: 'restricted', overrides: 'seccompProfile_baseline', check: (spec) => seccomp(spec, true) },
];
