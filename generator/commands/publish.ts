// `publish --to oci://HOST/PATH [archives...]`: pushes chart archives as Helm OCI artifacts.
import type { Command } from 'commander';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CliContext } from './context.js';
import { UserError } from '../errors.js';
import { formatTable } from '../output.js';
import type { ArtifactHubResult } from '../publish/artifacthub.js';
import type { PublishResult } from '../publish/publish.js';
import { addRegistryOptions, type RegistryFlags } from './registry-options.js';
import type { Repository } from '../oci/repository.js';

export interface PublishFlags extends RegistryFlags {
  to: string;
  json?: boolean;
  dryRun?: boolean;
  sign?: string;
  artifacthubRepo?: string;
}

async function readStdin(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function defaultArchives(cwd: string): Promise<string[]> {
  const dir = join(cwd, 'dist-charts');
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // No dist-charts/: no archives, said below.
  }
  const archives = names.filter((n) => n.endsWith('.tgz')).sort().map((n) => join(dir, n));
  if (archives.length === 0) throw new UserError(`${dir}: no chart archives (*.tgz) to publish`, 'run `opta-charts build` first, or name the archives');
  return archives;
}

function printResults(ctx: CliContext, charts: PublishResult[], artifacthub: ArtifactHubResult[], json: boolean): void {
  if (json) {
    ctx.output.out(JSON.stringify({ charts, ...(artifacthub.length ? { artifacthub } : {}) }, null, 2));
    return;
  }
  const rows: string[][] = [];
  for (const r of charts) {
    rows.push([r.reference, r.digest, r.status === 'planned' ? `would push (${r.blobs.length} blobs)` : r.status === 'pushed' || r.status === 'replaced' ? `${r.status} (${r.blobsUploaded} blobs uploaded)` : r.status]);
    const sig = r.signature;
    if (sig) {
      const repo = r.reference.slice(0, r.reference.lastIndexOf(':'));
      const where = sig.fallbackTag ? `${repo}:${sig.fallbackTag}` : `${repo}@${sig.digest ?? r.digest}`;
      rows.push([where, sig.digest ?? '-', sig.status === 'planned' ? 'would sign' : `signature ${sig.status}`]);
    }
  }
  for (const a of artifacthub) rows.push([a.reference, a.digest, a.status === 'planned' ? 'would push' : `Artifact Hub metadata ${a.status}`]);
  ctx.output.out(formatTable(['REFERENCE', 'DIGEST', 'STATUS'], rows));
}

