// `opta-charts plan`: the Opta layout for GitOps. Each component of a provider as its own release in its own
// namespace, for Argo CD, Flux or helmfile, from the stack catalog, the upstream lock and an opta-base values file.
import { Option, type Command } from 'commander';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { CliContext } from './context.js';
import type { Values } from '../charts/opta-base/catalog.js';
import { loadCatalog } from '../charts/opta-base/catalog.js';
import { parseYamlSource } from '../parse/source.js';
import { problemAt, UserError } from '../errors.js';
import { MIRROR_ENV, parseMirrors } from '../fetch/mirrors.js';
import { LOCK_FILE_NAME, parseUpstreamLock } from '../fetch/upstream-lock.js';
import { writeTreeReplacing } from '../fs/tree.js';
import { formatTable } from '../output.js';
import { FORMATS, renderPlan, type Format } from '../gitops/formats.js';
import { planReleases } from '../gitops/release-plan.js';
import { type ReleasePlan } from '../gitops/plan-types.js';
import { secretCommand, secretValue } from '../gitops/secrets.js';
import { collect, sourceOption, sourceRoot } from './options.js';

export interface PlanFlags {
  provider?: string;
  values?: string;
  format?: Format;
  output?: string;
  mirror?: string[];
  gitPath?: string;
  secretValue?: string;
  pinDigests?: boolean;
  source?: string;
}

/** Written into every plan directory: `plan -o` replaces only a directory that holds one (or an empty one). */
const PLAN_MARKER = 'opta-plan.json';

export function registerPlan(program: Command, ctx: CliContext): void {
  program
    .command('plan')
    .description('write the GitOps release plan: each opta-base component its own release in its own namespace (Argo CD, Flux or helmfile)')
    .option('--provider <name>', 'cloud provider of the catalog (aws, gcp, azure) (required)')
    .option('-f, --values <file>', 'the opta-base values file (as `opta-charts values base` writes it) (required)')
    .addOption(new Option('--format <format>', 'GitOps tool (required)').choices([...FORMATS]))
    .option('-o, --output <dir>', 'write the plan into this directory (replaced atomically); default: print it')
    .option('--mirror <from=to>', `fetch charts from a mirror: an upstream repository URL (or *) = https:// or oci:// URL (repeatable; also $${MIRROR_ENV})`, collect)
    .option('--pin-digests', 'charts from an oci:// mirror: pin the manifest digest (Flux ref.digest, Argo CD revision), checked against the locked archive digest; reads the mirror')
    .option('--git-path <path>', 'Flux: path of the output directory in the Git repository flux-system reads (default: -o as given)')
    .option('--secret-value <key>', 'print one value of the values file (a dotted key the plan names) and exit; used by the printed kubectl commands')
    .addOption(sourceOption())
    .addHelpText(
      'after',
      '\nNo key material is written: releases reference Secrets you create; the plan prints the kubectl commands (bash).' +
        '\nOrdering: Argo CD sync waves, Flux dependsOn, helmfile needs. See README "Installing with Argo CD / Flux / helmfile".',
    )
    .action((flags: PlanFlags) => runPlan(flags, ctx));
}

const required = <T>(value: T | undefined, flag: string): T => {
  if (value === undefined || value === '') throw new UserError(`${flag} is required`, 'see opta-charts plan --help');
  return value;
};

async function readValues(file: string, shown: string): Promise<Values> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw problemAt(shown, undefined, 'no such file');
    throw e;
  }
  const doc = parseYamlSource(text, shown) ?? {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw problemAt(shown, undefined, 'must be a mapping of opta-base values');
  return doc as Values;
}

/** Refuses to replace a directory that is not empty and not an earlier plan (it may be the user's repository). */
async function checkReplaceable(dir: string, shown: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw problemAt(shown, undefined, 'is a file, not a directory');
    throw e;
  }
  if (entries.length && !entries.includes(PLAN_MARKER)) {
    throw problemAt(shown, undefined, `is not empty and holds no ${PLAN_MARKER}: it is not an earlier plan, so it is not replaced`, 'name a new directory');
  }
}

