// `npm run bench`: opta-charts against Helm 4.1.4 doing the same work on this machine, as paired per-round ratios.
// Not a test: it prints figures for the README and exits non-zero only when a step itself fails, never on a missed
// target. Needs Helm 4.1.4 in .cache/helm (npm run pretest), GNU time (/usr/bin/time) and docker-registry. Offline:
// opta-base's upstream charts are the stand-ins (test/support/standin-charts.ts, real sizes), served from one loopback
// chart repository that both sides use (opta-charts through --mirror '*=URL', Helm through Chart.yaml's repository
// URLs rewritten to it), and charts are pushed to one throwaway docker-registry on 127.0.0.1.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import yaml from 'js-yaml';
import { packageRoot } from '../generator/paths.js';
import { writeScaledServiceChart, writeSubchartServiceChart } from '../test/support/bench-charts.js';
import { startChartRepo, type ChartRepoServer } from '../test/support/chart-repo-server.js';
import { startRegistry, type TestRegistry } from '../test/support/registry.js';
import { standInArchive, standInCharts } from '../test/support/standin-charts.js';
import { writeStandInProjectLock } from '../test/support/standin-lock.js';
import { pairedRounds, reportTable, step, type Command, type Row, type Side } from './bench-measure.js';

const ROUNDS = Number(process.env.OPTA_BENCH_ROUNDS || 7);
const HELM = process.env.OPTA_BENCH_HELM || join(packageRoot, '.cache', 'helm', '4.1.4', 'helm');
const CLI = join(packageRoot, 'bin', 'opta-charts.js');
const RSS_TARGET_MIB = 60;
/**
 * OPTA_BENCH_TEMPLATE_CHECK=0: opta-charts runs without a Helm, so it skips its Go-template check. No timed row changes:
 * the shipped sources' checks are recorded as passed (the cold row runs no Helm for them either), and the generated
 * charts are timed warm only; what it skips is the check of the generated charts in the untimed reference build.
 */
const TEMPLATE_CHECK = process.env.OPTA_BENCH_TEMPLATE_CHECK !== '0';
/** Chart sources generated for the scaling rows: name → how. */
const SCALED = { 'bench-x10': 10, 'bench-x100': 100 } as const;
const SUBCHART = 'bench-sub50';
/**
 * With NODE_EXTRA_CA_CERTS set, Node 20 builds its root certificate store at every start, before any JavaScript runs
 * (src/node.cc calls UseExtraCaCerts in src/crypto/crypto_context.cc: Node's own roots parsed, then the file's), which
 * no program can avoid; set to the system bundle, as on the machines this project is developed on, that made `node -e 0`
 * about 40 ms slower (23 → 64 ms), more than `helm package` of opta-service takes. When it is set, the start-up rows
 * run both ways, so the figures show what the environment costs and what opta-charts does.
 */
const EXTRA_CA_CERTS = process.env.NODE_EXTRA_CA_CERTS;

interface Paths {
  /** The loopback chart repository holding the stand-ins. */
  repo: string;
  /** oci://127.0.0.1:PORT */
  registry: string;
  /** This opta-charts' build has --publish-to (build and push in one process). */
  publishTo: boolean;
}

/**
 * Every command each side runs, in one place. opta-charts' side is what a user runs (one process per command);
 * Helm's is what Helm needs for the same result. `--skip-refresh` on Helm's dependency build: opta-charts reads no
 * index when its cache has the locked archives (warm) and reads each repository's index once when it has not (cold);
 * Helm with --skip-refresh reads the index that `helm repo add` cached, once, and downloads every archive (its content
 * cache is not used for classic repositories), which is the least work Helm can do for the same result.
 */
