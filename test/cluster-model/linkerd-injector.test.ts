// Linkerd's proxy injector (edge-26.8.3) as modelled in test/support/cluster/linkerd-injector.ts.
import { describe, expect, test } from 'vitest';
import { injectLinkerd, linkerdControlPlaneFromValues, linkerdEffectiveValues, linkerdSkipReason, type Obj } from '../support/cluster/index.js';
import { restrictedPod } from './fixtures.js';

const defaults = linkerdControlPlaneFromValues();
const cni = linkerdControlPlaneFromValues({ cniEnabled: true });
const ns = { name: 'web' };
const names = (list: Obj[] | undefined) => (list ?? []).map((c) => c.name);
const find = (list: Obj[] | undefined, name: string) => (list ?? []).find((c) => c.name === name);

describe('inject decision', () => {
  const withInject = (value: string | undefined) => {
    const pod = restrictedPod();
    if (value === undefined) delete pod.metadata.annotations['linkerd.io/inject'];
    else pod.metadata.annotations['linkerd.io/inject'] = value;
    return pod;
  };

  test.each([
    ['enabled', {}, undefined],
    ['ingress', {}, undefined],
    [undefined, { 'linkerd.io/inject': 'enabled' }, undefined],
    ['disabled', { 'linkerd.io/inject': 'enabled' }, 'pod has the annotation "linkerd.io/inject:disabled"'],
    [undefined, {}, 'neither the namespace nor the pod have the annotation "linkerd.io/inject:enabled"'],
    ['disabled', {}, 'neither the namespace nor the pod have the annotation "linkerd.io/inject:enabled"'],
    ['yes', {}, 'invalid value for annotation "linkerd.io/inject" at workload'],
    ['enabled', { 'linkerd.io/inject': 'on' }, 'invalid value for annotation "linkerd.io/inject" at namespace'],
  ])('pod %s, namespace %j: %s', (pod, nsAnnotations, reason) => {
    expect(linkerdSkipReason(withInject(pod), { name: 'web', annotations: nsAnnotations }, defaults)).toBe(reason);
  });

  test('hostNetwork pods, already injected pods and excluded namespaces are left alone', () => {
    const host = restrictedPod();
    host.spec.hostNetwork = true;
    expect(linkerdSkipReason(host, ns, defaults)).toBe('hostNetwork is enabled');
    const injected = injectLinkerd(restrictedPod(), ns, defaults);
    expect(linkerdSkipReason(injected, ns, defaults)).toBe('pod has a sidecar injected already');
    expect(injectLinkerd(injected, ns, defaults)).toEqual(injected);
    expect(linkerdSkipReason(restrictedPod(), { name: 'kube-system' }, defaults)).toBe('namespace excluded by the webhook namespaceSelector');
    expect(linkerdSkipReason(restrictedPod(), { name: 'x', labels: { 'config.linkerd.io/admission-webhooks': 'disabled' } }, defaults)).toBeDefined();
  });

  test('automountServiceAccountToken: false skips injection only without token projection', () => {
    const pod = restrictedPod();
    pod.spec.automountServiceAccountToken = false;
    expect(linkerdSkipReason(pod, ns, defaults)).toBeUndefined();
    expect(linkerdSkipReason(pod, ns, linkerdControlPlaneFromValues({ identity: { serviceAccountTokenProjection: false } }))).toMatch(
      /automountServiceAccountToken/,
    );
  });

  test('a skipped pod comes back unchanged', () => {
    const pod = restrictedPod({ annotations: { 'linkerd.io/inject': 'disabled' } });
    expect(injectLinkerd(pod, ns, defaults)).toEqual(pod);
  });
});

