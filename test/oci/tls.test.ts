// A registry served over HTTPS with a private CA: verified by default, trusted with --ca-file, and Helm pulls the result.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { HELMS, helmOk } from '../support/helm.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { archiveDir, runCli } from './fixtures.js';

describe('publish to an HTTPS registry with a private CA (htpasswd auth)', () => {
  let reg: TestRegistry;
  let charts: ReturnType<typeof archiveDir>;
  const hostPattern = () => reg.host.replace(/\./g, '\\.');

  const publish = (extra: string[]) =>
    runCli(['publish', '--to', `${reg.url}/secure`, '--timeout', '10', '--username', reg.username!, '--password-stdin', ...extra, charts.paths[0]], { cwd: charts.dir, env: {}, stdin: reg.password });

  beforeAll(async () => {
    reg = await startRegistry({ auth: 'htpasswd', tls: true });
    charts = archiveDir([{ name: 'tlschart', version: '1.2.3' }]);
  });
  afterAll(async () => {
    charts?.cleanup();
    await reg?.stop();
  });

  it('without --ca-file: exit 1, a TLS error naming the registry and suggesting --ca-file, no retries', async () => {
    const r = await publish([]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error: registry ${hostPattern()}: repository secure/tlschart: GET manifest 1\\.2\\.3: TLS failure talking to ${hostPattern()}: .*certificate.*--ca-file`, 'm'));
    expect(r.stderr).not.toContain('retrying');
    expect(r.stderr).not.toContain(reg.password!);
  });

  it('--plain-http against an HTTPS registry: exit 1 with a hint that the registry speaks HTTPS', async () => {
    const r = await publish(['--plain-http', '--timeout', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error: registry ${hostPattern()}: repository secure/tlschart: GET manifest 1\\.2\\.3: .*drop --plain-http`, 'm'));
  });

  it('a CA file that does not exist is named in the error', async () => {
    const r = await publish(['--ca-file', 'no-such-ca.pem']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${join(charts.dir, 'no-such-ca.pem')}: cannot read the CA file (ENOENT)`);
  });

  describe('with --ca-file', () => {
    let pushed: { reference: string; digest: string; status: string };
    beforeAll(async () => {
      const r = await publish(['--ca-file', reg.caFile!, '--json']);
      expect(r.code, r.stderr).toBe(0);
      [pushed] = JSON.parse(r.stdout).charts;
    });

    it('pushes the chart', () => {
      expect(pushed).toMatchObject({ reference: `oci://${reg.host}/secure/tlschart:1.2.3`, status: 'pushed' });
    });

    it.each(HELMS)('helm $version logs in, pulls byte for byte and shows it with --ca-file', async (helm) => {
      const ca = ['--ca-file', reg.caFile!];
      const home = mkdtempSync(join(tmpdir(), 'opta-tls-helm-'));
      const env = { HELM_REGISTRY_CONFIG: join(home, 'registry.json') };
      try {
        await helmOk(helm, ['registry', 'login', reg.host, '--username', reg.username!, '--password-stdin', ...ca], { input: reg.password, env });
        await helmOk(helm, ['pull', `${reg.url}/secure/tlschart`, '--version', '1.2.3', '--destination', home, ...ca], { env });
        expect(readFileSync(join(home, 'tlschart-1.2.3.tgz')).equals(charts.bytes[0])).toBe(true);
        const shown = yaml.load(await helmOk(helm, ['show', 'chart', `${reg.url}/secure/tlschart`, '--version', '1.2.3', ...ca], { env })) as Record<string, unknown>;
        expect(shown).toMatchObject({ name: 'tlschart', version: '1.2.3' });
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    });
  });
});
