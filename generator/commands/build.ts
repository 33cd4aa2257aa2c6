import type { Command } from 'commander';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import semver from 'semver';
import type { CliContext } from '../cli.js';
import { listChartNames, readChartSources } from '../chart/synthesize.js';
import type { ChartContribution } from '../chart/types.js';
import { signKeyAnnotation } from '../chart/sign-key.js';
import { chartExtensions } from '../charts/extensions.js';
import { isUserError, UserError } from '../errors.js';
import { makeDirectory, writeFileAtomic, writeTreeReplacing } from '../fs/tree.js';
import { formatTable, printUserError } from '../output.js';
import { sha256sums, sourceDate } from '../package/archive.js';
import { addUpstreamOptions, collect, upstreamOptions, type UpstreamFlags } from './upstream-options.js';
import { planChart, reportOf, type BuiltChart, type ChartReport } from '../build/plan.js';
import { isInside, isInstalledPackage } from '../paths.js';

export interface BuildFlags extends UpstreamFlags {
  out?: string;
  trustUnpublishedDigests?: boolean;
  chart?: string[];
  json?: boolean;
  pgpFingerprint?: string;
  pgpKeyUrl?: string;
}

export function registerBuild(program: Command, ctx: CliContext): void {
  addUpstreamOptions(
    program
      .command('build')
      .description('render every chart in chart-templates/ into dist-charts/<chart>/ and package dist-charts/<chart>-<version>.tgz'),
  )
    .option('--out <dir>', 'output directory', 'dist-charts')
    .option('--chart <name>', 'build only this chart (repeatable)', collect)
    .option('--json', 'print the result as JSON')
    .option('--pgp-fingerprint <hex>', 'charts will be PGP-signed (.prov) with this key: adds the artifacthub.io/signKey annotation (with --pgp-key-url)')
    .option('--pgp-key-url <url>', 'where users download that public key (https)')
    .option(
      '--trust-unpublished-digests',
      'use a first download of an upstream chart whose lock entry has no digest (its repository publishes none), for this build only; nothing is recorded',
    )
    .addHelpText(
      'after',
      '\nArchives are reproducible: the same sources give the same bytes (timestamp from $SOURCE_DATE_EPOCH, or a constant).' +
        '\nUpstream archives are verified against chart-templates/opta-base/upstream.lock.yaml, which build never writes;' +
        '\n`opta-charts lock --update` accepts new or unpublished digests into it.',
    )
    .action(async (flags: BuildFlags) => {
      await runBuild(flags, ctx);
    });
}

export async function runBuild(flags: BuildFlags, ctx: CliContext): Promise<ChartReport[]> {
  const { output } = ctx;
  const options = { ...upstreamOptions(flags, ctx), trustUnpublishedDigests: Boolean(flags.trustUnpublishedDigests) };
  const root = options.root;
  const outDir = resolve(ctx.cwd, flags.out ?? 'dist-charts');
  refuseSourceOutput(outDir, root);
  const mtime = sourceDate(ctx.env);
  const names = await selectCharts(root, flags.chart);
  const annotations = signKeyAnnotation(flags.pgpFingerprint, flags.pgpKeyUrl);

  const built: BuiltChart[] = [];
  const failures: { name: string; error: UserError }[] = [];
  for (const name of names) {
    if (output.progress) output.err(`building ${name} ...`);
    try {
      const sources = await readChartSources(root, name);
      const extension = chartExtensions[name];
      const contribution: ChartContribution = (await extension?.plan(sources, options)) ?? {};
      const vendored = await extension?.vendor?.(sources, options, output);
      built.push(planChart(sources, { ...contribution, files: { ...contribution.files, ...vendored }, ...(annotations ? { annotations } : {}) }, mtime));
    } catch (e) {
      // One chart's bad input or unreachable repository must not stop the others from building.
      if (!isUserError(e)) throw e;
      failures.push({ name, error: e });
    }
  }

  await makeDirectory(outDir);
  for (const chart of built) {
    await writeTreeReplacing(join(outDir, chart.name), chart.files);
    await removeOtherVersions(outDir, chart);
    await writeFileAtomic(join(outDir, chart.archiveName), chart.archive);
  }
  await writeFileAtomic(join(outDir, 'SHA256SUMS'), await checksumsOfArchives(outDir));

  const reports = built.map(reportOf);
  if (flags.json) {
    output.out(JSON.stringify({ charts: reports, failed: failures.map((f) => ({ name: f.name, error: f.error.message })) }, null, 2));
  } else if (reports.length) {
    output.out(formatTable(['CHART', 'VERSION', 'FILES', 'BYTES', 'SHA256'], reports.map((r) => [r.name, r.version, String(r.files), String(r.bytes), r.sha256])));
  }
  if (failures.length) {
    for (const f of failures) printUserError(output, `${f.name}: ${f.error.message}`, f.error.hint);
    throw new UserError(`${failures.length} of ${names.length} chart(s) failed to build: ${failures.map((f) => f.name).join(', ')}`);
  }
  return reports;
}

/** Build output never lands in the sources it reads, nor anywhere in an npm-installed copy of opta-charts. */
function refuseSourceOutput(outDir: string, root: string): void {
  const inSources = ['chart-templates', 'schemas'].some((d) => isInside(outDir, join(root, d)));
  if (inSources || (isInstalledPackage(root) && isInside(outDir, root))) {
    throw new UserError(
      `--out ${outDir}: inside ${inSources ? 'the chart sources' : 'the installed opta-charts package'} (${root}); build writes there never`,
      'pass --out with a directory of your own, e.g. --out ./dist-charts in your project',
    );
  }
}

async function selectCharts(root: string, wanted: string[] | undefined): Promise<string[]> {
  let all: string[];
  try {
    all = await listChartNames(root);
  } catch {
    throw new UserError(`${join(root, 'chart-templates')}: no such directory (use --source to point at a project with chart-templates/)`);
  }
  if (!wanted?.length) return all;
  const unknown = wanted.filter((w) => !all.includes(w));
  if (unknown.length) throw new UserError(`--chart: unknown chart(s) ${unknown.join(', ')}; available: ${all.join(', ')}`);
  return all.filter((n) => wanted.includes(n));
}

/** Archives of the same chart at another version are stale once a new version is built. */
async function removeOtherVersions(outDir: string, chart: BuiltChart): Promise<void> {
  for (const file of await readdir(outDir)) {
    if (!file.startsWith(`${chart.name}-`) || !file.endsWith('.tgz') || file === chart.archiveName) continue;
    if (semver.valid(file.slice(chart.name.length + 1, -'.tgz'.length))) await rm(join(outDir, file), { force: true });
  }
}

async function checksumsOfArchives(outDir: string): Promise<string> {
  const names = (await readdir(outDir)).filter((f) => f.endsWith('.tgz'));
  return sha256sums(await Promise.all(names.map(async (fileName) => ({ fileName, bytes: await readFile(join(outDir, fileName)) }))));
}
