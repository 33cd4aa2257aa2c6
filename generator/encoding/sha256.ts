// sha256 as this project writes it everywhere: hex (SHA256SUMS, index.yaml, the cache) or `sha256:<hex>` (OCI, locks);
// base64 where a format asks for it (cosign's key hint), and the key of several inputs read together (cached checks).
import { createHash } from 'node:crypto';

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${sha256Hex(data)}`;
}

export function sha256Base64(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('base64');
}

/**
 * Hex sha256 of `head`, then of each part preceded by its length and a newline, so that different splits of the same
 * bytes (['ab', 'c'], ['a', 'bc']) give different keys. A string's length is its JavaScript length.
 */
export function sha256HexOfParts(head: string, parts: Iterable<Buffer | string>): string {
  const hash = createHash('sha256').update(head);
  for (const part of parts) hash.update(`${part.length}\n`).update(part);
  return hash.digest('hex');
}
