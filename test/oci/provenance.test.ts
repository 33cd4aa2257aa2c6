// A `<archive>.prov` next to an archive travels as Helm's provenance layer, and Helm pulls it back with --prov.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Digest } from '../../generator/encoding/sha256.js';
import { DEFAULT_SOURCE_DATE } from '../../generator/package/archive.js';
import { HELMS, helmOk, runHelm } from '../support/helm.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { archiveDir, pullFrom, runCli, testSession } from './fixtures.js';

// Helm only downloads the file with --prov (verifying needs a keyring), so any bytes do.
const PROV = Buffer.from('-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nname: signed\nversion: 1.0.0\n-----END PGP SIGNATURE-----\n');

describe('provenance files', () => {
  let reg: TestRegistry;
  let charts: ReturnType<typeof archiveDir>;
  let pushed: { digest: string; status: string; blobsUploaded: number };

  beforeAll(async () => {
    reg = await startRegistry();
    charts = archiveDir([{ name: 'signed', version: '1.0.0' }]);
    writeFileSync(`${charts.paths[0]}.prov`, PROV);
    const r = await runCli(['publish', '--to', `${reg.url}/prov`, '--plain-http', '--json', charts.paths[0]], { cwd: charts.dir, env: {} });
    expect(r.code, r.stderr).toBe(0);
    [pushed] = JSON.parse(r.stdout).charts;
  });
  afterAll(async () => {
    charts?.cleanup();
    await reg?.stop();
  });

  it('the manifest has the chart and the provenance layer, sorted by digest, with their exact digests and sizes', async () => {
    expect(pushed).toMatchObject({ status: 'pushed', blobsUploaded: 3 });
    const oci = await testSession();
    try {
      const manifest = JSON.parse((await (await oci.repository({ registry: reg.host, repository: 'prov/signed' })).getManifest('1.0.0')).bytes.toString('utf8'));
      const expected = [
        { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', digest: sha256Digest(charts.bytes[0]), size: charts.bytes[0].length },
        { mediaType: 'application/vnd.cncf.helm.chart.provenance.v1.prov', digest: sha256Digest(PROV), size: PROV.length },
      ].sort((a, b) => (a.digest < b.digest ? -1 : 1));
      expect(manifest.layers).toEqual(expected);
    } finally {
      oci.close();
    }
    const pulled = await pullFrom(`${reg.url}/prov/signed`, '1.0.0');
    expect(pulled.prov?.equals(PROV)).toBe(true);
  });

  // Helm 3.18.0 refuses every artifact with a provenance layer, its own pushes included (helm/helm#30890).
  const broken = HELMS.filter((h) => h.version === '3.18.0');
  const working = HELMS.filter((h) => !broken.includes(h));

  it.each(broken)('helm $version cannot pull charts with a provenance layer (its known bug, documented in the README)', async (helm) => {
    const r = await runHelm(helm, ['pull', `${reg.url}/prov/signed`, '--version', '1.0.0', '--destination', charts.dir, '--plain-http']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('media type "application/vnd.cncf.helm.chart.provenance.v1.prov" is not allowed');
  });

  it.each(working)('helm $version pull --prov writes the provenance file next to the archive', async (helm) => {
    const dest = mkdtempSync(join(tmpdir(), 'opta-prov-pull-'));
    try {
      await helmOk(helm, ['pull', `${reg.url}/prov/signed`, '--version', '1.0.0', '--prov', '--destination', dest, '--plain-http']);
      expect(readFileSync(join(dest, 'signed-1.0.0.tgz')).equals(charts.bytes[0])).toBe(true);
      expect(readFileSync(join(dest, 'signed-1.0.0.tgz.prov')).equals(PROV)).toBe(true);
    } finally {
      rmSync(dest, { recursive: true, force: true });
    }
  });

  it.each(HELMS)('the manifest is byte-identical to what helm $version push makes of the archive and its .prov', async (helm) => {
    utimesSync(charts.paths[0], DEFAULT_SOURCE_DATE, DEFAULT_SOURCE_DATE);
    const repoPath = `helm${helm.major}`;
    await helmOk(helm, ['push', charts.paths[0], `oci://${reg.host}/${repoPath}`, '--plain-http'], { env: { TZ: 'UTC' } });
    const oci = await testSession();
    try {
      expect(await (await oci.repository({ registry: reg.host, repository: `${repoPath}/signed` })).manifestDigest('1.0.0')).toBe(pushed.digest);
    } finally {
      oci.close();
    }
  });
});
