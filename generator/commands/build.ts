import type { Command } from 'commander';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import semver from 'semver';
import type { CliContext } from './context.js';
import { listChartNames, readChartSources } from '../build/sources.js';
import { checkChartSources, findHelm } from '../build/source-checks.js';
import type { BuildOptions, ChartContribution } from '../build/extension.js';
import { signKeyAnnotation } from '../synth/sign-key.js';
import { chartExtensions } from '../charts/extensions.js';
import { isUserError, UserError } from '../errors.js';
import { lockDirectory, removeDeadLeftovers } from '../fs/dir-lock.js';
import { undoOnInterrupt } from '../fs/interrupt.js';
import { makeDirectory, readProblem, writeFileAtomicUnlessSame, writeTreeReplacing } from '../fs/tree.js';
import { formatTable, jsonError, printUserError, printWarning, type Output } from '../output.js';
import { sha256sums, sourceDate } from '../package/archive.js';
import { addUpstreamOptions, collect, jsonOption, type UpstreamFlags, upstreamOptions } from './options.js';
import { buildAndPublish, refuseRegistryFlagsAlone, type PublishToFlags } from './build-publish.js';
import { addRegistryOptions } from './registry-options.js';
import { assembleChart, reportOf, type BuiltChart, type ChartReport } from '../build/assemble.js';
import { limitsPassesIn } from '../build/limits-passes.js';
import type { ChartSources } from '../synth/types.js';
import { releaseMemory } from '../fs/release-memory.js';
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
  const command = addUpstreamOptions(
    program
      .command('build')
      .description('render every chart in chart-templates/ into dist-charts/<chart>/ and package dist-charts/<chart>-<version>.tgz'),
  )
    .option('--out <dir>', 'output directory', 'dist-charts')
    .option('--chart <name>', 'build only this chart (repeatable)', collect)
    .addOption(jsonOption())
    .option('--pgp-fingerprint <hex>', 'charts will be PGP-signed (.prov) with this key: adds the artifacthub.io/signKey annotation (with --pgp-key-url)')
    .option('--pgp-key-url <url>', 'where users download that public key (https)')
    .option(
      '--trust-unpublished-digests',
      'use a first download of an upstream chart whose lock entry has no digest (its repository publishes none), for this build only; nothing is recorded',
    )
    .option('--publish-to <oci-url>', 'then push the archives built, as `opta-charts publish --to` does (only if every chart built)');
  addRegistryOptions(command, '(with --publish-to)')
    .addHelpText(
      'after',
      `
Archives are reproducible: the same sources give the same bytes (timestamp from $SOURCE_DATE_EPOCH, or a constant).
Upstream archives are verified against chart-templates/opta-base/upstream.lock.yaml, which build never writes;
\`opta-charts lock --update\` accepts new or unpublished digests into it.
Go templates are parse-checked with Helm: $OPTA_CHARTS_HELM, else helm on $PATH (a warning when there is none).
Builds into the same --out take turns (<out>/.opta-charts.lock). Exit codes: 0 built, 1 a chart failed or bad
input, 2 internal error, 130/143 interrupted (temporary output removed).`,
    )
    .action(async (flags: BuildFlags & PublishToFlags) => {
      refuseRegistryFlagsAlone(flags);
      if (flags.publishTo) await buildAndPublish({ ...flags, publishTo: flags.publishTo }, ctx, runBuild);
      else await runBuild(flags, ctx);
    });
}

async function runBuild(flags: BuildFlags, ctx: CliContext): Promise<ChartReport[]> {
  const { output } = ctx;
  const options = { ...upstreamOptions(flags, ctx), trustUnpublishedDigests: Boolean(flags.trustUnpublishedDigests) };
  const outDir = resolve(ctx.cwd, flags.out ?? 'dist-charts');
  refuseSourceOutput(outDir, options.root);
  const mtime = sourceDate(ctx.env);
  const names = await selectCharts(options.root, flags.chart);
  const warn = (message: string) => printWarning(output, flags.json, message);
  const annotations = signKeyAnnotation(flags.pgpFingerprint, flags.pgpKeyUrl);
  const helm = findHelm(ctx.env);
  if (!helm) warn('helm is not on PATH (nor set in OPTA_CHARTS_HELM): Go templates in templates/ were not parse-checked');

  // read -> assemble (pure) -> write: nothing is written until every chart is assembled and checked.
  const built: BuiltChart[] = [];
  const failures: ChartFailure[] = [];
  for (const name of names) {
    if (output.progress) output.err(`building ${name} ...`);
    try {
      const { sources, contribution } = await readChart(name, options, output);
      // A full collection costs about 10 ms: worth it only for a chart with vendored upstream archives (megabytes).
      const vendors = Object.keys(contribution.files ?? {}).some((path) => path.startsWith('charts/'));
      if (vendors) releaseMemory(); // what reading left (downloads' chunks, the repository index) goes before the chart is packed
      const chart = assembleChart(sources, { ...contribution, ...(annotations ? { annotations } : {}) }, mtime, limitsPassesIn(options.cacheDir));
      await checkChartSources(chart, sources, { helm, cacheDir: options.cacheDir, env: ctx.env, warn });
      // This chart's transient buffers (vendored archives read, the tar, gzip's chunks) go before the next chart's.
      if (vendors) releaseMemory();
      built.push(chart);
    } catch (e) {
      // One chart's bad input or unreachable repository must not stop the others from building.
      if (!isUserError(e)) throw e;
      failures.push({ name, error: e });
    }
  }
  await writeOutput(outDir, built, failures, warn);

  const reports = built.map(reportOf);
  if (flags.json) {
    output.out(JSON.stringify({ charts: reports, failed: failures.map((f) => ({ name: f.name, error: jsonError(f.error) })) }, null, 2));
  } else if (reports.length) {
    output.out(formatTable(['CHART', 'VERSION', 'FILES', 'BYTES', 'SHA256'], reports.map((r) => [r.name, r.version, String(r.files), String(r.bytes), r.sha256])));
  }
  if (failures.length) {
    if (!flags.json) for (const f of failures) printUserError(output, `${f.name}: ${f.error.message}`, f.error.hint);
    throw new UserError(`${failures.length} of ${names.length} chart(s) failed to build: ${failures.map((f) => f.name).join(', ')}`);
  }
  return reports;
}

