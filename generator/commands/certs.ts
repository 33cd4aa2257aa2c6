// `opta-charts certs check|renew|rotate-anchor`: keeps the Linkerd mesh identity of an opta-base install alive.
// Reads and writes files only here; the certificate logic is in generator/certs/ (pure).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { EXIT_CERT_CHAIN_BROKEN, EXIT_CERT_EXPIRING, type CliContext } from './context.js';
import { anchorFilePaths, PRIVATE_MODE, PUBLIC_MODE, readKeyFile, shown } from '../certs/anchor-files.js';
import { checkIdentity, identityFromManifest, identityFromValues, type IdentityCheck, type IssuerCertificateDefaults } from '../certs/identity-report.js';
import { createTrustAnchor, DEFAULT_ANCHOR_DAYS, DEFAULT_ISSUER_DAYS } from '../certs/linkerd-identity.js';
import { subjectOf } from '../certs/pem.js';
import { finishRotation, readIdentityState, renewIssuer, startRotation, type IdentityState } from '../certs/rotation.js';
import { parseJsonSource, parseYamlDocuments, parseYamlSource } from '../parse/source.js';
import { localRefTarget } from '../parse/json-pointer.js';
import { valuesSchemaFile } from '../synth/synthesize.js';
import { loadCatalog, type Values } from '../charts/opta-base/catalog.js';
import { helmCommand, identityHeader, linkerdKeys, splitHeader, valuesText, type IdentitySummary } from '../charts/opta-base/values-file.js';
import { ExitStatus, problemAt, UserError } from '../errors.js';
import { writeFilesTogether, type FileToWrite } from '../fs/tree.js';
import { formatTable } from '../output.js';
import { parseDays } from './values.js';
import { jsonOption, sourceOption, sourceRoot } from './options.js';

const STDIN = '-';
const DEFAULT_WITHIN_DAYS = 60; // `linkerd check` warns when a certificate is valid for less than 60 days

interface CheckFlags {
  values?: string;
  manifest?: string;
  within: string;
  json?: boolean;
  source?: string;
}

interface ValuesFileFlags {
  values: string;
  trustAnchorKey?: string;
  source?: string;
}

