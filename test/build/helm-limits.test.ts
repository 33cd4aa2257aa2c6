// Helm's 5 MiB per-file loader limit: both Helm releases refuse such an archive (top level and inside a vendored
// subchart), and `build` refuses to produce one, naming the file.
import { cp, mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../generator/cli.js';
import { memoryOutput } from '../support/memory-output.js';
import { packChart } from '../../generator/package/archive.js';
import { checkHelmLimits, HELM_MAX_FILE_BYTES } from '../../generator/package/helm-limits.js';
import { packageRoot } from '../../generator/paths.js';
import { sha256Hex } from '../../generator/encoding/sha256.js';
import { limitsPassesIn } from '../../generator/build/limits-passes.js';
import { HELMS, runHelm } from '../support/helm.js';

/** Bytes gzip cannot shrink much, so the archive is as large as the file (the limit is on the decompressed size). */
const bytes = (n: number) => {
  const b = Buffer.alloc(n);
  for (let i = 0, x = 1; i < n; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return b;
};
const chart = (name: string, extra: Record<string, Buffer>) =>
  packChart(name, {
    'Chart.yaml': Buffer.from(`apiVersion: v2\nname: ${name}\nversion: 1.0.0\n`),
    'templates/cm.yaml': Buffer.from(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`),
    ...extra,
  });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opta-limits-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(HELMS)("Helm $version's loader", (helm) => {
  // Helm 3 prints the loader's message; Helm 4.1.4 reports only that it could not load a top-level archive (the 5 MiB
  // file that loads, same layout, shows the refusal is the size) but names the file inside a subchart.
  const refusal = helm.major === 3 ? 'is larger than the maximum file size 5242880' : 'unable to load chart archive';
  it('loads a file of exactly 5 MiB, refuses one byte more at the top level and inside charts/*.tgz', async () => {
    const render = async (file: string, archive: Buffer) => {
      await writeFile(join(dir, file), archive);
      return runHelm(helm, ['template', 'x', join(dir, file)]);
    };
    expect((await render('ok.tgz', chart('ok', { 'files/max.bin': bytes(HELM_MAX_FILE_BYTES) }))).code).toBe(0);
    const top = await render('top.tgz', chart('top', { 'files/big.bin': bytes(HELM_MAX_FILE_BYTES + 1) }));
    expect(top.code).not.toBe(0);
    expect(top.stderr).toContain(refusal);
    const sub = chart('sub', { 'files/big.bin': bytes(HELM_MAX_FILE_BYTES + 1) });
    expect(sub.length).toBeLessThan(HELM_MAX_FILE_BYTES * 2);
    const nested = await render('nested.tgz', chart('parent', { 'charts/sub-1.0.0.tgz': sub }));
    expect(nested.code).not.toBe(0);
    expect(nested.stderr).toContain('"sub/files/big.bin" is larger than the maximum file size 5242880');
  });
});

describe('checkHelmLimits', () => {
  it('names the file over 5 MiB, also inside a vendored subchart archive', () => {
    expect(() => checkHelmLimits('c', { 'files/max.bin': Buffer.alloc(HELM_MAX_FILE_BYTES) })).not.toThrow();
    expect(() => checkHelmLimits('c', { 'files/big.bin': Buffer.alloc(HELM_MAX_FILE_BYTES + 1) })).toThrow(
      'c/files/big.bin is 5242881 bytes; Helm refuses a chart archive with a file larger than 5 MiB (5242880 bytes)',
    );
    const sub = chart('sub', { [`files/${'d/'.repeat(60)}big.bin`]: Buffer.alloc(HELM_MAX_FILE_BYTES + 1) });
    expect(() => checkHelmLimits('c', { 'charts/sub-1.0.0.tgz': sub })).toThrow(
      `c/charts/sub-1.0.0.tgz: sub/files/${'d/'.repeat(60)}big.bin is 5242881 bytes`,
    );
    // ci/ scenarios are not shipped, so they do not count
    expect(() => checkHelmLimits('c', { 'ci/big-values.yaml': Buffer.alloc(HELM_MAX_FILE_BYTES + 1) })).not.toThrow();
  });

  it('records the vendored archives that pass and skips those recorded (the verdict depends on their bytes alone)', () => {
    const recorded = new Set<string>();
    const passes = { has: (sha: string) => recorded.has(sha), add: (sha: string) => void recorded.add(sha) };
    const good = chart('good', {});
    checkHelmLimits('c', { 'charts/good-1.0.0.tgz': good }, passes);
    expect([...recorded]).toEqual([sha256Hex(good)]);
    const bad = chart('bad', { 'files/big.bin': Buffer.alloc(HELM_MAX_FILE_BYTES + 1) });
    expect(() => checkHelmLimits('c', { 'charts/bad-1.0.0.tgz': bad }, passes)).toThrow('c/charts/bad-1.0.0.tgz: bad/files/big.bin is 5242881 bytes');
    expect(recorded.has(sha256Hex(bad))).toBe(false);
    // Recorded as passed: not decompressed again (so even these bytes are not looked into).
    recorded.add(sha256Hex(bad));
    expect(() => checkHelmLimits('c', { 'charts/bad-1.0.0.tgz': bad }, passes)).not.toThrow();
  });

  it("remembers passes in the cache directory's checked/helm-limits/", () => {
    const cache = join(dir, 'limits-cache');
    const sha = sha256Hex(Buffer.from('x'));
    expect(limitsPassesIn(cache).has(sha)).toBe(false);
    limitsPassesIn(cache).add(sha);
    expect(limitsPassesIn(cache).has(sha)).toBe(true);
    expect(existsSync(join(cache, 'checked', 'helm-limits', sha))).toBe(true);
  });
});

describe('opta-charts build', () => {
  it('refuses to produce an archive with a file over 5 MiB, naming it; the other charts still build', async () => {
    const source = join(dir, 'src');
    for (const sub of ['chart-templates', 'schemas']) await cp(join(packageRoot, sub), join(source, sub), { recursive: true });
    await mkdir(join(source, 'chart-templates', 'opta-service', 'files'), { recursive: true });
    await writeFile(join(source, 'chart-templates', 'opta-service', 'files', 'big.bin'), Buffer.alloc(HELM_MAX_FILE_BYTES + 1));
    const output = memoryOutput();
    const out = join(dir, 'out');
    const code = await main(['node', 'opta-charts', 'build', '--source', source, '--out', out, '--chart', 'opta-service'], { output, cwd: dir, env: {}, stdin: process.stdin });
    expect(code).toBe(1);
    expect(output.stderr.join('\n')).toContain('error: opta-service: opta-service/files/big.bin is 5242881 bytes; Helm refuses a chart archive with a file larger than 5 MiB');
    expect(existsSync(out) ? (await readdir(out)).filter((f) => f.endsWith('.tgz')) : []).toEqual([]);
  });
});
