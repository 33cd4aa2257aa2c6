// OCI 1.1 artifacts and referrers (image-spec v1.1 manifest.md, distribution-spec v1.1 spec.md "Referrers"): pure.
import { blob, descriptorOf, MEDIA_TYPES, type Blob, type Descriptor } from './artifact.js';
import { goJson } from '../encoding/go-json.js';

/** The empty config OCI 1.1 artifacts carry: the two bytes `{}`. */
export const EMPTY_CONFIG: Blob = blob(MEDIA_TYPES.empty, Buffer.from('{}'));

export interface ReferrerEntry extends Descriptor {
  artifactType: string;
  annotations?: Record<string, string>;
}

/** An OCI image manifest for an artifact; with `subject` it is a referrer of that manifest. */
export function artifactManifest(input: { artifactType?: string; config: Descriptor; layers: (Descriptor & { annotations?: Record<string, string> })[]; subject?: Descriptor; annotations?: Record<string, string> }): Buffer {
  return Buffer.from(
    goJson({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.manifest,
      ...(input.artifactType ? { artifactType: input.artifactType } : {}),
      config: descriptorOf(input.config),
      layers: input.layers.map((l) => ({ ...descriptorOf(l), ...(l.annotations ? { annotations: l.annotations } : {}) })),
      ...(input.subject ? { subject: descriptorOf(input.subject) } : {}),
      ...(input.annotations ? { annotations: input.annotations } : {}),
    }),
  );
}

/** The referrers tag schema's tag for a subject digest: `<alg>-<hex>` (distribution-spec "Referrers Tag Schema"). */
export function referrersTag(subjectDigest: string): string {
  return subjectDigest.replace(':', '-');
}

/** The descriptors listed in a referrers index (the API's answer or the fallback tag's content). */
export function referrersOf(index: Buffer | undefined): ReferrerEntry[] {
  if (!index) return [];
  try {
    const doc = JSON.parse(index.toString('utf8')) as { manifests?: ReferrerEntry[] };
    return Array.isArray(doc.manifests) ? doc.manifests.filter((m) => m && typeof m.digest === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * The fallback tag's new content with `entry` added and existing entries kept in order, except those `gone` names
 * (manifests deleted since: Distribution refuses an index that lists a missing manifest); undefined when nothing changes.
 */
export function mergeReferrersIndex(existing: Buffer | undefined, entry: ReferrerEntry, gone: ReadonlySet<string> = new Set()): Buffer | undefined {
  const listed = referrersOf(existing);
  const kept = listed.filter((m) => !gone.has(m.digest));
  const present = kept.some((m) => m.digest === entry.digest);
  if (present && kept.length === listed.length) return undefined;
  return Buffer.from(goJson({ schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests: present ? kept : [...kept, entry] }));
}
