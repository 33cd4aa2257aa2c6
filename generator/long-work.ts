// V8's optimizing compiler for the rare long work of a run. bin/load-bundle.cjs runs the CLI tuned for a short run
// (interpreted, a young generation that does not grow: less peak memory) and leaves both sets of flags under this
// global; run from the sources (tests), there is none, and nothing is changed.
import { setFlagsFromString } from 'node:v8';

const MODES = Symbol.for('opta-charts.v8-modes');

/** Runs `work` with TurboFan and the young generation's growth on, then back to the short-run flags (also when it throws). */
export function runAsLongWork<T>(work: () => T): T {
  const modes = (globalThis as { [MODES]?: { shortRun: string; longWork: string } })[MODES];
  if (!modes) return work();
  setFlagsFromString(modes.longWork);
  try {
    return work();
  } finally {
    // Back before the run ends: a code cache saved then must carry the flags it is loaded under.
    setFlagsFromString(modes.shortRun);
  }
}
