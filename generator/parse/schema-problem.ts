// A JSON Schema error turned into `key: problem` for a UserError, naming list items by their `name`.
import type { ErrorObject } from 'ajv';

/**
 * Walks an error's instancePath through the document: the key as errors name it (`components[4].version` →
 * `components[4] (ingress-nginx).version`, so errors name the component) and the value found there.
 */
function locate(doc: unknown, instancePath: string): { key: string; found: unknown } {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let key = '';
  let node: unknown = doc;
  for (const part of parts) {
    const isIndex = Array.isArray(node) && /^\d+$/.test(part);
    node = (node as Record<string, unknown> | undefined)?.[part];
    key += isIndex ? `[${part}]` : `${key ? '.' : ''}${part}`;
    const name = isIndex && node && typeof node === 'object' ? (node as { name?: unknown }).name : undefined;
    if (typeof name === 'string') key += ` (${name})`;
  }
  return { key, found: node };
}

export function schemaProblem(doc: unknown, e: ErrorObject): { key: string; problem: string } {
  const { key, found } = locate(doc, e.instancePath);
  if (e.keyword === 'required') return { key: key ? `${key}.${e.params.missingProperty}` : e.params.missingProperty, problem: 'is required' };
  if (e.keyword === 'additionalProperties') {
    const extra = String(e.params.additionalProperty);
    return { key: key ? `${key}.${extra}` : extra, problem: 'is not a known field' };
  }
  // YAML reads 3.13 or 1.0 as numbers; say so, since the fix (quoting) is not obvious from "must be string".
  const quote = e.keyword === 'type' && e.params.type === 'string' && typeof found !== 'string' && found !== null && typeof found !== 'object';
  const problem = `${e.message ?? 'is invalid'}, found ${JSON.stringify(found)}${quote ? ' (quote it in YAML to make it a string)' : ''}`;
  return { key: key || '(root)', problem };
}
