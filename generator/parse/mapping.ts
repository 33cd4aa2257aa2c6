/** A YAML/JSON mapping (a plain object): not null, not a list. */
export const isMapping = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
