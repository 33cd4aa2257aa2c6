// Publishes two charts to a real registry in each auth mode, then Helm 3 and 4 pull, show and template them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import yaml from 'js-yaml';
import { main } from '../../generator/cli.js';
import { memoryOutput } from '../support/memory-output.js';
import { DEFAULT_SOURCE_DATE } from '../../generator/package/archive.js';
import { HELMS, helmOk } from '../support/helm.js';
import { startRegistry, storedBlobCount, type TestRegistry } from '../support/registry.js';
import { archiveDir, testSession } from './fixtures.js';

const CHARTS = [
  { name: 'alpha', version: '1.0.0' },
  { name: 'beta', version: '0.2.0+meta.1' },
];

async function publish(reg: TestRegistry, args: string[], cwd: string) {
  const out = memoryOutput();
  const auth = reg.username ? ['--username', reg.username, '--password-stdin'] : [];
  const code = await main(['node', 'opta-charts', 'publish', '--to', `${reg.url}/charts`, '--plain-http', '--json', ...auth, ...args], {
    output: out,
    cwd,
    env: {},
    stdin: Readable.from([reg.password ?? '']),
  });
  return { code, out, json: code === 0 ? JSON.parse(out.stdout.join('\n')) : undefined };
}

describe.each(['none', 'htpasswd', 'token'] as const)('publish to a registry with auth=%s', (auth) => {
  let reg: TestRegistry;
  let charts: ReturnType<typeof archiveDir>;
  let first: Awaited<ReturnType<typeof publish>>;

  beforeAll(async () => {
    reg = await startRegistry({ auth });
    charts = archiveDir(CHARTS);
    first = await publish(reg, charts.paths, charts.dir);
  });
  afterAll(async () => {
    charts?.cleanup();
    await reg?.stop();
  });

  it('pushes both charts and prints reference and manifest digest', () => {
    expect(first.code, first.out.stderr.join('\n')).toBe(0);
    const rows = first.json.charts.map((c: { reference: string; status: string; digest: string; blobsUploaded: number }) => [c.reference, c.status, c.blobsUploaded]);
    expect(rows).toEqual([
      [`oci://${reg.host}/charts/alpha:1.0.0`, 'pushed', 2],
      [`oci://${reg.host}/charts/beta:0.2.0_meta.1`, 'pushed', 2],
    ]);
    for (const c of first.json.charts) expect(c.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  describe.each(HELMS)('helm $version', (helm) => {
    const plain = ['--plain-http'];
    beforeAll(async () => {
      if (reg.username) await helmOk(helm, ['registry', 'login', reg.host, '--username', reg.username, '--password-stdin', ...plain], { input: reg.password });
    });

    it.each(CHARTS.map((c, i) => ({ ...c, i })))('pulls $name byte for byte, shows and templates it', async ({ name, version, i }) => {
      const ref = `oci://${reg.host}/charts/${name}`;
      const dest = mkdtempSync(join(tmpdir(), 'opta-helm-pull-'));
      try {
        await helmOk(helm, ['pull', ref, '--version', version, '--destination', dest, ...plain]);
        expect(readFileSync(join(dest, `${name}-${version}.tgz`)).equals(charts.bytes[i])).toBe(true);
      } finally {
        rmSync(dest, { recursive: true, force: true });
      }
      const shown = yaml.load(await helmOk(helm, ['show', 'chart', ref, '--version', version, ...plain])) as Record<string, unknown>;
      expect(shown).toMatchObject({ name, version, apiVersion: 'v2', home: `https://example.com/${name}` });
      const rendered = yaml.loadAll(await helmOk(helm, ['template', 'rel', ref, '--version', version, ...plain])) as Record<string, any>[];
      expect(rendered.filter(Boolean).map((o) => [o.kind, o.metadata.name, o.data.message])).toEqual([['ConfigMap', `rel-${name}`, 'hello']]);
    });
  });

  it('re-publishing unchanged charts pushes no blob and reports "unchanged"', async () => {
    const blobsBefore = storedBlobCount(reg);
    const again = await publish(reg, charts.paths, charts.dir);
    expect(again.code).toBe(0);
    expect(again.json.charts.map((c: { status: string; blobsUploaded: number; digest: string }) => [c.status, c.blobsUploaded, c.digest])).toEqual(
      first.json.charts.map((c: { digest: string }) => ['unchanged', 0, c.digest]),
    );
    expect(storedBlobCount(reg)).toBe(blobsBefore);
  });

  it('refuses a changed chart under an existing version, naming both digests; --force replaces it', async () => {
    const changed = archiveDir([{ name: 'alpha', version: '1.0.0', extra: ' changed' }]);
    try {
      const refused = await publish(reg, changed.paths, changed.dir);
      expect(refused.code).toBe(1);
      const existing = first.json.charts[0].digest;
      const message = refused.out.stderr.join('\n');
      expect(message).toContain(`oci://${reg.host}/charts/alpha:1.0.0 already exists with different content`);
      expect(message).toContain(existing);
      const forced = await publish(reg, ['--force', ...changed.paths], changed.dir);
      expect(forced.code).toBe(0);
      // Only the chart layer differs; the config blob (Chart.yaml metadata) is already there.
      expect(forced.json.charts[0]).toMatchObject({ status: 'replaced', previousDigest: existing, blobsUploaded: 1 });
      expect(message).toContain(forced.json.charts[0].digest);
      // Restore the original for the other tests' expectations.
      expect((await publish(reg, ['--force', charts.paths[0]], charts.dir)).code).toBe(0);
    } finally {
      changed.cleanup();
    }
  });

  it.runIf(auth !== 'none')('wrong credentials: exit 1 with the registry, repository and status, no secret', async () => {
    const out = memoryOutput();
    const code = await main(['node', 'opta-charts', 'publish', '--to', `${reg.url}/charts`, '--plain-http', '--username', reg.username!, '--password-stdin', charts.paths[0]], {
      output: out,
      cwd: charts.dir,
      env: {},
      stdin: Readable.from(['not-the-password-x9']),
    });
    expect(code).toBe(1);
    const text = out.stderr.join('\n');
    expect(text).toMatch(new RegExp(`registry ${reg.host}: repository charts/alpha: .*HTTP 401: UNAUTHORIZED: ${auth === 'token' ? 'invalid username or password' : 'authentication required'}`));
    expect(text).toContain('credentials from --username/--password-stdin were rejected');
    expect(text).not.toContain('not-the-password-x9');
  });

  it.runIf(auth !== 'none')('anonymous push is refused with a hint to log in', async () => {
    const out = memoryOutput();
    const code = await main(['node', 'opta-charts', 'publish', '--to', `${reg.url}/charts`, '--plain-http', charts.paths[0]], { output: out, cwd: charts.dir, env: { HOME: charts.dir }, stdin: Readable.from([]) });
    expect(code).toBe(1);
    expect(out.stderr.join('\n')).toMatch(/HTTP 401[\s\S]*hint: the registry needs credentials/);
  });

  it.runIf(auth === 'none').each(HELMS)('the manifest is byte-identical to what helm $version push makes of the same archive', async (helm) => {
    // Helm stamps `created` from the archive file's mtime; give it the archive's source date.
    utimesSync(charts.paths[0], DEFAULT_SOURCE_DATE, DEFAULT_SOURCE_DATE);
    const repoPath = `helm${helm.major}`;
    await helmOk(helm, ['push', charts.paths[0], `oci://${reg.host}/${repoPath}`, '--plain-http'], { env: { TZ: 'UTC' } });
    const oci = await testSession();
    try {
      expect(await (await oci.repository({ registry: reg.host, repository: `${repoPath}/alpha` })).manifestDigest('1.0.0')).toBe(first.json.charts[0].digest);
    } finally {
      oci.close();
    }
  });

  it.runIf(auth === 'token')('asks the token issuer for the repository scope', () => {
    expect(reg.tokenRequests.some((r) => r.granted && r.scopes.includes('repository:charts/alpha:pull,push'))).toBe(true);
  });
});

