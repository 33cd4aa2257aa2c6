// Opens a RegistryClient with credentials resolved from the usual chain.
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { RegistryClient, type ClientOptions } from './client.js';
import { resolveCredentials } from './credentials.js';

export interface ConnectOptions {
  env: NodeJS.ProcessEnv;
  plainHttp?: boolean;
  /** Path of a PEM CA bundle to trust in addition to the system's. */
  caFile?: string;
  /** Explicit credentials (--username + --password-stdin); otherwise env, Docker and Helm configs are consulted. */
  username?: string;
  password?: string;
  timeoutMs?: number;
  retry?: ClientOptions['retry'];
  log?: (line: string) => void;
}

export async function connect(registry: string, options: ConnectOptions): Promise<RegistryClient> {
  let ca: Buffer | undefined;
  if (options.caFile) {
    try {
      ca = await readFile(options.caFile);
    } catch (e) {
      throw new UserError(`${options.caFile}: cannot read the CA file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  const credentials = await resolveCredentials(registry, { username: options.username, password: options.password, env: options.env });
  return new RegistryClient(registry, { plainHttp: options.plainHttp, ca, credentials, timeoutMs: options.timeoutMs, retry: options.retry, log: options.log });
}
