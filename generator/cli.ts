import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { isUserError } from './errors.js';
import { processOutput, type Output } from './output.js';
import { registerBuild } from './commands/build.js';
import { registerLock } from './commands/lock.js';
import { registerValues } from './commands/values.js';
import { registerPublish } from './commands/publish.js';
import { registerIndex } from './commands/index-repo.js';
import { packageRoot } from './paths.js';

/** Shared by every command: where to write, and whether to show stack traces. */
export interface CliContext {
  output: Output;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Standard input, for --password-stdin. */
  stdin: NodeJS.ReadableStream;
}

export const EXIT_OK = 0;
export const EXIT_USER_ERROR = 1;
export const EXIT_INTERNAL_ERROR = 2;

function packageVersion(): string {
  return JSON.parse(readFileSync(`${packageRoot}/package.json`, 'utf8')).version;
}

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('opta-charts')
    .description("Generates, packages and publishes Opta's base stack (opta-base) and service (opta-service) Helm charts")
    .version(packageVersion(), '-V, --version')
    .option('--debug', 'print stack traces for errors')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => ctx.output.out(s.trimEnd()), writeErr: (s) => ctx.output.err(s.trimEnd()) })
    .exitOverride();
  for (const register of [registerBuild, registerLock, registerValues, registerPublish, registerIndex]) {
    register(program, ctx);
  }
  // Every subcommand inherits exitOverride and output settings so errors come back to main().
  for (const sub of program.commands) {
    sub.exitOverride().configureOutput({ writeOut: (s) => ctx.output.out(s.trimEnd()), writeErr: (s) => ctx.output.err(s.trimEnd()) });
  }
  return program;
}

/** Runs the CLI and returns the exit code; the only place errors are turned into messages. */
export async function main(argv: string[], ctx: CliContext = defaultContext()): Promise<number> {
  const debug = argv.includes('--debug');
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors are user errors.
      return e.exitCode === 0 ? EXIT_OK : EXIT_USER_ERROR;
    }
    if (isUserError(e)) {
      ctx.output.err(`error: ${e.message}`);
      if (e.hint) ctx.output.err(`hint: ${e.hint}`);
      if (debug && e.stack) ctx.output.err(e.stack);
      return EXIT_USER_ERROR;
    }
    const err = e as Error;
    ctx.output.err(`internal error: ${err?.message ?? String(e)}`);
    ctx.output.err(debug ? String(err?.stack ?? '') : 'run again with --debug for the stack trace, and please report it');
    return EXIT_INTERNAL_ERROR;
  }
}

function defaultContext(): CliContext {
  return { output: processOutput(), cwd: process.cwd(), env: process.env, stdin: process.stdin };
}
