// Checks of chart sources that need more than pure synthesis: a validator compile, or Helm itself (passes are cached).
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { checkDefaults } from '../synth/schema-check.js';
import { valuesSchemaFile } from '../synth/synthesize.js';
import type { ChartSources, JsonSchema } from '../synth/types.js';
import { problemAt, UserError } from '../errors.js';
import { passedWhenShipped } from '../precompiled/lookup.js';
import { sha256Hex } from '../encoding/sha256.js';
import { restoreOnInterrupt } from '../fs/interrupt.js';
import { writeFileAtomic, type FileTree } from '../fs/tree.js';

/**
 * The checks a build makes of one chart after synthesis (broken sources must fail here, not at every `helm install`):
 * schema defaults, and Go templates when there is a Helm to parse them with.
 */
export async function checkChartSources(
  chart: { name: string; version: string; files: FileTree; schema?: JsonSchema },
  sources: ChartSources,
  options: { helm?: string; cacheDir: string; env: NodeJS.ProcessEnv; warn: (message: string) => void },
): Promise<void> {
  // Sources identical to the shipped ones passed both checks when the package was made (generator/precompiled/, and
  // test/build/precompiled.test.ts runs the real checks on them with both Helm releases): checking them again would
  // find nothing, so only changed sources are checked (and, once passed, remembered in the cache directory).
  const schemaText = chart.schema && chart.files['values.schema.json'].toString('utf8');
  if (chart.schema && schemaText && !passedWhenShipped('schema-defaults', schemaDefaultsKey(schemaText))) {
    await checkSchemaDefaults(chart.schema, schemaText, sources.schemaFile ?? valuesSchemaFile(chart.name), options.cacheDir);
  }
  const { helm } = options;
  if (!helm || passedWhenShipped('go-templates', goTemplatesKey(chart))) return;
  // Helm's own build decides what parses: a replaced binary (another size or time) checks again.
  const { size, mtimeMs } = statSync(helm);
  const templates = Object.keys(chart.files).filter((p) => p.startsWith('templates/'));
  const input = [helm, `${size} ${mtimeMs}`, chart.name, ...templates.flatMap((p) => [p, chart.files[p]])];
  await unlessPassedBefore(options.cacheDir, 'go-templates', input, async () => {
    const checked = await checkGoTemplates(helm, chart, sources, options.env);
    if (!checked) options.warn(`${helm} failed before parsing the templates of ${chart.name}: they were not checked`);
    return checked;
  });
}

/** What the schema-defaults check reads: the chart's values.schema.json text. */
export const schemaDefaultsKey = (schemaText: string): string => sha256Hex(schemaText);

/** What the Go-template check reads, without the Helm binary: the chart's name and its templates/ (paths and bytes). */
export function goTemplatesKey(chart: { name: string; files: FileTree }): string {
  const hash = createHash('sha256').update(`${CHECKS_VERSION}\n${chart.name}\n`);
  for (const path of Object.keys(chart.files).filter((p) => p.startsWith('templates/')).sort()) {
    hash.update(`${path.length}\n${path}${chart.files[path].length}\n`).update(chart.files[path]);
  }
  return hash.digest('hex');
}

/** Bump when a check changes, so what it passed before is checked again. */
const CHECKS_VERSION = '1';

/**
 * Runs `check` unless the same input passed it before: passes are remembered in the cache directory by the sha256 of
 * the check's name and input, because a check can cost more than the rest of a build. Failures are never remembered.
 */
async function unlessPassedBefore(cacheDir: string, name: string, input: (Buffer | string)[], check: () => unknown): Promise<void> {
  const hash = createHash('sha256').update(`${CHECKS_VERSION}\n${name}\n`);
  for (const part of input) hash.update(`${part.length}\n`).update(part);
  const marker = join(cacheDir, 'checked', name, hash.digest('hex'));
  if (existsSync(marker)) return;
  // `false`: the check could not run, so there is no pass to remember.
  if ((await check()) === false) return;
  // Only a speed-up: an unwritable cache just means checking again next time.
  await writeFileAtomic(marker, '').catch(() => undefined);
}

