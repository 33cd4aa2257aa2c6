// One registry host within an OCI session (see session.ts): sends each registry call authorized, retries transient
// failures, and turns every failure into a typed error (errors.ts). Repository operations are in repository.ts.
import { UserError } from '../errors.js';
import { Authorizer, rejectedHint } from './auth.js';
import type { Credentials } from './credentials.js';
import { answerDetail, parseErrorBody, RegistryError, RegistryUnreachableError, unreachableReason, type RegistryPlace } from './errors.js';
import {
  ConnectionError,
  followRedirects,
  GaveUpError,
  isRetryableStatus,
  RetryableError,
  retryAfterOf,
  retryLine,
  withRetry,
  type HttpRequest,
  type HttpResponse,
  type RetryPolicy,
  type Transport,
} from '../net/http.js';

/** Docker Hub's API lives on another host than its name (as Docker, ORAS and Helm know). */
export function apiHost(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' ? 'registry-1.docker.io' : registry;
}

/** One registry call: where (for messages and scopes), the request, and the statuses that mean success. */
export interface Call {
  repository: string;
  /** Token scope actions: `pull` or `pull,push`. */
  actions: string;
  /** What is being done, e.g. `GET manifest 1.0.0` (named in retries and errors). */
  operation: string;
  req: HttpRequest;
  ok: number[];
}

/** A 429/5xx answer, kept so that giving up reports the registry's own error. */
class RetryableAnswer extends RetryableError {
  constructor(
    readonly req: HttpRequest,
    readonly res: HttpResponse,
  ) {
    const detail = answerDetail(res.body);
    super(`HTTP ${res.status}${detail ? `: ${detail}` : ''}`, retryAfterOf(res), res.status);
  }
}

export interface ClientSettings {
  transport: Transport;
  plainHttp: boolean;
  credentials?: Credentials;
  policy: RetryPolicy;
  /** Where retry lines go by default; never receives secrets. */
  log?: (line: string) => void;
  /** Appended to a plain-HTTP call's 400 without registry error codes (often an HTTPS server answering). */
  plainHttpHint?: string;
}

export class RegistryClient {
  readonly base: string;
  /** The host Authorization may be sent to (redirects to blob storage elsewhere get none). */
  private readonly host: string;
  readonly auth: Authorizer;
  /**
   * Settles when the first call has its answer. Until then other calls wait, so a registry that needs a token costs one
   * 401 and one token request, not one per concurrent call.
   */
  private firstAnswer?: Promise<void>;

  constructor(
    readonly registry: string,
    private readonly settings: ClientSettings,
  ) {
    this.base = `${settings.plainHttp ? 'http' : 'https'}://${apiHost(registry)}`;
    this.host = new URL(this.base).host;
    this.auth = new Authorizer(settings.transport, settings.credentials);
  }

  url(repository: string, path: string): URL {
    return new URL(`${this.base}/v2/${repository}/${path}`);
  }

  place(repository: string, operation: string): RegistryPlace {
    return { registry: this.registry, repository, operation };
  }

  /** Sends one call under the retry policy; the answer has one of `call.ok`'s statuses, or a typed error is thrown. */
  call(call: Call, log?: (line: string) => void): Promise<HttpResponse> {
    return this.retrying(call.repository, call.operation, () => this.exchange(call), log);
  }

  /**
   * Runs `op` (one or more exchanges) under the retry policy: broken connections, 429 and 5xx are tried again. What
   * outlasts the retries becomes a RegistryError (the registry answered) or a RegistryUnreachableError (it did not).
   */
  async retrying<T>(repository: string, operation: string, op: () => Promise<T>, log = this.settings.log): Promise<T> {
    const place = this.place(repository, operation);
    try {
      return await withRetry(op, { ...this.settings.policy, onRetry: (reason, delay, attempt) => log?.(retryLine(`${operation}: ${reason}`, delay, attempt)) });
    } catch (e) {
      const last = e instanceof GaveUpError ? e.last : e;
      if (last instanceof RetryableAnswer) throw RegistryError.fromResponse(place, last.req, last.res, undefined, e instanceof GaveUpError ? ` ${e.note}` : '');
      if ((last instanceof RetryableError || last instanceof ConnectionError) && last.code) {
        throw new RegistryUnreachableError(place, unreachableReason(last.code, last.message), (e as Error).message);
      }
      if (e instanceof RetryableError || e instanceof ConnectionError) throw new UserError(`registry ${this.registry}: repository ${repository}: ${operation}: ${e.message}`);
      throw e;
    }
  }

  /** One authorized exchange (no retries): answers a 401 once with Basic or a Bearer token for the call's scope. */
  async exchange(call: Call): Promise<HttpResponse> {
    if (this.firstAnswer) {
      await this.firstAnswer;
      return this.exchangeNow(call);
    }
    let settle!: () => void;
    this.firstAnswer = new Promise((resolve) => (settle = resolve));
    try {
      return await this.exchangeNow(call);
    } finally {
      settle();
    }
  }

  private async exchangeNow({ repository, actions, operation, req, ok }: Call): Promise<HttpResponse> {
    const scope = `repository:${repository}:${actions}`;
    const place = this.place(repository, operation);
    let auth = await this.auth.headerFor(scope, place);
    let res = await this.send(req, auth);
    if (res.status === 401) {
      auth = await this.auth.answer(res, scope, place, req, auth);
      res = await this.send(req, auth);
      if (res.status === 401) throw RegistryError.fromResponse(place, req, res, rejectedHint(this.auth.credentials));
    }
    if (isRetryableStatus(res.status)) throw new RetryableAnswer(req, res);
    if (!ok.includes(res.status)) {
      const httpsServer = res.status === 400 && req.url.protocol === 'http:' && parseErrorBody(res.body).length === 0 && this.settings.plainHttpHint;
      throw RegistryError.fromResponse(place, req, res, res.status === 403 ? 'the account has no permission for this repository' : undefined, httpsServer ? ` (${httpsServer})` : '');
    }
    return res;
  }

  /** Sends, following redirects for GET/HEAD (blob storage); Authorization only goes to the registry itself. */
  private send(req: HttpRequest, authorization: string | undefined): Promise<HttpResponse> {
    return followRedirects(
      (hop) => this.settings.transport.send(authorization && hop.url.host === this.host ? { ...hop, headers: { ...hop.headers, Authorization: authorization } } : hop),
      req,
    );
  }
}
