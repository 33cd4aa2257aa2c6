#!/usr/bin/env node
'use strict';
// Thin launcher (CommonJS: bin/package.json): the CLI is bundled from generator/ into lib/opta-charts.cjs by `npm ci`
// (the prepare script, tools/bundle.ts) and loaded through a V8 code cache (bin/load-bundle.cjs).
const { loadBundle } = require('./load-bundle.cjs');

loadBundle().exports.main(process.argv).then((code) => {
  process.exitCode = code;
});
