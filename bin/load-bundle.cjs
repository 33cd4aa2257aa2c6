'use strict';
// Loads the bundled CLI (lib/opta-charts.cjs, made by the prepare script: tools/bundle.ts) through a V8 code cache,
// so Node neither parses nor compiles the bundle's functions again on every start. The cache is only a speed-up:
// it is keyed by the Node version and the sha256 of the bundle (a file name per key), V8 itself refuses a cache made
// by another V8 or with other flags (`cachedDataRejected`), and a missing, unreadable or refused cache just means
// compiling as usual. Plain CommonJS: nothing of the bundle is loaded before it.
const { createHash } = require('node:crypto');
const { existsSync, readFileSync } = require('node:fs');
const Module = require('node:module');
const { basename, dirname, join } = require('node:path');
const vm = require('node:vm');

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

/** The code cache file for this bundle text and this Node version. */
function codeCacheFile(bundle, bytes) {
  const key = createHash('sha256').update(`${process.version}\n`).update(bytes).digest('hex').slice(0, 32);
  return join(dirname(bundle), `${basename(bundle, '.cjs')}.${key}.v8cache`);
}

/**
 * Runs the bundle and returns its exports ({ main }), the vm.Script (for createCachedData) and whether a cache was used.
 * `cache`: a code cache file to use instead of the bundle's own (tests); null for none.
 */
function loadBundle(bundle = BUNDLE, cache) {
  const bytes = readFileSync(bundle);
  // esbuild writes ASCII only (its default charset), so latin1 is exact, and cheaper than UTF-8 decoding.
  const source = bytes.toString('latin1');
  const cacheFile = cache === undefined ? codeCacheFile(bundle, bytes) : cache;
  let cachedData;
  if (cacheFile) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  const module = { exports: {}, filename: bundle };
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(bundle), module, bundle, dirname(bundle));
  return { exports: module.exports, script, cacheFile, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}

module.exports = { loadBundle, bundleFor, codeCacheFile, BUNDLE };
