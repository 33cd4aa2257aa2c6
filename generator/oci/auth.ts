// Registry authentication for one registry host: the WWW-Authenticate challenge, Basic credentials, and Bearer tokens
// from the registry's token service (Docker's token flow; OAuth2 refresh-token grant for identity tokens).
// Tokens are cached per scope and fetched one at a time; a token request asks for every scope the command announced
// (scope hints), so one token serves all the repositories a publish touches. Several `scope` parameters in one token
// request, and the form's space-separated `scope`, as oras-go does (oras-project/oras-go registry/remote/auth/client.go
// fetchDistributionToken / fetchOAuth2Token, WithScopeHints).
import type { Credentials } from './credentials.js';
import { RegistryError, type RegistryPlace } from './errors.js';
import { isRetryableStatus, RetryableError, retryAfterOf, type HttpResponse, type Transport } from '../net/http.js';

const LOGIN_HINT = 'the registry needs credentials: log in (helm registry login / docker login) or pass --username with --password-stdin';

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

const basicAuth = (creds: Credentials) => `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;

/** The hint for a 401: the credentials in use were rejected, or there were none. */
export function rejectedHint(credentials: Credentials | undefined): string {
  return credentials ? `the credentials from ${credentials.source} were rejected` : LOGIN_HINT;
}

export class Authorizer {
  /** The registry's challenge, once a 401 has shown it; until then requests go without Authorization. */
  private challenge?: Challenge;
  /** scope → Authorization header value. */
  private readonly headers = new Map<string, string>();
  private readonly hints = new Set<string>();
  /** Token requests run one after another, so concurrent requests share one token. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly transport: Transport,
    readonly credentials: Credentials | undefined,
  ) {}

  /** Announces a scope the command will use, so the next token covers it too. */
  hint(scope: string): void {
    this.hints.add(scope);
  }

  /** What to send for `scope` before any 401: a cached header, or (the challenge known) Basic or a fresh token. */
  async headerFor(scope: string, place: RegistryPlace): Promise<string | undefined> {
    if (!this.challenge) return undefined;
    return this.headers.get(scope) ?? this.authorize(scope, place, undefined);
  }

  /** After a 401 answered with `sent`: learns the challenge and returns a new header for `scope`. */
  async answer(res: HttpResponse, scope: string, place: RegistryPlace, req: { method: string; url: URL }, sent: string | undefined): Promise<string> {
    const challenge = parseChallenge(res.headers['www-authenticate'] as string | undefined);
    if (challenge?.scheme === 'basic' && this.credentials && !this.credentials.identityToken) {
      this.challenge = challenge;
    } else if (challenge?.scheme === 'bearer' && challenge.params.realm) {
      this.challenge = challenge;
    } else {
      const hint = challenge?.scheme === 'basic' || !challenge ? rejectedHint(this.credentials) : 'unsupported authentication challenge';
      throw RegistryError.fromResponse(place, req, res, hint);
    }
    return this.authorize(scope, place, sent);
  }

  /** Basic credentials, or a token for `scope` (plus the hints), unless another request already got one since `stale`. */
  private authorize(scope: string, place: RegistryPlace, stale: string | undefined): Promise<string> {
    const next = this.queue.then(async () => {
      const cached = this.headers.get(scope);
      if (cached && cached !== stale) return cached;
      if (this.challenge!.scheme === 'basic') return this.remember([scope], basicAuth(this.credentials!));
      const scopes = [scope, ...[...this.hints].filter((h) => h !== scope && (!this.headers.has(h) || this.headers.get(h) === stale))];
      return this.remember(scopes, `Bearer ${await this.fetchToken(scopes, place)}`);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private remember(scopes: string[], header: string): string {
    for (const s of scopes) this.headers.set(s, header);
    return header;
  }

  private async fetchToken(scopes: string[], place: RegistryPlace): Promise<string> {
    const realm = new URL(this.challenge!.params.realm);
    const service = this.challenge!.params.service;
    const creds = this.credentials;
    let req: { method: string; url: URL; headers: Record<string, string>; body?: Buffer };
    if (creds?.identityToken) {
      // OAuth2 refresh-token grant (Docker's identitytoken; ACR and ECR helpers hand these out).
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: 'opta-charts', scope: scopes.join(' '), ...(service ? { service } : {}) });
      req = { method: 'POST', url: realm, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: Buffer.from(form.toString()) };
    } else {
      if (service) realm.searchParams.set('service', service);
      for (const s of scopes) realm.searchParams.append('scope', s);
      req = { method: 'GET', url: realm, headers: creds ? { Authorization: basicAuth(creds) } : {} };
    }
    const res = await this.transport.send(req);
    const where = { ...place, operation: `token service ${realm.origin}${realm.pathname}` };
    if (isRetryableStatus(res.status)) throw new RetryableError(`token service ${realm.host}: HTTP ${res.status}`, retryAfterOf(res), res.status);
    if (res.status !== 200) throw RegistryError.fromResponse(where, req, res, rejectedHint(creds));
    let token: string | undefined;
    try {
      const body = JSON.parse(res.body.toString('utf8')) as { token?: string; access_token?: string };
      token = body.token || body.access_token;
    } catch {
      token = undefined;
    }
    if (!token) throw new RegistryError(where, req.method, `${realm.origin}${realm.pathname}`, res.status, [], 'the answer has no token');
    return token;
  }
}
