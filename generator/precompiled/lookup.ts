// What was prepared when the package was made, looked up by the sha256 of the source text it was made from: Ajv
// validators (standalone code) and Handlebars templates (precompiled), and the checks the shipped sources pass.
// A source that differs from the shipped one (a `--source` project with its own schemas or templates) finds nothing
// here and is compiled and checked at run time instead, with the same results (test/build/precompiled.test.ts).
import type { ErrorObject } from 'ajv';
import { sha256Hex } from '../encoding/sha256.js';
import { TEMPLATES } from './templates.generated.js';
import { DRAFT_07_META, VALIDATORS } from './validators.generated.js';
import { PASSED_CHECKS } from './passed-checks.generated.js';
import { VALUES_DOCS } from './values-docs.generated.js';

/** An Ajv validate function, compiled now or precompiled. */
export type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** The precompiled validator for a shipped schema's exact text (stack catalog, upstream lock, Artifact Hub file). */
export function precompiledValidator(schemaText: string): Validator | undefined {
  return (VALIDATORS as unknown as Record<string, Validator>)[sha256Hex(schemaText)];
}

/** draft-07's meta-schema as a validator: whether any schema is valid draft-07 (what Ajv's validateSchema does). */
export const draft07MetaValidator = DRAFT_07_META as unknown as Validator;

/** A precompiled Handlebars template of the shipped `.hbs` source with exactly this text. */
export function precompiledTemplate(source: string): ((model: Record<string, unknown>) => string) | undefined {
  return (TEMPLATES as unknown as Record<string, (model: Record<string, unknown>) => string>)[sha256Hex(source)];
}

/**
 * Whether a check (`schema-defaults`, `go-templates`) is known to pass for this input: the shipped sources' inputs,
 * recorded when the package was made; tests run the real checks on them (test/build/precompiled.test.ts).
 */
export function passedWhenShipped(check: string, inputSha256: string): boolean {
  return PASSED_CHECKS[check]?.includes(inputSha256) ?? false;
}

/** The README values table and values.yaml body of a shipped values schema, by its values.schema.json text. */
export function precompiledValuesDocs(schemaJson: string): { table: string; yamlBody: string } | undefined {
  return (VALUES_DOCS as Record<string, { table: string; yamlBody: string }>)[sha256Hex(schemaJson)];
}
