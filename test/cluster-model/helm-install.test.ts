// Helm's install order (v3.18.0 and v4.1.4) as modelled in test/support/cluster/helm-install.ts.
import { describe, expect, test } from 'vitest';
import { builtinKinds, helmInstallProblems, helmUninstallLeftovers, type Obj } from '../support/cluster/index.js';

const builtin = builtinKinds();
const crd: Obj = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'certificates.cert-manager.io' },
  spec: {
    group: 'cert-manager.io',
    scope: 'Namespaced',
    names: { kind: 'Certificate', plural: 'certificates' },
    versions: [{ name: 'v1', served: true, storage: true }],
  },
};
const certificate: Obj = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'issuer' } };
const hook = (obj: Obj, event: string, weight?: number): Obj => ({
  ...obj,
  metadata: { ...obj.metadata, annotations: { 'helm.sh/hook': event, ...(weight !== undefined && { 'helm.sh/hook-weight': String(weight) }) } },
});
const namespace = (name: string): Obj => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const configMap = (name: string, ns?: string): Obj => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(ns && { namespace: ns }) } });
const install = (manifests: Obj[], crds: Obj[] = []) => helmInstallProblems({ crds, manifests, releaseNamespace: 'opta', builtinKinds: builtin });

describe('kinds', () => {
  test('built-in kinds and kinds of crds/ CRDs install', () => {
    expect(install([configMap('a'), certificate], [crd])).toEqual([]);
  });

  test('a CRD-kind object whose CRD is a regular template fails the build of the release manifest', () => {
    expect(install([crd, certificate])).toEqual([
      'unable to build kubernetes objects from release manifest: resource mapping not found for name: "issuer" namespace: "opta" from "": no matches for kind "Certificate" in version "cert-manager.io/v1"\nensure CRDs are installed first',
    ]);
  });

  test('a CRD shipped as a pre-install hook does not serve regular objects either (mapped before hooks run)', () => {
    expect(install([hook(crd, 'pre-install'), certificate])[0]).toMatch(
      /^unable to build kubernetes objects from release manifest: .*no matches for kind "Certificate"/,
    );
  });

  test('one owner per CRD: a template CRD that crds/ or the cluster already created stops the install', () => {
    const conflict = 'unable to continue with install: CustomResourceDefinition "certificates.cert-manager.io" in namespace "" exists and cannot be imported into the current release: invalid ownership metadata';
    expect(install([crd], [crd])).toEqual([conflict]);
    expect(helmInstallProblems({ crds: [], manifests: [crd], releaseNamespace: 'opta', builtinKinds: builtin, existingCrds: [crd] })).toEqual([conflict]);
    // A cluster-owned CRD serves objects, and crds/ skips it ("already present").
    expect(helmInstallProblems({ crds: [crd], manifests: [certificate], releaseNamespace: 'opta', builtinKinds: builtin, existingCrds: [crd] })).toEqual([]);
    expect(helmInstallProblems({ crds: [], manifests: [certificate], releaseNamespace: 'opta', builtinKinds: builtin, existingCrds: [crd] })).toEqual([]);
  });

  test('unknown kinds and unknown hook events are reported', () => {
    expect(install([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }])[0]).toMatch(
      /no matches for kind "Widget" in version "example.com\/v1"/,
    );
    expect(install([hook(configMap('x'), 'crd-install')])).toEqual([
      'ConfigMap/x: helm.sh/hook "crd-install" names an unknown hook: Helm skips the object',
    ]);
  });
});