function commands(p: Paths) {
  const opta = (...args: string[]): Command => [process.execPath, CLI, ...args];
  const helm = (...args: string[]): Command => [HELM, ...args];
  const o = {
    build: (b: { source: string; out: string; cache: string; charts?: string[] }): Command[] => [
      opta('build', '--source', b.source, '--out', b.out, '--cache-dir', b.cache, '--mirror', `*=${p.repo}`, ...(b.charts ?? []).flatMap((c) => ['--chart', c])),
    ],
    publish: (archives: string[], path: string): Command[] => [opta('publish', '--to', `${p.registry}/${path}`, '--plain-http', ...archives)],
    /** Build both charts, then push what was built: in one process (`build --publish-to`) when this opta-charts has it,
     * as a user would then run it; else `build` and `publish` one after the other. */
    pipeline: (b: { source: string; out: string; cache: string }, archiveNames: string[], path: string): Command[] => {
      if (!p.publishTo) return [...o.build(b), ...o.publish(archiveNames.map((a) => join(b.out, a)), path)];
      return o.build(b).map((c) => [...c, '--publish-to', `${p.registry}/${path}`, '--plain-http']);
    },
  };
  const h = {
    repoAdd: (): Command[] => [helm('repo', 'add', 'standins', p.repo)],
    package: (chartDirs: string[], dest: string): Command[] => [helm('package', ...chartDirs, '--destination', dest)],
    push: (archives: string[], path: string): Command[] => archives.map((a) => helm('push', a, `${p.registry}/${path}`, '--plain-http')),
    /** Both charts: opta-base's dependencies fetched into its charts/ (and its Chart.lock written), then both packaged. */
    buildBoth: (baseDir: string, serviceDir: string, dest: string): Command[] => [helm('dependency', 'build', '--skip-refresh', baseDir), ...h.package([baseDir, serviceDir], dest)],
    pipeline: (baseDir: string, serviceDir: string, dest: string, archiveNames: string[], path: string): Command[] => [
      ...h.buildBoth(baseDir, serviceDir, dest),
      ...h.push(archiveNames.map((a) => join(dest, a)), path),
    ],
  };
  return { opta: o, helm: h };
}

function withoutExtraCaCerts(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _, ...rest } = env;
  return rest;
}

/** Isolated Helm homes under `dir` (Helm's repositories, index cache and registry config live there). */
function helmEnv(dir: string): NodeJS.ProcessEnv {
  return { ...process.env, HOME: dir, HELM_CONFIG_HOME: join(dir, 'config'), HELM_CACHE_HOME: join(dir, 'cache'), HELM_DATA_HOME: join(dir, 'data') };
}

/**
 * Helm's copy of a chart directory opta-charts rendered: without ci/ (opta-charts leaves it out of the archive), and
 * for a chart with dependencies (opta-base) without charts/ and Chart.lock (Helm's dependency build must fetch and
 * write them) and every dependency's repository (the `oci://` one too) pointing at the loopback repository. A chart
 * without dependencies keeps its charts/ (the 50 MB subchart).
 */
function helmChartCopy(rendered: string, dest: string, repo: string): string {
  rmSync(dest, { recursive: true, force: true });
  cpSync(rendered, dest, { recursive: true });
  rmSync(join(dest, 'ci'), { recursive: true, force: true });
  const chartYaml = join(dest, 'Chart.yaml');
  const chart = yaml.load(readFileSync(chartYaml, 'utf8')) as { dependencies?: { repository?: string }[] };
  if (chart.dependencies) {
    for (const drop of ['charts', 'Chart.lock']) rmSync(join(dest, drop), { recursive: true, force: true });
    for (const d of chart.dependencies) d.repository = repo;
    writeFileSync(chartYaml, yaml.dump(chart));
  }
  return dest;
}

/** The files of a chart archive, subchart archives unpacked in place (Helm's package writes subcharts as directories,
 * opta-charts keeps the vendored .tgz). */
function chartFiles(archive: string, into: string): string[] {
  rmSync(into, { recursive: true, force: true });
  mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-xzf', archive, '-C', into]);
  const files = readdirSync(into, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(into, f)).isFile());
  for (const f of files.filter((f) => /\/charts\/[^/]+\.tgz$/.test(f))) {
    execFileSync('tar', ['-xzf', join(into, f), '-C', join(into, dirname(f))]);
    rmSync(join(into, f));
  }
  return readdirSync(into, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(into, f)).isFile()).sort();
}

/** Says whether Helm's archive holds the same files as opta-charts' (the two sides did the same work). */
function sameFiles(optaArchive: string, helmArchive: string, scratch: string): string {
  const [o, h] = [chartFiles(optaArchive, join(scratch, 'opta')), chartFiles(helmArchive, join(scratch, 'helm'))];
  const onlyO = o.filter((x) => !h.includes(x));
  const onlyH = h.filter((x) => !o.includes(x));
  const what = basename(optaArchive);
  return onlyO.length + onlyH.length === 0
    ? `${what}: both sides' archives hold the same ${o.length} files (subcharts unpacked)`
    : `${what}: only opta-charts' archive has ${onlyO.join(', ') || 'nothing'}; only Helm's has ${onlyH.join(', ') || 'nothing'}`;
}

const archivesIn = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.tgz')).sort().map((n) => join(dir, n));

