import { problemAt } from '../errors.js';
import { localRefTarget } from '../parse/json-pointer.js';
import { draft07MetaValidator, passedWhenShipped } from '../precompiled/lookup.js';
import { sha256Hex } from '../encoding/sha256.js';
import { checkKeywords } from './schema-check.js';
import type { JsonSchema } from './types.js';

const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

function collectRefs(node: unknown, at: string, out: { ref: string; at: string }[]): void {
  if (Array.isArray(node)) node.forEach((n, i) => collectRefs(n, `${at}/${i}`, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push({ ref: v, at });
      else collectRefs(v, `${at}/${k}`, out);
    }
  }
}

/** The node a local JSON pointer (`#/definitions/x`) names, or undefined. */
/**
 * Checks a chart's values schema and returns the file Helm gets: draft-07, self-contained (only `#/...` references,
 * because Helm resolves relative refs against the filesystem root and fetches remote ones at install time).
 * The schema is checked against the draft-07 meta-schema (a typo such as `"type": "objekt"` would otherwise ship and
 * break every install); compiling it as a validator is left to the test suite (test/build/schemas.test.ts), since that
 * costs more than the rest of the build.
 */
export function chartValuesSchema(schema: JsonSchema, file: string): string {
  const text = `${JSON.stringify({ $schema: DRAFT_07, ...schema }, null, 2)}\n`;
  // A shipped schema (this exact text) passed these checks when the package was made (generator/precompiled/;
  // test/build/precompiled.test.ts runs them): only other schemas are checked here.
  if (!passedWhenShipped('values-schema', sha256Hex(text))) checkValuesSchema(schema, file);
  return text;
}

/** The checks of chartValuesSchema: draft-07 (meta-schema), local and existing `$ref`s, no unknown keywords. */
export function checkValuesSchema(schema: JsonSchema, file: string): void {
  if (schema.$schema !== undefined && schema.$schema !== DRAFT_07) {
    throw problemAt(file, '$schema', `must be "${DRAFT_07}" (Helm 3.18 validates draft-07 and older only)`);
  }
  const refs: { ref: string; at: string }[] = [];
  collectRefs(schema, '#', refs);
  const external = refs.find((r) => !r.ref.startsWith('#/') && r.ref !== '#');
  if (external) throw problemAt(file, external.at, `$ref "${external.ref}" is not a local #/ reference`);
  // Ajv's validateSchema, precompiled (one validator for every schema: the meta-schema never changes).
  if (!draft07MetaValidator(schema)) {
    const e = draft07MetaValidator.errors![0];
    const allowed = e.params.allowedValues ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : '';
    throw problemAt(file, `#${e.instancePath}`, `not valid JSON Schema draft-07: ${e.message}${allowed}`);
  }
  const dangling = refs.find((r) => r.ref !== '#' && localRefTarget(schema, r.ref) === undefined);
  if (dangling) throw problemAt(file, dangling.at, `$ref "${dangling.ref}" points at nothing in this file`);
  checkKeywords(schema, file);
}
