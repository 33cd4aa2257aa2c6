'use strict';
// Loads the bundled CLI (lib/opta-charts.cjs, made by the prepare script: tools/bundle.ts) through a V8 code cache,
// so Node neither parses nor compiles the bundle's functions again on every start. The cache is only a speed-up:
// it is keyed by the Node version and the sha256 of the bundle (a file name per key), V8 itself refuses a cache made
// by another V8 or with other flags (`cachedDataRejected`), and a missing, unreadable or refused cache just means
// compiling as usual. Plain CommonJS: nothing of the bundle is loaded before it.
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const BUNDLE = join(__dirname, '..', 'lib', 'opta-charts.cjs');

/** The code cache file for this bundle text and this Node version. */
function codeCacheFile(bundle, bytes) {
  const key = createHash('sha256').update(`${process.version}\n`).update(bytes).digest('hex').slice(0, 32);
  return join(dirname(bundle), `opta-charts.${key}.v8cache`);
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

module.exports = { loadBundle, codeCacheFile, BUNDLE };
