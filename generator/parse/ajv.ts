import { createRequire } from 'node:module';
import type { Ajv } from 'ajv';

let shared: Ajv | undefined;

/**
 * One Ajv (draft-07) for the process, made on first use: a new instance compiles the draft-07 meta-schema again,
 * which costs more than checking a chart's schema or validating the catalog.
 * Strict mode is off: it refuses schemas that draft-07 allows (unknown keywords, for one). Compiled schemas are not
 * registered by `$id`, so compiling a freshly read copy of the same schema again is no "already exists" error.
 */
export function sharedAjv(): Ajv {
  // Loaded on first use, outside the bundle: the shipped schemas' validators are precompiled (precompiled/lookup.ts).
  return (shared ??= new (createRequire(import.meta.url)('ajv') as typeof import('ajv')).Ajv({ strict: false, addUsedSchema: false }));
}
