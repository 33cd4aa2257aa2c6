// A small OCI distribution client: the registry API calls opta-charts needs, with auth and retries.
import { UserError } from '../errors.js';
import { sha256Digest } from '../encoding/sha256.js';
import { MEDIA_TYPES, type Blob, type Descriptor } from './artifact.js';
import type { Credentials } from './credentials.js';
import {
  ConnectionError,
  followRedirects,
  isRetryableStatus,
  RetryableError,
  retryAfterOf,
  retryPolicy,
  Transport,
  withRetry,
  type HttpRequest,
  type HttpResponse,
  type RetryPolicy,
  type RetrySettings,
} from '../net/http.js';

export interface ClientOptions {
  /** Talk plain HTTP instead of verified TLS (loopback registries). */
  plainHttp?: boolean;
  /** Extra trusted CA (PEM) for a private registry. */
  ca?: Buffer;
  credentials?: Credentials;
  /** Bound on the whole session, in ms (default 5 minutes). */
  timeoutMs?: number;
  retry?: RetrySettings;
  /** Progress lines (retries); never receives secrets. */
  log?: (line: string) => void;
}

const LOGIN_HINT = 'the registry needs credentials: log in (helm registry login / docker login) or pass --username with --password-stdin';

const ACCEPT_MANIFEST = [MEDIA_TYPES.manifest, 'application/vnd.docker.distribution.manifest.v2+json'].join(', ');
/** For tags that hold an OCI index (the referrers tag schema). */
export const ACCEPT_INDEX = [MEDIA_TYPES.index, MEDIA_TYPES.manifest].join(', ');

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="...",service="...",scope="..."` (quoted or bare values). */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (let p = re.exec(m[2]); p; p = re.exec(m[2])) params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
  return { scheme: m[1].toLowerCase(), params };
}

/** Docker Hub's API lives on another host than its name (as Docker, ORAS and Helm know). */
export function apiHost(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' ? 'registry-1.docker.io' : registry;
}

const basicAuth = (creds: Credentials) => `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;

/** The registry's own `{"errors":[{"code","message"}]}` text, if any. */
function registryMessage(res: HttpResponse): string {
  try {
    const body = JSON.parse(res.body.toString('utf8')) as { errors?: { code?: string; message?: string }[] };
    const text = (body.errors ?? []).map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
    if (text) return text;
  } catch {
    // not JSON: fall through to the raw text
  }
  const raw = res.body.toString('utf8').replace(/\s+/g, ' ').trim();
  return raw.length > 200 ? `${raw.slice(0, 200)}…` : raw;
}

export interface FetchedManifest {
  bytes: Buffer;
  digest: string;
  mediaType: string;
}

export class RegistryClient {
  private readonly transport: Transport;
  private readonly base: string;
  /** The host Authorization may be sent to (redirects to blob storage elsewhere get none). */
  private readonly registryHost: string;
  private readonly policy: RetryPolicy;
  /** scope → Authorization header value. */
  private readonly authCache = new Map<string, string>();

  constructor(
    readonly registry: string,
    private readonly options: ClientOptions = {},
  ) {
    this.base = `${options.plainHttp ? 'http' : 'https'}://${apiHost(registry)}`;
    this.registryHost = new URL(this.base).host;
    const timeoutMs = options.timeoutMs ?? 300_000;
    this.transport = new Transport({
      ca: options.ca,
      idleTimeoutMs: Math.min(60_000, timeoutMs),
      tlsHint: 'use --ca-file for a private CA, or --plain-http for a plain-HTTP registry',
      plainHttpHint: 'if the registry speaks HTTPS, drop --plain-http',
    });
    this.policy = retryPolicy(timeoutMs, options.retry, options.log);
  }

  close(): void {
    this.transport.close();
  }

  /**
   * The error for an unwanted answer to `req`. A HEAD answer has no body, so the registry's own message is asked for
   * again with GET (used only if the status is the same).
   */
  private async fail(req: HttpRequest, authorization: string | undefined, repository: string, what: string, res: HttpResponse, hint?: string): Promise<UserError> {
    if (req.method === 'HEAD' && res.body.length === 0) {
      const again = await this.sendFollowing({ ...req, method: 'GET' }, authorization).catch(() => undefined);
      if (again?.status === res.status) res = again;
    }
    const msg = registryMessage(res);
    return new UserError(`registry ${this.registry}: repository ${repository}: ${what}: HTTP ${res.status}${msg ? `: ${msg}` : ''}`, hint);
  }

