// `build --publish-to oci://…`: build, then push the archives just built, in one process (a pipeline pays Node's
// start-up and the CLI's loading once instead of twice). Nothing is pushed unless every chart built.
import { join, resolve } from 'node:path';
import type { CliContext } from './context.js';
import { UserError } from '../errors.js';
import { DEFAULT_TIMEOUT_SECONDS, type RegistryFlags } from './registry-options.js';
import { releaseMemory } from '../fs/release-memory.js';

export interface PublishToFlags extends Partial<RegistryFlags> {
  publishTo?: string;
}

const REGISTRY_FLAGS = { force: '--force', plainHttp: '--plain-http', caFile: '--ca-file', username: '--username', passwordStdin: '--password-stdin' } as const;

/** Registry options mean nothing without --publish-to: say so rather than ignore them. */
export function refuseRegistryFlagsAlone(flags: PublishToFlags): void {
  if (flags.publishTo) return;
  const given = Object.entries(REGISTRY_FLAGS).find(([key]) => flags[key as keyof typeof REGISTRY_FLAGS] !== undefined);
  if (given) throw new UserError(`${given[1]} is an option of --publish-to (or of \`opta-charts publish\`)`);
}

/**
 * Runs the build, then `publish --to <publishTo>` of its archives with the same registry options. With --json, one
 * document: the build's, plus `published` (publish's `charts`). Of build's flags it reads only `out` and `json` (build.ts
 * owns the rest; this module does not import it).
 */
export async function buildAndPublish<BuildFlags extends { out?: string; json?: boolean }>(
  flags: BuildFlags & PublishToFlags & { publishTo: string },
  ctx: CliContext,
  runBuild: (flags: BuildFlags, ctx: CliContext) => Promise<{ archive: string }[]>,
): Promise<void> {
  const json = Boolean(flags.json);
  const documents: string[] = [];
  const inner: CliContext = json
    ? { output: { ...ctx.output, out: (line: string) => documents.push(line) }, cwd: ctx.cwd, env: ctx.env, get stdin() { return ctx.stdin; } }
    : ctx;
  let reports: { archive: string }[];
  try {
    reports = await runBuild(flags, inner);
  } catch (e) {
    // A failed build's document is printed as `build` alone prints it; nothing is pushed.
    if (documents.length) ctx.output.out(documents[0]);
    throw e;
  }
  const outDir = resolve(ctx.cwd, flags.out ?? 'dist-charts');
  releaseMemory(); // the build's charts (files and archives) are garbage now; publish reads the archives it pushes
  const { runPublish } = await import('./publish.js');
  const { publishTo, force, plainHttp, caFile, username, passwordStdin, timeout } = flags;
  await runPublish(reports.map((r) => join(outDir, r.archive)), { to: publishTo, json, force, plainHttp, caFile, username, passwordStdin, timeout: timeout ?? DEFAULT_TIMEOUT_SECONDS }, inner);
  if (json) ctx.output.out(JSON.stringify({ ...JSON.parse(documents[0]), published: JSON.parse(documents[1]).charts }, null, 2));
}
