// Reading one Opta module's fields: each reader checks the type Opta accepted, and a problem names the file and the
// field's path (`modules[2].ports[0].port`).
import { problemAt } from '../errors.js';
import type { Data, OptaModule } from './opta-files.js';
import { isMapping } from '../parse/mapping.js';

export class ModuleFields {
  constructor(
    readonly file: string,
    readonly m: OptaModule,
  ) {}

  at(field: string): string {
    return `modules[${this.m.index}].${field}`;
  }

  fail(field: string, problem: string): never {
    throw problemAt(this.file, this.at(field), problem);
  }

  /** An integer field; Opta accepted numeric strings (e.g. from `{vars.x}`). */
  int(field: string, v: unknown = this.m.data[field]): number | undefined {
    if (v === undefined || v === null) return undefined;
    const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      const variable = typeof v === 'string' ? /\{(?:vars|variables)\.(\w+)\}/.exec(v)?.[1] : undefined;
      this.fail(field, `expected a whole number, got ${JSON.stringify(v)}${variable ? ` (pass --var ${variable}=VALUE)` : ''}`);
    }
    return n;
  }

  /** The items of a list of mappings, each with only Opta's keys for it (extra_validators of the module spec). */
  items(field: string, keys: string[], required: string[]): Data[] {
    return this.list(field).map((item, i) => {
      if (!isMapping(item)) this.fail(`${field}[${i}]`, `expected a mapping {${keys.join(', ')}}`);
      for (const k of Object.keys(item)) if (!keys.includes(k)) this.fail(`${field}[${i}].${k}`, `unknown field (expected one of: ${keys.join(', ')})`);
      for (const k of required) if (item[k] === undefined) this.fail(`${field}[${i}].${k}`, 'required');
      return item;
    });
  }

  list(field: string, v: unknown = this.m.data[field]): unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(field, 'expected a list');
    return v;
  }

  strings(field: string, v: unknown = this.m.data[field]): string[] {
    return this.list(field, v).map((x, i) => (typeof x === 'string' || typeof x === 'number' ? String(x) : this.fail(`${field}[${i}]`, 'expected a string')));
  }

  stringMap(field: string, v: unknown = this.m.data[field]): Record<string, string> | undefined {
    if (v === undefined || v === null) return undefined;
    if (!isMapping(v)) this.fail(field, 'expected a mapping');
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)]));
  }
}
