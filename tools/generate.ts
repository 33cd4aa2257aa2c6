// `npm run generate`: refreshes everything derived from the sources that is committed for review —
// dist-charts/<chart>/ (all but vendored subcharts), the TypeScript values types, and the README's values tables.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listChartNames } from '../generator/build/sources.js';
import { synthesizeChartOffline } from '../generator/build/offline.js';
import { valuesTable } from '../generator/synth/values-doc.js';
import { valuesTypeScript } from './values-types.js';
import { precompiledFiles } from './precompile.js';
import { chartExtensions } from '../generator/charts/extensions.js';
import { convertFieldTables } from '../generator/convert/opta-fields.js';
import { readTree, writeFileAtomic, writeTreeReplacing, type FileTree } from '../generator/fs/tree.js';
import { packageRoot } from '../generator/paths.js';

export interface GeneratedOutput {
  /** dist-charts/<chart>/ contents, without charts/ (vendored archives are never committed). */
  chartDirs: Record<string, FileTree>;
  /** Project-relative path -> text. */
  files: Record<string, string>;
  /** Chart name -> the README block between its markers. */
  readmeBlocks: Record<string, string>;
}

export async function generatedOutput(root: string): Promise<GeneratedOutput> {
  const out: GeneratedOutput = { chartDirs: {}, files: {}, readmeBlocks: {} };
  for (const name of await listChartNames(root)) {
    const chart = await synthesizeChartOffline(root, name, chartExtensions[name]);
    out.chartDirs[name] = chart.files;
    if (!chart.schema) continue;
    out.files[`generator/generated/${name}-values.ts`] = await valuesTypeScript(name, chart.schema);
    out.readmeBlocks[name] = valuesTable(chart.schema);
  }
  out.readmeBlocks['convert-fields'] = convertFieldTables();
  return out;
}

const marker = (name: string) => [`<!-- generated: ${name} values (npm run generate) -->`, `<!-- end generated: ${name} values -->`];

/** Replaces each chart's block between its markers; a README without a chart's markers is left alone for that chart. */
export function withReadmeBlocks(readme: string, blocks: Record<string, string>): string {
  let text = readme;
  for (const [name, block] of Object.entries(blocks)) {
    const [begin, end] = marker(name);
    const from = text.indexOf(begin);
    const to = text.indexOf(end);
    if (from < 0 || to < from) continue;
    text = `${text.slice(0, from + begin.length)}\n${block}\n${text.slice(to)}`;
  }
  return text;
}

async function main(): Promise<void> {
  const out = await generatedOutput(packageRoot);
  for (const [name, files] of Object.entries(out.chartDirs)) {
    const dir = join(packageRoot, 'dist-charts', name);
    // Keep archives a previous build vendored, so `generate` never undoes a build.
    const vendored = existsSync(join(dir, 'charts')) ? await readTree(join(dir, 'charts')) : {};
    const keep = Object.fromEntries(Object.entries(vendored).map(([p, c]) => [`charts/${p}`, c]));
    await writeTreeReplacing(dir, { ...files, ...keep });
    console.log(`wrote dist-charts/${name}/`);
  }
  for (const [path, text] of Object.entries(out.files)) {
    await writeFileAtomic(join(packageRoot, path), text);
    console.log(`wrote ${path}`);
  }
  for (const [path, text] of Object.entries(await precompiledFiles(packageRoot))) {
    await writeFileAtomic(join(packageRoot, path), text);
    console.log(`wrote ${path}`);
  }
  const readmePath = join(packageRoot, 'README.md');
  await writeFileAtomic(readmePath, withReadmeBlocks(await readFile(readmePath, 'utf8'), out.readmeBlocks));
  console.log('wrote README.md values tables');
}

// Run as a script (`tsx tools/generate.ts`), not when a test imports it.
if (/generate\.[jt]s$/.test(process.argv[1] ?? '')) await main();