interface ChartFailure {
  name: string;
  error: UserError;
}

/** Read: the chart's sources, its extension's contribution and vendored archives (the only phase that uses the network). */
async function readChart(name: string, options: BuildOptions, output: Output): Promise<{ sources: ChartSources; contribution: ChartContribution }> {
  const sources = await readChartSources(options.root, name);
  const extension = chartExtensions[name];
  const contribution: ChartContribution = (await extension?.contribute(sources, options)) ?? {};
  const vendored = await extension?.vendor?.(sources, options, output);
  return { sources, contribution: { ...contribution, files: { ...contribution.files, ...vendored } } };
}

/**
 * Write: every built chart's directory and archive, then SHA256SUMS, under the output directory's lock. A failed
 * chart's archive from an earlier build no longer matches its sources, so it is removed (`publish` must not push it).
 */
async function writeOutput(outDir: string, built: BuiltChart[], failures: ChartFailure[], warn: (message: string) => void): Promise<void> {
  await makeDirectory(outDir);
  // One build writes the output directory at a time; the others wait (see fs/dir-lock.ts).
  const unlock = await lockDirectory(outDir, warn);
  // Interrupted between charts, SHA256SUMS still lists what is there: every archive on disk is whole (atomic writes).
  const keepChecksums = undoOnInterrupt(() => writeFileSync(join(outDir, 'SHA256SUMS'), checksumsOfArchives(outDir)));
  try {
    await removeDeadLeftovers(outDir);
    for (const chart of built) {
      await writeTreeReplacing(join(outDir, chart.name), chart.files);
      await removeArchives(outDir, chart.name, chart.archiveName);
      await writeFileAtomicUnlessSame(join(outDir, chart.archiveName), chart.archive);
    }
    for (const f of failures) {
      for (const stale of await removeArchives(outDir, f.name)) warn(`${f.name} failed: removed its earlier archive ${join(outDir, stale)}`);
    }
    await writeFileAtomicUnlessSame(join(outDir, 'SHA256SUMS'), checksumsOfArchives(outDir));
  } finally {
    keepChecksums();
    await unlock();
  }
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
  } catch (e) {
    const dir = join(root, 'chart-templates');
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw readProblem(e, dir) ?? e;
    throw new UserError(`${dir}: no such directory (use --source to point at a project with chart-templates/)`);
  }
  if (!wanted?.length) return all;
  const unknown = wanted.filter((w) => !all.includes(w));
  if (unknown.length) throw new UserError(`--chart: unknown chart(s) ${unknown.join(', ')}; available: ${all.join(', ')}`);
  return all.filter((n) => wanted.includes(n));
}

/** Removes the chart's archives (`<name>-<semver>.tgz`) but `keep`: other versions are stale once a new one is built. */
async function removeArchives(outDir: string, name: string, keep?: string): Promise<string[]> {
  const removed: string[] = [];
  for (const file of readdirSync(outDir)) {
    if (!file.startsWith(`${name}-`) || !file.endsWith('.tgz') || file === keep) continue;
    if (!semver.valid(file.slice(name.length + 1, -'.tgz'.length))) continue;
    rmSync(join(outDir, file), { force: true });
    removed.push(file);
  }
  return removed;
}

/** SHA256SUMS of the archives in `outDir`; synchronous, because it also runs inside a signal handler. */
function checksumsOfArchives(outDir: string): string {
  const names = readdirSync(outDir).filter((f) => f.endsWith('.tgz'));
  return sha256sums(names.map((fileName) => ({ fileName, bytes: readFileSync(join(outDir, fileName)) })));
}
