// What every command gets from the CLI, and the exit codes: imported by cli.ts and commands/* alike (no cycle).
import type { Output } from '../output.js';

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
/** `certs check`: a certificate expires within --within days (or has expired). */
export const EXIT_CERT_EXPIRING = 3;
/** `certs check`: the certificates do not fit together (an issuer no trusted anchor signed). */
export const EXIT_CERT_CHAIN_BROKEN = 4;
