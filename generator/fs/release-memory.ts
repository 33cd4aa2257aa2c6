// Peak memory: a build's large buffers (vendored archives, their decompressed contents, each chart's tar and archive)
// become garbage between steps, but V8 rarely collects them within a build's short, small-heap run, so they pile up
// in the process's RSS. Collecting at a few known points keeps one step's buffers alive at a time.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: ((options?: { type: 'minor' | 'major' }) => void) | undefined | null = null;

/**
 * Runs a garbage collection (V8's `gc`, exposed for a moment; a no-op if that fails). 'minor' (the young generation,
 * where a step's short-lived buffers are) costs about a millisecond; 'major' (the whole heap) about ten, so it is kept
 * for the few points between a build's phases.
 */
export function releaseMemory(type: 'minor' | 'major' = 'major'): void {
  if (gc === null) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as typeof gc;
    } catch {
      gc = undefined;
    } finally {
      // Back to the flags the code cache was made under (V8 compares them when the cache is loaded or made).
      setFlagsFromString('--no-expose-gc');
    }
  }
  // Without options V8 collects the whole heap and returns what it can (`{ type: 'major' }` left more memory in use).
  if (type === 'minor') gc?.({ type });
  else gc?.();
}
