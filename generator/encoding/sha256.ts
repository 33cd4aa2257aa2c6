// sha256 as this project writes it everywhere: hex (SHA256SUMS, index.yaml, the cache) or `sha256:<hex>` (OCI, locks).
import { createHash } from 'node:crypto';

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${sha256Hex(data)}`;
}
