'use strict';
// Loads the bundled CLI (lib/*.cjs, made by the prepare script: tools/bundle.ts) through a V8 code cache, so Node
// neither parses nor compiles the bundle's functions again on every start. The cache is only a speed-up: it is keyed
// by the Node version and the sha256 of the bundle (a file name per key), V8 itself refuses a cache made by another V8
// or with other flags (`cachedDataRejected`), and a missing, unreadable or refused cache just means compiling as usual.
// The package ships the caches made by `npm ci`/`npm pack` for that Node; under another Node the first run saves one
// in the user's cache directory (code-cache/), and later runs use it. Plain CommonJS: nothing of the bundle is loaded
// before it.
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { homedir } = require('node:os');
const { basename, dirname, join, resolve } = require('node:path');
const vm = require('node:vm');

// A run of opta-charts is short (a build of both charts takes about 150 ms of CPU), and V8's defaults for long-running
// programs cost more peak memory than they give back there (out of a 60 MiB budget):
// - TurboFan's first compile alone (two tiny, often-called functions) paged in about 3.5 MiB of compiler code, and
//   Sparkplug's baseline code another MiB;
// - the young generation grew from 1 to 4 MiB semi-spaces while a chart was packed: 1.6 MiB.
// So a run is interpreted, with a young generation that does not grow. Long work turns TurboFan and that growth back on
// for its duration (generator/long-work.ts, through the global set below): parsing a 4.6 MB index.yaml took 680 ms
// interpreted and 150 ms as long work (Sparkplug adds nothing there, so it stays off). Only those two are ever switched
// back and forth while code runs: switching --regexp-interpret-all back made V8 crash on a regular expression compiled
// under it. Set by loadBundle, before the bundle is compiled, so code caches are made (tools/bundle.ts) and used under
// the same flags, which V8 checks; they are part of the cache's key (codeCacheName). Not when this file is only
// required (tests and tools/bundle.ts use its helpers): flags are the whole process's.
const V8_MODES = {
  shortRun: '--no-turbofan --semi-space-growth-factor=1',
  longWork: '--turbofan --semi-space-growth-factor=2',
};
const V8_FLAGS = `--no-sparkplug ${V8_MODES.shortRun}`;
const MODES_KEY = Symbol.for('opta-charts.v8-modes');

function useShortRunFlags() {
  if (globalThis[MODES_KEY]) return;
  require('node:v8').setFlagsFromString(V8_FLAGS);
  globalThis[MODES_KEY] = V8_MODES;
}

const LIB = join(__dirname, '..', 'lib');
const BUNDLE = join(LIB, 'opta-charts.cjs');

/** The commands with a bundle of their own (tools/bundle.ts): only that command's code inside. */
const COMMAND_BUNDLES = ['build', 'publish'];

/** The bundle for a command line: the named command's own when it has one, else the one with every command. */
function bundleFor(argv) {
  // The same rule as generator/cli.ts (commandsFor): the first argument that is not an option names the command.
  const command = argv.slice(2).find((a) => !a.startsWith('-'));
  if (!COMMAND_BUNDLES.includes(command)) return BUNDLE;
  const own = join(LIB, `${command}.cjs`);
  return existsSync(own) ? own : BUNDLE;
}

/** The code cache's file name for this bundle text, this Node version and V8_FLAGS. */
function codeCacheName(bundle, bytes) {
  const key = createHash('sha256').update(`${process.version}\n${V8_FLAGS}\n`).update(bytes).digest('hex').slice(0, 32);
  return `${basename(bundle, '.cjs')}.${key}.v8cache`;
}

/** The shipped code cache file (next to the bundle). */
function codeCacheFile(bundle, bytes) {
  return join(dirname(bundle), codeCacheName(bundle, bytes));
}

/** Where code caches made on this machine go: `code-cache/` in the cache directory (generator/paths.ts defaultCacheDir's rule). */
function userCodeCacheDir(env) {
  const cacheDir = env.OPTA_CHARTS_CACHE || resolve(env.XDG_CACHE_HOME || resolve(env.HOME || homedir(), '.cache'), 'opta-charts');
  return join(cacheDir, 'code-cache');
}

const readOrUndefined = (file) => {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
};

/**
 * Runs the bundle and returns its exports ({ main }), the vm.Script (for createCachedData), whether a cache was used,
 * and where a cache made now should go (`saveTo`, when none was used). `cache`: a code cache file to use instead of the
 * shipped or saved one (tests); null for none.
 */
function loadBundle(bundle = BUNDLE, cache, env = process.env) {
  useShortRunFlags();
  const bytes = readFileSync(bundle);
  // esbuild writes ASCII only (tools/bundle.ts: charset ascii), so latin1 is exact, and cheaper than UTF-8 decoding.
  const source = bytes.toString('latin1');
  let candidates = cache === null ? [] : [cache];
  let saveTo;
  if (cache === undefined) {
    const name = codeCacheName(bundle, bytes);
    saveTo = join(userCodeCacheDir(env), name);
    // A saved cache exists only where the shipped one is missing or refused: it comes first.
    candidates = [saveTo, join(dirname(bundle), name)];
  }
  let cachedData;
  for (const file of candidates) if ((cachedData = readOrUndefined(file))) break;
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  const module = { exports: {}, filename: bundle };
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(bundle), module, bundle, dirname(bundle));
  const cacheUsed = cachedData !== undefined && !script.cachedDataRejected;
  return { exports: module.exports, script, cacheUsed, saveTo: cacheUsed ? undefined : saveTo };
}

/** After a run that used no code cache: saves one for the next run (atomically; any failure only means none is saved). */
function saveCodeCache(loaded) {
  if (!loaded.saveTo) return;
  try {
    mkdirSync(dirname(loaded.saveTo), { recursive: true });
    const tmp = `${loaded.saveTo}.tmp-${process.pid}`;
    writeFileSync(tmp, loaded.script.createCachedData());
    renameSync(tmp, loaded.saveTo);
  } catch {
    // Only a speed-up.
  }
}

module.exports = { loadBundle, saveCodeCache, bundleFor, codeCacheFile, userCodeCacheDir, BUNDLE };
