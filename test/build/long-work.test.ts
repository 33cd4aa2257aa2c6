// V8's modes (bin/load-bundle.cjs, generator/long-work.ts): the bundled CLI runs without optimizing compilers (less peak
// memory in a short run), and long work runs with them. Observed in child processes through V8's own optimization
// status (--allow-natives-syntax), because flags are the whole process's.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { packageRoot } from '../../generator/paths.js';

const LOADER = join(packageRoot, 'bin', 'load-bundle.cjs');
const LONG_WORK = join(packageRoot, 'generator', 'long-work.ts');

/**
 * Runs `body` in a child Node (TypeScript through tsx) where `optimized()` tells whether V8 optimizes a fresh function
 * when asked to, i.e. whether TurboFan is on; prints what `body` returns as JSON.
 */
function inChild(body: string): unknown {
  const script = `
    const optimized = () => {
      const f = new Function('a', 'return a + 1');
      %PrepareFunctionForOptimization(f); f(1); f(2); %OptimizeFunctionOnNextCall(f); f(3);
      return (%GetOptimizationStatus(f) & 16) !== 0; // V8's OptimizationStatus::kOptimized
    };
    const { runAsLongWork } = await import(${JSON.stringify(LONG_WORK)});
    const loadBundle = () => require(${JSON.stringify(LOADER)}).loadBundle(${JSON.stringify(join(packageRoot, 'lib', 'build.cjs'))});
    console.log(JSON.stringify(await (async () => { ${body} })()));`;
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', `import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(LOADER)}); ${script}`], {
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

describe('V8 modes: a short run interpreted, long work optimized', () => {
  it('Node optimizes by default; requiring the loader for its helpers changes nothing', () => {
    expect(inChild(`require(${JSON.stringify(LOADER)}); return optimized();`)).toBe(true);
  });

  it('once the bundle is loaded nothing is optimized, but inside runAsLongWork it is, and after it (also after a throw) no longer', () => {
    const result = inChild(`
      loadBundle();
      const before = optimized();
      const inside = runAsLongWork(() => optimized());
      const after = optimized();
      try { runAsLongWork(() => { throw new Error('x'); }); } catch {}
      return { before, inside, after, afterThrow: optimized(), value: runAsLongWork(() => 42) };`);
    expect(result).toEqual({ before: false, inside: true, after: false, afterThrow: false, value: 42 });
  });

  it('without the loader (the sources, as in tests) runAsLongWork changes no flag', () => {
    expect(inChild(`return { inside: runAsLongWork(() => optimized()), after: optimized() };`)).toEqual({ inside: true, after: true });
  });
});

describe('what runs as long work', () => {
  it('parsing an index.yaml over 256 KiB, and not a small one', async () => {
    vi.resetModules();
    const calls: number[] = [];
    vi.doMock('../../generator/long-work.js', () => ({
      runAsLongWork: <T>(work: () => T): T => {
        calls.push(1);
        return work();
      },
    }));
    const { parseRepoIndex } = await import('../../generator/fetch/upstream-index.js');
    const entry = (i: number) => `  - version: 1.${i}.0\n    urls: [c-1.${i}.0.tgz]\n    description: ${'x'.repeat(200)}\n`;
    const small = `apiVersion: v1\nentries:\n  c:\n${entry(0)}`;
    const large = `apiVersion: v1\nentries:\n  c:\n${Array.from({ length: 1200 }, (_, i) => entry(i)).join('')}`;
    expect(large.length).toBeGreaterThan(256 * 1024);
    expect(parseRepoIndex(small, 'http://r/index.yaml').c).toHaveLength(1);
    expect(calls).toHaveLength(0);
    expect(parseRepoIndex(large, 'http://r/index.yaml').c).toHaveLength(1200);
    expect(calls).toHaveLength(1);
    vi.doUnmock('../../generator/long-work.js');
  });
});