  /** Runs `op` under the retry policy and turns transport failures into UserErrors naming the registry. */
  private async retrying<T>(repository: string, what: string, op: () => Promise<T>): Promise<T> {
    try {
      // Retry lines say which call is retried; the final error gets `what` once, below.
      return await withRetry(op, { ...this.policy, onRetry: (reason, delay, attempt) => this.policy.onRetry?.(`${what}: ${reason}`, delay, attempt) });
    } catch (e) {
      if (e instanceof RetryableError || e instanceof ConnectionError) {
        throw new UserError(`registry ${this.registry}: repository ${repository}: ${what}: ${e.message}`);
      }
      throw e;
    }
  }

  /** One authenticated exchange: answers a 401 challenge once (Basic or Bearer token for `scope`), retries 429/5xx. */
  private async exchange(repository: string, actions: string, what: string, req: HttpRequest, okStatuses: number[]): Promise<HttpResponse> {
    const scope = `repository:${repository}:${actions}`;
    let auth = this.authCache.get(scope);
    let res = await this.sendFollowing(req, auth);
    if (res.status === 401) {
      auth = await this.authorize(req, repository, scope, res, what);
      this.authCache.set(scope, auth);
      res = await this.sendFollowing(req, auth);
      if (res.status === 401) {
        throw await this.fail(req, auth, repository, what, res, this.options.credentials ? `the credentials from ${this.options.credentials.source} were rejected` : LOGIN_HINT);
      }
    }
    if (isRetryableStatus(res.status)) {
      const msg = registryMessage(res);
      throw new RetryableError(`HTTP ${res.status}${msg ? `: ${msg}` : ''}`, retryAfterOf(res), res.status);
    }
    if (!okStatuses.includes(res.status)) {
      throw await this.fail(req, auth, repository, what, res, res.status === 403 ? 'the account has no permission for this repository' : undefined);
    }
    return res;
  }

  /** Sends, following redirects for GET/HEAD (blob storage); Authorization only goes to the registry itself. */
  private sendFollowing(req: HttpRequest, authorization: string | undefined): Promise<HttpResponse> {
    return followRedirects(
      (hop) => this.transport.send(authorization && hop.url.host === this.registryHost ? { ...hop, headers: { ...hop.headers, Authorization: authorization } } : hop),
      req,
    );
  }

