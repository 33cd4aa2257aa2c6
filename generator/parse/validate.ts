// A file users edit, checked against its JSON Schema: with the validator precompiled for the schema's exact text when
// the package ships it (precompiled/lookup.ts), else compiled now; the first problem as `file: key: problem`.
import { problemAt } from '../errors.js';
import { precompiledValidator, type Validator } from '../precompiled/lookup.js';
import { sharedAjv } from './ajv.js';
import { schemaProblem } from './schema-problem.js';
import { parseYamlSource } from './source.js';

/** The validator of `schema`: precompiled for `schemaText` (the schema file's text) when shipped, else compiled now. */
export function schemaValidator(schema: object, schemaText?: string): Validator {
  return (schemaText !== undefined && precompiledValidator(schemaText)) || sharedAjv().compile(schema);
}

/** Parses YAML `text` and checks it against `schema`; the first error as `file: key: problem` (and `hint(key)`). */
export function parseValidYaml(text: string, file: string, schema: object, schemaText?: string, hint?: (key: string) => string | undefined): unknown {
  const doc = parseYamlSource(text, file);
  const validate = schemaValidator(schema, schemaText);
  if (!validate(doc)) {
    const { key, problem } = schemaProblem(doc, validate.errors![0]);
    throw problemAt(file, key, problem, hint?.(key));
  }
  return doc;
}
