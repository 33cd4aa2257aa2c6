// Checks of a values schema that Helm does not make: its validator ignores unknown keywords (a misspelt `tpye` checks
// nothing) and never validates a schema's own `default` (a wrong one ships in values.yaml and fails every install).
import draft07 from 'ajv/dist/refs/json-schema-draft-07.json' with { type: 'json' };
import { problemAt } from '../errors.js';
import { sharedAjv } from '../parse/ajv.js';
import type { JsonSchema } from './types.js';

/** draft-07's vocabulary: the keywords its meta-schema describes. */
const KEYWORDS = new Set(Object.keys(draft07.properties));

// Where draft-07 keeps subschemas: keyword → a schema, a list of schemas, or a map of them.
const ONE = ['additionalItems', 'additionalProperties', 'contains', 'propertyNames', 'if', 'then', 'else', 'not'];
const LIST = ['allOf', 'anyOf', 'oneOf'];
const MAP = ['properties', 'patternProperties', 'definitions', 'dependencies'];

/** Every object in `schema` that is a schema (not data such as `default` or `enum`), with its JSON pointer. */
function* subschemas(schema: unknown, at = '#'): Generator<{ at: string; node: JsonSchema }> {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return;
  const node = schema as JsonSchema;
  yield { at, node };
  for (const k of ONE) yield* subschemas(node[k], `${at}/${k}`);
  for (const k of LIST) if (Array.isArray(node[k])) for (const [i, s] of (node[k] as unknown[]).entries()) yield* subschemas(s, `${at}/${k}/${i}`);
  if (Array.isArray(node.items)) for (const [i, s] of node.items.entries()) yield* subschemas(s, `${at}/items/${i}`);
  else yield* subschemas(node.items, `${at}/items`);
  for (const k of MAP) {
    const children = node[k];
    if (!children || typeof children !== 'object') continue;
    for (const [name, s] of Object.entries(children)) yield* subschemas(s, `${at}/${k}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  }
}

/** The closest draft-07 keyword to a misspelt one (a few edits away, more for long words), for the hint. */
function closestKeyword(word: string): string | undefined {
  const distance = (a: string, b: string): number => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      row = next;
    }
    return row[b.length];
  };
  const [best] = [...KEYWORDS].map((k) => ({ k, d: distance(word.toLowerCase(), k.toLowerCase()) })).sort((x, y) => x.d - y.d);
  return best && best.d <= Math.max(2, Math.floor(word.length / 5)) ? best.k : undefined;
}

/** Refuses keywords draft-07 does not have (Ajv's strict mode, but naming where): Helm would silently ignore them. */
export function checkKeywords(schema: JsonSchema, file: string): void {
  for (const { at, node } of subschemas(schema)) {
    const unknown = Object.keys(node).find((k) => !KEYWORDS.has(k));
    if (unknown === undefined) continue;
    const close = closestKeyword(unknown);
    throw problemAt(file, at, `unknown keyword "${unknown}": JSON Schema draft-07 has no such keyword, and Helm ignores it`, close ? `did you mean "${close}"?` : undefined);
  }
}

/**
 * Validates every `default` against the schema it belongs to. All defaults are checked by one compiled validator (an
 * array schema whose items are their subschemas, next to the root's `definitions` so local `$ref`s resolve): compiling
 * is the costly part, so it happens once.
 */
export function checkDefaults(schema: JsonSchema, file: string): void {
  const withDefaults = [...subschemas(schema)].filter(({ node }) => node.default !== undefined);
  if (!withDefaults.length) return;
  const { definitions, properties } = schema;
  // `properties` only lets `#/properties/...` references resolve; on an array instance it validates nothing.
  const validate = sharedAjv().compile({ definitions, properties, type: 'array', items: withDefaults.map(({ node }) => node) });
  if (validate(withDefaults.map(({ node }) => node.default))) return;
  const error = validate.errors![0];
  const [, index, ...path] = error.instancePath.split('/');
  const { at, node } = withDefaults[Number(index)];
  const inside = path.length ? ` at ${path.join('.')}` : '';
  throw problemAt(file, `${at}/default`, `${JSON.stringify(node.default)} does not match its own schema${inside}: ${error.message}`);
}
