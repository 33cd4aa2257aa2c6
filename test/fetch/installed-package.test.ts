// `opta-charts build` from an npm-installed copy: `npm pack` of this project installed offline from the local tarball
// into a user project; the build writes into the user's directory and nothing inside node_modules.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../generator/paths.js';
import { startChartRepo, type ChartRepoServer } from '../support/chart-repo-server.js';
import { standInArchive, standInCharts } from '../support/standin-charts.js';
import { writeStandInProjectLock } from '../support/standin-lock.js';

/** A chart's version as its source declares it (Chart.yaml or Chart.yaml.hbs). */
async function chartVersion(chart: string): Promise<string> {
  const dir = join(packageRoot, 'chart-templates', chart);
  const text = await readFile(join(dir, 'Chart.yaml'), 'utf8').catch(() => readFile(join(dir, 'Chart.yaml.hbs'), 'utf8'));
  return /^version:\s*"?([^"\s]+)"?/m.exec(text)![1];
}

const run = promisify(execFile);
let dir: string;
let user: string;
let installed: string;
let server: ChartRepoServer;

/** The package-lock a user project gets for opta-charts from a local tarball: our own lock's production packages. */
async function userLockfile(tarball: string): Promise<object> {
  const lock = JSON.parse(await readFile(join(packageRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
  const pkg = JSON.parse(await readFile(join(packageRoot, 'package.json'), 'utf8'));
  const packages: Record<string, unknown> = {
    '': { name: 'user-project', version: '1.0.0', dependencies: { 'opta-charts': `file:${tarball}` } },
    'node_modules/opta-charts': { version: pkg.version, resolved: `file:${tarball}`, license: pkg.license, dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path.startsWith('node_modules/') && !entry.dev && !entry.devOptional) packages[path] = entry;
  return { name: 'user-project', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

/** Every file, directory and link under `root` with its mode, size, mtime and content hash. */
async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    for (const name of await readdir(d)) {
      const full = join(d, name);
      const st = await lstat(full);
      const hash = st.isFile() ? createHash('sha256').update(await readFile(full)).digest('hex') : '';
      out.set(full.slice(root.length), `${st.mode} ${st.size} ${st.mtimeMs} ${hash}`);
      if (st.isDirectory()) await walk(full);
    }
  };
  await walk(root);
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opta-installed-'));
  user = join(dir, 'user-project');
  await mkdir(user);
  const npm = { cwd: packageRoot, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } };
  const packed = (await run('npm', ['pack', '--silent', '--pack-destination', dir], { ...npm, maxBuffer: 1 << 24 })).stdout.trim().split('\n').pop()!;
  await writeFile(join(user, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', private: true, dependencies: { 'opta-charts': `file:../${packed}` } }));
  await writeFile(join(user, 'package-lock.json'), JSON.stringify(await userLockfile(`../${packed}`)));
  // Offline: every package comes from the local tarball or npm's cache; nothing from a registry.
  await run('npm', ['ci', '--offline', '--ignore-scripts'], { ...npm, cwd: user });
  installed = join(user, 'node_modules', 'opta-charts');
  // A test lock (the stand-ins' digests; Linkerd's without a digest, as upstream publishes none) in the installed copy.
  await writeStandInProjectLock(installed, ['linkerd-crds', 'linkerd-control-plane']);
  server = await startChartRepo({ repos: { '': standInCharts().map((c) => ({ name: c.name, version: c.version, archive: standInArchive(c.name, c.version) })) } });
}, 300_000);
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function cli(...args: string[]) {
  try {
    const r = await run(process.execPath, [join(user, 'node_modules', '.bin', 'opta-charts'), ...args], { cwd: user, env: { ...process.env, OPTA_CHARTS_CACHE: join(dir, 'cache') } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('an npm-installed opta-charts', () => {
  it('builds into the user directory and writes nothing inside node_modules', async () => {
    const before = await snapshot(join(user, 'node_modules'));
    const refused = await cli('build', '--out', 'dist', '--mirror', `*=${server.url}`);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`chart linkerd-crds 2026.8.3 (https://helm.linkerd.io/edge): ${join(installed, 'chart-templates', 'opta-base', 'upstream.lock.yaml')} has no digest for it`);

    const r = await cli('build', '--out', 'dist', '--mirror', `*=${server.url}`, '--trust-unpublished-digests');
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);
    expect((await readdir(join(user, 'dist'))).filter((f) => f.endsWith('.tgz')).sort()).toEqual([`opta-base-${await chartVersion('opta-base')}.tgz`, `opta-service-${await chartVersion('opta-service')}.tgz`]);
    for (const c of standInCharts()) {
      expect((await readFile(join(user, 'dist', 'opta-base', 'charts', `${c.name}-${c.version}.tgz`))).equals(standInArchive(c.name, c.version))).toBe(true);
    }
    const lockUpdate = await cli('lock', '--update', '--mirror', `*=${server.url}`);
    expect(lockUpdate.code).toBe(1);
    expect(lockUpdate.stderr).toContain('is an installed package (inside node_modules)');
    const intoPackage = await cli('build', '--out', join('node_modules', 'opta-charts', 'dist'), '--mirror', `*=${server.url}`);
    expect(intoPackage.code).toBe(1);
    expect(intoPackage.stderr).toContain('inside the installed opta-charts package');

    expect(await snapshot(join(user, 'node_modules'))).toEqual(before);
  });
});
