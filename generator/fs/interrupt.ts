// Ctrl-C (SIGINT) or SIGTERM in the middle of a write: undo what is half-done, then exit as the signal asks (128 + n).
import { existsSync, renameSync, rmSync } from 'node:fs';

/** Synchronous, because it runs inside the signal handler, right before the process exits. */
type Undo = () => void;

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type Signal = keyof typeof EXIT_CODES;
const pending = new Set<Undo>();

function onSignal(signal: Signal): void {
  for (const undo of [...pending].reverse()) {
    try {
      undo();
    } catch {
      // Keep undoing the rest: a leftover is better than an exit that never happens.
    }
  }
  pending.clear();
  const message = `interrupted (${signal}): unfinished output removed`;
  // The one message printed outside the CLI's error path: keep --json's promise that stderr lines are JSON.
  process.stderr.write(`${process.argv.includes('--json') ? JSON.stringify({ error: { message } }) : message}\n`);
  process.exit(EXIT_CODES[signal]);
}

/**
 * Registers `undo` to run if the process is interrupted before the returned release function is called.
 * Handlers are installed only while something is pending, so an idle process keeps Node's default signal behaviour.
 */
export function undoOnInterrupt(undo: Undo): () => void {
  if (pending.size === 0) for (const signal of Object.keys(EXIT_CODES)) process.on(signal, onSignal);
  pending.add(undo);
  return () => {
    if (!pending.delete(undo) || pending.size > 0) return;
    for (const signal of Object.keys(EXIT_CODES)) process.off(signal, onSignal);
  };
}

/** Removes temporary paths; puts `dir` back from `previous` if a swap was cut between its two renames. */
export function restoreOnInterrupt(temporaries: string[], dir?: string, previous?: string): () => void {
  return undoOnInterrupt(() => {
    if (dir && previous && !existsSync(dir) && existsSync(previous)) renameSync(previous, dir);
    for (const path of temporaries) rmSync(path, { recursive: true, force: true });
  });
}

/** Whether the test hook (below) is to hold at `point`. */
export const testHoldsAt = (point: string): boolean => process.env.OPTA_CHARTS_TEST_HOLD === point;

/**
 * Test hook: with OPTA_CHARTS_TEST_HOLD=<point> (e.g. `swap:demo`, between the two renames that put dist-charts/demo/
 * in place), stop at that point until standard input ends, so a test can interrupt
 * or race a build at an exact moment instead of guessing with sleeps. Announced on stderr as `test hold: <point>`.
 */
export async function holdForTest(point: string): Promise<void> {
  if (!testHoldsAt(point)) return;
  process.stderr.write(`test hold: ${point}\n`);
  await new Promise<void>((resolve) => {
    process.stdin.once('end', resolve).once('close', resolve).resume();
  });
}
