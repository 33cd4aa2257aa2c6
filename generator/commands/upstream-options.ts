// The flags every command that reads chart sources and upstream charts shares (build, lock); `values` shares --source.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { CliContext } from './context.js';
import type { BuildOptions } from '../build/extension.js';
import { MIRROR_ENV, parseMirrors } from '../fetch/mirrors.js';
import { defaultCacheDir, packageRoot } from '../paths.js';

export interface UpstreamFlags {
  source?: string;
  offline?: boolean;
  mirror?: string[];
  cacheDir?: string;
}

export const collect = (value: string, previous: string[] = []) => [...previous, value];

export const SOURCE_OPTION = ['--source <dir>', 'project holding chart-templates/ and schemas/ (default: the opta-charts package)'] as const;

/** The project whose chart-templates/ and schemas/ a command reads: --source, else the opta-charts package. */
export function sourceRoot(flags: { source?: string }, ctx: CliContext): string {
  return resolve(ctx.cwd, flags.source ?? packageRoot);
}

export function addUpstreamOptions(command: Command): Command {
  return command
    .option(...SOURCE_OPTION)
    .option('--offline', 'use only cached upstream archives; fail naming what is missing')
    .option('--mirror <from=to>', `map an upstream repository URL (or * for all) to another URL (repeatable; also $${MIRROR_ENV})`, collect)
    .option('--cache-dir <dir>', 'cache of upstream archives and passed source checks (default $OPTA_CHARTS_CACHE or ~/.cache/opta-charts)');
}

export function upstreamOptions(flags: UpstreamFlags, ctx: CliContext): BuildOptions {
  return {
    offline: Boolean(flags.offline),
    mirrors: parseMirrors(flags.mirror ?? [], ctx.env),
    cacheDir: resolve(ctx.cwd, flags.cacheDir ?? defaultCacheDir(ctx.env)),
    root: sourceRoot(flags, ctx),
    env: ctx.env,
  };
}
