// `npm run bench`: opta-charts against Helm on this machine, medians of several runs, with peak memory.
// Not a test: it prints figures for the README. Needs helm 4.1.4 in .cache/helm (npm run pretest) and docker-registry.
// Runs offline: opta-base's upstream charts are the stand-ins, served from a loopback chart repository as a mirror.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { packageRoot } from '../generator/paths.js';
import { freeLoopbackPort, startChartRepo, type ChartRepoServer } from '../test/support/chart-repo-server.js';
import { standInArchive, standInCharts } from '../test/support/standin-charts.js';
import { writeStandInProjectLock } from '../test/support/standin-lock.js';

const RUNS = Number(process.env.OPTA_BENCH_RUNS || 5);
const HELM = process.env.OPTA_BENCH_HELM || join(packageRoot, '.cache', 'helm', '4.1.4', 'helm');
const CLI = join(packageRoot, 'bin', 'opta-charts.js');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

interface Sample {
  ms: number;
  /** Peak resident set size in MiB (largest single process of the step). */
  peakMiB?: number;
}

/**
 * Runs one command, measuring wall time and (with GNU time) its peak RSS. Throws on failure.
 * Asynchronous, because the stand-in chart repository is served from this process.
 */
async function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  const memFile = join(tmpdir(), `opta-bench-mem-${process.pid}`);
  const [bin, argv] = TIME ? [TIME, ['-f', '%M', '-o', memFile, cmd, ...args]] : [cmd, args];
  const started = performance.now();
  try {
    const { status, stderr } = await new Promise<{ status: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(bin, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ status: code, stderr: err }));
    });
    const ms = performance.now() - started;
    if (status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${status}):\n${stderr}`);
    const peakMiB = TIME ? Number(readFileSync(memFile, 'utf8').trim().split('\n').pop()) / 1024 : undefined;
    return { ms, peakMiB };
  } finally {
    rmSync(memFile, { force: true });
  }
}

/** Several commands as one step, one after another: times add up, memory is the largest. */
async function step(commands: [string, string[]][], env: NodeJS.ProcessEnv): Promise<Sample> {
  const samples: Sample[] = [];
  for (const [c, a] of commands) samples.push(await run(c, a, env));
  const peaks = samples.map((s) => s.peakMiB).filter((p): p is number => p !== undefined);
  return { ms: samples.reduce((t, s) => t + s.ms, 0), peakMiB: peaks.length ? Math.max(...peaks) : undefined };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** A throwaway registry (no auth) with storage in `dir`. */
async function startRegistry(dir: string): Promise<{ host: string; child: ChildProcess }> {
  const host = `127.0.0.1:${await freeLoopbackPort()}`;
  const config = join(dir, 'registry.yml');
  writeFileSync(config, `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'storage')}\nhttp:\n  addr: ${host}\n`);
  const child = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    const up = await new Promise<boolean>((r) => http.get(`http://${host}/v2/`, (res) => r(Boolean(res.resume()))).on('error', () => r(false)));
    if (up) return { host, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('docker-registry did not start (apt-get install docker-registry)');
}

interface Row {
  name: string;
  opta: Sample[];
  helm: Sample[];
}

function report(rows: Row[]): void {
  const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
  const mem = (xs: Sample[]) => {
    const peaks = xs.map((s) => s.peakMiB).filter((p): p is number => p !== undefined);
    return peaks.length ? `${Math.max(...peaks).toFixed(0)} MiB` : 'n/a';
  };
  const lines = [
    `| Step (median of ${RUNS}) | opta-charts | Helm 4.1.4 | ratio opta/Helm | peak RSS opta | peak RSS Helm |`,
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map((r) => {
      const o = median(r.opta.map((s) => s.ms));
      const h = median(r.helm.map((s) => s.ms));
      return `| ${r.name} | ${fmt(o)} | ${fmt(h)} | ${(o / h).toFixed(2)} | ${mem(r.opta)} | ${mem(r.helm)} |`;
    }),
  ];
  console.log(lines.join('\n'));
  console.log(`\n${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`);
}

async function main(): Promise<void> {
  if (!existsSync(HELM)) throw new Error(`${HELM} not found: run \`npm run pretest\` (extracts Helm into .cache/helm) or set OPTA_BENCH_HELM`);
  const work = mkdtempSync(join(tmpdir(), 'opta-bench-'));
  const home = join(work, 'home');
  mkdirSync(home);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    HELM_CONFIG_HOME: join(home, 'helm-config'),
    HELM_CACHE_HOME: join(home, 'helm-cache'),
    HELM_DATA_HOME: join(home, 'helm-data'),
    // Filled by the warm-up build, so the build row measures a warm cache.
    OPTA_CHARTS_CACHE: join(work, 'cache'),
  };
  let registry: ChildProcess | undefined;
  let charts: ChartRepoServer | undefined;
  try {
    // A copy of the sources with a lock of the stand-ins' digests: the project's own lock never holds them.
    const source = join(work, 'source');
    for (const dir of ['chart-templates', 'schemas']) cpSync(join(packageRoot, dir), join(source, dir), { recursive: true });
    await writeStandInProjectLock(source);
    charts = await startChartRepo({ repos: { '': standInCharts().map((c) => ({ name: c.name, version: c.version, archive: standInArchive(c.name, c.version) })) } });
    const out = join(work, 'dist');
    const buildArgs = [CLI, 'build', '--source', source, '--out', out, '--mirror', `*=${charts.url}`];
    console.error('warming up: opta-charts build (fills the upstream chart cache)');
    await run(process.execPath, buildArgs, env);
    const chartDirs = readdirSync(out, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(out, d.name));
    const archives = readdirSync(out).filter((n) => n.endsWith('.tgz')).sort().map((n) => join(out, n));
    const pkgDir = join(work, 'helm-packaged');
    const rows: Row[] = [];

    const build: Row = { name: `build ${chartDirs.length} charts (warm cache) vs \`helm package\``, opta: [], helm: [] };
    for (let i = 0; i < RUNS; i++) {
      build.opta.push(await step([[process.execPath, buildArgs]], env));
      build.helm.push(await step([[HELM, ['package', ...chartDirs, '--destination', pkgDir]]], env));
    }
    rows.push(build);

    const reg = await startRegistry(work);
    registry = reg.child;
    const optaPush = (path: string): [string, string[]] => [process.execPath, [CLI, 'publish', '--to', `oci://${reg.host}/${path}`, '--plain-http', ...archives]];
    const helmPush = (path: string): [string, string[]][] => archives.map((a) => [HELM, ['push', a, `oci://${reg.host}/${path}`, '--plain-http']]);

    const publish: Row = { name: `publish ${archives.length} archives vs \`helm push\``, opta: [], helm: [] };
    for (let i = 0; i < RUNS; i++) {
      publish.opta.push(await step([optaPush(`opta-${i}`)], env));
      publish.helm.push(await step(helmPush(`helm-${i}`), env));
    }
    rows.push(publish);

    const again: Row = { name: 're-publish unchanged vs `helm push` again', opta: [], helm: [] };
    for (let i = 0; i < RUNS; i++) {
      again.opta.push(await step([optaPush('opta-0')], env));
      again.helm.push(await step(helmPush('helm-0'), env));
    }
    rows.push(again);
    report(rows);
  } finally {
    registry?.kill();
    await charts?.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench failed: ${(e as Error).message}`);
  process.exitCode = 1;
});