function machineFacts(): string {
  const helm = execFileSync(HELM, ['version', '--short'], { encoding: 'utf8' }).trim();
  const cpu = cpus();
  return `${cpu.length} CPUs (${cpu[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, Helm ${helm}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'opta-bench-'));
  let repoServer: ChartRepoServer | undefined;
  let registry: TestRegistry | undefined;
  try {
    const before = machineFacts();
    // Sources: a copy of the project with the stand-ins' lock (the project's own lock never holds them), and a second
    // copy with the generated scaling charts (so a plain `build` of the first builds exactly today's two charts).
    const source = join(work, 'source');
    const scaleSource = join(work, 'scale-source');
    for (const dir of ['chart-templates', 'schemas']) {
      cpSync(join(packageRoot, dir), join(source, dir), { recursive: true });
      cpSync(join(packageRoot, dir), join(scaleSource, dir), { recursive: true });
    }
    await writeStandInProjectLock(source);
    for (const [name, factor] of Object.entries(SCALED)) writeScaledServiceChart(scaleSource, name, factor);
    writeSubchartServiceChart(scaleSource, SUBCHART);

    repoServer = await startChartRepo({ repos: { '': standInCharts().map((c) => ({ name: c.name, version: c.version, archive: standInArchive(c.name, c.version) })) } });
    registry = await startRegistry();
    const publishTo = execFileSync(process.execPath, [CLI, 'build', '--help'], { encoding: 'utf8' }).includes('--publish-to');
    const p: Paths = { repo: repoServer.url, registry: registry.url, publishTo };
    const { opta, helm } = commands(p);
    // opta-charts runs its template check with the same Helm, as for a user who has Helm on PATH (unless turned off).
    const optaEnv: NodeJS.ProcessEnv = { ...process.env, OPTA_CHARTS_HELM: TEMPLATE_CHECK ? HELM : undefined };
    const warmCache = join(work, 'cache');

    // Reference builds (untimed): fill the warm cache and the source-check passes, and give Helm its chart directories.
    process.stderr.write('reference builds (fill the warm cache, render the charts Helm will package)\n');
    const ref = join(work, 'ref');
    await step(opta.build({ source, out: ref, cache: warmCache }), optaEnv);
    const scaleRef = join(work, 'scale-ref');
    const scaleCharts = [...Object.keys(SCALED), SUBCHART];
    await step(opta.build({ source: scaleSource, out: scaleRef, cache: warmCache, charts: scaleCharts }), optaEnv);
    const archives = archivesIn(ref);
    const names = archives.map((a) => basename(a));
    const helmSrc = join(work, 'helm-src');
    const service = helmChartCopy(join(ref, 'opta-service'), join(helmSrc, 'opta-service'), p.repo);
    const base = helmChartCopy(join(ref, 'opta-base'), join(helmSrc, 'opta-base'), p.repo);
    const scaleDirs = Object.fromEntries(scaleCharts.map((c) => [c, helmChartCopy(join(scaleRef, c), join(helmSrc, c), p.repo)]));
    /** A round's own directory, emptied; for Helm with a fresh copy of opta-base (its dependency build writes into it). */
    const roundDir = (name: string) => join(work, 'rounds', name);
    const freshRound = (name: string, withBase: boolean) => {
      rmSync(roundDir(name), { recursive: true, force: true });
      if (withBase) cpSync(base, join(roundDir(name), 'opta-base'), { recursive: true });
    };
    const roundBase = (name: string) => join(roundDir(name), 'opta-base');
    const roundPackages = (name: string) => join(roundDir(name), 'packages');
    // Warm Helm: the repository added and its index cached.
    const warmHelm = helmEnv(join(work, 'helm-warm'));
    await step(helm.repoAdd(), warmHelm);
    freshRound('check', true);
    await step(helm.buildBoth(roundBase('check'), service, roundPackages('check')), warmHelm);
    for (const a of archives) process.stderr.write(`${sameFiles(a, join(roundPackages('check'), basename(a)), join(work, 'compare'))}\n`);

    const rows: Row[] = [];
    const out = join(work, 'out');
    const pkg = join(work, 'helm-packages');
    const warmBuild = { source, out, cache: warmCache };
    const optaSide = (commands: (round: number) => Command[], prepare?: (round: number) => void) => ({ env: optaEnv, commands, prepare });
    const helmSide = (commands: (round: number) => Command[], prepare?: (round: number) => void, env: Side['env'] = warmHelm) => ({ env, commands, prepare });

    process.stderr.write(`${ROUNDS} paired rounds per row\n`);
    rows.push(
      await pairedRounds(
        'build both charts, warm cache',
        1.0,
        true,
        optaSide(() => opta.build(warmBuild)),
        helmSide((r) => helm.buildBoth(roundBase(`warm-${r}`), service, pkg), (r) => freshRound(`warm-${r}`, true)),
        ROUNDS,
      ),
    );
    // opta-service alone is close to Node's own start-up: that floor is measured too (a reference row, no target).
    const serviceAlone = optaSide(() => opta.build({ ...warmBuild, charts: ['opta-service'] }));
    const nodeStart = optaSide(() => [[process.execPath, '-e', '0']]);
    const helmPackage = helmSide(() => helm.package([service], pkg));
    rows.push(await pairedRounds('build opta-service alone', 1.6, true, serviceAlone, helmPackage, ROUNDS));
    rows.push(await pairedRounds('reference: Node start-up alone (`node -e 0`)', undefined, true, nodeStart, helmPackage, ROUNDS));
    if (EXTRA_CA_CERTS !== undefined) {
      const unset = (side: Side): Side => ({ ...side, env: withoutExtraCaCerts(optaEnv) });
      rows.push(await pairedRounds('build opta-service alone, NODE_EXTRA_CA_CERTS unset', 1.6, true, unset(serviceAlone), helmPackage, ROUNDS));
      rows.push(await pairedRounds('reference: Node start-up alone, NODE_EXTRA_CA_CERTS unset', undefined, true, unset(nodeStart), helmPackage, ROUNDS));
    }
    rows.push(
      await pairedRounds(
        'pipeline: build + publish both, warm',
        0.6,
        true,
        // A fresh registry repository each round, so every push uploads.
        optaSide((r) => opta.pipeline(warmBuild, names, `warm-opta-${r}`)),
        helmSide((r) => helm.pipeline(roundBase(`pipe-${r}`), service, roundPackages(`pipe-${r}`), names, `warm-helm-${r}`), (r) => freshRound(`pipe-${r}`, true)),
        ROUNDS,
      ),
    );
    rows.push(
      await pairedRounds(
        'pipeline, cold (empty caches)',
        0.6,
        true,
        // An empty cache: every upstream archive downloaded, and the source checks made again.
        optaSide(
          (r) => opta.pipeline({ source, out: join(roundDir(`cold-opta-${r}`), 'out'), cache: join(roundDir(`cold-opta-${r}`), 'cache') }, names, `cold-opta-${r}`),
          (r) => freshRound(`cold-opta-${r}`, false),
        ),
        // Fresh Helm homes: no repository, no index, no registry configuration.
        helmSide(
          (r) => [...helm.repoAdd(), ...helm.pipeline(roundBase(`cold-helm-${r}`), service, roundPackages(`cold-helm-${r}`), names, `cold-helm-${r}`)],
          (r) => freshRound(`cold-helm-${r}`, true),
          (r) => helmEnv(join(roundDir(`cold-helm-${r}`), 'home')),
        ),
        ROUNDS,
      ),
    );
    // Re-publish: both sides push the same two archives again to where they already are.
    await step(opta.publish(archives, 'again-opta'), optaEnv);
    await step(helm.push(archives, 'again-helm'), warmHelm);
    rows.push(await pairedRounds('re-publish unchanged', 0.7, true, optaSide(() => opta.publish(archives, 'again-opta')), helmSide(() => helm.push(archives, 'again-helm')), ROUNDS));
    const scaleRow = (name: string, chart: string, target: number) =>
      pairedRounds(name, target, false, optaSide(() => opta.build({ source: scaleSource, out: join(work, 'scale-out'), cache: warmCache, charts: [chart] })), helmSide(() => helm.package([scaleDirs[chart]], pkg)), ROUNDS);
    rows.push(await scaleRow('a chart with 10× the files', 'bench-x10', 2.0));
    rows.push(await scaleRow('a chart with 100× the files', 'bench-x100', 2.5));
    rows.push(await scaleRow('a chart with a 50 MB subchart', SUBCHART, 1.5));

    console.log(reportTable(rows, RSS_TARGET_MIB));
    console.log(`\nbefore: ${before}\nafter:  ${machineFacts()}`);
    console.log(`ratio = opta-charts ms / Helm ms within one round; ${ROUNDS} rounds per row after one warm-up round, the order alternating`);
    console.log(`opta-charts pipeline: ${publishTo ? 'build --publish-to (one process)' : 'build, then publish (two processes)'}`);
    console.log(
      EXTRA_CA_CERTS === undefined
        ? 'NODE_EXTRA_CA_CERTS: not set'
        : `NODE_EXTRA_CA_CERTS=${EXTRA_CA_CERTS}: every opta-charts row pays Node reading it at start-up; the rows marked "unset" run without it`,
    );
    console.log(`opta-charts' Go-template check: ${TEMPLATE_CHECK ? `on (${HELM})` : 'off (OPTA_BENCH_TEMPLATE_CHECK=0): the generated charts are not template-checked'}`);
  } finally {
    await registry?.stop();
    await repoServer?.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench failed: ${(e as Error).message}`);
  process.exitCode = 1;
});
