// The Opta layout for GitOps, pure: each component of a provider its own release in its own namespace, from the
// stack catalog, the upstream lock and an opta-base values file. Formats (argocd, flux, helmfile) only print this.
import type { Component, PodSecurityLevel, Values } from '../charts/opta-base/catalog.js';
import { mergeValues, umbrellaDependencies, SWITCHES_KEY, type UmbrellaDependency } from '../charts/opta-base/model.js';
import { problemAt } from '../errors.js';
import { mirrorFor, type MirrorRule } from '../fetch/mirrors.js';
import { findLockEntry, type LockEntry } from '../fetch/upstream-lock.js';
import { meshIdentityManifests, acmeManifests, gatewayManifests } from './umbrella-objects.js';
import { planSecrets } from './secrets.js';
import type { ChartPin, PlanNamespace, PlanNode, PlanRequest, Release, ReleasePlan } from './plan-types.js';
import { isMapping } from '../parse/mapping.js';

/** The umbrella's own top-level sections (beside the component sections), turned into manifests or checks here. */
export const UMBRELLA_SECTIONS = ['global', 'tags', SWITCHES_KEY, 'meshIdentity', 'acme', 'gateway'] as const;

export const NAMESPACES_NODE = 'namespaces';
/** Every top-level key is a component of this provider or an umbrella section; tags agree with --provider. */
function checkKeys(req: PlanRequest, deps: UmbrellaDependency[]): void {
  const { values, file, provider, catalog } = req;
  const own = new Set(deps.map((d) => d.key));
  const all = umbrellaDependencies(catalog);
  const sections = new Set<string>(UMBRELLA_SECTIONS);
  for (const key of Object.keys(values)) {
    if (own.has(key) || sections.has(key)) continue;
    const other = all.find((d) => d.key === key);
    if (other) throw problemAt(file, key, `is a component of ${other.providers.join(', ')}, not of --provider ${provider}`);
    throw problemAt(file, key, `is not a component of opta-base on ${provider} (${[...own].join(', ')}) nor one of its sections (${UMBRELLA_SECTIONS.join(', ')})`);
  }
  for (const section of UMBRELLA_SECTIONS) {
    if (values[section] !== undefined && values[section] !== null && !isMapping(values[section])) throw problemAt(file, section, 'must be a mapping');
  }
  for (const key of deps.map((d) => d.key)) {
    if (values[key] !== undefined && values[key] !== null && !isMapping(values[key])) throw problemAt(file, key, 'must be a mapping of that chart\'s values');
  }
  const switches = (values[SWITCHES_KEY] ?? {}) as Values;
  for (const [key, on] of Object.entries(switches)) {
    if (!own.has(key)) {
      const other = all.find((d) => d.key === key);
      if (!other || on === true) throw problemAt(file, `${SWITCHES_KEY}.${key}`, other ? `is a component of ${other.providers.join(', ')}, not of --provider ${provider}` : 'is not a component of opta-base');
    } else if (typeof on !== 'boolean') throw problemAt(file, `${SWITCHES_KEY}.${key}`, `must be true or false, found ${JSON.stringify(on)}`);
  }
  const tags = (values.tags ?? {}) as Values;
  for (const [tag, on] of Object.entries(tags)) {
    if (!catalog.providers.some((p) => p.name === tag)) throw problemAt(file, `tags.${tag}`, `is not a provider (${catalog.providers.map((p) => p.name).join(', ')})`);
    if (on !== (tag === provider)) throw problemAt(file, `tags.${tag}`, `is ${JSON.stringify(on)}, but --provider is ${provider}`);
  }
}

function isOn(d: UmbrellaDependency, values: Values): boolean {
  const on = ((values[SWITCHES_KEY] ?? {}) as Values)[d.key];
  return typeof on === 'boolean' ? on : d.component.enabledByDefault !== false;
}

function chartPin(c: Component, lock: LockEntry[], mirrors: MirrorRule[]): ChartPin {
  const repository = mirrorFor(c.repository, mirrors);
  const entry = findLockEntry(lock, { name: c.chart, version: c.version, repository: c.repository });
  return {
    chart: c.chart,
    version: c.version,
    upstream: c.repository,
    repository,
    oci: repository.startsWith('oci://'),
    ...(entry?.digest ? { archiveDigest: entry.digest } : {}),
  };
}

const getPath = (values: Values, path: string[]): unknown => path.reduce<unknown>((v, k) => (isMapping(v) ? v[k] : undefined), values);

/** The namespace of a component's own release, from the catalog (umbrella namespace, else release.namespace). */
function releaseNamespace(req: PlanRequest, c: Component): { name: string; podSecurity: PodSecurityLevel; meshed: boolean; existing: boolean } {
  if (c.namespace) return { name: c.namespace.name, podSecurity: c.namespace.podSecurity, meshed: Boolean(c.namespace.meshed), existing: false };
  const own = c.release?.namespace;
  if (!own) throw problemAt(req.catalogFile, `${c.name}.release.namespace`, 'is required: `plan` gives every component its own namespace');
  return { name: own.name, podSecurity: own.podSecurity, meshed: false, existing: Boolean(own.existing) };
}

/** Depth in the needs graph: namespaces first (wave 0), then one more than the deepest need. */
function waves(needs: Map<string, string[]>, file: string): PlanNode[] {
  const wave = new Map<string, number>();
  const visit = (id: string, path: string[]): number => {
    if (wave.has(id)) return wave.get(id)!;
    if (path.includes(id)) throw problemAt(file, undefined, `the install order has a cycle: ${[...path, id].join(' -> ')}`);
    const w = 1 + Math.max(0, ...(needs.get(id) ?? []).map((n) => visit(n, [...path, id])));
    wave.set(id, w);
    return w;
  };
  const nodes: PlanNode[] = [{ id: NAMESPACES_NODE, needs: [], wave: 0 }];
  for (const id of needs.keys()) nodes.push({ id, needs: [NAMESPACES_NODE, ...needs.get(id)!], wave: visit(id, []) });
  return nodes;
}

