// Writes generator/generated/<chart>-values.ts for every schemas/<chart>.values.schema.json (npm run gen:types).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { valuesTypeScript } from '../chart/values-types.js';
import { writeFileAtomic } from '../fs/tree.js';
import { packageRoot } from '../paths.js';

export async function generatedValuesTypes(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const file of (await readdir(join(root, 'schemas'))).sort()) {
    const m = /^(.+)\.values\.schema\.json$/.exec(file);
    if (!m) continue;
    const schema = JSON.parse(await readFile(join(root, 'schemas', file), 'utf8'));
    out[`generator/generated/${m[1]}-values.ts`] = await valuesTypeScript(m[1], schema);
  }
  return out;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  for (const [path, text] of Object.entries(await generatedValuesTypes(packageRoot))) {
    await writeFileAtomic(join(packageRoot, path), text);
    console.log(`wrote ${path}`);
  }
}
