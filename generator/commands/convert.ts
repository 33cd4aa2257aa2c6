// `opta-charts convert`: Opta environment and service files to opta-base and opta-service values, MIGRATION.md and
// install.sh. Reads, plans (pure), then writes every file or none.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { DEFAULT_ANCHOR_DAYS, DEFAULT_ISSUER_DAYS } from '../certs/linkerd-identity.js';
import { loadCatalog } from '../charts/opta-base/catalog.js';
import { convertOptaFiles, OUTPUT_FILES } from '../convert/conversion.js';

const { baseValues: BASE_VALUES, anchorKey: BASE_ANCHOR_KEY, anchorCrt: BASE_ANCHOR_CRT, install: INSTALL } = OUTPUT_FILES;
import { UserError } from '../errors.js';
import { makeDirectory, writeFilesTogether } from '../fs/tree.js';
import { acmeEmailOption, collect, sourceOption, sourceRoot, tlsSecretOption } from './options.js';
import { baseValuesFiles } from './values.js';

export interface ConvertFlags {
  env?: string;
  var?: string[];
  image?: string[];
  acmeEmail?: string;
  tlsSecret?: string;
  output: string;
  force?: boolean;
  source?: string;
}

export function registerConvert(program: Command, ctx: CliContext): void {
  program
    .command('convert')
    .description("convert Opta environment and service files into opta-base and opta-service values, MIGRATION.md and install.sh")
    .argument('<env-file>', "Opta environment file (org_name, providers, modules)")
    .argument('[service-files...]', 'Opta service files (environments, k8s-service module), installed in this order')
    .option('--env <name>', "the service files' `environments` entry to use (default: the one named like the environment, else the one whose path is ENV_FILE)")
    .option('--var <key=value>', 'value of an Opta variable, for `{vars.KEY}` (repeatable; wins over the files\' variables)', collect)
    .option('--image <service=repository>', "image of a service whose k8s-service has `image: AUTO` (Opta's own registry), REPOSITORY[:TAG] (repeatable)", collect)
    .addOption(acmeEmailOption())
    .addOption(tlsSecretOption())
    .requiredOption('-o, --output <dir>', 'directory to write into (created if missing) (required)')
    .option('--force', 'replace files already in the output directory (a new Linkerd identity)')
    .addOption(sourceOption())
    .addHelpText(
      'after',
      `\nWrites ${BASE_VALUES} (with a fresh Linkerd identity: the cluster gets a new mesh identity; anchor key in ${BASE_ANCHOR_KEY}, mode 0600),\n` +
        `<service>.values.yaml per service (layer = the service's name), MIGRATION.md (what was converted and what to do\n` +
        `outside Helm, field by field) and ${INSTALL} (helm upgrade --install of opta-base, then each service).\n` +
        'Unknown fields or module types, an environments entry naming no known environment, and files that are not Opta\n' +
        'files are errors naming the file and the path inside it; nothing is written then.',
    )
    .action((envFile: string, serviceFiles: string[], flags: ConvertFlags) => runConvert(envFile, serviceFiles, flags, ctx));
}

function pairs(flag: string, items: string[] | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UserError(`${flag} ${item}: expected ${what}`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

async function readInput(cwd: string, file: string): Promise<{ file: string; text: string }> {
  const text = await readFile(resolve(cwd, file), 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UserError(`${file}: cannot read: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  });
  return { file, text };
}

async function runConvert(envFile: string, serviceFiles: string[], flags: ConvertFlags, ctx: CliContext): Promise<void> {
  const vars = pairs('--var', flags.var, 'KEY=VALUE');
  const images = pairs('--image', flags.image, 'SERVICE=REPOSITORY[:TAG]');
  const conversion = convertOptaFiles({
    env: await readInput(ctx.cwd, envFile),
    services: await Promise.all(serviceFiles.map((f) => readInput(ctx.cwd, f))),
    vars,
    envName: flags.env,
    images,
    acmeEmail: flags.acmeEmail,
    tlsSecret: flags.tlsSecret,
  });
  const dir = resolve(ctx.cwd, flags.output);
  if ((await stat(dir).catch(() => undefined))?.isFile()) throw new UserError(`-o ${flags.output}: is a file, not a directory`);
  const names = [BASE_VALUES, BASE_ANCHOR_KEY, BASE_ANCHOR_CRT, ...Object.keys(conversion.files)];
  const existing = names.filter((n) => existsSync(join(dir, n)));
  if (existing.length && !flags.force) throw new UserError(`-o ${flags.output}: already holds ${existing.join(', ')}`, 'pass --force to replace them (this also replaces the Linkerd identity)');
  const catalog = await loadCatalog(sourceRoot(flags, ctx));
  const base = await baseValuesFiles(
    catalog,
    conversion.request,
    { issuer: 'cert-manager', validityDays: DEFAULT_ISSUER_DAYS, anchorDays: DEFAULT_ANCHOR_DAYS, file: join(dir, BASE_VALUES), anchorFiles: { key: join(dir, BASE_ANCHOR_KEY), crt: join(dir, BASE_ANCHOR_CRT) }, cwd: dir },
    () => conversion.baseOrigin,
  ).catch((e: unknown) => {
    // `values base` names its flags; here they come from the environment file (cert_arn, the env name, ...).
    if (e instanceof UserError) throw new UserError(`${envFile}: as \`values base\` flags: ${e.message}`, e.hint);
    throw e;
  });
  await makeDirectory(dir);
  await writeFilesTogether([
    ...base.files,
    ...Object.entries(conversion.files).map(([name, content]) => ({ path: join(dir, name), content, mode: name === INSTALL ? 0o755 : 0o644 })),
  ]);
  const out = ctx.output.out;
  for (const name of names) out(`wrote ${join(flags.output, name)}`);
  out(`next: read ${join(flags.output, 'MIGRATION.md')}, then OPTA_BASE_CHART=... OPTA_SERVICE_CHART=... ${join(flags.output, INSTALL)}`);
}
