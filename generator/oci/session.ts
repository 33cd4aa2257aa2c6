// The OCI session: the only way to talk to a registry. One per command run; it holds one keep-alive transport and,
// per registry host, one client (credentials resolved once, the challenge learned once, tokens cached). Every call of
// the command (publish's pushes, re-publish checks, signatures and fallback tags; build's and lock's OCI dependencies;
// plan's digest pins) goes through a Repository the session hands out.
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import { retryPolicy, Transport, type RetryPolicy, type RetrySettings } from '../net/http.js';
import { RegistryClient } from './client.js';
import { resolveCredentials } from './credentials.js';
import type { RepositoryRef } from './reference.js';
import { Repository, type Actions } from './repository.js';

export interface SessionOptions {
  env: NodeJS.ProcessEnv;
  /** Talk plain HTTP instead of verified TLS: for every registry, or for those the function picks (loopback). */
  plainHttp?: boolean | ((registry: string) => boolean);
  /** Path of a PEM CA bundle to trust in addition to the system's. */
  caFile?: string;
  /** Explicit credentials (--username + --password-stdin); otherwise env, Docker and Helm configs are consulted. */
  username?: string;
  password?: string;
  /** Bound on the whole session, retries included, in ms (default: none; retries are still limited in number). */
  timeoutMs?: number;
  retry?: RetrySettings;
  /** Progress lines (retries); never receives secrets. */
  log?: (line: string) => void;
  /** A transport the command already has (fetching also reads classic repositories): shared, and closed by its owner. */
  transport?: Transport;
  /** What the user can do about TLS failures, and about an HTTPS registry spoken to in plain HTTP (the command's flags). */
  hints?: { tls?: string; plainHttp?: string };
}

export class OciSession {
  private readonly clients = new Map<string, Promise<RegistryClient>>();
  private readonly policy: RetryPolicy;
  private readonly ownsTransport: boolean;
  private readonly plainHttpHint?: string;
  readonly transport: Transport;

  private constructor(
    private readonly options: SessionOptions,
    ca: Buffer | undefined,
  ) {
    const timeoutMs = options.timeoutMs ?? Number.POSITIVE_INFINITY;
    this.ownsTransport = !options.transport;
    this.plainHttpHint = options.hints?.plainHttp;
    this.transport = options.transport ?? new Transport({ ca, idleTimeoutMs: Math.min(60_000, timeoutMs), tlsHint: options.hints?.tls, plainHttpHint: this.plainHttpHint });
    // Retry lines are written by each client (with the repository's own log when it has one).
    this.policy = retryPolicy(timeoutMs, options.retry);
  }

  static async open(options: SessionOptions): Promise<OciSession> {
    let ca: Buffer | undefined;
    if (options.caFile) {
      if (options.transport) throw new Error('OciSession: caFile and a shared transport exclude each other');
      try {
        ca = readFileSync(options.caFile);
      } catch (e) {
        throw new UserError(`${options.caFile}: cannot read the CA file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
    }
    return new OciSession(options, ca);
  }

  /** The client for `registry` (host[:port]): made on first use, with its credentials resolved once. */
  client(registry: string): Promise<RegistryClient> {
    let client = this.clients.get(registry);
    if (!client) {
      const { env, username, password, plainHttp, log } = this.options;
      client = resolveCredentials(registry, { username, password, env }).then(
        (credentials) =>
          new RegistryClient(registry, {
            transport: this.transport,
            plainHttp: typeof plainHttp === 'function' ? plainHttp(registry) : Boolean(plainHttp),
            credentials,
            policy: this.policy,
            log,
            plainHttpHint: this.plainHttpHint,
          }),
      );
      this.clients.set(registry, client);
    }
    return client;
  }

  /**
   * A repository to work in. `actions` is the token scope all its calls use (announced to the registry's client, so
   * that a token fetched for any repository of the command covers this one too).
   */
  async repository(ref: RepositoryRef, options: { actions?: Actions; log?: (line: string) => void } = {}): Promise<Repository> {
    const client = await this.client(ref.registry);
    const actions = options.actions ?? 'pull';
    client.auth.hint(`repository:${ref.repository}:${actions}`);
    return new Repository(client, ref.repository, actions, options.log ?? this.options.log);
  }

  close(): void {
    if (this.ownsTransport) this.transport.close();
  }
}

/** Runs `use` with a session opened for it, and closes the session whatever happens. */
export async function withOciSession<T>(options: SessionOptions, use: (session: OciSession) => Promise<T>): Promise<T> {
  const session = await OciSession.open(options);
  try {
    return await use(session);
  } finally {
    session.close();
  }
}
