#!/usr/bin/env node
'use strict';
// Thin launcher (CommonJS: bin/package.json): the CLI is bundled from generator/ into lib/opta-charts.cjs by `npm ci`
// (the prepare script, tools/bundle.ts; `build` and `publish` have bundles of their own) and loaded through a V8
// code cache (bin/load-bundle.cjs).
const { bundleFor, loadBundle, saveCodeCache } = require('./load-bundle.cjs');

const loaded = loadBundle(bundleFor(process.argv));
loaded.exports.main(process.argv).then((code) => {
  process.exitCode = code;
  saveCodeCache(loaded);
});
