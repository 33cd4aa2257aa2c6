// Pure parts of the OCI client: references, artifact bytes, credentials chain, challenges (retries: test/net).
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildChartArtifact, configJson, decidePush, manifestAnnotations } from '../../generator/oci/artifact.js';
import { parseChallenge } from '../../generator/oci/auth.js';
import { resolveCredentials } from '../../generator/oci/credentials.js';
import { redactUrl } from '../../generator/net/http.js';
import { parseChartRepository, parseOciBase, tagForVersion } from '../../generator/oci/reference.js';
import { archiveUrl, checkBaseUrl } from '../../generator/chart-repo/index-yaml.js';

describe('references', () => {
  it('parses bases and chart references; tags replace + with _', () => {
    expect(parseOciBase('oci://ghcr.io/acme/charts/')).toEqual({ registry: 'ghcr.io', path: 'acme/charts' });
    expect(parseOciBase('oci://127.0.0.1:5000')).toEqual({ registry: '127.0.0.1:5000', path: '' });
    expect(parseChartRepository('oci://127.0.0.1:5000/a/b:1.0.0_x')).toEqual({ registry: '127.0.0.1:5000', repository: 'a/b', tag: '1.0.0_x' });
    expect(parseChartRepository(`oci://r.io/a@sha256:${'0'.repeat(64)}`)).toMatchObject({ repository: 'a', digest: `sha256:${'0'.repeat(64)}` });
    expect(tagForVersion('1.2.3+build.4')).toBe('1.2.3_build.4');
    expect(() => parseOciBase('https://ghcr.io/x')).toThrow('not an OCI reference');
    expect(() => parseOciBase('oci://ghcr.io/Acme')).toThrow('path component "Acme" is not valid');
    expect(() => parseChartRepository('oci://ghcr.io')).toThrow('names no chart');
  });

  it('never repeats user info from a URL', () => {
    expect(redactUrl('oci://robot:tok@ghcr.io/a@sha256:1')).toBe('oci://***@ghcr.io/a@sha256:1');
    expect(redactUrl('oci://ghcr.io/a@sha256:1')).toBe('oci://ghcr.io/a@sha256:1');
    expect(() => parseChartRepository('oci://robot:tok@ghcr.io/a')).toThrow('oci://***@ghcr.io/a: credentials in the reference are not supported');
  });
});

describe('index URLs', () => {
  it('joins a base and a file name with one slash, or leaves the name relative', () => {
    expect(archiveUrl('https://h.example/charts///', 'a-1.0.0+b.tgz')).toBe('https://h.example/charts/a-1.0.0%2Bb.tgz');
    expect(archiveUrl(undefined, 'a-1.0.0.tgz')).toBe('a-1.0.0.tgz');
    expect(checkBaseUrl('s3://bucket/charts')).toBe('s3://bucket/charts');
    expect(() => checkBaseUrl('/srv/charts')).toThrow('--url: "/srv/charts" is not an absolute URL');
  });
});

describe('artifact', () => {
  const meta = { apiVersion: 'v2', name: 'x', version: '1.0.0+b', description: 'a <b> & c', maintainers: [{ name: 'A', email: 'a@x' }, { name: 'B' }], annotations: { z: '1', 'org.opencontainers.image.title': 'no', 'org.opencontainers.image.url': 'https://override' } };

  it('config is Go-style JSON in chart.Metadata field order', () => {
    expect(configJson(meta)).toBe(
      '{"name":"x","version":"1.0.0+b","description":"a \\u003cb\\u003e \\u0026 c","maintainers":[{"name":"A","email":"a@x"},{"name":"B"}],"apiVersion":"v2","annotations":{"org.opencontainers.image.title":"no","org.opencontainers.image.url":"https://override","z":"1"}}',
    );
  });

  it('annotations: chart annotations override all but title and version', () => {
    expect(manifestAnnotations(meta, new Date(Date.UTC(2024, 0, 2, 3, 4, 5)))).toEqual({
      'org.opencontainers.image.description': 'a <b> & c',
      'org.opencontainers.image.title': 'x',
      'org.opencontainers.image.version': '1.0.0+b',
      'org.opencontainers.image.created': '2024-01-02T03:04:05Z',
      'org.opencontainers.image.authors': 'A (a@x), B',
      'org.opencontainers.image.url': 'https://override',
      z: '1',
    });
  });

  it('layers sorted by digest, prov included, tag from version, digest stable', () => {
    const a = buildChartArtifact({ archive: Buffer.from('chart'), prov: Buffer.from('prov'), metadata: meta, created: new Date(0) });
    expect(a.tag).toBe('1.0.0_b');
    expect(a.layers.map((l) => l.digest)).toEqual([...a.layers.map((l) => l.digest)].sort());
    expect(a.layers.map((l) => l.mediaType).sort()).toEqual(['application/vnd.cncf.helm.chart.content.v1.tar+gzip', 'application/vnd.cncf.helm.chart.provenance.v1.prov']);
    const b = buildChartArtifact({ archive: Buffer.from('chart'), prov: Buffer.from('prov'), metadata: meta, created: new Date(0) });
    expect(b.manifestDigest).toBe(a.manifestDigest);
    expect(JSON.parse(a.manifest.toString())).toMatchObject({ schemaVersion: 2, config: { mediaType: 'application/vnd.cncf.helm.config.v1+json' } });
  });

  it('push decisions', () => {
    expect(decidePush('sha256:a', undefined, false)).toEqual({ action: 'push' });
    expect(decidePush('sha256:a', 'sha256:a', false)).toEqual({ action: 'unchanged' });
    expect(decidePush('sha256:a', 'sha256:b', false)).toEqual({ action: 'refuse', existingDigest: 'sha256:b' });
    expect(decidePush('sha256:a', 'sha256:b', true)).toEqual({ action: 'replace', existingDigest: 'sha256:b' });
  });
});

