// Blob calls of one repository: existence, monolithic upload, checked download (distribution-spec v1.1 "Pulling
// blobs", "Pushing blobs": POST an upload session, PUT the bytes with ?digest=).
import { UserError } from '../errors.js';
import { RetryableError } from '../net/http.js';
import { sha256Digest } from '../encoding/sha256.js';
import type { Blob, Descriptor } from './artifact.js';
import { isNotFound } from './errors.js';
import type { Repository } from './repository.js';

export async function hasBlob(repo: Repository, digest: string): Promise<boolean> {
  try {
    await repo.call(`HEAD blob ${digest}`, { method: 'HEAD', url: repo.url(`blobs/${digest}`) }, [200]);
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** Monolithic upload (POST a session, PUT the bytes); a broken upload starts over with a fresh session. */
export async function pushBlob(repo: Repository, blob: Blob): Promise<void> {
  const operation = `upload blob ${blob.digest}`;
  await repo.retrying(operation, async () => {
    const start = await repo.exchange(operation, { method: 'POST', url: repo.url('blobs/uploads/') }, [202]);
    const location = start.headers.location;
    if (!location) throw new UserError(`${repo.describe(operation)}: HTTP ${start.status} without an upload location`);
    const put = new URL(location, repo.url(''));
    put.searchParams.set('digest', blob.digest);
    const done = await repo.exchange(operation, { method: 'PUT', url: put, headers: { 'Content-Type': 'application/octet-stream' }, body: blob.data }, [201, 204]);
    const stored = done.headers['docker-content-digest'];
    if (typeof stored === 'string' && stored && stored !== blob.digest) throw new UserError(`${repo.describe(operation)}: registry stored ${stored}`);
  });
}

/** Uploads the blobs the repository lacks (side by side); returns how many it uploaded. */
export async function pushMissingBlobs(repo: Repository, blobs: Blob[]): Promise<number> {
  const present = await Promise.all(blobs.map((b) => hasBlob(repo, b.digest)));
  const missing = blobs.filter((_, i) => !present[i]);
  await Promise.all(missing.map((b) => pushBlob(repo, b)));
  return missing.length;
}

/** Downloads a blob and checks its digest and size against the descriptor. */
export function getBlob(repo: Repository, desc: Descriptor): Promise<Buffer> {
  const operation = `GET blob ${desc.digest}`;
  return repo.retrying(operation, async () => {
    const res = await repo.exchange(operation, { method: 'GET', url: repo.url(`blobs/${desc.digest}`) }, [200]);
    // A truncated or corrupted transfer: fetch again.
    if (res.body.length !== desc.size || sha256Digest(res.body) !== desc.digest) throw new RetryableError(`content does not match digest/size (${res.body.length} bytes)`);
    return res.body;
  });
}