export function registerCerts(program: Command, ctx: CliContext): void {
  const certs = program
    .command('certs')
    .description("check, renew and rotate the Linkerd mesh identity (trust anchor and issuer) of opta-base");

  certs
    .command('check')
    .description('print each identity certificate\'s subject and expiry; exit 3 when one expires within --within days, 4 when they do not fit together')
    .argument('[file]', `a values file or rendered manifests (\`helm get manifest\`, \`helm template\`), told apart by content; ${STDIN} reads standard input`)
    .option('-f, --values <file>', `an opta-base values file (${STDIN}: standard input)`)
    .option('--manifest <file>', `rendered manifests: ConfigMap linkerd-identity-trust-roots, Secret linkerd-identity-issuer, the CA Issuer's Secret, Certificate linkerd-identity-issuer (${STDIN}: standard input)`)
    .option('--within <days>', 'fail when a certificate expires within this many days', String(DEFAULT_WITHIN_DAYS))
    .addOption(jsonOption())
    .addOption(sourceOption())
    .addHelpText(
      'after',
      '\nExit codes: 0 all certificates valid beyond --within days; 1 bad input; 3 one expires within --within days or has\n' +
        'expired; 4 the issuer is not signed by a trusted anchor (or cert-manager\'s CA is not trusted). A certificate\n' +
        'cert-manager renews (its Secret carries cert-manager.io/certificate-name) only counts once expired.\n' +
        'Example (CI): { helm get manifest opta-base -n opta-system; helm get hooks opta-base -n opta-system; } | opta-charts certs check - --within 30',
    )
    .action((file: string | undefined, flags: CheckFlags) => runCertsCheck(file, flags, ctx));

  certs
    .command('renew')
    .description('static issuer: issue a new issuer certificate and key under the kept trust anchor and rewrite the values file; cert-manager: explain (it renews the issuer itself)')
    .requiredOption('-f, --values <file>', 'the opta-base values file (rewritten atomically, mode 0600) (required)')
    .option('--trust-anchor-key <file>', 'the trust-anchor private key file `values base` wrote (required for a static issuer)')
    .option('--validity-days <days>', 'issuer validity in days (never beyond the trust anchor\'s end)', String(DEFAULT_ISSUER_DAYS))
    .addOption(sourceOption())
    .addHelpText(
      'after',
      '\nKeeps every other value; the comment header is regenerated with the new expiry (other comments are not kept).\n' +
        'With cert-manager and the key of a newer anchor of the bundle (anchor rotation, step 2), switches cert-manager\'s CA to it.',
    )
    .action((flags: ValuesFileFlags & { validityDays: string }) => runCertsRenew(flags, ctx));

  certs
    .command('rotate-anchor')
    .description('rotate the trust anchor: step 1 adds a new anchor to the trusted bundle; --finish (step 3) drops the old one')
    .requiredOption('-f, --values <file>', 'the opta-base values file (rewritten atomically, mode 0600) (required)')
    .option('--new-trust-anchor-key <file>', 'step 1: where to write the new anchor\'s private key (mode 0600; default <values>.trust-anchor-<date>.key.pem, its certificate beside it)')
    .option('--anchor-validity-days <days>', 'step 1: the new anchor\'s validity in days', String(DEFAULT_ANCHOR_DAYS))
    .option('--finish', 'step 3: keep only the anchor of --trust-anchor-key (the issuer must already come from it)')
    .option('--trust-anchor-key <file>', 'with --finish: the new anchor\'s private key file')
    .option('--force', 'step 1: overwrite existing new-anchor files')
    .addOption(sourceOption())
    .addHelpText(
      'after',
      "\nLinkerd's manual rotation, in three upgrades (README: certificate lifecycle):\n" +
        '  1. certs rotate-anchor -f v.yaml                          trust old + new anchor; helm upgrade; restart meshed workloads\n' +
        '  2. certs renew -f v.yaml --trust-anchor-key NEW.key.pem    issuer from the new anchor; helm upgrade; restart again\n' +
        '  3. certs rotate-anchor -f v.yaml --finish --trust-anchor-key NEW.key.pem   trust only the new anchor; helm upgrade; restart',
    )
    .action((flags: ValuesFileFlags & { newTrustAnchorKey?: string; anchorValidityDays: string; finish?: boolean; force?: boolean }) => runRotateAnchor(flags, ctx));
}

async function readInput(file: string, ctx: CliContext): Promise<{ text: string; name: string }> {
  if (file === STDIN) {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.stdin) chunks.push(Buffer.from(chunk));
    return { text: Buffer.concat(chunks).toString('utf8'), name: '<stdin>' };
  }
  const path = resolve(ctx.cwd, file);
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw problemAt(file, undefined, e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : `cannot read: ${e.code ?? e.message}`);
  });
  return { text, name: file };
}

/** meshIdentity.issuerCertificate's defaults, from the umbrella's values schema (which the chart's values.yaml follows). */
async function issuerCertificateDefaults(root: string): Promise<IssuerCertificateDefaults> {
  const file = valuesSchemaFile('opta-base');
  const schema = parseJsonSource(await readFile(join(root, file), 'utf8'), file);
  const at = (key: string) => localRefTarget(schema, `#/properties/meshIdentity/properties/issuerCertificate/properties/${key}/default`);
  const defaults = { duration: at('duration'), renewBefore: at('renewBefore') };
  if (typeof defaults.duration !== 'string' || typeof defaults.renewBefore !== 'string') {
    throw problemAt(file, 'properties.meshIdentity.properties.issuerCertificate', 'needs string defaults for duration and renewBefore');
  }
  return { duration: defaults.duration, renewBefore: defaults.renewBefore };
}

