// `npm ci` / `npm pack` (the prepare script): bundles the CLI into lib/opta-charts.cjs and writes its V8 code cache.
// One CommonJS file with every dependency inside starts much faster than Node resolving and loading hundreds of
// modules; commands stay lazy (esbuild turns `await import()` of a command into a function run on first use).
// The code cache is made after a representative run (a build from the shipped sources), so the functions a build
// compiles lazily are in it too; see bin/load-bundle.cjs for how it is keyed and checked.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { packageRoot } from '../generator/paths.js';

const LIB = join(packageRoot, 'lib');
const BUNDLE = join(LIB, 'opta-charts.cjs');

async function bundle(): Promise<void> {
  await build({
    entryPoints: [join(packageRoot, 'generator', 'cli.ts')],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // ASCII only, so the loader can read it as latin1 (see bin/load-bundle.cjs).
    charset: 'ascii',
    // generator/paths.ts finds the package root from its own URL: in the bundle, the bundle's.
    define: { 'import.meta.url': '__bundleUrl' },
    banner: { js: 'var __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
    legalComments: 'none',
    logLevel: 'warning',
  });
}

/** Runs a build of the shipped sources (offline, into a temporary directory) through the bundle, then saves the code cache. */
function writeCodeCache(): void {
  for (const f of readdirSync(LIB)) if (f.endsWith('.v8cache')) rmSync(join(LIB, f));
  const work = mkdtempSync(join(tmpdir(), 'opta-charts-code-cache-'));
  try {
    // A plain `node` (not tsx), as the CLI runs: V8 refuses a cache made under other flags.
    const script = `
      const { readFileSync, writeFileSync } = require('node:fs');
      const { loadBundle, codeCacheFile } = require(${JSON.stringify(join(packageRoot, 'bin', 'load-bundle.cjs'))});
      const bundle = ${JSON.stringify(BUNDLE)};
      const loaded = loadBundle(bundle, null);
      const quiet = { output: { out() {}, err() {}, progress: false }, cwd: ${JSON.stringify(work)}, stdin: process.stdin,
        env: { ...process.env, OPTA_CHARTS_CACHE: ${JSON.stringify(join(work, 'cache'))} } };
      // opta-base fails offline with an empty cache (after planning it); opta-service builds: both are representative.
      loaded.exports.main(['node', 'opta-charts', 'build', '--offline', '--source', ${JSON.stringify(packageRoot)}, '--out', 'out'], quiet).then(() => {
        writeFileSync(codeCacheFile(bundle, readFileSync(bundle)), loaded.script.createCachedData());
      });`;
    execFileSync(process.execPath, ['-e', script], { stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: '' } });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await bundle();
writeCodeCache();
