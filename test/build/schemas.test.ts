// Every schema in schemas/ must be a valid draft-07 schema; the build only checks $schema and $ref locality (for speed).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';

const dir = join(import.meta.dirname, '..', '..', 'schemas');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('schemas/', () => {
  it('holds the values schemas of both charts and the stack catalog schema', () => {
    expect(files).toEqual(expect.arrayContaining(['opta-base.values.schema.json', 'opta-service.values.schema.json', 'stack-catalog.schema.json']));
  });

  it.each(files)('%s compiles as draft-07 under strict Ajv', (file) => {
    const schema = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    // strict mode rejects unknown keywords and misspelled ones such as "additionalProperty"
    const ajv = new Ajv({ strict: true, allErrors: true, strictRequired: false, strictTypes: false, allowUnionTypes: true });
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it('strict Ajv rejects a misspelled keyword (the check above can fail)', () => {
    expect(() => new Ajv({ strict: true }).compile({ type: 'object', additionalProperty: false })).toThrow(/unknown keyword/);
  });
});
