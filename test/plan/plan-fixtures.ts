// Plans of the opta-base ci/ scenarios, made the way `opta-charts plan` makes them (catalog, lock, values file).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { main } from '../../generator/cli.js';
import { loadCatalog, type Values } from '../../generator/charts/opta-base/catalog.js';
import { parseUpstreamLock } from '../../generator/fetch/upstream-lock.js';
import { memoryOutput } from '../support/memory-output.js';
import { renderPlan, type Format } from '../../generator/gitops/formats.js';
import { planReleases } from '../../generator/gitops/release-plan.js';
import type { ReleasePlan } from '../../generator/gitops/plan-types.js';
import { parseMirrors } from '../../generator/fetch/mirrors.js';
import type { FileTree } from '../../generator/fs/tree.js';
import { ROOT } from '../opta-base/build-umbrella.js';

export const CI = join(ROOT, 'chart-templates', 'opta-base', 'ci');
export const LOCK = join(ROOT, 'chart-templates', 'opta-base', 'upstream.lock.yaml');

export const scenarioValues = (scenario: string): Values => yaml.load(readFileSync(join(CI, `${scenario}-values.yaml`), 'utf8')) as Values;

export async function makePlan(provider: string, values: Values, mirrors: string[] = []): Promise<ReleasePlan> {
  const catalog = await loadCatalog(ROOT);
  const lock = parseUpstreamLock(readFileSync(LOCK, 'utf8'), 'upstream.lock.yaml');
  return planReleases({ catalog, catalogFile: 'stack.catalog.yaml', lock, provider, values, file: 'values.yaml', mirrors: parseMirrors(mirrors, {}) });
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  [k: string]: unknown;
}

/** Every YAML document of the plan's files, with the file it came from (helmfile.yaml and values files apart). */
export function planObjects(files: FileTree): { file: string; obj: K8sObject }[] {
  return Object.entries(files)
    .filter(([path]) => path.endsWith('.yaml') && path !== 'helmfile.yaml' && !path.startsWith('values/'))
    .flatMap(([file, content]) => yaml.loadAll(content.toString()).filter(Boolean).map((obj) => ({ file, obj: obj as K8sObject })));
}

export async function planFiles(provider: string, values: Values, format: Format, mirrors: string[] = []): Promise<{ plan: ReleasePlan; files: FileTree }> {
  const plan = await makePlan(provider, values, mirrors);
  return { plan, files: renderPlan(plan, format, { gitPath: './clusters/prod/opta-base' }) };
}

export async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = memoryOutput();
  const code = await main(['node', 'opta-charts', ...args], { output, cwd, env, stdin: process.stdin });
  return { code, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') };
}
