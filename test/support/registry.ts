// Starts Debian's CNCF Distribution registry (`docker-registry serve CONFIG`) on 127.0.0.1 for tests,
// with temporary storage and one of three auth modes: none, htpasswd (Basic) or token (Bearer, with a test issuer).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importPKCS8, SignJWT } from 'jose';
import yaml from 'js-yaml';

export type RegistryAuth = 'none' | 'htpasswd' | 'token';

export interface TestRegistry {
  auth: RegistryAuth;
  /** 127.0.0.1:PORT */
  host: string;
  /** oci://127.0.0.1:PORT */
  url: string;
  /** TLS mode: the private CA (PEM file) that signed the registry's certificate. */
  caFile?: string;
  /** Set when auth is on. */
  username?: string;
  password?: string;
  /** Token mode: the issuer's URL (realm). */
  realm?: string;
  storageDir: string;
  /** Token mode: how many tokens the issuer handed out, and to whom (for assertions). */
  tokenRequests: { user: string | undefined; scopes: string[]; granted: boolean }[];
  stop(): Promise<void>;
}

export interface StartRegistryOptions {
  auth?: RegistryAuth;
  username?: string;
  password?: string;
  /** Serve HTTPS with a certificate for 127.0.0.1 signed by a throwaway private CA (see caFile). */
  tls?: boolean;
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const SERVICE = 'opta-test-registry';
const ISSUER = 'opta-test-issuer';

interface TokenIssuer {
  realm: string;
  certPem: string;
  close(): Promise<void>;
}

/** A minimal Docker token service: Basic credentials in, ES256 JWT with an x5c chain out. */
async function startTokenIssuer(username: string, password: string, log: TestRegistry['tokenRequests']): Promise<TokenIssuer> {
  // A throwaway self-signed P-256 certificate; the registry trusts it through rootcertbundle.
  const dir = mkdtempSync(join(tmpdir(), 'opta-issuer-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=opta-charts test token issuer', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const privateKey = await importPKCS8(readFileSync(join(dir, 'key.pem'), 'utf8'), 'ES256');
  rmSync(dir, { recursive: true, force: true });
  const x5c = [certPem.replace(/-----[A-Z ]+-----|\s/g, '')];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const header = req.headers.authorization ?? '';
    const decoded = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : undefined;
    const user = decoded?.slice(0, decoded.indexOf(':'));
    const ok = decoded === `${username}:${password}`;
    const scopes = url.searchParams.getAll('scope');
    log.push({ user, scopes, granted: ok });
    if (!ok) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] }));
      return;
    }
    const access = scopes.flatMap((s) => {
      const [type, ...rest] = s.split(':');
      const actions = rest.pop() ?? '';
      return type === 'repository' ? [{ type, name: rest.join(':'), actions: actions.split(',').filter(Boolean) }] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ access })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', x5c })
      .setIssuer(ISSUER)
      .setSubject(user ?? '')
      .setAudience(SERVICE)
      .setIssuedAt(now)
      .setNotBefore(now - 10)
      .setExpirationTime(now + 600)
      .setJti(randomBytes(8).toString('hex'))
      .sign(privateKey);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: 600 }));
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
  return {
    realm: `http://127.0.0.1:${port}/token`,
    certPem,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** A private CA and a server certificate for 127.0.0.1 it signed, written into `dir`. */
function makeServerCertificate(dir: string): { caFile: string; certFile: string; keyFile: string } {
  const [caFile, caKey, certFile, keyFile] = ['ca.pem', 'ca.key', 'server.pem', 'server.key'].map((n) => join(dir, n));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2'];
  execFileSync('openssl', ['req', '-x509', ...ec, '-subj', '/CN=opta-charts test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-keyout', caKey, '-out', caFile], { stdio: 'ignore' });
  execFileSync('openssl', ['req', '-x509', ...ec, '-CA', caFile, '-CAkey', caKey, '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-addext', 'basicConstraints=CA:FALSE', '-addext', 'extendedKeyUsage=serverAuth', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return { caFile, certFile, keyFile };
}

async function waitForRegistry(base: string, ca: string | undefined, child: ChildProcess, stderr: () => string): Promise<void> {
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}):\n${stderr()}`);
    const up = await new Promise<boolean>((resolve) => {
      const req = (ca ? https : http).get(`${base}/v2/`, { ca }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`docker-registry did not answer on ${base}:\n${stderr()}`);
}

/** Starts a registry; call stop() in afterAll. */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  const auth = options.auth ?? 'none';
  const username = options.username ?? 'opta';
  const password = options.password ?? `pw-${randomBytes(6).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'opta-registry-'));
  const storageDir = join(dir, 'storage');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const tokenRequests: TestRegistry['tokenRequests'] = [];
  let issuer: TokenIssuer | undefined;
  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: 'error', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: storageDir }, delete: { enabled: true } },
    http: { addr: host, secret: randomBytes(16).toString('hex') },
  };
  const tls = options.tls ? makeServerCertificate(dir) : undefined;
  if (tls) (config.http as Record<string, unknown>).tls = { certificate: tls.certFile, key: tls.keyFile };
  if (auth === 'htpasswd') {
    const file = join(dir, 'htpasswd');
    writeFileSync(file, execFileSync('htpasswd', ['-Bbn', username, password]));
    config.auth = { htpasswd: { realm: 'opta-test', path: file } };
  } else if (auth === 'token') {
    issuer = await startTokenIssuer(username, password, tokenRequests);
    const bundle = join(dir, 'issuer.pem');
    writeFileSync(bundle, issuer.certPem);
    config.auth = { token: { realm: issuer.realm, service: SERVICE, issuer: ISSUER, rootcertbundle: bundle } };
  }
  const configFile = join(dir, 'config.yml');
  writeFileSync(configFile, yaml.dump(config));
  const child = spawn('docker-registry', ['serve', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-8000);
  });
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await issuer?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForRegistry(`${tls ? 'https' : 'http'}://${host}`, tls && readFileSync(tls.caFile, 'utf8'), child, () => stderr);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    auth,
    host,
    url: `oci://${host}`,
    ...(tls ? { caFile: tls.caFile } : {}),
    ...(auth !== 'none' ? { username, password } : {}),
    ...(issuer ? { realm: issuer.realm } : {}),
    storageDir,
    tokenRequests,
    stop,
  };
}

/** Every blob file the registry stores (to assert "no blob was pushed"). */
export function storedBlobCount(reg: TestRegistry): number {
  try {
    const out = execFileSync('find', [join(reg.storageDir, 'docker/registry/v2/blobs'), '-name', 'data', '-type', 'f'], { encoding: 'utf8' });
    return out.split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}