/** Every `default` of the values schema validated against its own subschema (compiling the validator is the cost). */
export function checkSchemaDefaults(schema: JsonSchema, schemaText: string, file: string, cacheDir: string): Promise<void> {
  return unlessPassedBefore(cacheDir, 'schema-defaults', [schemaText], () => checkDefaults(schema, file));
}

/** The Helm binary for template checks: $OPTA_CHARTS_HELM, else `helm` on $PATH, else undefined. */
export function findHelm(env: NodeJS.ProcessEnv): string | undefined {
  const executable = (path: string) => {
    try {
      accessSync(path, constants.X_OK);
      return statSync(path).isFile();
    } catch {
      return false;
    }
  };
  if (env.OPTA_CHARTS_HELM) {
    if (!executable(env.OPTA_CHARTS_HELM)) throw new UserError(`OPTA_CHARTS_HELM: ${env.OPTA_CHARTS_HELM} is not an executable file`);
    return env.OPTA_CHARTS_HELM;
  }
  return (env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'helm')).find(executable);
}

// Helm's messages for what goes wrong after every template parsed: executing them, or reading their output as YAML.
const PARSED_THEN_FAILED = /execution error at \(|executing "|YAML parse error|error converting YAML/;

async function runHelm(helm: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  // child_process (with net and dgram) is loaded only when Helm runs: most builds never start it.
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) =>
    execFile(helm, args, { env, maxBuffer: 64 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(new UserError(`${helm}: cannot run: ${error.message}`));
      else resolve({ code: error ? Number(error.code) : 0, stderr });
    }),
  );
}

/**
 * Parses the chart's Go templates with Helm, which reads them all before rendering any: `helm template` on a copy
 * holding only a bare Chart.yaml and templates/, so that values, schema and subcharts play no part. A parse error
 * fails the chart naming the source file and line; errors of rendering with empty values are not this check's concern.
 * Returns false when Helm failed before it got to the templates (so nothing was checked).
 */
export async function checkGoTemplates(helm: string, chart: { name: string; version: string; files: FileTree }, sources: ChartSources, env: NodeJS.ProcessEnv): Promise<boolean> {
  const { name, version, files } = chart;
  const templates = Object.keys(files).filter((p) => p.startsWith('templates/'));
  if (!templates.length) return true;
  const tmp = mkdtempSync(join(tmpdir(), 'opta-charts-templates-'));
  const release = restoreOnInterrupt([tmp]);
  try {
    const chartDir = join(tmp, name);
    mkdirSync(chartDir);
    writeFileSync(join(chartDir, 'Chart.yaml'), `apiVersion: v2\nname: ${JSON.stringify(name)}\nversion: ${JSON.stringify(version)}\n`);
    for (const path of templates) {
      mkdirSync(dirname(join(chartDir, path)), { recursive: true });
      writeFileSync(join(chartDir, path), files[path]);
    }
    const { code, stderr } = await runHelm(helm, ['template', chartDir], env);
    if (code === 0) return true;
    const parse = /parse error at \((.+?):(\d+)\): (.*)/.exec(stderr);
    // Rendering with empty values may fail (a `fail`, a nil map): the templates parsed, which is all this check asks.
    if (!parse) return PARSED_THEN_FAILED.test(stderr);
    // Helm names files as <chart>/templates/...; ours are chart-templates/<chart>/templates/... (or the .hbs they came from).
    const source = (inChart: string) => {
      const path = inChart.slice(name.length + 1);
      return join(sources.dir, sources.files[`${path}.hbs`] ? `${path}.hbs` : path);
    };
    const [, file, line, message] = parse;
    const detail = message.replaceAll(`${file}:`, 'line ').replace(new RegExp(`${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\S+?:`, 'g'), (m) => `${source(m.slice(0, -1))}:`);
    throw problemAt(source(file), `line ${line}`, `Go template parse error: ${detail}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    release();
  }
}
