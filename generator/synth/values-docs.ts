// A values schema's README table and values.yaml body: precompiled for a shipped schema (keyed by the sha256 of the
// chart's values.schema.json text, which holds everything they are made from), else generated now (values-doc.ts).
import { precompiledValuesDocs } from '../precompiled/lookup.js';
import type { JsonSchema } from './types.js';
import { valuesTable, valuesYamlBody } from './values-doc.js';

export interface ValuesDocs {
  /** The README's values table (valuesTable). */
  table: string;
  /** values.yaml without its header (valuesYamlBody). */
  yamlBody: string;
}

/** The docs of `schema`, whose values.schema.json text is `schemaJson` (chartValuesSchema). */
export function valuesDocs(schema: JsonSchema, schemaJson: string): ValuesDocs {
  return precompiledValuesDocs(schemaJson) ?? { table: valuesTable(schema), yamlBody: valuesYamlBody(schema) };
}