async function loadPlan(flags: PlanFlags, ctx: CliContext): Promise<{ plan: ReleasePlan; values: Values; file: string }> {
  const provider = required(flags.provider, '--provider');
  const shown = required(flags.values, '--values');
  const root = sourceRoot(flags, ctx);
  const catalogFile = join('chart-templates', 'opta-base', 'stack.catalog.yaml');
  const catalog = await loadCatalog(root);
  const lockFile = join('chart-templates', 'opta-base', LOCK_FILE_NAME);
  const lock = parseUpstreamLock(await readFile(join(root, lockFile), 'utf8').catch(() => undefined), lockFile);
  const values = await readValues(resolve(ctx.cwd, shown), shown);
  const mirrors = parseMirrors(flags.mirror ?? [], ctx.env);
  return { plan: planReleases({ catalog, catalogFile, lock, provider, values, file: shown, mirrors }), values, file: shown };
}

/** What each release is pinned to, in words (the README's table says the same per format). */
function pinText(plan: ReleasePlan, format: Format, name: string): string {
  const c = plan.releases.find((r) => r.name === name)!.chart;
  if (c.oci && c.manifestDigest && format !== 'helmfile') return `${c.version} @ ${c.manifestDigest}`;
  return `${c.version}${c.archiveDigest ? ` (archive ${c.archiveDigest.slice(0, 19)}… not checked by ${format})` : ' (no published digest)'}`;
}

async function runPlan(flags: PlanFlags, ctx: CliContext): Promise<void> {
  const { output } = ctx;
  if (flags.secretValue) {
    const { values, file } = await loadPlan(flags, ctx);
    const v = secretValue(values, flags.secretValue);
    if (v === undefined) throw problemAt(file, flags.secretValue, 'is not a string in this file');
    output.out(v.replace(/\n$/, ''));
    return;
  }
  const format = required(flags.format, '--format');
  const outDir = flags.output ? resolve(ctx.cwd, flags.output) : undefined;
  if (outDir) await checkReplaceable(outDir, flags.output!);
  const { plan, file } = await loadPlan(flags, ctx);
  if (flags.pinDigests) {
    if (!plan.releases.some((r) => r.chart.oci)) throw new UserError('--pin-digests: no chart comes from an oci:// repository (mirror one with --mirror FROM=oci://...); classic repositories cannot be pinned by digest');
    await (await import('../gitops/oci-pins.js')).pinOciManifests(plan, ctx.env, output);
  }
  const gitPath = flags.gitPath ?? `./${relative(ctx.cwd, outDir ?? ctx.cwd).split('\\').join('/') || '.'}`.replace(/^\.\/\.$/, '.');
  const files = renderPlan(plan, format, { gitPath });
  files[PLAN_MARKER] = Buffer.from(`${JSON.stringify({ provider: plan.provider, format, values: file }, null, 2)}\n`);

  if (outDir) {
    await writeTreeReplacing(outDir, files);
    output.out(`wrote ${flags.output} (${Object.keys(files).length} files)`);
  } else {
    for (const [path, content] of Object.entries(files)) output.out(`# ${path}\n${content.toString().trimEnd()}`);
  }
  const wave = (id: string) => plan.nodes.find((n) => n.id === id)!.wave;
  output.out(
    formatTable(
      ['release', 'namespace', 'chart', 'from', 'pinned', 'order'],
      plan.releases.map((r) => [r.name, r.namespace, r.chart.chart, r.chart.repository, pinText(plan, format, r.name), String(wave(r.name))]),
    ),
  );
  if (plan.secrets.length) {
    const self = `npx opta-charts plan --provider ${plan.provider} -f ${file} --secret-value`;
    output.out('\nCreate these Secrets before the first sync (bash; nothing secret is in the plan):');
    // Their namespaces come with the plan's first step; made now (idempotently), the sync only adds its labels.
    for (const ns of [...new Set(plan.secrets.map((s) => s.namespace))]) output.out(`kubectl create namespace ${ns} --dry-run=client -o yaml | kubectl apply -f -`);
    for (const s of plan.secrets) output.out(`# read by ${s.usedBy}\n${secretCommand(s, (path) => `${self} ${path}`)}`);
  }
}
