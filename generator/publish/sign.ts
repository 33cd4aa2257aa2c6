// publish --sign: attaches a cosign-compatible signature to a pushed chart manifest, as an OCI 1.1 referrer.
// Layout as cosign v3 writes it (sigstore/cosign v3.1.2 pkg/oci/remote/write.go WriteAttestationNewBundleFormat and
// WriteReferrer): empty config, the bundle as the only layer, `subject` = the chart manifest, artifactType = the
// bundle's media type, and the annotations Artifact Hub looks for to show "signed" (artifacthub/hub internal/oci/oci.go).
// Distribution has no referrers API, so the referrers tag schema's `sha256-<hex>` index is kept as well, as
// go-containerregistry does for cosign when the registry does not answer OCI-Subject.
import { blob, MEDIA_TYPES, type Descriptor } from '../oci/artifact.js';
import { rfc3339 } from '../encoding/go-time.js';
import { sha256Digest } from '../encoding/sha256.js';
import { artifactManifest, EMPTY_CONFIG, mergeReferrersIndex, referrersOf, referrersTag, type ReferrerEntry } from '../oci/referrers.js';
import { ACCEPT_INDEX, type Repository } from '../oci/repository.js';
import { BUNDLE_MEDIA_TYPE, bundleSignsDigest, COSIGN_SIGN_PREDICATE, signManifestDigest, type SigningKey } from '../oci/sigstore-bundle.js';

export interface SignatureResult {
  /** signed: a new signature was attached; unchanged: one by this key was already there; planned: --dry-run. */
  status: 'signed' | 'unchanged' | 'planned';
  /** Digest of the referrer manifest that carries the bundle. */
  digest?: string;
  /** The referrers tag schema's tag listing it (absent when the registry indexes referrers itself). */
  fallbackTag?: string;
}

/** The referrers of `subject`: from the registry's referrers API if it has one, else from the fallback tag. */
async function listReferrers(repo: Repository, subjectDigest: string): Promise<{ entries: ReferrerEntry[]; fromApi: boolean }> {
  const api = await repo.referrers(subjectDigest);
  if (api) return { entries: referrersOf(api), fromApi: true };
  const tagged = await repo.findManifest(referrersTag(subjectDigest), ACCEPT_INDEX);
  return { entries: referrersOf(tagged?.bytes), fromApi: false };
}

/** The referrer (digest) holding a bundle by `key` over `subjectDigest`, if any. */
async function findSignature(repo: Repository, entries: ReferrerEntry[], subjectDigest: string, key: SigningKey): Promise<string | undefined> {
  for (const entry of entries.filter((e) => e.artifactType === BUNDLE_MEDIA_TYPE)) {
    // A listed referrer may have been deleted since, or be unreadable: it then vouches for nothing.
    const found = await repo.findManifest(entry.digest);
    let layer: Descriptor | undefined;
    try {
      layer = found && (JSON.parse(found.bytes.toString('utf8')) as { layers?: Descriptor[] }).layers?.find((l) => l.mediaType === BUNDLE_MEDIA_TYPE);
    } catch {
      layer = undefined;
    }
    if (layer && bundleSignsDigest(await repo.getBlob(layer), key.publicKey, subjectDigest)) return entry.digest;
  }
  return undefined;
}

/**
 * Signs the chart manifest `subject` in `repository` with `key`, unless a valid signature by that key is already
 * attached. Blobs first, then the referrer manifest (by digest), then the fallback index, so nothing points at missing content.
 */
export async function signManifest(repo: Repository, subject: Descriptor, key: SigningKey, now: Date): Promise<SignatureResult> {
  const { entries, fromApi } = await listReferrers(repo, subject.digest);
  const fallbackTag = referrersTag(subject.digest);
  const existing = await findSignature(repo, entries, subject.digest, key);
  if (existing) return { status: 'unchanged', digest: existing, ...(fromApi ? {} : { fallbackTag }) };

  const bundle = blob(BUNDLE_MEDIA_TYPE, signManifestDigest(key, subject.digest));
  const annotations = {
    'dev.sigstore.bundle.content': 'dsse-envelope',
    'dev.sigstore.bundle.predicateType': COSIGN_SIGN_PREDICATE,
    'org.opencontainers.image.created': rfc3339(now),
  };
  const manifest = artifactManifest({ artifactType: BUNDLE_MEDIA_TYPE, config: EMPTY_CONFIG, layers: [bundle], subject, annotations });
  await repo.pushMissingBlobs([EMPTY_CONFIG, bundle]);
  const { digest, subjectAccepted } = await repo.putManifest(sha256Digest(manifest), manifest, MEDIA_TYPES.manifest);
  if (subjectAccepted) return { status: 'signed', digest };

  // Read the tag again just before writing: keep whatever other tools attached meanwhile.
  const current = await repo.findManifest(fallbackTag, ACCEPT_INDEX);
  const entry: ReferrerEntry = { mediaType: MEDIA_TYPES.manifest, digest, size: manifest.length, artifactType: BUNDLE_MEDIA_TYPE, annotations };
  const listed = referrersOf(current?.bytes).filter((e) => e.digest !== digest);
  const exists = await Promise.all(listed.map((e) => repo.manifestDigest(e.digest)));
  const gone = new Set(listed.filter((_, i) => exists[i] === undefined).map((e) => e.digest));
  const index = mergeReferrersIndex(current?.bytes, entry, gone);
  if (index) await repo.putManifest(fallbackTag, index, MEDIA_TYPES.index);
  return { status: 'signed', digest, fallbackTag };
}
