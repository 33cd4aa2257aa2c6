// The credentials chain end to end against an htpasswd registry: flags, environment, Docker's config.json (auths,
// credHelpers, credsStore through a real docker-credential-* executable) and what `helm registry login` writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HELMS, helmOk } from '../support/helm.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { archiveDir, runCli } from './fixtures.js';

const WRONG = 'wrong-password-q7';
const base64 = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

describe('registry credentials, end to end', () => {
  let reg: TestRegistry;
  let charts: ReturnType<typeof archiveDir>;
  let work: string;
  let bin: string;
  /** Everything any run printed, to check that no secret ever appears. */
  const printed: string[] = [];

  /** A docker-credential-<name> that answers `get` like the real helpers and logs the server URL it was asked about. */
  function credentialHelper(name: string, answer: { user: string; secret: string } | 'not found' | 'garbage'): void {
    const reply =
      answer === 'not found'
        ? `echo "credentials not found in native keychain"; exit 1`
        : answer === 'garbage'
          ? `echo "oops ${WRONG}"`
          : `printf '%s' '${JSON.stringify({ ServerURL: reg.host, Username: answer.user, Secret: answer.secret })}'`;
    const file = join(bin, `docker-credential-${name}`);
    writeFileSync(file, `#!/bin/sh\n[ "$1" = get ] || exit 2\nread server\necho "$server" >> "${join(work, 'helper-calls')}"\n${reply}\n`);
    chmodSync(file, 0o755);
  }

  function dockerConfig(config: object): string {
    const dir = mkdtempSync(join(work, 'docker-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    return dir;
  }

  function helmConfig(user: string, password: string): string {
    const file = join(mkdtempSync(join(work, 'helm-')), 'config.json');
    writeFileSync(file, JSON.stringify({ auths: { [reg.host]: { auth: base64(user, password) } } }));
    return file;
  }

  async function publish(env: NodeJS.ProcessEnv, extra: string[] = [], stdin = '') {
    const args = ['publish', '--to', `${reg.url}/creds`, '--plain-http', '--timeout', '20', ...extra, charts.paths[0]];
    const fullEnv = { HOME: work, PATH: `${bin}:${process.env.PATH}`, DOCKER_CONFIG: join(work, 'no-docker'), HELM_REGISTRY_CONFIG: join(work, 'no-helm.json'), ...env };
    const r = await runCli(args, { cwd: charts.dir, env: fullEnv, stdin });
    const text = [r.stdout, r.stderr].join('\n');
    printed.push(text);
    return { code: r.code, text };
  }

  beforeAll(async () => {
    reg = await startRegistry({ auth: 'htpasswd' });
    charts = archiveDir([{ name: 'credchart', version: '1.0.0' }]);
    work = mkdtempSync(join(tmpdir(), 'opta-creds-e2e-'));
    bin = join(work, 'bin');
    mkdirSync(bin);
  });
  afterAll(async () => {
    charts?.cleanup();
    await reg?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('--username with --password-stdin', async () => {
    const r = await publish({}, ['--username', reg.username!, '--password-stdin'], `${reg.password}\n`);
    expect(r.code, r.text).toBe(0);
  });

  it('environment variables', async () => {
    const r = await publish({ OPTA_CHARTS_REGISTRY_USERNAME: reg.username, OPTA_CHARTS_REGISTRY_PASSWORD: reg.password });
    expect(r.code, r.text).toBe(0);
  });

  it("Docker's config.json auths (base64 user:password, keyed by URL)", async () => {
    const r = await publish({ DOCKER_CONFIG: dockerConfig({ auths: { [`https://${reg.host}/v1/`]: { auth: base64(reg.username!, reg.password!) } } }) });
    expect(r.code, r.text).toBe(0);
  });

  it('credHelpers and credsStore through a docker-credential-* executable on PATH', async () => {
    credentialHelper('good', { user: reg.username!, secret: reg.password! });
    credentialHelper('empty', 'not found');
    rmSync(join(work, 'helper-calls'), { force: true });
    expect((await publish({ DOCKER_CONFIG: dockerConfig({ credHelpers: { [reg.host]: 'good' }, credsStore: 'empty' }) })).code).toBe(0);
    // Docker leaves an empty auths entry when the secret lives in the store.
    expect((await publish({ DOCKER_CONFIG: dockerConfig({ auths: { [reg.host]: {} }, credsStore: 'good' }) })).code).toBe(0);
    expect(readFileSync(join(work, 'helper-calls'), 'utf8')).toBe(`${reg.host}\n${reg.host}\n`);
  });

  it('a helper that has nothing for the registry means anonymous: the registry asks to log in', async () => {
    const r = await publish({ DOCKER_CONFIG: dockerConfig({ credsStore: 'empty' }) });
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/HTTP 401: UNAUTHORIZED: authentication required\nhint: the registry needs credentials/);
  });

  it('a helper that is missing or answers garbage: exit 1 naming it, never quoting its output', async () => {
    const missing = await publish({ DOCKER_CONFIG: dockerConfig({ credHelpers: { [reg.host]: 'absent' } }) });
    expect(missing.code).toBe(1);
    expect(missing.text).toContain(`error: credential helper docker-credential-absent is configured for ${reg.host} but not on PATH`);
    credentialHelper('garbage', 'garbage');
    const docker = dockerConfig({ credHelpers: { [reg.host]: 'garbage' } });
    const garbage = await publish({ DOCKER_CONFIG: docker });
    expect(garbage.code).toBe(1);
    expect(garbage.text).toContain(`error: ${join(docker, 'config.json')} (credHelpers: docker-credential-garbage): the helper's answer is not JSON`);
  });

  it.each(HELMS)('what helm $version registry login writes', async (helm) => {
    const file = join(mkdtempSync(join(work, 'helm-login-')), 'config.json');
    await helmOk(helm, ['registry', 'login', reg.host, '--username', reg.username!, '--password-stdin', '--plain-http'], { input: reg.password, env: { HELM_REGISTRY_CONFIG: file } });
    const r = await publish({ HELM_REGISTRY_CONFIG: file });
    expect(r.code, r.text).toBe(0);
  });

  describe('precedence: each source beats the ones after it', () => {
    it('--username/--password-stdin over the environment', async () => {
      const env = { OPTA_CHARTS_REGISTRY_USERNAME: reg.username, OPTA_CHARTS_REGISTRY_PASSWORD: WRONG };
      expect((await publish(env, ['--username', reg.username!, '--password-stdin'], reg.password)).code).toBe(0);
      const r = await publish({ OPTA_CHARTS_REGISTRY_USERNAME: reg.username, OPTA_CHARTS_REGISTRY_PASSWORD: reg.password }, ['--username', reg.username!, '--password-stdin'], WRONG);
      expect(r.code).toBe(1);
      expect(r.text).toContain('hint: the credentials from --username/--password-stdin were rejected');
    });

    it("the environment over Docker's config.json", async () => {
      const docker = dockerConfig({ auths: { [reg.host]: { auth: base64(reg.username!, WRONG) } } });
      expect((await publish({ DOCKER_CONFIG: docker, OPTA_CHARTS_REGISTRY_USERNAME: reg.username, OPTA_CHARTS_REGISTRY_PASSWORD: reg.password })).code).toBe(0);
    });

    it("Docker's config.json over Helm's registry config", async () => {
      const docker = dockerConfig({ auths: { [reg.host]: { auth: base64(reg.username!, WRONG) } } });
      const r = await publish({ DOCKER_CONFIG: docker, HELM_REGISTRY_CONFIG: helmConfig(reg.username!, reg.password!) });
      expect(r.code).toBe(1);
      expect(r.text).toContain(`error: registry ${reg.host}: repository creds/credchart: GET manifest 1.0.0: HTTP 401: UNAUTHORIZED: authentication required`);
      expect(r.text).toContain(`hint: the credentials from ${join(docker, 'config.json')} (auths) were rejected`);
      const helmWrong = await publish({ DOCKER_CONFIG: dockerConfig({ auths: { [reg.host]: { auth: base64(reg.username!, reg.password!) } } }), HELM_REGISTRY_CONFIG: helmConfig(reg.username!, WRONG) });
      expect(helmWrong.code).toBe(0);
    });
  });

  it('a failing run with --debug prints no secret either', async () => {
    const r = await publish({ OPTA_CHARTS_REGISTRY_USERNAME: reg.username, OPTA_CHARTS_REGISTRY_PASSWORD: WRONG }, ['--debug']);
    expect(r.code).toBe(1);
    expect(r.text).toContain('hint: the credentials from OPTA_CHARTS_REGISTRY_USERNAME/OPTA_CHARTS_REGISTRY_PASSWORD were rejected');
  });

  it.sequential('no run printed a password or a base64 credential', () => {
    const all = printed.join('\n');
    expect(printed.length).toBeGreaterThan(10);
    for (const secret of [reg.password!, WRONG, base64(reg.username!, reg.password!), base64(reg.username!, WRONG)]) expect(all).not.toContain(secret);
  });
});
