// `publish` as a user meets it without a registry: bad inputs give exit 1 and name the problem; --dry-run and --json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { create as createTar } from 'tar';
import { archiveDir, chartFiles, runCli } from './fixtures.js';

const cli = (args: string[], cwd: string, stdin = '') => runCli(['publish', ...args], { cwd, stdin });

describe('publish: inputs and offline output', () => {
  let charts: ReturnType<typeof archiveDir>;
  const to = ['--to', 'oci://registry.example.com/charts'];
  beforeAll(() => {
    charts = archiveDir([
      { name: 'one', version: '1.0.0' },
      { name: 'two', version: '2.0.0+build.7' },
    ]);
    writeFileSync(`${charts.paths[1]}.prov`, '-----BEGIN PGP SIGNED MESSAGE-----\ntest provenance\n');
  });
  afterAll(() => charts?.cleanup());

  it('--dry-run --json: one entry per chart with reference, manifest digest, status and every blob (the .prov too)', async () => {
    const r = await cli([...to, '--dry-run', '--json', ...charts.paths], charts.dir);
    expect(r.code, r.stderr).toBe(0);
    const { charts: out } = JSON.parse(r.stdout);
    const keys = ['blobs', 'blobsUploaded', 'chart', 'digest', 'reference', 'status', 'version'];
    expect(out.map((c: object) => Object.keys(c).sort())).toEqual([keys, keys]);
    expect(out.map((c: { chart: string; version: string; reference: string; status: string }) => [c.chart, c.version, c.reference, c.status])).toEqual([
      ['one', '1.0.0', 'oci://registry.example.com/charts/one:1.0.0', 'planned'],
      ['two', '2.0.0+build.7', 'oci://registry.example.com/charts/two:2.0.0_build.7', 'planned'],
    ]);
    expect(out[1].blobs.map((b: { mediaType: string }) => b.mediaType).sort()).toEqual([
      'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
      'application/vnd.cncf.helm.chart.provenance.v1.prov',
      'application/vnd.cncf.helm.config.v1+json',
    ]);
    for (const c of out) expect(c.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('--dry-run without --json prints a table; the default archives are dist-charts/*.tgz', async () => {
    const r = await cli([...to, '--dry-run', ...charts.paths], charts.dir);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^REFERENCE\s+DIGEST\s+STATUS$/);
    expect(lines.slice(1).map((l) => l.replace(/sha256:[0-9a-f]{64}/, 'D').split(/\s{2,}/))).toEqual([
      ['oci://registry.example.com/charts/one:1.0.0', 'D', 'would push (2 blobs)'],
      ['oci://registry.example.com/charts/two:2.0.0_build.7', 'D', 'would push (3 blobs)'],
    ]);
    const none = await cli([...to, '--dry-run'], charts.dir);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(`error: ${join(charts.dir, 'dist-charts')}: no chart archives (*.tgz) to publish\nhint: run \`opta-charts build\` first, or name the archives`);
  });

  it.each([
    ['an archive that does not exist', () => ['missing-1.0.0.tgz'], (dir: string) => `error: ${join(dir, 'missing-1.0.0.tgz')}: cannot read the chart archive (ENOENT)`],
    ['a file that is not an archive', (dir: string) => (writeFileSync(join(dir, 'text-1.0.0.tgz'), 'hello\n'), ['text-1.0.0.tgz']), (dir: string) => `error: ${join(dir, 'text-1.0.0.tgz')}: not a chart archive (not gzip-compressed`],
    ['a gzip that is not a tar', (dir: string) => (writeFileSync(join(dir, 'gz-1.0.0.tgz'), gzipSync('hello\n')), ['gz-1.0.0.tgz']), (dir: string) => `error: ${join(dir, 'gz-1.0.0.tgz')}: not a readable chart archive`],
  ])('%s: exit 1 naming the file', async (_, setup, message) => {
    const r = await cli([...to, '--dry-run', ...setup(charts.dir)], charts.dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message(charts.dir));
  });

  it('a provenance file that exists but cannot be read is an error, not skipped', async () => {
    // a directory where the .prov file should be: reading it fails with EISDIR
    const archive = charts.paths[0];
    mkdirSync(`${archive}.prov`);
    try {
      const r = await cli([...to, '--dry-run', archive], charts.dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`error: ${archive}.prov: cannot read the provenance file (EISDIR)`);
    } finally {
      rmSync(`${archive}.prov`, { recursive: true });
    }
  });

  it('an uncompressed tar of a chart is refused (Helm needs gzip)', async () => {
    const dir = join(charts.dir, 'plain');
    const files = chartFiles('plain', '1.0.0');
    for (const [path, bytes] of Object.entries(files)) {
      const full = join(dir, 'plain', path);
      mkdirSync(join(full, '..'), { recursive: true });
      writeFileSync(full, bytes);
    }
    await createTar({ cwd: dir, file: join(charts.dir, 'plain-1.0.0.tgz'), portable: true }, ['plain']);
    const r = await cli([...to, '--dry-run', 'plain-1.0.0.tgz'], charts.dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('plain-1.0.0.tgz: not a chart archive (not gzip-compressed');
  });

  it.each([
    ['https://registry.example.com/charts', 'error: https://registry.example.com/charts: not an OCI reference; expected oci://HOST/PATH'],
    ['oci://registry.example.com/Charts', 'error: oci://registry.example.com/Charts: path component "Charts" is not valid'],
    ['oci://bad_host!/charts', 'error: oci://bad_host!/charts: "bad_host!" is not a valid registry host'],
    ['oci://robot:s3cr3t-token@registry.example.com/charts', 'error: oci://***@registry.example.com/charts: credentials in the reference are not supported'],
    ['https://robot:s3cr3t-token@registry.example.com/charts', 'error: https://***@registry.example.com/charts: not an OCI reference'],
  ])('--to %s: exit 1', async (target, message) => {
    const r = await cli(['--to', target, '--dry-run', charts.paths[0]], charts.dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain('s3cr3t');
  });

  it('flag misuse: exit 1 with what to do', async () => {
    const cases: [string[], string, string][] = [
      [[], '', "error: required option '--to <oci-url>' not specified"],
      [[...to, '--password-stdin'], 'pw', 'error: --password-stdin needs --username'],
      [[...to, '--username', 'me'], '', 'error: --username needs --password-stdin'],
      [[...to, '--username', 'me', '--password-stdin'], '', 'error: --password-stdin: standard input is empty'],
      [[...to, '--timeout', 'soon'], '', 'error: --timeout: "soon" is not a positive number of seconds'],
    ];
    for (const [args, stdin, message] of cases) {
      const r = await cli([...args, charts.paths[0]], charts.dir, stdin);
      expect([r.code, r.stderr]).toEqual([1, expect.stringContaining(message)]);
    }
  });
});