/** Rendered manifests are Kubernetes objects; a values file is not. */
const looksLikeManifest = (docs: unknown[]) => docs.some((d) => typeof d === 'object' && d !== null && 'apiVersion' in d && 'kind' in d);

async function runCertsCheck(file: string | undefined, flags: CheckFlags, ctx: CliContext): Promise<void> {
  const given = [file, flags.values, flags.manifest].filter((f) => f !== undefined);
  if (given.length !== 1) throw new UserError('certs check: name exactly one input: a file, -f <values file> or --manifest <file> (- for standard input)');
  if (!/^\d+$/.test(flags.within)) throw new UserError(`--within: "${flags.within}" must be a whole number of days`);
  const input = await readInput(given[0]!, ctx);
  const docs = parseYamlDocuments(input.text, input.name);
  const asManifest = flags.manifest !== undefined || (flags.values === undefined && looksLikeManifest(docs));
  let material;
  if (asManifest) {
    material = identityFromManifest(docs, input.name);
  } else {
    if (docs.length !== 1) throw problemAt(input.name, undefined, `a values file is one YAML document, found ${docs.length}`);
    const root = sourceRoot(flags, ctx);
    material = identityFromValues(docs[0], input.name, linkerdKeys(await loadCatalog(root)), await issuerCertificateDefaults(root));
  }
  const result = checkIdentity(material, new Date(), Number(flags.within));
  printCheck(result, Boolean(flags.json), ctx);
  if (result.problems.length) throw new ExitStatus(EXIT_CERT_CHAIN_BROKEN);
  if (result.certificates.some((c) => c.status === 'expiring' || c.status === 'expired')) throw new ExitStatus(EXIT_CERT_EXPIRING);
}

function printCheck(result: IdentityCheck, json: boolean, ctx: CliContext): void {
  if (json) {
    ctx.output.out(JSON.stringify(result, null, 2));
    return;
  }
  const status = (s: string) => (s === 'expiring' ? `EXPIRES WITHIN ${result.withinDays} DAYS` : s === 'expired' ? 'EXPIRED' : s);
  ctx.output.out(
    formatTable(
      ['CERTIFICATE', 'SUBJECT', 'SHA-256', 'EXPIRES', 'DAYS LEFT', 'STATUS', 'FROM'],
      result.certificates.map((c) => [c.role, c.subject, c.fingerprint.slice(0, 11), c.notAfter, String(c.daysLeft), status(c.status), c.source]),
    ),
  );
  if (result.renewal) ctx.output.out(`issuer: renewed by cert-manager (${result.renewal.origin}: duration ${result.renewal.duration}, renewBefore ${result.renewal.renewBefore})`);
  for (const c of result.certificates.filter((c) => c.status === 'expiring' || c.status === 'expired')) {
    ctx.output.err(`warning: ${c.role} ${c.subject} ${c.status === 'expired' ? 'expired' : 'expires'} on ${c.notAfter} (${c.source})`);
  }
  for (const p of result.problems) ctx.output.err(`error: ${p}`);
}

async function readValuesFile(flags: ValuesFileFlags, ctx: CliContext): Promise<{ path: string; text: string; values: Values; state: IdentityState }> {
  const path = resolve(ctx.cwd, flags.values);
  const { text } = await readInput(flags.values, ctx);
  const values = parseYamlSource(text, flags.values);
  const state = readIdentityState(values, flags.values, linkerdKeys(await loadCatalog(sourceRoot(flags, ctx))));
  return { path, text, values: values as Values, state };
}

/** The values file again: its own header lines, the identity lines regenerated. */
const rewritten = (text: string, values: Values, identity: string[]): string => valuesText([...splitHeader(text).other, ...identity], values);