describe('credentials chain', () => {
  const home = mkdtempSync(join(tmpdir(), 'opta-creds-'));
  const docker = join(home, 'docker');
  const helmCfg = join(home, 'helm');
  mkdirSync(docker);
  mkdirSync(join(helmCfg, 'registry'), { recursive: true });
  writeFileSync(
    join(docker, 'config.json'),
    JSON.stringify({ auths: { 'https://basic.example.com/v1/': { auth: Buffer.from('du:dp').toString('base64') } }, credHelpers: { 'helper.example.com': 'fake' }, credsStore: 'store' }),
  );
  writeFileSync(join(helmCfg, 'registry', 'config.json'), JSON.stringify({ auths: { 'helmonly.example.com': { auth: Buffer.from('hu:hp').toString('base64') } } }));
  const env = { HOME: home, DOCKER_CONFIG: docker, HELM_CONFIG_HOME: helmCfg };
  const calls: string[] = [];
  const runHelper = async (helper: string, server: string) => {
    calls.push(`${helper} ${server}`);
    if (helper === 'fake') return JSON.stringify({ Username: '<token>', Secret: 'refresh' });
    return undefined; // credsStore has nothing for this host
  };

  it('flags, then env, then Docker (auths, credHelpers, credsStore), then Helm', async () => {
    expect(await resolveCredentials('basic.example.com', { env, runHelper, username: 'u', password: 'p' })).toMatchObject({ username: 'u', password: 'p', source: '--username/--password-stdin' });
    expect(await resolveCredentials('basic.example.com', { env: { ...env, OPTA_CHARTS_REGISTRY_USERNAME: 'eu', OPTA_CHARTS_REGISTRY_PASSWORD: 'ep' }, runHelper })).toMatchObject({ username: 'eu', password: 'ep' });
    expect(await resolveCredentials('basic.example.com', { env, runHelper })).toMatchObject({ username: 'du', password: 'dp' });
    expect(await resolveCredentials('helper.example.com', { env, runHelper })).toMatchObject({ identityToken: 'refresh' });
    expect(await resolveCredentials('helmonly.example.com', { env, runHelper })).toMatchObject({ username: 'hu', password: 'hp' });
    expect(calls).toEqual(['fake helper.example.com', 'store helmonly.example.com']);
    expect(await resolveCredentials('none.example.com', { env: { HOME: home, DOCKER_CONFIG: join(home, 'nope'), HELM_REGISTRY_CONFIG: join(home, 'nope.json') }, runHelper })).toBeUndefined();
  });

  it('Docker Hub is asked for under its legacy index URL, as Docker stores it', async () => {
    const asked: string[] = [];
    const hubEnv = { HOME: home, DOCKER_CONFIG: join(home, 'hub'), HELM_REGISTRY_CONFIG: join(home, 'nope.json') };
    mkdirSync(hubEnv.DOCKER_CONFIG);
    writeFileSync(join(hubEnv.DOCKER_CONFIG, 'config.json'), JSON.stringify({ credsStore: 'desktop' }));
    const record = async (_: string, server: string) => void asked.push(server);
    expect(await resolveCredentials('docker.io', { env: hubEnv, runHelper: record })).toBeUndefined();
    expect(await resolveCredentials('ghcr.io', { env: hubEnv, runHelper: record })).toBeUndefined();
    expect(asked).toEqual(['https://index.docker.io/v1/', 'ghcr.io']);
  });

  it('--username without a password is an error', async () => {
    await expect(resolveCredentials('x', { env, username: 'u' })).rejects.toThrow('--username and --password-stdin must be given together');
  });

  it.sequential('cleanup', () => rmSync(home, { recursive: true, force: true }));
});

describe('authentication', () => {
  it('parses WWW-Authenticate challenges', () => {
    expect(parseChallenge('Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.example.com/token', service: 'registry.example.com', scope: 'repository:a/b:pull' },
    });
    expect(parseChallenge('Basic realm=x')).toEqual({ scheme: 'basic', params: { realm: 'x' } });
  });
});

describe('apiHost', () => {
  it('sends Docker Hub requests to its API host and leaves others alone', async () => {
    const { apiHost } = await import('../../generator/oci/client.js');
    expect(apiHost('docker.io')).toBe('registry-1.docker.io');
    expect(apiHost('index.docker.io')).toBe('registry-1.docker.io');
    expect(apiHost('ghcr.io')).toBe('ghcr.io');
    expect(apiHost('127.0.0.1:5000')).toBe('127.0.0.1:5000');
  });
});
