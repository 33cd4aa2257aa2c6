// Runs the bundled CLI (bin/opta-charts.js → lib/opta-charts.cjs) as a child process, for what only a real process
// shows: signals, concurrent builds, file permissions. `npm test` bundles lib/ first (pretest); for a focused run,
// run `npm run build` before.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { HELMS } from './helm.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'opta-charts.js');

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  /** Resolves once stderr contains `text` (or rejects when the process ends without it). */
  stderrContains(text: string): Promise<void>;
  finished: Promise<Finished>;
}

export function startCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number } = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    // With Helm named, builds parse-check Go templates (and print no "helm is not on PATH" warning).
    env: { ...process.env, OPTA_CHARTS_HELM: HELMS[0].path, ...options.env },
    uid: options.uid,
    gid: options.gid,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => {
    stderr += d;
    for (const w of waiters.filter((w) => stderr.includes(w.text))) w.resolve();
  });
  const finished = new Promise<Finished>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return {
    child,
    finished,
    stderrContains: (text) =>
      stderr.includes(text)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ text, resolve });
            void finished.then((f) => reject(new Error(`process ended (${f.code ?? f.signal}) without printing "${text}":\n${f.stderr}`)));
          }),
  };
}

export async function runCli(args: string[], options: Parameters<typeof startCli>[1] = {}): Promise<Finished> {
  const p = startCli(args, options);
  p.child.stdin!.end();
  return p.finished;
}