async function runCertsRenew(flags: ValuesFileFlags & { validityDays: string }, ctx: CliContext): Promise<void> {
  const validityDays = parseDays(flags.validityDays);
  const file = await readValuesFile(flags, ctx);
  const keyPath = flags.trustAnchorKey === undefined ? undefined : resolve(ctx.cwd, flags.trustAnchorKey);
  const keyShown = flags.trustAnchorKey ?? '';
  // cert-manager without a key needs nothing read; everything else checks the key against the anchors.
  const needsKey = file.state.mode === 'static' || (file.state.mode === 'cert-manager' && keyPath !== undefined && !file.state.anchorSecret);
  const pem = keyPath && needsKey ? await readKeyFile(keyPath, keyShown, '--trust-anchor-key') : undefined;
  const outcome = await renewIssuer(file.values, file.state, { pem, file: keyShown }, { validityDays, defaults: await issuerCertificateDefaults(sourceRoot(flags, ctx)) });
  const out = ctx.output.out;
  if (outcome.kind === 'cert-manager renews') {
    out(`${flags.values}: the Linkerd issuer is made and renewed by cert-manager (every ${outcome.duration}, ${outcome.renewBefore} before it ends): nothing to do; file unchanged.`);
    if (outcome.anchorSecret) {
      out(`(rotating the trust anchor? put the new anchor in Secret ${outcome.anchorSecret} — kubectl -n opta-system create secret tls ${outcome.anchorSecret} --cert=<new .crt.pem> --key=<new .key.pem> --dry-run=client -o yaml | kubectl apply -f - — then cmctl renew -n opta-system linkerd-identity-issuer)`);
    }
    return;
  }
  if (outcome.kind === 'switched anchor') {
    const summary: IdentitySummary = { mode: 'cert-manager', anchorNotAfter: new Date(outcome.anchor.validTo), anchorKeyFile: keyShown };
    await writeFilesTogether([{ path: file.path, content: rewritten(file.text, outcome.values, identityHeader(summary)), mode: PRIVATE_MODE }]);
    out(`${flags.values}: cert-manager now signs the issuer with trust anchor ${subjectOf(outcome.anchor)} (valid until ${summary.anchorNotAfter.toISOString()}).`);
    out(`apply: ${helmCommand('upgrade', flags.values, summary)}`);
    out('then have cert-manager re-issue the issuer now (a new CA does not trigger it): cmctl renew -n opta-system linkerd-identity-issuer');
    out('then restart the control plane and the meshed workloads (kubectl rollout restart), and finish: opta-charts certs rotate-anchor --finish');
    return;
  }
  const summary: IdentitySummary = { mode: 'static', anchorNotAfter: new Date(outcome.anchor.validTo), issuerNotAfter: outcome.issuer.notAfter, anchorKeyFile: keyShown };
  await writeFilesTogether([{ path: file.path, content: rewritten(file.text, outcome.values, identityHeader(summary)), mode: PRIVATE_MODE }]);
  out(`${flags.values}: new Linkerd issuer valid until ${outcome.issuer.notAfter.toISOString()}, under trust anchor ${subjectOf(outcome.anchor)} (valid until ${summary.anchorNotAfter.toISOString()}); everything else kept.`);
  if (outcome.capped) ctx.output.err(`warning: the issuer ends with its trust anchor on ${summary.anchorNotAfter.toISOString()}: rotate the anchor (opta-charts certs rotate-anchor)`);
  out(`apply: ${helmCommand('upgrade', flags.values, summary)}`);
  out("Linkerd's identity controller reloads the issuer Secret (event IssuerUpdated); proxies get certificates from the new issuer as theirs renew (about daily), or at once when restarted.");
}

