// Wording shared by the HTTP and OCI sides, so every repository failure reads the same.
import { UserError } from '../errors.js';
import { redactUrl } from '../net/redact.js';

/** `URL` or `URL (mirror of UPSTREAM)`, so every message shows both where we went and what was meant. */
export function repositoryLabel(source: string, upstream: string): string {
  return source === upstream ? redactUrl(source) : `${redactUrl(source)} (mirror of ${upstream})`;
}

export function unreachableHint(upstreams: string[], cacheDir: string): string {
  const from = upstreams.length === 1 ? upstreams[0] : 'FROM';
  const list = upstreams.length === 1 ? '' : ` for each of ${upstreams.join(', ')}`;
  return (
    `use --mirror ${from}=URL${list} (or --mirror '*=URL', also settable as $OPTA_CHARTS_MIRROR) to fetch from a reachable copy, ` +
    `or --offline to build from the cache (${cacheDir})`
  );
}

/** A repository (or its mirror) could not be reached; several of these share one hint. */
export class UnreachableRepositoryError extends UserError {
  constructor(message: string, readonly upstream: string, readonly cacheDir: string) {
    super(message, unreachableHint([upstream], cacheDir));
  }
}