describe('namespaces', () => {
  test('the release namespace exists (--create-namespace); others must be created first', () => {
    expect(install([configMap('a')])).toEqual([]);
    expect(install([configMap('a', 'elsewhere')])).toEqual(['resource ConfigMap/a: namespaces "elsewhere" not found']);
    expect(
      helmInstallProblems({
        crds: [],
        manifests: [configMap('a', 'elsewhere')],
        releaseNamespace: 'opta',
        builtinKinds: builtin,
        existingNamespaces: ['elsewhere'],
      }),
    ).toEqual([]);
  });

  test('a regular Namespace is created before the regular objects in it, whatever the template order', () => {
    expect(install([configMap('a', 'linkerd'), namespace('linkerd')])).toEqual([]);
  });

  test('a pre-install hook in a namespace created only by a regular Namespace object fails', () => {
    expect(install([namespace('linkerd'), hook(configMap('a', 'linkerd'), 'pre-install')])).toEqual([
      'pre-install hook (weight 0) ConfigMap/a: namespaces "linkerd" not found',
    ]);
  });

  test('a hook Namespace of lower weight fixes it; the same weight sorts by name', () => {
    expect(install([hook(namespace('linkerd'), 'pre-install', -5), hook(configMap('a', 'linkerd'), 'pre-install')])).toEqual([]);
    expect(install([hook(configMap('a', 'linkerd'), 'pre-install', 1), hook(namespace('linkerd'), 'pre-install', 2)])).toEqual([
      'pre-install hook (weight 1) ConfigMap/a: namespaces "linkerd" not found',
    ]);
    // Same weight: by name ("a" < "linkerd"), so the ConfigMap is created first.
    expect(install([hook(namespace('linkerd'), 'pre-install'), hook(configMap('a', 'linkerd'), 'pre-install')])).toHaveLength(1);
    expect(install([hook(namespace('a-ns'), 'pre-install'), hook(configMap('b', 'a-ns'), 'pre-install')])).toEqual([]);
  });

  test('post-install hooks see the regular Namespaces; cluster-scoped kinds need no namespace', () => {
    expect(install([namespace('linkerd'), hook(configMap('a', 'linkerd'), 'post-install')])).toEqual([]);
    expect(install([{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r', namespace: 'nowhere' } }])).toEqual([]);
  });

  test('hooks of other events are not created at install', () => {
    expect(install([hook(configMap('a', 'nowhere'), 'pre-upgrade'), hook(configMap('b', 'nowhere'), 'test')])).toEqual([]);
  });
});

describe('namespaces that already exist', () => {
  test('without --create-namespace the release namespace must exist (the release record is stored there)', () => {
    const base = { crds: [], manifests: [configMap('a')], releaseNamespace: 'opta', builtinKinds: builtin, createNamespace: false };
    expect(helmInstallProblems(base)).toEqual(['create: failed to create: namespaces "opta" not found']);
    expect(helmInstallProblems({ ...base, existingNamespaces: ['opta'] })).toEqual([]);
  });

  test('a Namespace object for the release namespace fails Helm 3 (create) but not Helm 4 (server-side apply)', () => {
    expect(install([namespace('opta')])).toEqual([
      'Helm 3.18.0: resource Namespace/opta: namespaces "opta" already exists (Helm 4 applies it server-side)',
    ]);
    expect(install([hook(namespace('linkerd'), 'pre-install'), namespace('linkerd')])).toEqual([
      'Helm 3.18.0: resource Namespace/linkerd: namespaces "linkerd" already exists (Helm 4 applies it server-side)',
    ]);
  });

  test("a regular Namespace that exists before the install is not the release's: the install stops", () => {
    expect(install([namespace('kube-system')])).toEqual([
      'unable to continue with install: Namespace "kube-system" in namespace "" exists and cannot be imported into the current release: invalid ownership metadata',
    ]);
  });
});

test('helmUninstallLeftovers: crds/, install hooks without hook-succeeded, resource-policy keep', () => {
  const kept = { ...configMap('kept'), metadata: { name: 'kept', annotations: { 'helm.sh/resource-policy': 'keep' } } };
  const cleaned = hook(configMap('cleaned'), 'pre-install');
  cleaned.metadata.annotations['helm.sh/hook-delete-policy'] = 'before-hook-creation,hook-succeeded';
  expect(helmUninstallLeftovers({ crds: [crd], manifests: [kept, cleaned, hook(namespace('linkerd'), 'pre-install'), configMap('plain')] })).toEqual([
    'CustomResourceDefinition/certificates.cert-manager.io: from crds/, never deleted by Helm',
    'ConfigMap/kept: helm.sh/resource-policy: keep, left in the cluster',
    'Namespace/linkerd: install hook without hook-succeeded delete policy, left in the cluster',
  ]);
});
