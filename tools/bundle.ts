// `npm ci` / `npm pack` (the prepare script): bundles the CLI into lib/ and writes each bundle's V8 code cache.
// One CommonJS file with every dependency inside starts much faster than Node resolving and loading hundreds of
// modules; commands stay lazy (esbuild turns `await import()` of a command into a function run on first use).
// - lib/opta-charts.cjs: every command (help, --version, the rarely timed commands);
// - lib/<command>.cjs for `build` and `publish`, the commands that run in pipelines: the same entry with only that
//   command inside, so less code to read and deserialize (bin/load-bundle.cjs picks the bundle from the command line).
// Each code cache is made after a representative run (a build from the shipped sources; a publish --dry-run of its
// archives), so the functions a command compiles lazily are in it too; see bin/load-bundle.cjs for how it is keyed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { packageRoot } from '../generator/paths.js';

const LIB = join(packageRoot, 'lib');
const LOADER = join(packageRoot, 'bin', 'load-bundle.cjs');
const { codeCacheFile } = createRequire(import.meta.url)(LOADER) as { codeCacheFile: (bundle: string, bytes: Buffer) => string };

/** Command → its module in generator/commands/, for the commands that get a bundle of their own. */
const COMMAND_BUNDLES: Record<string, string> = { build: 'build', publish: 'publish' };

/** In a command's bundle, cli.ts's other commands are empty modules (cli.ts registers only the command it is run with). */
function onlyCommand(module: string): Plugin {
  return {
    name: 'only-command',
    setup(b) {
      b.onResolve({ filter: /^\.\/commands\/[\w-]+\.js$/ }, (args) =>
        args.kind === 'dynamic-import' && args.importer.endsWith(join('generator', 'cli.ts')) && args.path !== `./commands/${module}.js`
          ? { path: args.path, namespace: 'omitted-command' }
          : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'omitted-command' }, () => ({ contents: 'export {};', loader: 'js' }));
    },
  };
}

/**
 * commander requires child_process at load for executable subcommands, which opta-charts has none of; loading it (with
 * net and dgram) costs a few ms of every start. In the bundle commander gets it on first use instead.
 */
const lazyChildProcessForCommander: Plugin = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) => (/[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      contents: 'module.exports = new Proxy({}, { get: (_, key) => require("node:child_process")[key] });',
      loader: 'js',
    }));
  },
};

/**
 * Writes `path` through a temp file and rename, and only when its bytes change: tests run the CLI from lib/ while
 * another test's `npm pack` runs this script again, so lib/ never holds a missing or half-written file.
 */
function replaceFile(path: string, bytes: Uint8Array): void {
  if (existsSync(path) && readFileSync(path).equals(bytes)) return;
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

async function bundle(outfile: string, plugins: Plugin[] = []): Promise<void> {
  const result = await build({
    entryPoints: [join(packageRoot, 'generator', 'cli.ts')],
    outfile,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // ASCII only, so the loader can read it as latin1 (see bin/load-bundle.cjs).
    charset: 'ascii',
    // No import() left in the bundle (esbuild makes the remaining ones, of Node's built-in modules, require()): the
    // loader runs it as a vm.Script, which has no dynamic-import callback (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING).
    supported: { 'dynamic-import': false },
    // generator/paths.ts finds the package root from its own URL: in the bundle, the bundle's.
    define: { 'import.meta.url': '__bundleUrl' },
    banner: { js: 'var __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [lazyChildProcessForCommander, ...plugins],
  });
  replaceFile(outfile, result.outputFiles[0].contents);
}

/**
 * Runs `argv` through the bundle in a plain `node` (as the CLI runs: V8 refuses a cache made under other flags), then
 * saves its code cache. Returns the cache file; one that exists already is for the same Node and bundle bytes, and kept.
 */
function writeCodeCache(bundleFile: string, argv: string[], cwd: string): string {
  const file = codeCacheFile(bundleFile, readFileSync(bundleFile));
  if (existsSync(file)) return file;
  const script = `
    const { readFileSync, renameSync, writeFileSync } = require('node:fs');
    const { loadBundle, codeCacheFile } = require(${JSON.stringify(LOADER)});
    const bundle = ${JSON.stringify(bundleFile)};
    const loaded = loadBundle(bundle, null);
    const quiet = { output: { out() {}, err() {}, progress: false }, cwd: ${JSON.stringify(cwd)}, stdin: process.stdin,
      env: { ...process.env, OPTA_CHARTS_CACHE: ${JSON.stringify(join(cwd, 'cache'))} } };
    loaded.exports.main(${JSON.stringify(['node', 'opta-charts', ...argv])}, quiet).then(() => {
      const file = codeCacheFile(bundle, readFileSync(bundle));
      writeFileSync(file + '.tmp-' + process.pid, loaded.script.createCachedData());
      renameSync(file + '.tmp-' + process.pid, file);
    });`;
  execFileSync(process.execPath, ['-e', script], { stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: '' } });
  return file;
}

mkdirSync(LIB, { recursive: true });
const full = join(LIB, 'opta-charts.cjs');
await bundle(full);
for (const [command, module] of Object.entries(COMMAND_BUNDLES)) await bundle(join(LIB, `${command}.cjs`), [onlyCommand(module)]);
const current = new Set([full, ...Object.keys(COMMAND_BUNDLES).map((c) => join(LIB, `${c}.cjs`))]);

const work = mkdtempSync(join(tmpdir(), 'opta-charts-code-cache-'));
try {
  // opta-base fails offline with an empty cache (after planning it); opta-service builds: both are representative.
  const buildArgs = ['build', '--offline', '--source', packageRoot, '--out', 'out'];
  current.add(writeCodeCache(join(LIB, 'build.cjs'), buildArgs, work));
  current.add(writeCodeCache(full, buildArgs, work));
  // The archives a build of the shipped sources makes (no build ran above when both caches were kept).
  if (!existsSync(join(work, 'out'))) {
    // Exit 1: opta-base fails offline, as above; opta-service's archive is there.
    spawnSync(process.execPath, [join(packageRoot, 'bin', 'opta-charts.js'), ...buildArgs], { cwd: work, stdio: 'ignore', env: { ...process.env, OPTA_CHARTS_CACHE: join(work, 'cache') } });
  }
  const archives = readdirSync(join(work, 'out')).filter((f) => f.endsWith('.tgz')).map((f) => join('out', f));
  current.add(writeCodeCache(join(LIB, 'publish.cjs'), ['publish', '--dry-run', '--to', 'oci://127.0.0.1/charts', ...archives], work));
} finally {
  rmSync(work, { recursive: true, force: true });
}
// What earlier runs left: bundles and caches of other sources or Node versions.
for (const f of readdirSync(LIB)) if (/\.(cjs|v8cache)$|\.tmp-\d+$/.test(f) && !current.has(join(LIB, f))) rmSync(join(LIB, f), { force: true });
