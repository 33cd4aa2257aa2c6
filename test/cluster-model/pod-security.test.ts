// Pod Security admission (pod-security-admission v0.36.2, "latest") as modelled in test/support/cluster/pod-security.ts.
import { describe, expect, test } from 'vitest';
import { injectLinkerd, linkerdControlPlaneFromValues, type Obj, podSecurityViolations } from '../support/cluster/index.js';
import { restrictedPssViolations } from '../support/restricted-pss.js';
import { restrictedPod } from './fixtures.js';

const ns = { name: 'web' };

describe('podSecurityViolations', () => {
  test('a hardened pod passes both levels', () => {
    expect(podSecurityViolations(restrictedPod().spec, 'restricted')).toEqual([]);
    expect(podSecurityViolations(restrictedPod().spec, 'baseline')).toEqual([]);
  });

  test("an unhardened pod passes baseline but not restricted, in the controller's order and words", () => {
    const spec = { containers: [{ name: 'app', image: 'x' }] };
    expect(podSecurityViolations(spec, 'baseline')).toEqual([]);
    expect(podSecurityViolations(spec, 'restricted')).toEqual([
      'allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)',
      'unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"])',
      'runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true)',
      'seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ]);
  });

  test('baseline violations, each check once', () => {
    const spec: Obj = {
      hostNetwork: true,
      hostPID: true,
      securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }], seLinuxOptions: { user: 'root' } },
      containers: [
        {
          name: 'app',
          securityContext: {
            privileged: true,
            capabilities: { add: ['SYS_ADMIN', 'CHOWN'] },
            procMount: 'Unmasked',
            seccompProfile: { type: 'Unconfined' },
            appArmorProfile: { type: 'Unconfined' },
          },
          ports: [{ containerPort: 80, hostPort: 80 }],
          livenessProbe: { httpGet: { host: '10.0.0.1', port: 80 } },
        },
      ],
      volumes: [{ name: 'root', hostPath: { path: '/' } }],
    };
    expect(podSecurityViolations(spec, 'baseline')).toEqual([
      'forbidden AppArmor profile (container "app" must not set AppArmor profile type to "Unconfined")',
      'non-default capabilities (container "app" must not include "SYS_ADMIN" in securityContext.capabilities.add)',
      'host namespaces (hostNetwork=true, hostPID=true)',
      'hostPath volumes (volume "root")',
      'hostPort (container "app" uses hostPort 80)',
      'probe or lifecycle host (container "app" uses probe or lifecycle host "10.0.0.1")',
      'privileged (container "app" must not set securityContext.privileged=true)',
      'procMount (container "app" must not set securityContext.procMount to "Unmasked")',
      'seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: user may not be set)',
      'seccompProfile (container "app" must not set securityContext.seccompProfile.type to "Unconfined")',
      'forbidden sysctls (kernel.msgmax)',
    ]);
  });

  test('restricted replaces the baseline checks it overrides (capabilities, hostPath, seccomp, procMount)', () => {
    const spec: Obj = {
      ...restrictedPod().spec,
      volumes: [
        { name: 'root', hostPath: { path: '/' } },
        { name: 'nfs', nfs: { server: 'x', path: '/' } },
      ],
    };
    expect(podSecurityViolations(spec, 'restricted')).toEqual([
      'restricted volume types (volumes "root", "nfs" use restricted volume types "hostPath", "nfs")',
    ]);
    expect(podSecurityViolations(spec, 'baseline')).toEqual(['hostPath volumes (volume "root")']);
  });

  test('user namespaces (hostUsers: false) relax runAsNonRoot and runAsUser', () => {
    const spec: Obj = { ...restrictedPod().spec, securityContext: { seccompProfile: { type: 'RuntimeDefault' }, runAsUser: 0 } };
    expect(podSecurityViolations(spec, 'restricted')).toEqual([
      'runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true)',
      'runAsUser=0 (pod must not set runAsUser=0)',
    ]);
    expect(podSecurityViolations({ ...spec, hostUsers: false }, 'restricted')).toEqual([]);
  });

  test('Windows pods (spec.os.name) are exempt from the Linux-only restricted checks', () => {
    const spec = { os: { name: 'windows' }, securityContext: { runAsNonRoot: true }, containers: [{ name: 'app', image: 'x' }] };
    expect(podSecurityViolations(spec, 'restricted')).toEqual([]);
    expect(podSecurityViolations({ ...spec, os: { name: 'linux' } }, 'restricted')).toHaveLength(3);
  });

  test('restricted-pss.ts keeps its name for the same checker', () => {
    expect(restrictedPssViolations({ containers: [{ name: 'a', securityContext: { privileged: true } }] })[0]).toBe(
      'privileged (container "a" must not set securityContext.privileged=true)',
    );
  });
});

describe('injected pods', () => {
  const defaults = linkerdControlPlaneFromValues();

  test('linkerd-init (no CNI) fails baseline and restricted', () => {
    const spec = injectLinkerd(restrictedPod(), ns, defaults).spec;
    expect(podSecurityViolations(spec, 'baseline')).toEqual([
      'non-default capabilities (container "linkerd-init" must not include "NET_ADMIN", "NET_RAW" in securityContext.capabilities.add)',
    ]);
    expect(podSecurityViolations(spec, 'restricted')).toEqual([
      'unrestricted capabilities (container "linkerd-init" must not include "NET_ADMIN", "NET_RAW" in securityContext.capabilities.add)',
    ]);
  });

  test('CNI mode passes restricted when the app container does', () => {
    const cni = linkerdControlPlaneFromValues({ cniEnabled: true });
    expect(podSecurityViolations(injectLinkerd(restrictedPod(), ns, cni).spec, 'restricted')).toEqual([]);
  });

  test("CNI mode: the proxy copies the first container's capabilities, so an app that drops nothing fails restricted twice", () => {
    const cni = linkerdControlPlaneFromValues({ cniEnabled: true });
    const pod = restrictedPod();
    pod.spec.containers[0].securityContext = { allowPrivilegeEscalation: false };
    expect(podSecurityViolations(injectLinkerd(pod, ns, cni).spec, 'restricted')).toEqual([
      'unrestricted capabilities (containers "linkerd-proxy", "app" must set securityContext.capabilities.drop=["ALL"])',
    ]);
  });
});