  /** Answers a 401 challenge: Basic credentials, or a Bearer token for the repository scope from the realm. */
  private async authorize(req: HttpRequest, repository: string, scope: string, res: HttpResponse, what: string): Promise<string> {
    const challenge = parseChallenge(res.headers['www-authenticate'] as string | undefined);
    const creds = this.options.credentials;
    if (challenge?.scheme === 'basic') {
      if (!creds || creds.identityToken) throw await this.fail(req, undefined, repository, what, res, LOGIN_HINT);
      return basicAuth(creds);
    }
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) throw await this.fail(req, undefined, repository, what, res, 'unsupported authentication challenge');
    const realm = new URL(challenge.params.realm);
    const service = challenge.params.service;
    let tokenRes: HttpResponse;
    if (creds?.identityToken) {
      // OAuth2 refresh-token grant (Docker's identitytoken; ACR and ECR helpers hand these out).
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: 'opta-charts', scope, ...(service ? { service } : {}) });
      tokenRes = await this.transport.send({ method: 'POST', url: realm, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: Buffer.from(form.toString()) });
    } else {
      if (service) realm.searchParams.set('service', service);
      realm.searchParams.append('scope', scope);
      const headers: Record<string, string> = creds ? { Authorization: basicAuth(creds) } : {};
      tokenRes = await this.transport.send({ method: 'GET', url: realm, headers });
    }
    if (isRetryableStatus(tokenRes.status)) throw new RetryableError(`token service ${realm.host}: HTTP ${tokenRes.status}`, retryAfterOf(tokenRes), tokenRes.status);
    if (tokenRes.status !== 200) {
      const msg = registryMessage(tokenRes);
      throw new UserError(
        `registry ${this.registry}: repository ${repository}: token service ${realm.origin}${realm.pathname}: HTTP ${tokenRes.status}${msg ? `: ${msg}` : ''}`,
        creds ? `the credentials from ${creds.source} were rejected` : LOGIN_HINT,
      );
    }
    let token: string | undefined;
    try {
      const body = JSON.parse(tokenRes.body.toString('utf8')) as { token?: string; access_token?: string };
      token = body.token || body.access_token;
    } catch {
      token = undefined;
    }
    if (!token) throw new UserError(`registry ${this.registry}: token service ${realm.origin}${realm.pathname}: answer has no token`);
    return `Bearer ${token}`;
  }

  private url(repository: string, path: string): URL {
    return new URL(`${this.base}/v2/${repository}/${path}`);
  }

  /** The digest a tag (or digest) points at, or undefined when the registry has no such manifest. */
  async manifestDigest(repository: string, reference: string, actions = 'pull'): Promise<string | undefined> {
    const what = `HEAD manifest ${reference}`;
    return this.retrying(repository, what, async () => {
      const res = await this.exchange(repository, actions, what, { method: 'HEAD', url: this.url(repository, `manifests/${reference}`), headers: { Accept: ACCEPT_MANIFEST } }, [200, 404]);
      if (res.status === 404) return undefined;
      const digest = res.headers['docker-content-digest'];
      if (typeof digest === 'string' && digest) return digest;
      return (await this.getManifest(repository, reference, actions)).digest;
    });
  }

  async getManifest(repository: string, reference: string, actions = 'pull', accept = ACCEPT_MANIFEST): Promise<FetchedManifest> {
    return (await this.manifest(repository, reference, actions, accept, [200]))!;
  }

  /** Like getManifest, but undefined when the registry has no such manifest. */
  findManifest(repository: string, reference: string, actions = 'pull', accept = ACCEPT_MANIFEST): Promise<FetchedManifest | undefined> {
    return this.manifest(repository, reference, actions, accept, [200, 404]);
  }

  private async manifest(repository: string, reference: string, actions: string, accept: string, okStatuses: number[]): Promise<FetchedManifest | undefined> {
    const what = `GET manifest ${reference}`;
    return this.retrying(repository, what, async () => {
      const res = await this.exchange(repository, actions, what, { method: 'GET', url: this.url(repository, `manifests/${reference}`), headers: { Accept: accept } }, okStatuses);
      if (res.status === 404) return undefined;
      const digest = sha256Digest(res.body);
      const claimed = res.headers['docker-content-digest'];
      if (reference.startsWith('sha256:') && digest !== reference) throw new UserError(`registry ${this.registry}: repository ${repository}: manifest ${reference} has digest ${digest}`);
      if (typeof claimed === 'string' && claimed && claimed !== digest) {
        throw new UserError(`registry ${this.registry}: repository ${repository}: manifest ${reference}: registry says ${claimed}, content is ${digest}`);
      }
      return { bytes: res.body, digest, mediaType: String(res.headers['content-type'] ?? '') };
    });
  }

  /**
   * The referrers API's index for `digest` (distribution-spec v1.1), or undefined when the registry has no such API
   * (404, as CNCF Distribution answers): then the referrers tag schema is the place to look.
   */
  async referrers(repository: string, digest: string, actions = 'pull'): Promise<Buffer | undefined> {
    const what = `GET referrers ${digest}`;
    return this.retrying(repository, what, async () => {
      const res = await this.exchange(repository, actions, what, { method: 'GET', url: this.url(repository, `referrers/${digest}`), headers: { Accept: MEDIA_TYPES.index } }, [200, 404]);
      return res.status === 200 ? res.body : undefined;
    });
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const what = `HEAD blob ${digest}`;
    return this.retrying(repository, what, async () => {
      const res = await this.exchange(repository, 'pull,push', what, { method: 'HEAD', url: this.url(repository, `blobs/${digest}`) }, [200, 404]);
      return res.status === 200;
    });
  }

  /** Monolithic upload (POST a session, PUT the bytes); a broken upload starts over with a fresh session. */
  async pushBlob(repository: string, blob: Blob): Promise<void> {
    const what = `upload blob ${blob.digest}`;
    await this.retrying(repository, what, async () => {
      const start = await this.exchange(repository, 'pull,push', what, { method: 'POST', url: this.url(repository, 'blobs/uploads/') }, [202]);
      const location = start.headers.location;
      if (!location) throw new UserError(`registry ${this.registry}: repository ${repository}: ${what}: HTTP ${start.status} without an upload location`);
      const put = new URL(location, this.base);
      put.searchParams.set('digest', blob.digest);
      const done = await this.exchange(
        repository,
        'pull,push',
        what,
        { method: 'PUT', url: put, headers: { 'Content-Type': 'application/octet-stream' }, body: blob.data },
        [201, 204],
      );
      const stored = done.headers['docker-content-digest'];
      if (typeof stored === 'string' && stored && stored !== blob.digest) {
        throw new UserError(`registry ${this.registry}: repository ${repository}: ${what}: registry stored ${stored}`);
      }
    });
  }

  /** Uploads the blobs the repository lacks (side by side); returns how many it uploaded. */
  async pushMissingBlobs(repository: string, blobs: Blob[]): Promise<number> {
    const present = await Promise.all(blobs.map((b) => this.hasBlob(repository, b.digest)));
    const missing = blobs.filter((_, i) => !present[i]);
    await Promise.all(missing.map((b) => this.pushBlob(repository, b)));
    return missing.length;
  }

  /**
   * Stores a manifest under a tag (or its digest); checks the digest the registry reports against the bytes sent.
   * `subjectAccepted`: the registry answered with OCI-Subject, so it indexes referrers itself (distribution-spec v1.1).
   */
  async putManifest(repository: string, reference: string, manifest: Buffer, mediaType: string): Promise<{ digest: string; subjectAccepted: boolean }> {
    const what = `PUT manifest ${reference}`;
    const digest = sha256Digest(manifest);
    return this.retrying(repository, what, async () => {
      const res = await this.exchange(repository, 'pull,push', what, { method: 'PUT', url: this.url(repository, `manifests/${reference}`), headers: { 'Content-Type': mediaType }, body: manifest }, [201, 200]);
      const stored = res.headers['docker-content-digest'];
      if (typeof stored === 'string' && stored && stored !== digest) {
        throw new UserError(`registry ${this.registry}: repository ${repository}: ${what}: registry reports digest ${stored}, sent ${digest}`);
      }
      return { digest, subjectAccepted: Boolean(res.headers['oci-subject']) };
    });
  }

  /** Downloads a blob and checks its digest and size against the descriptor. */
  async getBlob(repository: string, desc: Descriptor): Promise<Buffer> {
    const what = `GET blob ${desc.digest}`;
    return this.retrying(repository, what, async () => {
      const res = await this.exchange(repository, 'pull', what, { method: 'GET', url: this.url(repository, `blobs/${desc.digest}`) }, [200]);
      if (res.body.length !== desc.size || sha256Digest(res.body) !== desc.digest) {
        // A truncated or corrupted transfer: fetch again.
        throw new RetryableError(`content does not match digest/size (${res.body.length} bytes)`);
      }
      return res.body;
    });
  }

  /** Every tag of the repository (follows `Link` pagination). */
  async listTags(repository: string): Promise<string[]> {
    const tags: string[] = [];
    let next: URL | undefined = this.url(repository, 'tags/list?n=1000');
    while (next) {
      const url: URL = next;
      const what = 'list tags';
      const res = await this.retrying(repository, what, () => this.exchange(repository, 'pull', what, { method: 'GET', url }, [200, 404]));
      if (res.status === 404) return tags;
      tags.push(...((JSON.parse(res.body.toString('utf8')) as { tags?: string[] | null }).tags ?? []));
      const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(String(res.headers.link ?? ''));
      next = link ? new URL(link[1], this.base) : undefined;
    }
    return tags;
  }
}
