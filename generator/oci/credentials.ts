// Where registry credentials come from, first match wins:
// --username/--password-stdin, environment, Docker's config.json, Helm's registry config.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { childProcessModule } from '../builtins.js';

export interface Credentials {
  username: string;
  password: string;
  /** An OAuth2 refresh token (Docker's `identitytoken`, ACR/ECR helpers' `<token>` user): used in the token flow. */
  identityToken?: string;
  /** Where they came from, for messages (never the secret itself). */
  source: string;
}

export const ENV_USERNAME = 'OPTA_CHARTS_REGISTRY_USERNAME';
export const ENV_PASSWORD = 'OPTA_CHARTS_REGISTRY_PASSWORD';

export interface CredentialSources {
  /** From --username and --password-stdin. */
  username?: string;
  password?: string;
  env: NodeJS.ProcessEnv;
  /** Runs `docker-credential-<helper> get`; injectable for tests. */
  runHelper?: (helper: string, serverUrl: string, env: NodeJS.ProcessEnv) => Promise<string | undefined>;
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  return join(env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker'), 'config.json');
}

/** What `helm registry login` writes: $HELM_REGISTRY_CONFIG, else <Helm config home>/registry/config.json. */
function helmRegistryConfigPath(env: NodeJS.ProcessEnv): string {
  if (env.HELM_REGISTRY_CONFIG) return env.HELM_REGISTRY_CONFIG;
  const home = env.HOME || homedir();
  const configHome =
    env.HELM_CONFIG_HOME ||
    (process.platform === 'darwin'
      ? join(home, 'Library', 'Preferences', 'helm')
      : process.platform === 'win32'
        ? join(env.APPDATA || home, 'helm')
        : join(env.XDG_CONFIG_HOME || join(home, '.config'), 'helm'));
  return join(configHome, 'registry', 'config.json');
}

// Docker Hub's credentials live under its legacy index URL.
const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** `https://host/v1/`, `host`, `http://host` → `host`. */
function keyHost(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  return DOCKER_HUB.has(host) ? 'docker.io' : host;
}

function matches(key: string, registry: string): boolean {
  return keyHost(key) === (DOCKER_HUB.has(registry) ? 'docker.io' : registry);
}

/** The server URL a credential helper is asked about: Docker stores Docker Hub under its legacy index URL. */
function helperServerUrl(registry: string): string {
  return DOCKER_HUB.has(registry) ? 'https://index.docker.io/v1/' : registry;
}

async function readConfig(path: string): Promise<DockerConfig | undefined> {
  let text: string;
  try {
    // Synchronous, as all small reads of a run: the first asynchronous one starts libuv's thread pool (milliseconds).
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as DockerConfig;
  } catch (e) {
    throw new UserError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

function fromHelperOutput(json: string | undefined, source: string): Credentials | undefined {
  if (!json) return undefined;
  let r: { Username?: string; Secret?: string };
  try {
    r = JSON.parse(json);
  } catch {
    // The output may hold a secret: never quote it.
    throw new UserError(`${source}: the helper's answer is not JSON`);
  }
  if (!r?.Secret) return undefined;
  if (r.Username === '<token>') return { username: '', password: '', identityToken: r.Secret, source };
  return { username: r.Username ?? '', password: r.Secret, source };
}

async function fromConfigFile(path: string, registry: string, sources: CredentialSources, label: string): Promise<Credentials | undefined> {
  const config = await readConfig(path);
  if (!config) return undefined;
  const runHelper = sources.runHelper ?? runCredentialHelper;
  const helperKey = Object.keys(config.credHelpers ?? {}).find((k) => matches(k, registry));
  if (helperKey) {
    const helper = config.credHelpers![helperKey];
    return fromHelperOutput(await runHelper(helper, helperServerUrl(registry), sources.env), `${label} (credHelpers: docker-credential-${helper})`);
  }
  const authKey = Object.keys(config.auths ?? {}).find((k) => matches(k, registry));
  const entry = authKey ? config.auths![authKey] : undefined;
  if (entry) {
    if (entry.identitytoken) return { username: entry.username ?? '', password: '', identityToken: entry.identitytoken, source: `${label} (auths)` };
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new UserError(`${path}: auths."${authKey}".auth: not base64 of "user:password"`);
      return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source: `${label} (auths)` };
    }
    if (entry.username && entry.password) return { username: entry.username, password: entry.password, source: `${label} (auths)` };
  }
  if (config.credsStore) {
    return fromHelperOutput(await runHelper(config.credsStore, helperServerUrl(registry), sources.env), `${label} (credsStore: docker-credential-${config.credsStore})`);
  }
  return undefined;
}

/** Finds credentials for `registry` (host[:port]); undefined means anonymous. */
export async function resolveCredentials(registry: string, sources: CredentialSources): Promise<Credentials | undefined> {
  if (sources.username !== undefined || sources.password !== undefined) {
    if (!sources.username || sources.password === undefined) throw new UserError('--username and --password-stdin must be given together');
    return { username: sources.username, password: sources.password, source: '--username/--password-stdin' };
  }
  const { env } = sources;
  if (env[ENV_USERNAME] || env[ENV_PASSWORD]) {
    if (!env[ENV_USERNAME] || !env[ENV_PASSWORD]) throw new UserError(`${ENV_USERNAME} and ${ENV_PASSWORD} must be set together`);
    return { username: env[ENV_USERNAME]!, password: env[ENV_PASSWORD]!, source: `${ENV_USERNAME}/${ENV_PASSWORD}` };
  }
  const docker = dockerConfigPath(env);
  const fromDocker = await fromConfigFile(docker, registry, sources, docker);
  if (fromDocker) return fromDocker;
  const helm = helmRegistryConfigPath(env);
  return fromConfigFile(helm, registry, sources, helm);
}

/** The docker-credential-helpers protocol: `get` with the server URL on stdin, JSON on stdout. */
export async function runCredentialHelper(helper: string, serverUrl: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const program = `docker-credential-${helper}`;
  // Loaded only when a helper is configured: child_process (with net and dgram) costs every start otherwise.
  const { execFile } = childProcessModule();
  return new Promise((resolve, reject) => {
    const child = execFile(program, ['get'], { env, timeout: 20_000 }, (error, stdout) => {
      if (!error) return resolve(String(stdout));
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return reject(new UserError(`credential helper ${program} is configured for ${serverUrl} but not on PATH`));
      // Helpers answer "credentials not found" with a non-zero exit: that just means anonymous.
      if (/not found/i.test(String(stdout))) return resolve(undefined);
      reject(new UserError(`credential helper ${program} failed for ${serverUrl} (exit ${error.code ?? 'signal'})`));
    });
    child.stdin?.end(serverUrl);
  });
}
