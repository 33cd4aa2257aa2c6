// Options several commands share, defined once: --source, --json, --provider, and the upstream flags of build and lock.
import { Option, type Command } from 'commander';
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

/** --source: the project whose chart-templates/ and schemas/ a command reads (see sourceRoot). */
export const sourceOption = () => new Option('--source <dir>', 'project holding chart-templates/ and schemas/ (default: the opta-charts package)');

/** --json: the result document on stdout; every stderr line is JSON too (cli.ts). */
export const jsonOption = (what = 'the result') => new Option('--json', `print ${what} as JSON`);

/** TLS at the edge, for `values base` and `convert` alike: certificates from Let's Encrypt, or a Secret of your own. */
export const acmeEmailOption = () =>
  new Option('--acme-email <email>', "TLS at the edge from Let's Encrypt: cert-manager and the ACME ClusterIssuer `letsencrypt` (HTTP-01 through ingress class nginx); expiry notices go to this address");
export const tlsSecretOption = () => new Option('--tls-secret <namespace/name>', "TLS at the edge from this kubernetes.io/tls Secret (ingress-nginx's default certificate)");

/** --provider: one of the clouds the stack catalog switches on; required. */
export const providerOption = () => new Option('--provider <name>', 'cloud provider (required)').choices(['aws', 'gcp', 'azure']).makeOptionMandatory();

/** The project whose chart-templates/ and schemas/ a command reads: --source, else the opta-charts package. */
export function sourceRoot(flags: { source?: string }, ctx: CliContext): string {
  return resolve(ctx.cwd, flags.source ?? packageRoot);
}

export function addUpstreamOptions(command: Command): Command {
  return command
    .addOption(sourceOption())
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