async function runRotateAnchor(
  flags: ValuesFileFlags & { newTrustAnchorKey?: string; anchorValidityDays: string; finish?: boolean; force?: boolean },
  ctx: CliContext,
): Promise<void> {
  const out = ctx.output.out;
  if (flags.finish) {
    if (flags.trustAnchorKey === undefined) throw new UserError('--finish: needs --trust-anchor-key <the new anchor\'s key file>');
    if (flags.newTrustAnchorKey !== undefined) throw new UserError('--new-trust-anchor-key: only used without --finish (step 1)');
    const file = await readValuesFile(flags, ctx);
    const pem = await readKeyFile(resolve(ctx.cwd, flags.trustAnchorKey), flags.trustAnchorKey, '--trust-anchor-key');
    const done = finishRotation(file.values, file.state, pem, flags.trustAnchorKey);
    const summary: IdentitySummary = {
      mode: file.state.mode === 'cert-manager' ? 'cert-manager' : 'static',
      anchorNotAfter: new Date(done.anchor.validTo),
      issuerNotAfter: file.state.issuer && new Date(file.state.issuer.validTo),
      anchorKeyFile: flags.trustAnchorKey,
      trustAnchorSecret: file.state.anchorSecret,
    };
    await writeFilesTogether([{ path: file.path, content: rewritten(file.text, done.values, identityHeader(summary)), mode: PRIVATE_MODE }]);
    out(`${flags.values}: Linkerd now trusts only ${subjectOf(done.anchor)} (valid until ${summary.anchorNotAfter.toISOString()}); dropped ${done.dropped.length} old anchor(s).`);
    out(`apply: ${helmCommand('upgrade', flags.values, summary)}; then restart the meshed workloads once more. The old anchor's key is no longer needed.`);
    return;
  }
  if (flags.trustAnchorKey !== undefined) throw new UserError('--trust-anchor-key: only used with --finish (step 3); step 1 writes a new key, see --new-trust-anchor-key');
  const anchorDays = parseDays(flags.anchorValidityDays, '--anchor-validity-days');
  const file = await readValuesFile(flags, ctx);
  const stamp = new Date().toISOString().slice(0, 10);
  const files = anchorFilePaths(file.path, flags.newTrustAnchorKey === undefined ? undefined : resolve(ctx.cwd, flags.newTrustAnchorKey), `trust-anchor-${stamp}`);
  for (const path of [files.key, files.crt]) {
    if (existsSync(path) && !flags.force) throw new UserError(`${shown(path, ctx.cwd)}: already exists`, 'pass --force to replace it, or --new-trust-anchor-key <another file>');
  }
  const anchor = await createTrustAnchor({ validityDays: anchorDays, trustDomain: file.state.trustDomain });
  const values = startRotation(file.values, file.state, anchor);
  const keyShown = shown(files.key, ctx.cwd);
  const note = `Linkerd identity: trust-anchor rotation under way: the bundle also trusts a new anchor valid until ${anchor.notAfter.toISOString()} (key ${keyShown}); next: \`opta-charts certs renew -f <this file> --trust-anchor-key ${keyShown}\`.`;
  const toWrite: FileToWrite[] = [
    { path: files.key, content: anchor.keyPEM, mode: PRIVATE_MODE },
    { path: files.crt, content: anchor.crtPEM, mode: PUBLIC_MODE },
    { path: file.path, content: rewritten(file.text, values, [...splitHeader(file.text).identity, note]), mode: PRIVATE_MODE },
  ];
  await writeFilesTogether(toWrite);
  out(`wrote ${keyShown} (new trust-anchor private key, mode 0600) and ${shown(files.crt, ctx.cwd)}; new anchor valid until ${anchor.notAfter.toISOString()}`);
  out(`${flags.values}: Linkerd now trusts the current and the new anchor (step 1 of 3); the issuer is unchanged.`);
  out('apply: helm upgrade with this values file (as before), then restart the control plane and the meshed workloads (kubectl rollout restart)');
  out(`step 2: opta-charts certs renew -f ${flags.values} --trust-anchor-key ${keyShown}`);
}