/** The signing key of --sign, read before any network traffic so a bad key fails first. */
async function readSigningKey(file: string, env: NodeJS.ProcessEnv) {
  const { loadSigningKey } = await import('../oci/sigstore-bundle.js');
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (e) {
    throw new UserError(`${file}: cannot read the signing key (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return loadSigningKey(pem, file, env.OPTA_CHARTS_SIGNING_KEY_PASSWORD || undefined);
}

export async function runPublish(archiveArgs: string[], flags: PublishFlags, ctx: CliContext): Promise<void> {
  // Loaded here, not at startup, so other commands (and --help) do not pay for them.
  const [{ parseOciBase, chartRepository }, { withOciSession }, { loadArtifacts, planOnly, publishChart }, { loadArtifactHubRepo, planArtifactHubRepo, pushArtifactHubRepo }] = await Promise.all([
    import('../oci/reference.js'),
    import('../oci/session.js'),
    import('../publish/publish.js'),
    import('../publish/artifacthub.js'),
  ]);
  const base = parseOciBase(flags.to);
  const timeoutSeconds = Number(flags.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new UserError(`--timeout: "${flags.timeout}" is not a positive number of seconds`);
  if (flags.passwordStdin && !flags.username) throw new UserError('--password-stdin needs --username');
  const archives = archiveArgs.length ? archiveArgs.map((a) => resolve(ctx.cwd, a)) : await defaultArchives(ctx.cwd);
  const items = await loadArtifacts(archives);
  const key = flags.sign ? await readSigningKey(resolve(ctx.cwd, flags.sign), ctx.env) : undefined;
  const hub = flags.artifacthubRepo ? await loadArtifactHubRepo(resolve(ctx.cwd, flags.artifacthubRepo)) : undefined;
  // One Artifact Hub file per chart repository, however many versions of the chart are published.
  const repositories = [...new Set(items.map(({ artifact }) => chartRepository(base, artifact.name).repository))];
  if (flags.dryRun) {
    const charts = planOnly(base, items, Boolean(key));
    return printResults(ctx, charts, hub ? planArtifactHubRepo(base.registry, repositories, hub) : [], Boolean(flags.json));
  }

  const password = flags.passwordStdin ? await readStdin(ctx.stdin) : undefined;
  if (flags.username && password === undefined) throw new UserError('--username needs --password-stdin (the password is read from standard input)');
  if (password === '') throw new UserError('--password-stdin: standard input is empty; pipe the password or token into the command');
  const log = (line: string) => {
    if (ctx.output.progress) ctx.output.err(line);
  };
  const session = {
    env: ctx.env,
    plainHttp: flags.plainHttp,
    caFile: flags.caFile ? resolve(ctx.cwd, flags.caFile) : undefined,
    username: flags.username,
    password,
    timeoutMs: timeoutSeconds * 1000,
    log,
    hints: { tls: 'use --ca-file for a private CA, or --plain-http for a plain-HTTP registry', plainHttp: 'if the registry speaks HTTPS, drop --plain-http' },
  };
  // One session for the whole run: every repository's calls share its connections, credentials and token.
  const [results, hubResults] = await withOciSession(session, async (oci) => {
    // Announced up front (push scope), so the first token covers every chart repository of the run.
    const repos = new Map<string, Repository>();
    for (const repository of repositories) repos.set(repository, await oci.repository({ registry: base.registry, repository }, { actions: 'pull,push' }));
    // Charts are independent repositories: push them side by side; each one still goes blobs first, tag last,
    // and is signed only once it is in the registry.
    const now = new Date();
    const charts = await Promise.all(
      items.map(({ artifact }) => {
        log(`publishing ${artifact.name} ${artifact.version}`);
        return publishChart(repos.get(chartRepository(base, artifact.name).repository)!, artifact, { force: Boolean(flags.force), key, now });
      }),
    );
    const hubs = hub ? await Promise.all([...repos.values()].map((repo) => pushArtifactHubRepo(repo, hub))) : [];
    return [charts, hubs] as const;
  });
  printResults(ctx, results, hubResults, Boolean(flags.json));
}

export function registerPublish(program: Command, ctx: CliContext): void {
  addRegistryOptions(
    program
      .command('publish')
      .description('Push chart archives to an OCI registry as Helm charts (oci://HOST/PATH/<chart>:<version>)')
      .argument('[archives...]', 'chart archives (.tgz); default: every archive in dist-charts/')
      .requiredOption('--to <oci-url>', 'where to push, e.g. oci://ghcr.io/acme/charts')
      .option('--json', 'print the results as JSON')
      .option('--dry-run', 'show what would be pushed, without contacting the registry'),
  )
    .option('--sign <key-file>', 'sign each chart manifest with this ECDSA P-256 private key (PEM), as cosign sign --key does')
    .option('--artifacthub-repo <file>', "push this artifacthub-repo.yml to each chart repository's artifacthub.io tag")
    .addHelpText(
      'after',
      `
Credentials, first match wins: --username with --password-stdin; OPTA_CHARTS_REGISTRY_USERNAME and
OPTA_CHARTS_REGISTRY_PASSWORD; Docker's config.json (auths, credHelpers, credsStore); Helm's registry
config (written by \`helm registry login\`). Without any, the registry is used anonymously.

--sign stores a Sigstore bundle (DSSE, in-toto statement, no transparency log) as an OCI referrer of each chart
manifest, plus the sha256-<hex> referrers tag; a signature by the same key that is already there is kept. Verify with
\`cosign verify --key KEY.pub --insecure-ignore-tlog oci-ref@digest\` or Flux's verify.provider cosign. An encrypted
PKCS#8 key takes its passphrase from OPTA_CHARTS_SIGNING_KEY_PASSWORD.`,
    )
    .action((archives: string[], flags: PublishFlags) => runPublish(archives, flags, ctx));
}
