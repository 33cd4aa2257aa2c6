// Vendored archives found within Helm's limits, remembered in the cache directory (checked/helm-limits/<sha256>), so a
// later build does not decompress them again: that was a third of a build's peak memory with real-sized upstream charts.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { releaseMemory } from '../fs/release-memory.js';
import type { LimitsPasses } from '../package/helm-limits.js';

export function limitsPassesIn(cacheDir: string): LimitsPasses {
  const dir = join(cacheDir, 'checked', 'helm-limits');
  return {
    has: (sha256) => {
      const known = existsSync(join(dir, sha256));
      if (!known) releaseMemory('minor');
      return known;
    },
    add: (sha256) => {
      releaseMemory('minor');
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, sha256), '');
      } catch {
        // Only a speed-up: an unwritable cache just means checking again next time.
      }
    },
  };
}
