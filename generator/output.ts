/** Where commands write: results to `out`, progress and warnings to `err`. Injected so tests can capture both. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
  /** True when progress lines should be printed (stderr is a terminal or --verbose). */
  progress: boolean;
}

// A closed pipe (`opta-charts ... | head`) is the reader's choice, not an error worth a stack trace.
const quietOnClosedPipe = (stream: NodeJS.WriteStream) =>
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });

export function processOutput(progress = Boolean(process.stderr.isTTY)): Output {
  quietOnClosedPipe(process.stdout);
  quietOnClosedPipe(process.stderr);
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    progress,
  };
}

/** Formats rows as an aligned text table with a header row. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** How a user error reads on stderr: `error: …`, then `hint: …` when there is one. */
export function printUserError(output: Output, message: string, hint?: string): void {
  output.err(`error: ${message}`);
  if (hint) output.err(`hint: ${hint}`);
}

/** A warning on stderr: `warning: …`, or with `--json` one line `{"warning": "…"}`. */
export function printWarning(output: Output, json: boolean | undefined, message: string): void {
  output.err(json ? JSON.stringify({ warning: message }) : `warning: ${message}`);
}

/**
 * An error as `--json` prints it: `{"error": {...}}` as one line on stderr, so stdout keeps only the result document.
 * `file`, `key` and `problem` are set when the error names them (then `message` is `file: key: problem`).
 */
export interface JsonError {
  message: string;
  file?: string;
  key?: string;
  problem?: string;
  hint?: string;
  /** true for a bug in opta-charts (exit code 2), not a problem with the input. */
  internal?: boolean;
  stack?: string;
}

export function jsonError(e: { message: string; file?: string; key?: string; problem?: string; hint?: string }): JsonError {
  const { message, file, key, problem, hint } = e;
  return JSON.parse(JSON.stringify({ message, file, key, problem, hint }));
}

export function printJsonError(output: Output, error: JsonError): void {
  output.err(JSON.stringify({ error }));
}
