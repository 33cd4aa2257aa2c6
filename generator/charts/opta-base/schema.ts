// opta-base's values schema: the hand-written rules of schemas/opta-base.values.schema.json plus the keys the catalog
// defines (provider tags, component switches, one open section per dependency with opta-base's defaults).
import type { JsonSchema } from '../../synth/types.js';
import { problemAt } from '../../errors.js';
import type { Catalog } from './catalog.js';
import { SWITCHES_KEY, type UmbrellaDependency } from './model.js';

function providerTitle(catalog: Catalog, name: string): string {
  return catalog.providers.find((p) => p.name === name)?.title ?? name;
}

function sectionDescription(catalog: Catalog, d: UmbrellaDependency): string {
  const where = d.provider ? ` on ${providerTitle(catalog, d.provider)}` : '';
  return `Values of the ${d.component.title} chart (${d.component.chart} ${d.component.version})${where}, validated by that chart. Defaults set by opta-base are shown.`;
}

/** The umbrella's own top-level sections (besides tags and components): everything else in the base schema must be a
 * dependency key. */
const UMBRELLA_SECTIONS = ['global', 'meshIdentity', 'acme', 'gateway'];

function switchDescription(catalog: Catalog, d: UmbrellaDependency): string {
  const tags = d.providers.map((p) => `tags.${p}`).join(' or ');
  const byDefault =
    d.component.enabledByDefault === false
      ? 'Off unless set to true'
      : `Unset: on when ${tags} is true${d.component.pairedWith ? `; must be on exactly when ${d.component.pairedWith} is true` : ''}`;
  return `Switches ${d.component.title}${d.provider ? ` (${providerTitle(catalog, d.provider)})` : ''} on or off. ${byDefault}.`;
}

export function umbrellaSchema(base: JsonSchema, baseFile: string, catalog: Catalog, deps: UmbrellaDependency[]): JsonSchema {
  const own = (base.properties ?? {}) as Record<string, JsonSchema>;
  const keys = new Set(deps.map((d) => d.key));
  for (const k of Object.keys(own)) {
    if (!UMBRELLA_SECTIONS.includes(k) && !keys.has(k)) throw problemAt(baseFile, `properties.${k}`, 'is not a dependency key of the stack catalog');
  }
  const tags: JsonSchema = {
    description: 'The cloud provider: set exactly one to true. It selects the components of that provider and their provider defaults.',
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(
      catalog.providers.map((p) => [p.name, { description: `Install for ${p.title}.`, type: 'boolean', default: false }]),
    ),
  };
  const switches: JsonSchema = {
    description: 'Component switches, one per dependency key; they win over the provider tags.',
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(
      deps.map((d) => [
        d.key,
        { description: switchDescription(catalog, d), type: 'boolean', ...(d.component.enabledByDefault === false ? { default: false } : {}) },
      ]),
    ),
  };
  const sections = deps.map((d) => {
    const section: JsonSchema = { description: sectionDescription(catalog, d), type: 'object' };
    if (Object.keys(d.values).length) section.default = d.values;
    return [d.key, { ...section, ...own[d.key] }] as const;
  });
  return {
    ...base,
    properties: {
      global: own.global ?? { description: "Helm's global values.", type: 'object' },
      tags,
      [SWITCHES_KEY]: switches,
      ...Object.fromEntries(UMBRELLA_SECTIONS.filter((k) => k !== 'global' && own[k]).map((k) => [k, own[k]])),
      ...Object.fromEntries(sections),
    },
  };
}
