// Measuring for `npm run bench` (dev-only): commands under GNU time, paired rounds (both sides back to back, the
// order alternating), per-round ratios, and the report table.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** One process to run: argv[0] is the program. */
export type Command = string[];

export interface Sample {
  ms: number;
  /** Peak resident set size in MiB of the largest process of the step (GNU time's %M), when GNU time is there. */
  peakMiB?: number;
}

/**
 * Runs one command, measuring wall time and peak RSS. Throws (with its stderr) when it fails: a failed step is the
 * one thing that makes the bench exit non-zero. Asynchronous, because the loopback chart repository is served from
 * this process.
 */
export async function run(command: Command, env: NodeJS.ProcessEnv, cwd?: string): Promise<Sample> {
  const [cmd, ...args] = command;
  const memFile = join(tmpdir(), `opta-bench-mem-${process.pid}`);
  const [bin, argv] = TIME ? [TIME, ['-f', '%M', '-o', memFile, cmd, ...args]] : [cmd, args];
  const started = performance.now();
  try {
    const { status, stderr } = await new Promise<{ status: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(bin, argv, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ status: code, stderr: err }));
    });
    const ms = performance.now() - started;
    if (status !== 0) throw new Error(`${command.join(' ')} failed (exit ${status}):\n${stderr}`);
    // GNU time writes "Command exited with non-zero status" lines before the figure; the figure is last.
    const peakMiB = TIME ? Number(readFileSync(memFile, 'utf8').trim().split('\n').pop()) / 1024 : undefined;
    return { ms, peakMiB };
  } finally {
    rmSync(memFile, { force: true });
  }
}

/** Several commands as one step, one after another: times add up, the peak is the largest process's. */
export async function step(commands: Command[], env: NodeJS.ProcessEnv): Promise<Sample> {
  const samples: Sample[] = [];
  for (const c of commands) samples.push(await run(c, env));
  const peaks = samples.flatMap((s) => (s.peakMiB === undefined ? [] : [s.peakMiB]));
  return { ms: samples.reduce((t, s) => t + s.ms, 0), peakMiB: peaks.length ? Math.max(...peaks) : undefined };
}

/** One side of a row: what to do before each round (not timed) and the commands of the round (timed). */
export interface Side {
  env: NodeJS.ProcessEnv | ((round: number) => NodeJS.ProcessEnv);
  prepare?: (round: number) => void;
  commands: (round: number) => Command[];
}

export interface Row {
  name: string;
  /** The target for the ratio opta-charts / Helm (the row passes when the median ratio is at most this); none for a
   * reference row. */
  target?: number;
  /** Part of "peak RSS at today's sizes" (today's charts, not the scaling rows). */
  todaysSizes: boolean;
  opta: Sample[];
  helm: Sample[];
}

/**
 * Runs `rounds` paired rounds (after one untimed warm-up round): in each, both sides back to back, opta-charts first
 * in even rounds and Helm first in odd ones, so neither side always runs on a warmer machine.
 */
export async function pairedRounds(name: string, target: number | undefined, todaysSizes: boolean, opta: Side, helm: Side, rounds: number): Promise<Row> {
  const row: Row = { name, target, todaysSizes, opta: [], helm: [] };
  const once = async (side: Side, round: number) => {
    side.prepare?.(round);
    return step(side.commands(round), typeof side.env === 'function' ? side.env(round) : side.env);
  };
  for (let round = -1; round < rounds; round++) {
    const optaFirst = round % 2 === 0;
    const first = await once(optaFirst ? opta : helm, round);
    const second = await once(optaFirst ? helm : opta, round);
    if (round < 0) continue;
    row.opta.push(optaFirst ? first : second);
    row.helm.push(optaFirst ? second : first);
  }
  process.stderr.write(`  ${name}: done\n`);
  return row;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const peak = (xs: Sample[]): number | undefined => {
  const peaks = xs.flatMap((s) => (s.peakMiB === undefined ? [] : [s.peakMiB]));
  return peaks.length ? Math.max(...peaks) : undefined;
};
const mib = (x: number | undefined) => (x === undefined ? 'n/a' : `${x.toFixed(0)} MiB`);
const mark = (ok: boolean) => (ok ? '✓' : '✗');

/** The Markdown table of the rows (ratios per round: min / median / max) and the peak-RSS row. */
export function reportTable(rows: Row[], rssTargetMiB: number): string {
  const lines = [
    '| row | opta-charts (median) | Helm 4.1.4 (median) | ratio min / **median** / max | target | | peak RSS opta-charts | peak RSS Helm |',
    '|---|---:|---:|---:|---:|:-:|---:|---:|',
  ];
  for (const r of rows) {
    const ratios = r.opta.map((o, i) => o.ms / r.helm[i].ms);
    const [lo, mid, hi] = [Math.min(...ratios), median(ratios), Math.max(...ratios)];
    const o = median(r.opta.map((s) => s.ms));
    const h = median(r.helm.map((s) => s.ms));
    lines.push(
      `| ${r.name} | ${o.toFixed(0)} ms | ${h.toFixed(0)} ms | ${lo.toFixed(2)} / **${mid.toFixed(2)}** / ${hi.toFixed(2)} | ${r.target === undefined ? '—' : `≤ ${r.target.toFixed(1)}×`} | ${r.target === undefined ? '' : mark(mid <= r.target)} | ${mib(peak(r.opta))} | ${mib(peak(r.helm))} |`,
    );
  }
  const today = rows.filter((r) => r.todaysSizes);
  const rss = peak(today.flatMap((r) => r.opta));
  lines.push(`| peak RSS at today's sizes (largest opta-charts process of the rows above the scaling rows) | — | — | ${mib(rss)} | ≤ ${rssTargetMiB} MiB | ${mark(rss !== undefined && rss <= rssTargetMiB)} | | |`);
  return lines.join('\n');
}
