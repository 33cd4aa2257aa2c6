// Which opta-base components need a cloud identity, and the exact ServiceAccount each one renders — derived from the
// stack catalog (namespace, provider, fullnameOverride), so the roles always match the chart.
import type { Catalog, Values } from '../charts/opta-base/catalog.js';
import { umbrellaDependencies } from '../charts/opta-base/model.js';
import { UserError } from '../errors.js';

/**
 * Components that call a cloud API, and where their upstream chart (at the version pinned in the catalog) takes the
 * ServiceAccount name; with it unset, the chart names the ServiceAccount after its fullname (fullnameOverride).
 * kubernetes/autoscaler cluster-autoscaler-chart-9.59.0 templates/_helpers.tpl `cluster-autoscaler.serviceAccountName`;
 * kubernetes-sigs/external-dns external-dns-helm-chart-1.21.1 templates/_helpers.tpl `external-dns.serviceAccountName`.
 */
const CLOUD_IDENTITY_COMPONENTS = {
  'cluster-autoscaler': { serviceAccountNameKey: 'rbac.serviceAccount.name' },
  'external-dns': { serviceAccountNameKey: 'serviceAccount.name' },
} as const;

export type IdentityComponent = keyof typeof CLOUD_IDENTITY_COMPONENTS;

export interface Workload {
  component: IdentityComponent;
  namespace: string;
  serviceAccount: string;
}

function valueAt(values: Values, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Values)[k] : undefined), values);
}

/** The components of `provider` that need a cloud role, each with the ServiceAccount opta-base renders for it. */
export function identityWorkloads(catalog: Catalog, provider: string, releaseNamespace: string): Workload[] {
  return umbrellaDependencies(catalog)
    .filter((d) => d.providers.includes(provider) && d.component.name in CLOUD_IDENTITY_COMPONENTS)
    .map((d) => {
      const component = d.component.name as IdentityComponent;
      const { serviceAccountNameKey } = CLOUD_IDENTITY_COMPONENTS[component];
      const name = valueAt(d.values, serviceAccountNameKey) ?? d.values.fullnameOverride;
      if (typeof name !== 'string' || name === '') {
        // Without either, the chart derives the name from the release name, which a role cannot know in advance.
        throw new UserError(`stack catalog: component ${component}: set values.fullnameOverride (or ${serviceAccountNameKey}) so its ServiceAccount name is fixed`);
      }
      return { component, namespace: d.namespace ?? releaseNamespace, serviceAccount: name };
    });
}

/** Identity components the catalog does not install on `provider`, for the message that nothing applies. */
export function componentsNotOn(catalog: Catalog, provider: string): { component: string; providers: string[] }[] {
  return catalog.components
    .filter((c) => c.name in CLOUD_IDENTITY_COMPONENTS && !(provider in c.providers))
    .map((c) => ({ component: c.name, providers: Object.keys(c.providers) }));
}
