// publish --artifacthub-repo against a real registry: the artifacthub.io tag and Helm's chart tags coexist.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OciSession } from '../../generator/oci/session.js';
import { HELMS, helmOk } from '../support/helm.js';
import { startRegistry, storedBlobCount, type TestRegistry } from '../support/registry.js';
import { archiveDir, runCli, testSession } from './fixtures.js';

const REPO_FILE = 'repositoryID: 5b1f3a9e-8d2c-4e7f-9a61-0c3d2e4f5a6b\nowners:\n  - name: Opta maintainers\n    email: maintainers@example.com\n';

describe('publish --artifacthub-repo', () => {
  let reg: TestRegistry;
  let charts: ReturnType<typeof archiveDir>;
  let oci: OciSession;
  let file: string;
  let first: { charts: { digest: string }[]; artifacthub: { reference: string; digest: string; status: string }[] };

  const publish = (args: string[]) => runCli(['publish', '--to', `${reg.url}/hub`, '--plain-http', '--json', ...args], { cwd: charts.dir, env: {} });

  beforeAll(async () => {
    reg = await startRegistry();
    charts = archiveDir([
      { name: 'alpha', version: '1.0.0' },
      { name: 'alpha', version: '1.1.0' },
      { name: 'beta', version: '0.2.0' },
    ]);
    file = join(charts.dir, 'artifacthub-repo.yml');
    writeFileSync(file, REPO_FILE);
    oci = await testSession();
    const r = await publish(['--artifacthub-repo', file, ...charts.paths]);
    expect(r.code, r.stderr).toBe(0);
    first = JSON.parse(r.stdout);
  });
  afterAll(async () => {
    oci?.close();
    charts?.cleanup();
    await reg?.stop();
  });

  it('pushes the file once per chart repository, under the artifacthub.io tag', () => {
    expect(first.artifacthub.map((a) => [a.reference, a.status])).toEqual([
      [`oci://${reg.host}/hub/alpha:artifacthub.io`, 'pushed'],
      [`oci://${reg.host}/hub/beta:artifacthub.io`, 'pushed'],
    ]);
  });

  it("the tag carries Artifact Hub's config and metadata-layer media types, and the file's exact bytes", async () => {
    for (const repo of ['hub/alpha', 'hub/beta']) {
      const got = await (await oci.repository({ registry: reg.host, repository: repo })).getManifest('artifacthub.io');
      const m = JSON.parse(got.bytes.toString('utf8'));
      expect(got.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
      expect(m.config.mediaType).toBe('application/vnd.cncf.artifacthub.config.v1+yaml');
      expect(m.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual(['application/vnd.cncf.artifacthub.repository-metadata.layer.v1.yaml']);
      expect(m.layers[0].annotations).toEqual({ 'org.opencontainers.image.title': 'artifacthub-repo.yml' });
      expect((await (await oci.repository({ registry: reg.host, repository: repo })).getBlob(m.layers[0])).toString('utf8')).toBe(REPO_FILE);
    }
  });

  it('publishing again changes nothing; an edited file updates the tag', async () => {
    const blobs = storedBlobCount(reg);
    const again = await publish(['--artifacthub-repo', file, ...charts.paths]);
    expect(JSON.parse(again.stdout).artifacthub.map((a: { status: string; digest: string }) => [a.status, a.digest])).toEqual(first.artifacthub.map((a) => ['unchanged', a.digest]));
    expect(storedBlobCount(reg)).toBe(blobs);
    const edited = join(charts.dir, 'edited.yml');
    writeFileSync(edited, `${REPO_FILE}  - name: Second\n    email: second@example.com\n`);
    const updated = await publish(['--artifacthub-repo', edited, charts.paths[2]]);
    expect(JSON.parse(updated.stdout).artifacthub[0]).toMatchObject({ reference: `oci://${reg.host}/hub/beta:artifacthub.io`, status: 'updated' });
    // Restore for the Helm checks below, which do not depend on it.
    expect((await publish(['--artifacthub-repo', file, charts.paths[2]])).code).toBe(0);
  });

  describe.each(HELMS)('helm $version', (helm) => {
    it('pulls the charts by version and the latest version; the artifacthub.io tag is not taken for one', async () => {
      const dest = mkdtempSync(join(tmpdir(), 'opta-hub-pull-'));
      try {
        await helmOk(helm, ['pull', `${reg.url}/hub/alpha`, '--version', '1.0.0', '--destination', dest, '--plain-http']);
        expect(readFileSync(join(dest, 'alpha-1.0.0.tgz')).equals(charts.bytes[0])).toBe(true);
        await helmOk(helm, ['pull', `${reg.url}/hub/alpha`, '--destination', dest, '--plain-http']);
        expect(readFileSync(join(dest, 'alpha-1.1.0.tgz')).equals(charts.bytes[1])).toBe(true);
      } finally {
        rmSync(dest, { recursive: true, force: true });
      }
    });
  });

  it.each([
    ['repositoryID: not-a-uuid\n', 'repositoryID: must match pattern'],
    ['owners:\n  - name: Someone\n', 'owners[0] (Someone).email: is required'],
    ['owners:\n  - name: Someone\n    email: nobody\n', 'owners[0] (Someone).email: must match pattern'],
    ['repositoryID: 5b1f3a9e-8d2c-4e7f-9a61-0c3d2e4f5a6b\nowner: []\n', 'owner: is not a known field'],
    ['- alpha\n', '(root): must be object'],
    ['owners: [\n', 'not valid YAML'],
  ])('refuses an invalid file before pushing anything: %j', async (text, message) => {
    const bad = join(charts.dir, 'bad.yml');
    writeFileSync(bad, text);
    const r = await runCli(['publish', '--to', `${reg.url}/refused`, '--plain-http', '--artifacthub-repo', bad, charts.paths[0]], { cwd: charts.dir, env: {} });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}: ${message}`);
    expect(await (await oci.repository({ registry: reg.host, repository: 'refused/alpha' })).manifestDigest('1.0.0')).toBeUndefined();
  });
});
