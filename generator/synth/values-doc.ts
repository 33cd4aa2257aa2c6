// values.yaml (with comments) and the README values table, both generated from the values schema alone.
import yaml from 'js-yaml';
import { localRefTarget } from '../parse/json-pointer.js';
import type { JsonSchema } from './types.js';

interface DocNode {
  path: string[];
  schema: JsonSchema;
}

/** Follows a local `#/definitions/...` reference; the referencing node's own keywords (description, default) win. */
function resolveLocal(root: JsonSchema, node: JsonSchema): JsonSchema {
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  // chartValuesSchema has already refused refs that are not local or point at nothing.
  const target = localRefTarget(root, ref);
  if (!target || typeof target !== 'object') throw new Error(`$ref "${ref}" points at nothing`);
  const { $ref: _ignored, ...own } = node;
  return { ...resolveLocal(root, target as JsonSchema), ...own };
}

function childProperties(root: JsonSchema, schema: JsonSchema): [string, JsonSchema][] {
  const props = schema.properties as Record<string, JsonSchema> | undefined;
  return props ? Object.entries(props).map(([k, v]) => [k, resolveLocal(root, v)]) : [];
}

/** A node is documented as one row/value unless it is an object whose keys are all described by the schema. */
function isBranch(root: JsonSchema, schema: JsonSchema): boolean {
  return childProperties(root, schema).length > 0 && schema.default === undefined;
}

function leaves(root: JsonSchema, schema: JsonSchema, path: string[] = []): DocNode[] {
  return childProperties(root, schema).flatMap(([key, child]) =>
    isBranch(root, child) ? leaves(root, child, [...path, key]) : [{ path: [...path, key], schema: child }],
  );
}

function typeOf(schema: JsonSchema): string {
  const t = schema.type;
  if (Array.isArray(t)) return t.join(' \\| ');
  if (typeof t === 'string') return t;
  if (schema.enum) return 'enum';
  if (schema.oneOf || schema.anyOf) return 'one of';
  return 'any';
}

function describe(schema: JsonSchema): string {
  let text = String(schema.description ?? '').trim();
  if (Array.isArray(schema.enum)) text += `${text ? ' ' : ''}One of: ${schema.enum.map((v) => `\`${JSON.stringify(v)}\``).join(', ')}.`;
  return text;
}

const escapeCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n+/g, ' ');

/** Markdown table Key | Type | Default | Description, one row per documented value. */
export function valuesTable(schema: JsonSchema): string {
  const rows = leaves(schema, schema).map(({ path, schema: s }) => {
    const def = s.default === undefined ? '' : `\`${escapeCell(JSON.stringify(s.default))}\``;
    return `| \`${path.join('.')}\` | ${typeOf(s)} | ${def} | ${escapeCell(describe(s))} |`;
  });
  return ['| Key | Type | Default | Description |', '|---|---|---|---|', ...rows].join('\n');
}

function commentLines(text: string, indent: string): string[] {
  if (!text) return [];
  const lines = text.split('\n');
  return [`${indent}# -- ${lines[0]}`, ...lines.slice(1).map((l) => `${indent}# ${l}`.trimEnd())];
}

function dumpValue(key: string, value: unknown, indent: string): string[] {
  const text = yaml.dump({ [key]: value }, { lineWidth: -1, noRefs: true, sortKeys: false, quotingType: '"' }).trimEnd();
  return text.split('\n').map((l) => indent + l);
}

function valuesLines(root: JsonSchema, schema: JsonSchema, indent: string): string[] {
  const out: string[] = [];
  for (const [key, child] of childProperties(root, schema)) {
    const comment = commentLines(describe(child), indent);
    if (isBranch(root, child)) {
      const inner = valuesLines(root, child, `${indent}  `);
      out.push(...comment, ...(inner.length ? [`${indent}${key}:`, ...inner] : dumpValue(key, {}, indent)), '');
    } else if (child.default !== undefined) {
      out.push(...comment, ...dumpValue(key, child.default, indent), '');
    } else {
      // No default: documented but left unset, so Helm sees the key as absent.
      out.push(...comment, `${indent}# ${key}:`, '');
    }
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
}

/** values.yaml without its header: every property's description as a `# --` comment above its key and its default as the value. */
export function valuesYamlBody(schema: JsonSchema): string {
  return valuesLines(schema, schema, '').join('\n');
}

/** values.yaml text: `header` as comments, a blank line, then the body (valuesYamlBody). */
export function valuesYamlWithHeader(body: string, header?: string): string {
  const head = header ? header.split('\n').map((l) => `# ${l}`.trimEnd()) : [];
  return `${[...head, ...(head.length ? [''] : []), ...(body ? [body] : [])].join('\n')}\n`;
}

/** values.yaml text: every property's description as a `# --` comment above its key and its default as the value. */
export function valuesYaml(schema: JsonSchema, header?: string): string {
  return valuesYamlWithHeader(valuesYamlBody(schema), header);
}
