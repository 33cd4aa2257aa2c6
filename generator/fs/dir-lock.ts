// One writer per output directory: concurrent builds into the same dist-charts/ take turns instead of racing their renames.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { problemAt } from '../errors.js';
import { undoOnInterrupt } from './interrupt.js';

export const LOCK_FILE_NAME = '.opta-charts.lock';
const DEFAULT_WAIT_MS = 10 * 60_000;

/** True while process `pid` exists (EPERM: it exists, but belongs to another user). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const holderOf = async (file: string): Promise<number | undefined> => {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // Gone, or not readable: no holder to name.
  }
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
};

/**
 * Takes `<dir>/.opta-charts.lock` (created with O_EXCL and holding our pid), waiting while another running process holds
 * it; a lock whose process is gone (killed with SIGKILL) is taken over. Returns the release function.
 * `notice` is told once when we have to wait, so a build never waits silently.
 */
export async function lockDirectory(dir: string, notice: (line: string) => void, maxWaitMs = DEFAULT_WAIT_MS): Promise<() => Promise<void>> {
  const file = join(dir, LOCK_FILE_NAME);
  const started = Date.now();
  let announced = false;
  for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw problemAt(file, undefined, `cannot create the output lock: ${(e as Error).message}`);
    }
    const holder = await holderOf(file);
    if (holder === undefined || !isRunning(holder)) {
      // Unreadable or empty: the holder may be between create and write; only a lock with a dead pid is stale.
      if (holder !== undefined) rmSync(file, { force: true });
    } else {
      if (!announced) notice(`waiting: another opta-charts build (pid ${holder}) is writing ${dir} (lock file ${file})`);
      announced = true;
      if (Date.now() - started > maxWaitMs) {
        throw problemAt(file, undefined, `another opta-charts build (pid ${holder}) has held this lock for over ${Math.round(maxWaitMs / 60_000)} minutes`, 'if no build is running, remove the lock file');
      }
    }
    await new Promise((r) => setTimeout(r, delay));
  }
  const ours = () => {
    try {
      return readFileSync(file, 'utf8').trim() === String(process.pid);
    } catch {
      return false;
    }
  };
  const releaseOnSignal = undoOnInterrupt(() => {
    if (ours()) rmSync(file, { force: true });
  });
  return async () => {
    releaseOnSignal();
    if (ours()) rmSync(file, { force: true });
  };
}

/** Leftovers of a build killed without a chance to clean up (SIGKILL, power loss): `<name>.tmp-<pid>`, `<name>.old-<pid>`. */
export async function removeDeadLeftovers(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const m = /\.(?:tmp|old)-(\d+)$/.exec(name);
    if (!m || isRunning(Number(m[1]))) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
