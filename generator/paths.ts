import { homedir } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The opta-charts package root: the nearest folder above this module with opta-charts' package.json (lib/ or the bundle). */
function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'opta-charts') return dir;
    if (dirname(dir) === dir) throw new Error(`no opta-charts package.json above ${from}`);
  }
}

export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** Where upstream chart archives are cached: $OPTA_CHARTS_CACHE, else $XDG_CACHE_HOME/opta-charts, else ~/.cache/opta-charts. */
export function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.OPTA_CHARTS_CACHE) return env.OPTA_CHARTS_CACHE;
  const base = env.XDG_CACHE_HOME || resolve(env.HOME || homedir(), '.cache');
  return resolve(base, 'opta-charts');
}

/** A directory inside an npm-installed package (some parent is node_modules): never written by opta-charts. */
export function isInstalledPackage(dir: string): boolean {
  return resolve(dir).split(sep).includes('node_modules');
}

/** `path` is `dir` or below it. */
export function isInside(path: string, dir: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel));
}
