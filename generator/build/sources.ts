// Reading a chart's sources: the first phase of `build`.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readSourceFile, readTree } from '../fs/tree.js';
import { parseJsonSource } from '../parse/source.js';
import { valuesSchemaFile } from '../synth/synthesize.js';
import type { ChartSources, JsonSchema } from '../synth/types.js';

/** Chart directories under <root>/chart-templates, sorted. */
export async function listChartNames(root: string): Promise<string[]> {
  const entries = readdirSync(join(root, 'chart-templates'), { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

export async function readChartSources(root: string, name: string): Promise<ChartSources> {
  const dir = join('chart-templates', name);
  const schemaFile = valuesSchemaFile(name);
  const sources: ChartSources = { name, dir, files: await readTree(join(root, dir), dir) };
  if (existsSync(join(root, schemaFile))) {
    sources.schema = parseJsonSource((await readSourceFile(join(root, schemaFile), schemaFile)).toString('utf8'), schemaFile) as JsonSchema;
    sources.schemaFile = schemaFile;
  }
  return sources;
}
