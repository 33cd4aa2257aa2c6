// The shipped CLI is one bundle (lib/opta-charts.cjs) loaded through a V8 code cache (bin/load-bundle.cjs).
// These tests run it in child processes, as users do: the cache is used when it fits, and a missing or refused one
// changes nothing but speed. `npm test` makes lib/ first (pretest); for a focused run, `npm run build` before.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../generator/cli.js';
import { memoryOutput } from '../support/memory-output.js';
import { defaultCacheDir, packageRoot } from '../../generator/paths.js';
import { HELMS } from '../support/helm.js';

const LOADER = join(packageRoot, 'bin', 'load-bundle.cjs');
const { BUNDLE, bundleFor, codeCacheFile, userCodeCacheDir } = createRequire(import.meta.url)(LOADER) as {
  BUNDLE: string;
  bundleFor: (argv: string[]) => string;
  codeCacheFile: (bundle: string, bytes: Buffer) => string;
  userCodeCacheDir: (env: NodeJS.ProcessEnv) => string;
};
const BUILD_ARGV = ['node', 'opta-charts', 'build', '--chart', 'opta-service'];
const work = mkdtempSync(join(tmpdir(), 'opta-bundle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Builds opta-service through the bundle with `cache` (undefined: the shipped one; null: none; else a file), in a child. */
function buildThroughBundle(cache: string | null | undefined, out: string, bundle = bundleFor(BUILD_ARGV)): { cacheUsed: boolean; stdout: string; code: number } {
  const script = `
    const { loadBundle } = require(${JSON.stringify(LOADER)});
    const loaded = loadBundle(${JSON.stringify(bundle)}, ${cache === undefined ? 'undefined' : JSON.stringify(cache)});
    const lines = [];
    const ctx = { output: { out: (l) => lines.push(l), err: () => {}, progress: false }, cwd: process.cwd(), env: process.env, stdin: process.stdin };
    loaded.exports.main(${JSON.stringify(BUILD_ARGV)}.concat(['--out', ${JSON.stringify(out)}]), ctx)
      .then((code) => console.log(JSON.stringify({ cacheUsed: loaded.cacheUsed, stdout: lines.join('\\n'), code })));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, OPTA_CHARTS_HELM: '' } }));
}

describe('the bundled CLI', () => {
  /** The one archive a build wrote into `dir`, as SHA256SUMS names it. */
  const archive = (dir: string) => readFileSync(join(dir, readFileSync(join(dir, 'SHA256SUMS'), 'utf8').split('  ')[1].trim()));

  it('picks the command\'s own bundle for build and publish, the full one otherwise', () => {
    expect(bundleFor(BUILD_ARGV)).toBe(join(packageRoot, 'lib', 'build.cjs'));
    expect(bundleFor(['node', 'opta-charts', '--debug', 'publish', '--to', 'oci://x/y'])).toBe(join(packageRoot, 'lib', 'publish.cjs'));
    for (const argv of [['node', 'opta-charts'], ['node', 'opta-charts', '--version'], ['node', 'opta-charts', 'lock'], ['node', 'opta-charts', 'help', 'build']]) expect(bundleFor(argv)).toBe(BUNDLE);
  });

  it('runs from bin/opta-charts.js with the code cache made for this Node and bundle, and builds the same bytes as the sources', async () => {
    const bundled = buildThroughBundle(undefined, join(work, 'cached'));
    expect(bundled).toMatchObject({ code: 0, cacheUsed: true });
    // The bundle with every command builds the same.
    expect(buildThroughBundle(undefined, join(work, 'full'), BUNDLE)).toMatchObject({ code: 0, cacheUsed: true, stdout: bundled.stdout });
    // The same build in-process from generator/ (no bundle): byte for byte the same archive.
    const output = memoryOutput();
    const code = await main(['node', 'opta-charts', 'build', '--chart', 'opta-service', '--out', join(work, 'sources')], { output, cwd: process.cwd(), env: {}, stdin: process.stdin });
    expect(code).toBe(0);
    expect(archive(join(work, 'cached')).equals(archive(join(work, 'sources')))).toBe(true);
    expect(bundled.stdout).toBe(output.stdout.join('\n'));
    const version = execFileSync(process.execPath, [join(packageRoot, 'bin', 'opta-charts.js'), '--version'], { encoding: 'utf8' });
    expect(version.trim()).toBe(JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version);
  });

  it('keys the cache by Node version and bundle bytes', () => {
    for (const bundle of [BUNDLE, ...['build', 'publish'].map((c) => join(packageRoot, 'lib', `${c}.cjs`))]) {
      expect(readFileSync(codeCacheFile(bundle, readFileSync(bundle))).length, bundle).toBeGreaterThan(0);
    }
    const bytes = readFileSync(BUNDLE);
    const file = codeCacheFile(BUNDLE, bytes);
    expect(codeCacheFile(BUNDLE, Buffer.concat([bytes, Buffer.from(' ')]))).not.toBe(file);
  });

  it('works the same without a code cache, with a missing file, and with one V8 refuses', () => {
    const garbage = join(work, 'garbage.v8cache');
    writeFileSync(garbage, Buffer.alloc(4096, 7));
    const reference = buildThroughBundle(undefined, join(work, 'reference'));
    for (const [name, cache] of [['none', null], ['missing', join(work, 'absent.v8cache')], ['garbage', garbage]] as const) {
      const run = buildThroughBundle(cache, join(work, name));
      expect(run, name).toMatchObject({ code: 0, cacheUsed: false, stdout: reference.stdout });
      expect(archive(join(work, name)).equals(archive(join(work, 'reference')))).toBe(true);
    }
  });

  it('without a shipped cache for this Node, saves one in the cache directory on the first run and uses it from then on', () => {
    // A copy of the package without its code caches, as an install made by another Node version has.
    const pkg = join(work, 'package');
    for (const part of ['bin', 'lib', 'package.json']) cpSync(join(packageRoot, part), join(pkg, part), { recursive: true });
    for (const f of readdirSync(join(pkg, 'lib'))) if (f.endsWith('.v8cache')) rmSync(join(pkg, 'lib', f));
    const env = { ...process.env, OPTA_CHARTS_CACHE: join(work, 'user-cache') };
    const used = () =>
      execFileSync(process.execPath, ['-e', `const l = require(${JSON.stringify(join(pkg, 'bin', 'load-bundle.cjs'))}).loadBundle(); console.log(l.cacheUsed)`], { encoding: 'utf8', env }).trim();
    expect(used()).toBe('false');
    expect(execFileSync(process.execPath, [join(pkg, 'bin', 'opta-charts.js'), '--version'], { encoding: 'utf8', env }).trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(readdirSync(join(work, 'user-cache', 'code-cache'))).toEqual([expect.stringMatching(/^opta-charts\.[0-9a-f]{32}\.v8cache$/)]);
    expect(used()).toBe('true');
  });

  it('runs Helm from the bundle: a changed template is parse-checked with Helm (the bundle holds no import(), which its vm.Script cannot run)', () => {
    const source = join(work, 'changed-source');
    for (const dir of ['chart-templates', 'schemas']) cpSync(join(packageRoot, dir), join(source, dir), { recursive: true });
    const template = join(source, 'chart-templates', 'opta-service', 'templates', 'service.yaml');
    writeFileSync(template, `${readFileSync(template, 'utf8')}{{/* changed: checked with Helm */}}\n`);
    const env = { ...process.env, OPTA_CHARTS_HELM: HELMS[0].path, OPTA_CHARTS_CACHE: join(work, 'changed-cache') };
    for (const [name, bundle] of [['build', join(packageRoot, 'lib', 'build.cjs')], ['full', BUNDLE]]) {
      const script = `require(${JSON.stringify(LOADER)}).loadBundle(${JSON.stringify(bundle)}).exports.main(${JSON.stringify([...BUILD_ARGV, '--source', source, '--out', join(work, `changed-${name}`)])}).then((code) => { process.exitCode = code; });`;
      expect(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env }), name).toMatch(/^opta-service +0\.2\.0/m);
      rmSync(join(work, 'changed-cache'), { recursive: true, force: true });
    }
  });

  it("puts saved caches in the cache directory's code-cache/ (the same rule as --cache-dir's default)", () => {
    for (const env of [{ OPTA_CHARTS_CACHE: '/c' }, { XDG_CACHE_HOME: '/x', HOME: '/h' }, { HOME: '/h' }]) expect(userCodeCacheDir(env)).toBe(join(defaultCacheDir(env), 'code-cache'));
  });
});
