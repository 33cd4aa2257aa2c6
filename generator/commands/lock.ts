import type { Command } from 'commander';
import { readChartSources } from '../build/sources.js';
import { chartExtensions } from '../charts/extensions.js';
import type { CliContext } from './context.js';
import { UserError } from '../errors.js';
import { ACCEPT_COMMAND, type FetchOptions } from '../fetch/dependencies.js';
import { checkUpstreamLock, updateUpstreamLock } from '../fetch/lock-ops.js';
import { describeRef, formatLockDiff, isEmptyDiff, LOCK_FILE_NAME } from '../fetch/upstream-lock.js';
import { isInstalledPackage } from '../paths.js';
import { addUpstreamOptions, type UpstreamFlags, upstreamOptions } from './options.js';

export interface LockFlags extends UpstreamFlags {
  update?: boolean;
}

/** The chart whose upstream dependencies the lock covers. */
const CHART = 'opta-base';

export function registerLock(program: Command, ctx: CliContext): void {
  addUpstreamOptions(
    program
      .command('lock')
      .description(`check chart-templates/${CHART}/${LOCK_FILE_NAME} (sha256 of every upstream chart archive) against the stack catalog and the repositories`),
  )
    .option('--update', 're-resolve every dependency and rewrite the lock, showing what changed (the deliberate way to accept new archives)')
    .addHelpText(
      'after',
      '\nExit status: 0 when the lock matches the catalog and every archive; 1 with the list of problems otherwise.' +
        '\n`--update` prints one line per change: added, changed (old -> new digest), removed; a digest the repository does not' +
        '\npublish is marked as accepted as downloaded. Entries with `digest: null` (no published digest) are listed by the check;' +
        '\na build refuses them until `--update` records one (never in an installed package) or `build --trust-unpublished-digests`.',
    )
    .action((flags: LockFlags) => runLock(flags, ctx));
}

async function runLock(flags: LockFlags, ctx: CliContext): Promise<void> {
  const { output } = ctx;
  const base = upstreamOptions(flags, ctx);
  const root = base.root;
  // The upstream charts the build vendors, as the chart's extension names them (one entry per distinct archive).
  const { refs, lockFile } = await chartExtensions[CHART].upstream!(await readChartSources(root, CHART), base);
  const options: FetchOptions = { ...base, lockFile };

  if (flags.update) {
    refuseInstalledPackage(root);
    const diff = await updateUpstreamLock(refs, options, output);
    if (isEmptyDiff(diff)) output.out(`${options.lockFile}: unchanged (${refs.length} dependencies)`);
    else {
      output.out(`${options.lockFile}: updated`);
      for (const line of formatLockDiff(diff)) output.out(`  ${line}`);
    }
    return;
  }

  // Chart.lock needs no check here: the build derives it (and Chart.yaml's dependencies) from the same catalog.
  const { problems, unpinned } = await checkUpstreamLock(refs, options, output);
  if (problems.length) {
    throw new UserError(
      `${options.lockFile}: ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      'if the catalog or the upstream archives changed on purpose, run `opta-charts lock --update` and review the changes it lists; ' +
        'if a repository is unreachable, use --mirror FROM=URL (or $OPTA_CHARTS_MIRROR), or --offline to check against the cache',
    );
  }
  const where = options.offline ? `the cache ${options.cacheDir}` : 'their repositories';
  output.out(`${options.lockFile}: ok, ${refs.length - unpinned.length} archives match ${where}`);
  for (const e of unpinned) {
    output.out(`  no digest yet: ${describeRef(e)} (${e.reason}); a build refuses it until \`${ACCEPT_COMMAND}\` or --trust-unpublished-digests`);
  }
}

/** The lock is a source file of a checkout: an installed package (node_modules) is never rewritten. */
function refuseInstalledPackage(root: string): void {
  if (!isInstalledPackage(root)) return;
  throw new UserError(
    `lock --update: ${root} is an installed package (inside node_modules); its lock is not rewritten`,
    'run it in a checkout of opta-charts (or --source DIR with a copy of chart-templates/ and schemas/), or build with --trust-unpublished-digests',
  );
}
