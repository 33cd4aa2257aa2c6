// One repository of a registry, as a command uses it (like oras-go's remote.Repository): manifests, tags, referrers,
// and blobs (blobs.ts). Obtained from an OciSession; every call goes through the session's client for the host.
import { UserError } from '../errors.js';
import type { HttpRequest, HttpResponse } from '../net/http.js';
import { sha256Digest } from '../encoding/sha256.js';
import { MEDIA_TYPES, type Blob, type Descriptor } from './artifact.js';
import { getBlob, hasBlob, pushBlob, pushMissingBlobs } from './blobs.js';
import type { RegistryClient } from './client.js';
import { isNotFound } from './errors.js';
import { formatReference } from './reference.js';

const ACCEPT_MANIFEST = [MEDIA_TYPES.manifest, 'application/vnd.docker.distribution.manifest.v2+json'].join(', ');
/** For tags that hold an OCI index (the referrers tag schema). */
export const ACCEPT_INDEX = [MEDIA_TYPES.index, MEDIA_TYPES.manifest].join(', ');

export interface FetchedManifest {
  bytes: Buffer;
  digest: string;
  mediaType: string;
}

export type Actions = 'pull' | 'pull,push';

export class Repository {
  constructor(
    private readonly client: RegistryClient,
    readonly name: string,
    /** The token scope every call asks for: `pull,push` for a command that writes, so one token serves all its calls. */
    readonly actions: Actions,
    /** Where this repository's retry lines go (the session's log by default). */
    private readonly log?: (line: string) => void,
  ) {}

  get registry(): string {
    return this.client.registry;
  }

  /** `oci://HOST/REPO[:TAG]`. */
  reference(tag?: string): string {
    return formatReference({ registry: this.registry, repository: this.name }, tag);
  }

  url(path: string): URL {
    return this.client.url(this.name, path);
  }

  /** `registry HOST: repository REPO: OPERATION`, the start of every message about this repository. */
  describe(operation: string): string {
    return `registry ${this.registry}: repository ${this.name}: ${operation}`;
  }

  call(operation: string, req: HttpRequest, ok: number[]): Promise<HttpResponse> {
    return this.client.call({ repository: this.name, actions: this.actions, operation, req, ok }, this.log);
  }

  retrying<T>(operation: string, op: () => Promise<T>): Promise<T> {
    return this.client.retrying(this.name, operation, op, this.log);
  }

  exchange(operation: string, req: HttpRequest, ok: number[]): Promise<HttpResponse> {
    return this.client.exchange({ repository: this.name, actions: this.actions, operation, req, ok });
  }

  /**
   * The manifest a tag or digest names (digest checked against the bytes and against what the registry claims).
   * Throws a RegistryError of kind `not-found` (MANIFEST_UNKNOWN, NAME_UNKNOWN) when there is none.
   */
  async getManifest(reference: string, accept = ACCEPT_MANIFEST): Promise<FetchedManifest> {
    const operation = `GET manifest ${reference}`;
    const res = await this.call(operation, { method: 'GET', url: this.url(`manifests/${reference}`), headers: { Accept: accept } }, [200]);
    const digest = sha256Digest(res.body);
    const claimed = res.headers['docker-content-digest'];
    if (reference.startsWith('sha256:') && digest !== reference) throw new UserError(`${this.describe(operation)}: content has digest ${digest}`);
    if (typeof claimed === 'string' && claimed && claimed !== digest) throw new UserError(`${this.describe(operation)}: registry says ${claimed}, content is ${digest}`);
    return { bytes: res.body, digest, mediaType: String(res.headers['content-type'] ?? '') };
  }

  /** Like getManifest, but undefined when the registry has no such manifest (or repository). One request either way. */
  async findManifest(reference: string, accept = ACCEPT_MANIFEST): Promise<FetchedManifest | undefined> {
    try {
      return await this.getManifest(reference, accept);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** The digest a tag (or digest) points at, or undefined when there is none. */
  async manifestDigest(reference: string): Promise<string | undefined> {
    return (await this.findManifest(reference))?.digest;
  }

  /**
   * Stores a manifest under a tag (or its digest); checks the digest the registry reports against the bytes sent.
   * `subjectAccepted`: the registry answered with OCI-Subject, so it indexes referrers itself (distribution-spec v1.1).
   */
  async putManifest(reference: string, manifest: Buffer, mediaType: string): Promise<{ digest: string; subjectAccepted: boolean }> {
    const operation = `PUT manifest ${reference}`;
    const digest = sha256Digest(manifest);
    const res = await this.call(operation, { method: 'PUT', url: this.url(`manifests/${reference}`), headers: { 'Content-Type': mediaType }, body: manifest }, [201, 200]);
    const stored = res.headers['docker-content-digest'];
    if (typeof stored === 'string' && stored && stored !== digest) throw new UserError(`${this.describe(operation)}: registry reports digest ${stored}, sent ${digest}`);
    return { digest, subjectAccepted: Boolean(res.headers['oci-subject']) };
  }

  /**
   * The referrers API's index for `digest` (distribution-spec v1.1), or undefined when the registry has no such API
   * (404, as CNCF Distribution answers): then the referrers tag schema is the place to look.
   */
  async referrers(digest: string): Promise<Buffer | undefined> {
    try {
      return (await this.call(`GET referrers ${digest}`, { method: 'GET', url: this.url(`referrers/${digest}`), headers: { Accept: MEDIA_TYPES.index } }, [200])).body;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Every tag of the repository (follows `Link` pagination); none when the repository does not exist. */
  async listTags(): Promise<string[]> {
    const tags: string[] = [];
    let next: URL | undefined = this.url('tags/list?n=1000');
    while (next) {
      let res: HttpResponse;
      try {
        res = await this.call('list tags', { method: 'GET', url: next }, [200]);
      } catch (e) {
        if (isNotFound(e)) return tags;
        throw e;
      }
      tags.push(...((JSON.parse(res.body.toString('utf8')) as { tags?: string[] | null }).tags ?? []));
      const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(String(res.headers.link ?? ''));
      next = link ? new URL(link[1], this.client.base) : undefined;
    }
    return tags;
  }

  hasBlob(digest: string): Promise<boolean> {
    return hasBlob(this, digest);
  }

  pushBlob(blob: Blob): Promise<void> {
    return pushBlob(this, blob);
  }

  pushMissingBlobs(blobs: Blob[]): Promise<number> {
    return pushMissingBlobs(this, blobs);
  }

  getBlob(desc: Descriptor): Promise<Buffer> {
    return getBlob(this, desc);
  }
}