describe('injected pod', () => {
  test('native sidecar by default: linkerd-init then linkerd-proxy (restartPolicy Always) before existing init containers', () => {
    const pod = restrictedPod();
    pod.spec.initContainers = [{ name: 'migrate', image: 'x' }];
    const out = injectLinkerd(pod, ns, defaults);
    expect(names(out.spec.initContainers)).toEqual(['linkerd-init', 'linkerd-proxy', 'migrate']);
    expect(names(out.spec.containers)).toEqual(['app']);
    const proxy = find(out.spec.initContainers, 'linkerd-proxy')!;
    expect(proxy.restartPolicy).toBe('Always');
    expect(proxy.startupProbe).toMatchObject({ httpGet: { path: '/ready', port: 4191 } });
    expect(proxy.lifecycle).toBeUndefined();
    expect(out.metadata.annotations['linkerd.io/proxy-version']).toBe('edge-26.8.3');
  });

  test('native sidecar off (annotation): proxy first among containers with linkerd-await, linkerd-init appended', () => {
    const pod = restrictedPod({ annotations: { 'config.alpha.linkerd.io/proxy-enable-native-sidecar': 'false' } });
    pod.spec.initContainers = [{ name: 'migrate', image: 'x' }];
    const out = injectLinkerd(pod, ns, defaults);
    expect(names(out.spec.initContainers)).toEqual(['migrate', 'linkerd-init']);
    expect(names(out.spec.containers)).toEqual(['linkerd-proxy', 'app']);
    const proxy = out.spec.containers[0];
    expect(proxy.restartPolicy).toBeUndefined();
    expect(proxy.lifecycle.postStart.exec.command[0]).toBe('/usr/lib/linkerd/linkerd-await');
  });

  test('the GA native-sidecar annotation wins over the alpha one; proxy-await disabled appends the proxy', () => {
    const cp = linkerdControlPlaneFromValues({ proxy: { nativeSidecar: false } });
    const pod = restrictedPod({
      annotations: {
        'config.linkerd.io/proxy-enable-native-sidecar': 'false',
        'config.alpha.linkerd.io/proxy-enable-native-sidecar': 'true',
        'config.linkerd.io/proxy-await': 'disabled',
      },
    });
    expect(names(injectLinkerd(pod, ns, cp).spec.containers)).toEqual(['app', 'linkerd-proxy']);
    expect(
      names(
        injectLinkerd(restrictedPod({ annotations: { 'config.alpha.linkerd.io/proxy-enable-native-sidecar': 'true' } }), ns, cp).spec.initContainers,
      ),
    ).toEqual(['linkerd-init', 'linkerd-proxy']);
  });

  test('proxy securityContext: rendered defaults, capabilities copied from the first container', () => {
    const proxy = find(injectLinkerd(restrictedPod(), ns, defaults).spec.initContainers, 'linkerd-proxy')!;
    expect(proxy.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 2102,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const bare = restrictedPod();
    delete bare.spec.containers[0].securityContext;
    const proxyOfBare = find(injectLinkerd(bare, ns, defaults).spec.initContainers, 'linkerd-proxy')!;
    expect(proxyOfBare.securityContext.capabilities).toBeUndefined(); // the proxy drops nothing on its own
    const uid = find(
      injectLinkerd(restrictedPod({ annotations: { 'config.linkerd.io/proxy-uid': '3000', 'config.linkerd.io/proxy-gid': '3000' } }), ns, defaults)
        .spec.initContainers,
      'linkerd-proxy',
    )!;
    expect(uid.securityContext).toMatchObject({ runAsUser: 3000, runAsGroup: 3000 });
    const custom = linkerdControlPlaneFromValues({ proxy: { securityContext: { runAsUser: 1 } } });
    expect(find(injectLinkerd(restrictedPod(), ns, custom).spec.initContainers, 'linkerd-proxy')!.securityContext).toEqual({ runAsUser: 1 });
  });

  test('linkerd-init without CNI: NET_ADMIN and NET_RAW, the rendered securityContext, runAsRoot', () => {
    const init = find(injectLinkerd(restrictedPod(), ns, defaults).spec.initContainers, 'linkerd-init')!;
    expect(init.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
      privileged: false,
      runAsNonRoot: true,
      runAsUser: 65534,
      runAsGroup: 65534,
      readOnlyRootFilesystem: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const root = find(
      injectLinkerd(restrictedPod(), ns, linkerdControlPlaneFromValues({ proxyInit: { runAsRoot: true } })).spec.initContainers,
      'linkerd-init',
    )!;
    expect(root.securityContext).toMatchObject({ runAsUser: 0, runAsGroup: 0, runAsNonRoot: false });
    const bare = restrictedPod();
    delete bare.spec.containers[0].securityContext;
    expect(find(injectLinkerd(bare, ns, defaults).spec.initContainers, 'linkerd-init')!.securityContext.capabilities).toEqual({
      add: ['NET_ADMIN', 'NET_RAW'],
    });
  });

  test('a close-wait timeout without runAsRoot fails the template: the webhook (failurePolicy Ignore) admits the pod as is', () => {
    const pod = restrictedPod({ annotations: { 'config.linkerd.io/close-wait-timeout': '1m' } });
    expect(injectLinkerd(pod, ns, defaults)).toEqual(pod);
    const root = injectLinkerd(pod, ns, linkerdControlPlaneFromValues({ proxyInit: { runAsRoot: true } }));
    expect(find(root.spec.initContainers, 'linkerd-init')!.securityContext).toMatchObject({ privileged: true, allowPrivilegeEscalation: true });
  });

  test('CNI mode: linkerd-network-validator (unprivileged) instead of linkerd-init, no xtables volume', () => {
    const out = injectLinkerd(restrictedPod(), ns, cni);
    expect(names(out.spec.initContainers)).toEqual(['linkerd-network-validator', 'linkerd-proxy']);
    expect(find(out.spec.initContainers, 'linkerd-network-validator')!.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsGroup: 65534,
      runAsNonRoot: true,
      runAsUser: 65534,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(names(out.spec.volumes)).toEqual(['tmp', 'linkerd-identity-end-entity', 'linkerd-identity-token']);
  });

  test('volumes: xtables lock emptyDir (no CNI), identity emptyDir in Memory, projected identity token', () => {
    const volumes = injectLinkerd(restrictedPod(), ns, defaults).spec.volumes;
    expect(volumes).toEqual([
      { name: 'tmp', emptyDir: {} },
      { name: 'linkerd-proxy-init-xtables-lock', emptyDir: {} },
      { name: 'linkerd-identity-end-entity', emptyDir: { medium: 'Memory' } },
      {
        name: 'linkerd-identity-token',
        projected: { sources: [{ serviceAccountToken: { path: 'linkerd-identity-token', expirationSeconds: 86400, audience: 'identity.l5d.io' } }] },
      },
    ]);
  });

  test('skip ports annotations reach linkerd-init (after the proxy control and admin ports)', () => {
    const pod = restrictedPod({
      annotations: { 'config.linkerd.io/skip-inbound-ports': '9090', 'config.linkerd.io/skip-outbound-ports': '8125,8126' },
    });
    const args: string[] = find(injectLinkerd(pod, ns, defaults).spec.initContainers, 'linkerd-init')!.args;
    expect(args.slice(args.indexOf('--inbound-ports-to-ignore'), args.indexOf('--inbound-ports-to-ignore') + 2)).toEqual([
      '--inbound-ports-to-ignore',
      '4190,4191,9090',
    ]);
    expect(args.slice(args.indexOf('--outbound-ports-to-ignore'), args.indexOf('--outbound-ports-to-ignore') + 2)).toEqual([
      '--outbound-ports-to-ignore',
      '8125,8126',
    ]);
  });

  test('with CNI the skip ports are read from the annotations (linkerdEffectiveValues); the namespace default applies otherwise', () => {
    const pod = restrictedPod({ annotations: { 'config.linkerd.io/skip-outbound-ports': '8125,8126' } });
    expect(linkerdEffectiveValues(pod, ns, cni).proxyInit.ignoreOutboundPorts).toBe('8125,8126');
    const nsInfo = { name: 'web', annotations: { 'config.linkerd.io/skip-outbound-ports': '443' } };
    expect(linkerdEffectiveValues(restrictedPod(), nsInfo, cni).proxyInit.ignoreOutboundPorts).toBe('443');
    expect(linkerdEffectiveValues(restrictedPod(), ns, cni).proxyInit.ignoreOutboundPorts).toBe('4567,4568');
  });
});

describe('proxy resources', () => {
  const proxyOf = (pod = restrictedPod(), cp = defaults, nsInfo: Obj = ns) =>
    find(injectLinkerd(pod, nsInfo, cp).spec.initContainers, 'linkerd-proxy')!;

  test("the chart's empty defaults give the proxy (and linkerd-init) no requests", () => {
    expect(proxyOf().resources).toEqual({});
    expect(find(injectLinkerd(restrictedPod(), ns, defaults).spec.initContainers, 'linkerd-init')!.resources).toEqual({});
  });

  test('control-plane proxy.resources are rendered; "" means none', () => {
    const cp = linkerdControlPlaneFromValues({ proxy: { resources: { cpu: { request: '100m' }, memory: { request: '20Mi', limit: '250Mi' } } } });
    expect(proxyOf(restrictedPod(), cp).resources).toEqual({ limits: { memory: '250Mi' }, requests: { cpu: '100m', memory: '20Mi' } });
    const validator = find(injectLinkerd(restrictedPod(), ns, { ...cp, cniEnabled: true }).spec.initContainers, 'linkerd-network-validator')!;
    expect(validator.resources).toEqual({ limits: { memory: '250Mi' }, requests: { cpu: '100m', memory: '20Mi' } });
  });

  test('pod annotations override the control plane; an unparsable quantity (even "") is ignored', () => {
    const cp = linkerdControlPlaneFromValues({ proxy: { resources: { cpu: { request: '100m' } } } });
    const pod = restrictedPod({
      annotations: {
        'config.linkerd.io/proxy-cpu-request': '',
        'config.linkerd.io/proxy-memory-request': '64Mi',
        'config.linkerd.io/proxy-cpu-limit': '1',
        'config.linkerd.io/proxy-ephemeral-storage-request': 'lots',
      },
    });
    expect(proxyOf(pod, cp).resources).toEqual({ limits: { cpu: '1' }, requests: { cpu: '100m', memory: '64Mi' } });
  });

  test('namespace config annotations apply when the pod does not set them, and are copied to the pod', () => {
    const nsInfo = { name: 'web', annotations: { 'config.linkerd.io/proxy-cpu-request': '50m', 'config.linkerd.io/proxy-memory-request': '32Mi' } };
    const pod = restrictedPod({ annotations: { 'config.linkerd.io/proxy-memory-request': '64Mi' } });
    const out = injectLinkerd(pod, nsInfo, defaults);
    expect(find(out.spec.initContainers, 'linkerd-proxy')!.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' } });
    expect(out.metadata.annotations['config.linkerd.io/proxy-cpu-request']).toBe('50m');
  });
});

test('linkerdControlPlaneFromValues merges values over the chart defaults', () => {
  const cp = linkerdControlPlaneFromValues({ cniEnabled: true, proxy: { resources: { cpu: { request: '10m' } } } });
  expect(cp.cniEnabled).toBe(true);
  expect(cp.proxy.resources.cpu).toEqual({ request: '10m', limit: '' });
  expect(cp.proxy.uid).toBe(2102);
  expect(cp.proxy.nativeSidecar).toBe(true);
  expect(cp.proxyInit.ignoreOutboundPorts).toBe('4567,4568');
});
