import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { ExitStatus, isUserError } from './errors.js';
import { EXIT_INTERNAL_ERROR, EXIT_OK, EXIT_USER_ERROR, type CliContext } from './commands/context.js';
import { jsonError, printJsonError, printUserError, processOutput } from './output.js';
import { packageRoot } from './paths.js';

function packageVersion(): string {
  return JSON.parse(readFileSync(`${packageRoot}/package.json`, 'utf8')).version;
}

type Register = (program: Command, ctx: CliContext) => void;

// Loaded on demand: a command's code (and its libraries) is imported only when that command runs, which keeps start-up fast.
const COMMANDS: Record<string, () => Promise<Register>> = {
  build: async () => (await import('./commands/build.js')).registerBuild,
  lock: async () => (await import('./commands/lock.js')).registerLock,
  values: async () => (await import('./commands/values.js')).registerValues,
  publish: async () => (await import('./commands/publish.js')).registerPublish,
  index: async () => (await import('./commands/index-repo.js')).registerIndex,
  iam: async () => (await import('./commands/iam.js')).registerIam,
  plan: async () => (await import('./commands/plan.js')).registerPlan,
  certs: async () => (await import('./commands/certs.js')).registerCerts,
  convert: async () => (await import('./commands/convert.js')).registerConvert,
};

/** The command named on the command line, or every command (for help, --version and unknown commands). */
function commandsFor(argv: string[]): string[] {
  const args = argv.slice(2);
  const first = args.find((a) => !a.startsWith('-'));
  if (!first && (args.includes('--version') || args.includes('-V'))) return [];
  return first && first in COMMANDS ? [first] : Object.keys(COMMANDS);
}

/** A stderr line for --json: JSON stays; `note: …` and `warning: …` become {"note"|"warning": "…"}; others {"progress": "…"}. */
function asJsonLine(line: string): string {
  if (line.startsWith('{')) return line;
  const labelled = /^(note|warning): (.*)$/s.exec(line);
  return JSON.stringify(labelled ? { [labelled[1]]: labelled[2] } : { progress: line });
}

/** `--json` anywhere on the command line: errors, usage errors included, are printed as JSON too. */
const wantsJson = (argv: string[]) => argv.includes('--json');

async function buildProgram(ctx: CliContext, argv: string[] = []): Promise<Command> {
  const json = wantsJson(argv);
  const program = new Command('opta-charts')
    .description("Generates, packages and publishes Opta's base stack (opta-base) and service (opta-service) Helm charts")
    .version(packageVersion(), '-V, --version')
    .option('--debug', 'print stack traces for errors')
    .showHelpAfterError(json ? false : '(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.output.out(s.trimEnd()),
      writeErr: (s) => ctx.output.err(s.trimEnd()),
      // commander's usage errors read "error: unknown option '--x'"; as JSON, the message without the prefix.
      outputError: (s, write) => (json ? printJsonError(ctx.output, { message: s.trim().replace(/^error: /, '') }) : write(s)),
    })
    .exitOverride();
  // Commands made with program.command() inherit exitOverride and the output settings, so their errors come back to main().
  for (const name of commandsFor(argv)) (await COMMANDS[name]())(program, ctx);
  return program;
}

/** Runs the CLI and returns the exit code; the only place errors are turned into messages. */
export async function main(argv: string[], context: CliContext = defaultContext()): Promise<number> {
  const debug = argv.includes('--debug');
  const json = wantsJson(argv);
  // With --json, every stderr line is JSON: errors and warnings are written so; other lines are wrapped here.
  const ctx: CliContext = json
    ? { output: { ...context.output, err: (line: string) => context.output.err(asJsonLine(line)) }, cwd: context.cwd, env: context.env, get stdin() { return context.stdin; } }
    : context;
  try {
    const program = await buildProgram(ctx, argv);
    await program.parseAsync(argv);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors are user errors.
      return e.exitCode === 0 ? EXIT_OK : EXIT_USER_ERROR;
    }
    if (e instanceof ExitStatus) return e.code;
    if (isUserError(e)) {
      if (json) printJsonError(ctx.output, { ...jsonError(e), ...(debug ? { stack: e.stack } : {}) });
      else printUserError(ctx.output, e.message, e.hint);
      if (debug && e.stack && !json) ctx.output.err(e.stack);
      return EXIT_USER_ERROR;
    }
    const err = e as Error;
    if (json) {
      const hint = 'run again with --debug for the stack trace, and please report it';
      printJsonError(ctx.output, { message: String(err?.message ?? e), internal: true, ...(debug ? { stack: String(err?.stack ?? '') } : { hint }) });
      return EXIT_INTERNAL_ERROR;
    }
    ctx.output.err(`internal error: ${err?.message ?? String(e)}`);
    ctx.output.err(debug ? String(err?.stack ?? '') : 'run again with --debug for the stack trace, and please report it');
    return EXIT_INTERNAL_ERROR;
  }
}

function defaultContext(): CliContext {
  // process.stdin is made on first use (it sets up a stream): only commands that read it pay for that.
  return { output: processOutput(), cwd: process.cwd(), env: process.env, get stdin() { return process.stdin; } };
}
