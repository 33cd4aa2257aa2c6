// `build --publish-to`: one process builds, then pushes exactly the archives it built, as `publish --to` would.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../generator/encoding/sha256.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runCli } from './fixtures.js';

const fixture = join(import.meta.dirname, '..', 'build', 'fixtures', 'demo');
let reg: TestRegistry;
let work: string;
beforeAll(async () => {
  reg = await startRegistry({ auth: 'htpasswd' });
  work = mkdtempSync(join(tmpdir(), 'opta-build-publish-'));
});
afterAll(async () => {
  await reg?.stop();
  rmSync(work, { recursive: true, force: true });
});

const build = (out: string, ...more: string[]) => ['build', '--source', fixture, '--chart', 'demo', '--out', join(work, out), ...more];

describe('build --publish-to', () => {
  it('pushes the archives it built (with publish\'s registry options), and says so in one --json document', async () => {
    const r = await runCli([...build('a', '--json'), '--publish-to', `${reg.url}/charts`, '--plain-http', '--username', reg.username!, '--password-stdin'], { cwd: work, stdin: reg.password });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.charts.map((c: { name: string }) => c.name)).toEqual(['demo']);
    expect(doc.failed).toEqual([]);
    expect(doc.published.map((p: { reference: string; status: string }) => [p.reference, p.status])).toEqual([[`${reg.url}/charts/demo:0.3.0`, 'pushed']]);
    // The pushed chart layer is the archive on disk.
    const archive = readFileSync(join(work, 'a', 'demo-0.3.0.tgz'));
    expect(doc.published[0].blobs.map((b: { digest: string }) => b.digest)).toContain(`sha256:${sha256Hex(archive)}`);

    // The same again: unchanged, as `publish` reports it.
    const again = await runCli([...build('b'), '--publish-to', `${reg.url}/charts`, '--plain-http', '--username', reg.username!, '--password-stdin'], { cwd: work, stdin: reg.password });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^CHART\s+VERSION/);
    expect(again.stdout).toMatch(new RegExp(`${reg.url}/charts/demo:0\\.3\\.0\\s+sha256:[0-9a-f]{64}\\s+unchanged`));
  });

  it('pushes nothing when a chart fails to build', async () => {
    const r = await runCli(['build', '--source', fixture, '--out', join(work, 'c'), '--json', '--publish-to', `${reg.url}/failed`, '--plain-http'], { cwd: work });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.failed.map((f: { name: string }) => f.name)).toEqual(['broken']);
    expect(doc.published).toBeUndefined();
    expect(r.stderr).not.toContain('pushed');
  });

  it('refuses registry options without --publish-to', async () => {
    const r = await runCli([...build('d'), '--plain-http'], { cwd: work });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: --plain-http is an option of --publish-to (or of `opta-charts publish`)');
  });
});