export function planReleases(req: PlanRequest): ReleasePlan {
  const { catalog, values, file, provider } = req;
  if (!catalog.providers.some((p) => p.name === provider)) {
    throw problemAt('--provider', undefined, `"${provider}" is not a provider of the catalog (${catalog.providers.map((p) => p.name).join(', ')})`);
  }
  const deps = umbrellaDependencies(catalog).filter((d) => d.providers.includes(provider));
  checkKeys(req, deps);
  const on = deps.filter((d) => isOn(d, values));
  const global = isMapping(values.global) ? values.global : undefined;

  const releases: Release[] = on.map((d) => {
    let merged = mergeValues(d.values, (values[d.key] ?? {}) as Values);
    if (global) merged = { ...merged, global: mergeValues(isMapping(merged.global) ? merged.global : {}, global) };
    return { name: d.component.name, key: d.key, namespace: releaseNamespace(req, d.component).name, chart: chartPin(d.component, req.lock, req.mirrors), values: merged };
  });

  // A component paired with a value (Linkerd CNI with cniEnabled) is on exactly when that value is true, as the
  // umbrella's checks.yaml demands; proxy-init mode is the control plane on without its CNI plugin.
  let proxyInit = false;
  for (const d of deps.filter((x) => x.component.pairedWith)) {
    const [target, ...path] = d.component.pairedWith!.split('.');
    const owner = releases.find((r) => r.name === target);
    if (!owner) continue;
    const wanted = getPath(owner.values, path) === true;
    const present = on.includes(d);
    if (wanted !== present) {
      throw problemAt(file, `${SWITCHES_KEY}.${d.key}`, `is ${present ? 'on' : 'off'} while ${owner.key}.${path.join('.')} is ${wanted}; switch both together`);
    }
    if (!present) proxyInit = true;
  }

  // One owner of objects two components can install (envoy-gateway's Gateway API CRDs, which linkerd-crds would
  // install again with installGatewayAPI): refused as the umbrella's checks.yaml refuses it (catalog conflictsWith).
  for (const d of on.filter((x) => x.component.conflictsWith)) {
    const [target, ...path] = d.component.conflictsWith!.split('.');
    const owner = releases.find((r) => r.name === target);
    if (owner && getPath(owner.values, path) === true) {
      throw problemAt(file, `${owner.key}.${path.join('.')}`, `is true while ${SWITCHES_KEY}.${d.key} is on, which installs the same objects; set it to false (one owner)`);
    }
  }

  // Namespaces: labels as the umbrella's templates/namespaces.yaml gives them (Pod Security level, Linkerd injection).
  const namespaces = new Map<string, { podSecurity: PodSecurityLevel; meshed: boolean }>();
  for (const d of on) {
    const ns = releaseNamespace(req, d.component);
    if (ns.existing) continue;
    const seen = namespaces.get(ns.name);
    namespaces.set(ns.name, { podSecurity: seen?.podSecurity ?? ns.podSecurity, meshed: ns.meshed || Boolean(seen?.meshed) });
  }
  const planNamespaces: PlanNamespace[] = [...namespaces.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, ns]) => {
      // In proxy-init mode every meshed pod gets linkerd-init with NET_ADMIN and NET_RAW: only "privileged" admits it.
      const level = ns.meshed && proxyInit ? 'privileged' : ns.podSecurity;
      return {
        name,
        labels: {
          'app.kubernetes.io/part-of': 'opta-base',
          'kubernetes.io/metadata.name': name,
          'pod-security.kubernetes.io/enforce': level,
          'pod-security.kubernetes.io/warn': level,
          'pod-security.kubernetes.io/audit': level,
          // Outside Linkerd's webhooks (its proxyInjector.namespaceSelector), as the umbrella's unmeshed namespaces.
          ...(ns.meshed ? {} : { 'config.linkerd.io/admission-webhooks': 'disabled' }),
        },
        annotations: (ns.meshed ? { 'linkerd.io/inject': 'enabled' } : {}) as Record<string, string>,
      };
    });

  const secrets = planSecrets(req, releases);
  const manifests = [...meshIdentityManifests(req, releases), ...acmeManifests(req, releases), ...gatewayManifests(req, releases)];

  // The install order: the catalog's needs, meshed namespaces after the mesh control plane, the umbrella's own
  // objects after what serves their kinds (manifest groups name their own needs and dependents).
  const byName = new Map(on.map((d) => [d.component.name, d.component]));
  const meshControlPlanes = on.filter((d) => d.component.release?.meshControlPlane).map((d) => d.component.name);
  const needs = new Map<string, string[]>();
  for (const r of releases) {
    const c = byName.get(r.name)!;
    const list = (c.release?.needs ?? []).filter((n) => byName.has(n));
    if (c.namespace?.meshed) list.push(...meshControlPlanes.filter((m) => m !== r.name));
    needs.set(r.name, list);
  }
  for (const g of manifests) {
    needs.set(g.id, g.needs.filter((n) => byName.has(n)));
    for (const dependent of g.neededBy) needs.get(dependent)?.push(g.id);
  }
  return { provider, releases, namespaces: planNamespaces, manifests, secrets, nodes: waves(needs, file) };
}
