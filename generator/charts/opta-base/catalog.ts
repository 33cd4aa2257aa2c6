// The stack catalog (chart-templates/opta-base/stack.catalog.yaml): read, validate against its schema, and type.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedAjv } from '../../parse/ajv.js';
import { precompiledValidator } from '../../precompiled/lookup.js';
import { parseJsonSource, parseYamlSource } from '../../parse/source.js';
import { problemAt } from '../../errors.js';
import { schemaProblem } from '../../parse/schema-problem.js';

export const CATALOG_FILE = 'stack.catalog.yaml';
const CATALOG_SCHEMA_FILE = join('schemas', 'stack-catalog.schema.json');

export type Values = Record<string, unknown>;

export interface Provider {
  name: string;
  title: string;
}

export interface Component {
  name: string;
  title: string;
  chart: string;
  repository: string;
  version: string;
  /** Provider name -> that provider's own defaults. */
  providers: Record<string, Values>;
  values?: Values;
  enabledByDefault?: boolean;
  /** A boolean value path (`<component>.<key>`) that must be true exactly when this component is on. */
  pairedWith?: string;
  /** A boolean value path (`<component>.<key>`) that must not be true while this component is on. */
  conflictsWith?: string;
  namespace?: { name: string; valuesKey: string; meshed?: boolean; podSecurity: PodSecurityLevel };
  namespaceNote?: string;
  /** A Gateway API implementation: what opta-base renders for it (templates/gateway.yaml). */
  gateway?: GatewayEdge;
  /** The component as its own release in a GitOps plan (`opta-charts plan`). */
  release?: {
    namespace?: { name: string; podSecurity: PodSecurityLevel; existing?: boolean };
    needs?: string[];
    meshControlPlane?: boolean;
  };
  images?: string[];
}

export interface GatewayEdge {
  className: string;
  controllerName: string;
  /** The Gateway routes attach to, in the component's namespace. */
  name: string;
  proxyApiVersion: string;
  proxyKind: string;
  /** Proxy configuration on every provider, and per provider (merged over it). */
  proxy: Values;
  providers: Record<string, Values>;
  /** Proxy configuration of `values base --ha`. */
  ha?: Values;
}

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/** Values written by `values base --<name>`, per component name. */
export interface Profile {
  description: string;
  components: Record<string, Values>;
}

export interface Catalog {
  providers: Provider[];
  components: Component[];
  profiles?: Record<string, Profile>;
}

/** Checks what the schema cannot: unique names, known providers, unique dependency keys and namespaces. */
function checkReferences(catalog: Catalog, file: string): void {
  const providerNames = new Set(catalog.providers.map((p) => p.name));
  const seen = new Set<string>();
  catalog.providers.forEach((p, i) => {
    if (seen.has(p.name)) throw problemAt(file, `providers[${i}] (${p.name}).name`, 'is listed twice');
    seen.add(p.name);
  });
  const names = new Set<string>();
  catalog.components.forEach((c, i) => {
    const at = `components[${i}] (${c.name})`;
    if (names.has(c.name)) throw problemAt(file, `${at}.name`, 'is used by another component');
    names.add(c.name);
    for (const p of Object.keys(c.providers)) {
      if (!providerNames.has(p)) throw problemAt(file, `${at}.providers.${p}`, `is not one of the catalog's providers (${[...providerNames].join(', ')})`);
    }
    for (const p of Object.keys(c.gateway?.providers ?? {})) {
      if (!(p in c.providers)) throw problemAt(file, `${at}.gateway.providers.${p}`, `is not one of the component's providers (${Object.keys(c.providers).join(', ')})`);
    }
    if (c.gateway && !c.namespace) throw problemAt(file, `${at}.gateway`, 'needs the component\'s own namespace (namespace), where the Gateway lives');
    if (c.values && c.namespace && c.namespace.valuesKey in c.values) {
      throw problemAt(file, `${at}.values.${c.namespace.valuesKey}`, 'is set from namespace.name; do not set it here');
    }
  });
  catalog.components.forEach((c, i) => {
    for (const field of ['pairedWith', 'conflictsWith'] as const) {
      const target = c[field]?.split('.')[0];
      if (target !== undefined && !names.has(target)) {
        throw problemAt(file, `components[${i}] (${c.name}).${field}`, `starts with "${target}", which is not a component of the catalog`);
      }
    }
    for (const need of c.release?.needs ?? []) {
      if (!names.has(need)) throw problemAt(file, `components[${i}] (${c.name}).release.needs`, `"${need}" is not a component of the catalog`);
    }
    if (c.namespace && c.release?.namespace) throw problemAt(file, `components[${i}] (${c.name}).release.namespace`, 'is given by namespace already; set one of them');
  });
  for (const [profile, p] of Object.entries(catalog.profiles ?? {})) {
    for (const component of Object.keys(p.components)) {
      if (!names.has(component)) throw problemAt(file, `profiles.${profile}.components.${component}`, 'is not a component of the catalog');
    }
  }
}

/** Parses and validates the catalog text; `file` only names where problems are. `schemaText`: the schema's file text. */
export function parseCatalog(text: string, file: string, schema: object, schemaText?: string): Catalog {
  const doc = parseYamlSource(text, file);
  const validate = (schemaText !== undefined && precompiledValidator(schemaText)) || sharedAjv().compile(schema);
  if (!validate(doc)) {
    const { key, problem } = schemaProblem(doc, validate.errors![0]);
    throw problemAt(file, key, problem);
  }
  const catalog = doc as Catalog;
  checkReferences(catalog, file);
  return catalog;
}

/** Reads chart-templates/opta-base/stack.catalog.yaml (or the given text) and schemas/stack-catalog.schema.json under root. */
export async function loadCatalog(root: string, text?: Buffer | string, file = join('chart-templates', 'opta-base', CATALOG_FILE)): Promise<Catalog> {
  const schemaText = await readSource(root, CATALOG_SCHEMA_FILE);
  const schema = parseJsonSource(schemaText, CATALOG_SCHEMA_FILE) as object;
  const source = text ?? (await readSource(root, file));
  return parseCatalog(source.toString(), file, schema, schemaText);
}

async function readSource(root: string, file: string): Promise<string> {
  try {
    return readFileSync(join(root, file), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    throw problemAt(join(root, file), undefined, 'no such file', 'use --source to point at a project with chart-templates/ and schemas/');
  }
}
