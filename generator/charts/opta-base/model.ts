// Pure model of opta-base from the catalog: Chart.yaml dependencies (aliases, tags, conditions), their default values,
// namespaces, and the per-provider component tables for the README.
import type { ChartDependency } from '../../chart-metadata.js';
import { distinctRefs, type DependencyRef } from '../../fetch/upstream-lock.js';
import type { Catalog, Component, GatewayEdge, Values } from './catalog.js';
import { isMapping } from '../../parse/mapping.js';

/** Where each component's on/off switch lives: `components.<key>`; outside the subchart's own section on purpose,
 * so the umbrella never puts a key of its own into a subchart's values (their schemas type what they declare). */
export const SWITCHES_KEY = 'components';

/** One declared dependency of Chart.yaml: a component as a whole, or one provider's variant of it. */
export interface UmbrellaDependency {
  /** The values key and the name Helm uses: the alias if any, else the chart name. */
  key: string;
  component: Component;
  /** Set when the component is declared once per provider. */
  provider?: string;
  providers: string[];
  /** The default values opta-base gives this dependency. */
  values: Values;
  namespace?: string;
}

/** Deep merge of plain objects; `over` wins; arrays and scalars are replaced. */
export function mergeValues(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isMapping(v) && isMapping(out[k]) ? mergeValues(out[k] as Values, v) : v;
  return out;
}

function ownValues(c: Component, provider?: string): Values {
  let values = mergeValues(c.values ?? {}, provider ? c.providers[provider] ?? {} : {});
  if (c.namespace) values = { [c.namespace.valuesKey]: c.namespace.name, ...values };
  return values;
}

/** In catalog provider order, the providers a component belongs to. */
function componentProviders(catalog: Catalog, c: Component): string[] {
  return catalog.providers.map((p) => p.name).filter((p) => p in c.providers);
}

/** A component with providers of its own values is split per provider (alias `<name>-<provider>`), else declared once. */
export function umbrellaDependencies(catalog: Catalog): UmbrellaDependency[] {
  return catalog.components.flatMap((c) => {
    const providers = componentProviders(catalog, c);
    const split = providers.length > 1 && providers.some((p) => Object.keys(c.providers[p]).length > 0);
    if (!split) return [{ key: c.name, component: c, providers, values: ownValues(c, providers.length === 1 ? providers[0] : undefined), namespace: c.namespace?.name }];
    return providers.map((p) => ({ key: `${c.name}-${p}`, component: c, provider: p, providers: [p], values: ownValues(c, p), namespace: c.namespace?.name }));
  });
}

/** The dependency key that runs `component` on `provider`, or undefined when the provider does not have it. */
export function keyFor(deps: UmbrellaDependency[], component: string, provider: string): string | undefined {
  return deps.find((d) => d.component.name === component && d.providers.includes(provider))?.key;
}

/** `components.<key>: on`, keeping the switches already set. */
export function setSwitch(values: Values, key: string, on: boolean): void {
  values[SWITCHES_KEY] = { ...((values[SWITCHES_KEY] as Values | undefined) ?? {}), [key]: on };
}

export function chartDependencies(deps: UmbrellaDependency[]): ChartDependency[] {
  return deps.map((d) => ({
    name: d.component.chart,
    version: d.component.version,
    repository: d.component.repository,
    condition: `${SWITCHES_KEY}.${d.key}`,
    tags: d.providers,
    ...(d.key !== d.component.chart ? { alias: d.key } : {}),
  }));
}

/** The upstream chart archives to vendor, each once (a chart declared under several aliases is vendored once). */
export function upstreamRefs(deps: UmbrellaDependency[]): DependencyRef[] {
  return distinctRefs(deps.map(({ component: c }) => ({ name: c.chart, version: c.version, repository: c.repository })));
}

/** The EnvoyProxy spec of a Gateway API edge on one provider, before the user's gateway.proxy: every provider's, then its own. */
export function gatewayProxy(g: GatewayEdge, provider: string): Values {
  return mergeValues(g.proxy, g.providers[provider] ?? {});
}

/** What the umbrella's own templates need at render time (shipped as components.json, read with .Files.Get). */
export function templateData(catalog: Catalog, deps: UmbrellaDependency[]): object {
  return {
    providers: catalog.providers.map((p) => p.name),
    namespaces: deps
      .filter((d) => d.component.namespace)
      .map((d) => ({
        key: d.key,
        valuesKey: d.component.namespace!.valuesKey,
        meshed: Boolean(d.component.namespace!.meshed),
        podSecurity: d.component.namespace!.podSecurity,
      })),
    // Gateway API edges: the Gateway opta-base renders for each dependency key, with the proxy of each provider.
    gateways: deps
      .filter((d) => d.component.gateway)
      .map((d) => {
        const g = d.component.gateway!;
        return {
          key: d.key,
          valuesKey: d.component.namespace!.valuesKey,
          className: g.className,
          controllerName: g.controllerName,
          name: g.name,
          proxyApiVersion: g.proxyApiVersion,
          proxyKind: g.proxyKind,
          proxy: Object.fromEntries(d.providers.map((p) => [p, gatewayProxy(g, p)])),
        };
      }),
    // Components that must be off while a value of another component is true (two owners of the same objects).
    conflicts: catalog.components
      .filter((c) => c.conflictsWith)
      .map((c) => {
        const [component, ...path] = c.conflictsWith!.split('.');
        return {
          keys: deps.filter((d) => d.component === c).map((d) => d.key),
          valueKeys: deps.filter((d) => d.component.name === component).map((d) => d.key),
          path,
        };
      }),
    // Components that must be on exactly when a value of another component is true (while that one is on).
    paired: catalog.components
      .filter((c) => c.pairedWith)
      .map((c) => {
        const [component, ...path] = c.pairedWith!.split('.');
        return {
          keys: deps.filter((d) => d.component === c).map((d) => ({ key: d.key, providers: d.providers })),
          valueKeys: deps.filter((d) => d.component.name === component).map((d) => d.key),
          path,
        };
      }),
  };
}

export interface ProviderTable {
  name: string;
  title: string;
  components: { title: string; chart: string; version: string; key: string; namespace: string; enabledByDefault: boolean }[];
}

/** For README.md.hbs: each provider's components with the values key and namespace. */
export function providerTables(catalog: Catalog, deps: UmbrellaDependency[]): ProviderTable[] {
  return catalog.providers.map((p) => ({
    name: p.name,
    title: p.title,
    components: deps
      .filter((d) => d.providers.includes(p.name))
      .map((d) => ({
        title: d.component.title,
        chart: d.component.chart,
        version: d.component.version,
        key: d.key,
        namespace: d.namespace
          ? `\`${d.namespace}\``
          : `release namespace${d.component.namespaceNote ? ` (${d.component.namespaceNote})` : ''}`,
        enabledByDefault: d.component.enabledByDefault !== false,
      })),
  }));
}

/** The images every component runs, sorted and unique, for the artifacthub.io/images annotation. */
export function images(catalog: Catalog): { name: string; image: string }[] {
  const named = (component: string, image: string) => {
    const base = image.split('/').pop()!.split(':')[0];
    return base === component || base.startsWith(`${component}-`) ? base : `${component}-${base}`;
  };
  const all = catalog.components.flatMap((c) => (c.images ?? []).map((image) => ({ name: named(c.name, image), image })));
  return [...new Map(all.map((i) => [i.image, i])).values()].sort((a, b) => (a.image < b.image ? -1 : 1));
}
