// Builds the opta-service chart through the real pipeline and renders it with Helm.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { synthesizeChartOffline } from '../../generator/build/offline.js';
import { chartExtensions } from '../../generator/charts/extensions.js';
import type { FileTree } from '../../generator/fs/tree.js';
import { packChart } from '../../generator/package/archive.js';
import { type HelmRelease, runHelm } from '../support/helm.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHART = 'opta-service';
export const CHART_SOURCES = join(ROOT, 'chart-templates', CHART);
export const HERE = dirname(fileURLToPath(import.meta.url));

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; [k: string]: any }; [k: string]: any };

export interface BuiltChart {
  files: FileTree;
  /** Chart directory as the pipeline writes it. */
  dir: string;
  /** The packaged archive. */
  archive: string;
  cleanup(): void;
}

function writeTree(dir: string, files: FileTree): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** Synthesizes the chart, writes it as a directory and as its deterministic archive in a temp dir. */
export async function buildChart(): Promise<BuiltChart> {
  const files = (await synthesizeChartOffline(ROOT, CHART, chartExtensions[CHART])).files;
  const tmp = mkdtempSync(join(tmpdir(), 'opta-service-test-'));
  const dir = join(tmp, CHART);
  writeTree(dir, files);
  const version = String((yaml.load(files['Chart.yaml'].toString('utf8')) as { version: string }).version);
  const archive = join(tmp, `${CHART}-${version}.tgz`);
  writeFileSync(archive, packChart(CHART, files));
  return { files, dir, archive, cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
}

/** The chart's ci/<scenario>-values.yaml files, by scenario name. */
export function ciScenarios(): string[] {
  return readdirSync(join(CHART_SOURCES, 'ci'))
    .filter((f) => f.endsWith('-values.yaml'))
    .map((f) => f.slice(0, -'-values.yaml'.length))
    .sort();
}

export const ciValuesFile = (scenario: string) => join(CHART_SOURCES, 'ci', `${scenario}-values.yaml`);

export const RELEASE = 'app';
export const NAMESPACE = 'hello-world';

/** `helm template app <chart> -n hello-world`, returning stdout, stderr and the exit code. */
export function template(helm: HelmRelease, chart: string, args: string[] = []) {
  return runHelm(helm, ['template', RELEASE, chart, '--namespace', NAMESPACE, ...args]);
}

export async function renderObjects(helm: HelmRelease, chart: string, args: string[] = []): Promise<{ text: string; objects: K8sObject[] }> {
  const r = await template(helm, chart, args);
  if (r.code !== 0) throw new Error(`helm ${helm.version} template failed:\n${r.stderr}`);
  const objects = yaml.loadAll(r.stdout).filter((o): o is K8sObject => o !== null && o !== undefined);
  return { text: r.stdout, objects };
}

export function findObject(objects: K8sObject[], kind: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind);
}

export function getObject(objects: K8sObject[], kind: string): K8sObject {
  const found = findObject(objects, kind);
  if (!found) throw new Error(`no ${kind} rendered; got ${objects.map((o) => o.kind).join(', ')}`);
  return found;
}

export const readText = (path: string) => readFileSync(path, 'utf8');
