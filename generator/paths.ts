import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The opta-charts package root (compiled code lives in lib/, one level below). */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where upstream chart archives are cached: $OPTA_CHARTS_CACHE, else $XDG_CACHE_HOME/opta-charts, else ~/.cache/opta-charts. */
export function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.OPTA_CHARTS_CACHE) return env.OPTA_CHARTS_CACHE;
  const base = env.XDG_CACHE_HOME || resolve(env.HOME || homedir(), '.cache');
  return resolve(base, 'opta-charts');
}
