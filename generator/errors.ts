/**
 * A problem the user can fix (bad input, unreachable repository, wrong credentials).
 * The CLI prints `message` (and `hint`) without a stack trace and exits 1.
 * Messages name the file, key and problem, e.g. `chart-templates/x/Chart.yaml: version: "1.x" is not valid SemVer`.
 */
export class UserError extends Error {
  /** Where the problem is, when known: kept apart from the message for `--json` output. */
  file?: string;
  key?: string;
  problem?: string;

  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** Builds a UserError that names where the problem is: `file: key: problem`. */
export function problemAt(file: string, key: string | undefined, problem: string, hint?: string): UserError {
  const error = new UserError(key ? `${file}: ${key}: ${problem}` : `${file}: ${problem}`, hint);
  Object.assign(error, { file, key, problem });
  return error;
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** Ends a command with `code` after it has printed its result (e.g. `certs check` finding a certificate about to expire). */
export class ExitStatus extends Error {
  constructor(readonly code: number) {
    super(`exit status ${code}`);
    this.name = 'ExitStatus';
  }
}
