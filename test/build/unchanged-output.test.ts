// A rebuild of unchanged sources leaves the output as it is (reading costs less than rewriting); any difference in
// the output directory (a changed, extra or missing file) is replaced as before.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../generator/cli.js';
import { readTree } from '../../generator/fs/tree.js';
import { memoryOutput } from '../support/memory-output.js';

const fixture = join(import.meta.dirname, 'fixtures', 'demo');
const work = mkdtempSync(join(tmpdir(), 'opta-unchanged-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function build(out: string): Promise<void> {
  const code = await main(['node', 'opta-charts', 'build', '--source', fixture, '--chart', 'demo', '--out', out], { output: memoryOutput(), cwd: work, env: {}, stdin: process.stdin });
  expect(code).toBe(0);
}

/** Inode and mtime of every file and directory: what a rewrite changes even when the bytes are the same. */
function identities(dir: string): Record<string, string> {
  const ids: Record<string, string> = {};
  // The directory itself changes: the build's lock file comes and goes in it.
  for (const path of readdirSync(dir, { recursive: true }) as string[]) {
    const st = statSync(join(dir, path));
    ids[path] = `${st.ino} ${st.mtimeMs}`;
  }
  return ids;
}

describe('build into an output directory that already holds the result', () => {
  it('leaves the chart directory, the archive and SHA256SUMS untouched', async () => {
    const out = join(work, 'same');
    await build(out);
    const before = identities(out);
    await build(out);
    expect(identities(out)).toEqual(before);
  });

  it.each([
    ['a changed file', (chart: string) => writeFileSync(join(chart, 'values.yaml'), 'changed: true\n')],
    ['an extra file', (chart: string) => writeFileSync(join(chart, 'extra.txt'), 'x')],
    ['an extra empty directory', (chart: string) => mkdirSync(join(chart, 'empty'))],
    ['a missing file', (chart: string) => unlinkSync(join(chart, 'README.md'))],
  ])('replaces the chart directory holding %s, and a changed archive', async (_what, spoil) => {
    const out = join(work, _what.replace(/\W+/g, '-'));
    await build(out);
    const expected = await readTree(out);
    spoil(join(out, 'demo'));
    writeFileSync(join(out, 'demo-0.3.0.tgz'), 'not the archive');
    await build(out);
    expect(await readTree(out)).toEqual(expected);
    expect(readFileSync(join(out, 'demo-0.3.0.tgz')).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });
});
