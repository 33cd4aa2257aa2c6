// `publish --to oci://HOST/PATH [archives...]`: pushes chart archives as Helm OCI artifacts.
import type { Command } from 'commander';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CliContext } from '../cli.js';
import { UserError } from '../errors.js';
import { formatTable } from '../output.js';
import type { PublishResult } from '../publish/publish.js';

interface PublishFlags {
  to: string;
  json?: boolean;
  dryRun?: boolean;
  force?: boolean;
  plainHttp?: boolean;
  caFile?: string;
  username?: string;
  passwordStdin?: boolean;
  timeout: string;
}

async function readStdin(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function defaultArchives(cwd: string): Promise<string[]> {
  const dir = join(cwd, 'dist-charts');
  const names = await readdir(dir).catch(() => [] as string[]);
  const archives = names.filter((n) => n.endsWith('.tgz')).sort().map((n) => join(dir, n));
  if (archives.length === 0) throw new UserError(`${dir}: no chart archives (*.tgz) to publish`, 'run `opta-charts build` first, or name the archives');
  return archives;
}

function printResults(ctx: CliContext, results: PublishResult[], json: boolean): void {
  if (json) {
    ctx.output.out(JSON.stringify({ charts: results }, null, 2));
    return;
  }
  const rows = results.map((r) => [r.reference, r.digest, r.status === 'planned' ? `would push (${r.blobs.length} blobs)` : r.status === 'pushed' || r.status === 'replaced' ? `${r.status} (${r.blobsUploaded} blobs uploaded)` : r.status]);
  ctx.output.out(formatTable(['REFERENCE', 'DIGEST', 'STATUS'], rows));
}

export async function runPublish(archiveArgs: string[], flags: PublishFlags, ctx: CliContext): Promise<void> {
  // Loaded here, not at startup, so other commands (and --help) do not pay for them.
  const [{ parseOciBase, chartRepository }, { connect }, { loadArtifacts, planOnly, pushArtifact }] = await Promise.all([
    import('../oci/reference.js'),
    import('../oci/session.js'),
    import('../publish/publish.js'),
  ]);
  const base = parseOciBase(flags.to);
  const timeoutSeconds = Number(flags.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new UserError(`--timeout: "${flags.timeout}" is not a positive number of seconds`);
  if (flags.passwordStdin && !flags.username) throw new UserError('--password-stdin needs --username');
  const archives = archiveArgs.length ? archiveArgs.map((a) => resolve(ctx.cwd, a)) : await defaultArchives(ctx.cwd);
  const items = await loadArtifacts(archives);
  if (flags.dryRun) return printResults(ctx, planOnly(base, items), Boolean(flags.json));

  const password = flags.passwordStdin ? await readStdin(ctx.stdin) : undefined;
  if (flags.username && password === undefined) throw new UserError('--username needs --password-stdin (the password is read from standard input)');
  if (password === '') throw new UserError('--password-stdin: standard input is empty; pipe the password or token into the command');
  const log = (line: string) => {
    if (ctx.output.progress) ctx.output.err(line);
  };
  const client = await connect(base.registry, {
    env: ctx.env,
    plainHttp: flags.plainHttp,
    caFile: flags.caFile ? resolve(ctx.cwd, flags.caFile) : undefined,
    username: flags.username,
    password,
    timeoutMs: timeoutSeconds * 1000,
    log,
  });
  let results: PublishResult[];
  try {
    // Charts are independent repositories: push them side by side; each one still goes blobs first, tag last.
    results = await Promise.all(
      items.map(({ artifact }) => {
        log(`publishing ${artifact.name} ${artifact.version}`);
        return pushArtifact(client, chartRepository(base, artifact.name).repository, artifact, Boolean(flags.force));
      }),
    );
  } finally {
    client.close();
  }
  printResults(ctx, results, Boolean(flags.json));
}

export function registerPublish(program: Command, ctx: CliContext): void {
  program
    .command('publish')
    .description('Push chart archives to an OCI registry as Helm charts (oci://HOST/PATH/<chart>:<version>)')
    .argument('[archives...]', 'chart archives (.tgz); default: every archive in dist-charts/')
    .requiredOption('--to <oci-url>', 'where to push, e.g. oci://ghcr.io/acme/charts')
    .option('--json', 'print the results as JSON')
    .option('--dry-run', 'show what would be pushed, without contacting the registry')
    .option('--force', 'replace a version that already exists with different content')
    .option('--plain-http', 'use plain HTTP instead of TLS (loopback/test registries)')
    .option('--ca-file <file>', 'trust this PEM CA bundle for the registry, in addition to the system CAs')
    .option('--username <name>', 'registry user name (with --password-stdin)')
    .option('--password-stdin', 'read the registry password or token from standard input')
    .option('--timeout <seconds>', 'give up after this long, retries included', '300')
    .addHelpText(
      'after',
      `
Credentials, first match wins: --username with --password-stdin; OPTA_CHARTS_REGISTRY_USERNAME and
OPTA_CHARTS_REGISTRY_PASSWORD; Docker's config.json (auths, credHelpers, credsStore); Helm's registry
config (written by \`helm registry login\`). Without any, the registry is used anonymously.`,
    )
    .action((archives: string[], flags: PublishFlags) => runPublish(archives, flags, ctx));
}
