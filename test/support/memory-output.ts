// An Output that collects lines in memory, for tests that run commands through main().
import type { Output } from '../../generator/output.js';

export function memoryOutput(): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), progress: true };
}
