// Helm install model: hooks built after a CRD was created (as a template) can use its kinds.
import { expect, test } from 'vitest';
import { builtinKinds, helmInstallProblems, type Obj } from '../support/cluster/index.js';

const crd: Obj = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'issuers.cert-manager.io' },
  spec: { group: 'cert-manager.io', scope: 'Namespaced', names: { kind: 'Issuer', plural: 'issuers' }, versions: [{ name: 'v1', served: true, storage: true }] },
};
const issuer = (event: string): Obj => ({ apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'ca', annotations: { 'helm.sh/hook': event } } });
const install = (manifests: Obj[]) => helmInstallProblems({ crds: [], manifests, releaseNamespace: 'opta', builtinKinds: builtinKinds() });

test('a post-install hook may use a kind whose CRD is a regular template of the release', () => {
  expect(install([crd, issuer('post-install')])).toEqual([]);
});

test('a pre-install hook may not: the CRD does not exist yet', () => {
  expect(install([crd, issuer('pre-install')])).toEqual([
    'pre-install hook (weight 0) Issuer/ca: resource mapping not found for name: "ca" namespace: "opta" from "": no matches for kind "Issuer" in version "cert-manager.io/v1"\nensure CRDs are installed first',
  ]);
});
