// The OCI artifact Helm stores for a chart (pkg/registry/client.go Push): pure, bytes in, bytes out.
import { goJson } from '../encoding/go-json.js';
import { rfc3339 } from '../encoding/go-time.js';
import { sha256Digest } from '../encoding/sha256.js';
import type { ChartMetadata } from '../chart-metadata.js';
import { tagForVersion } from './reference.js';

export const MEDIA_TYPES = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  /** OCI 1.1's empty descriptor (`{}`), the config of artifacts that have none. */
  empty: 'application/vnd.oci.empty.v1+json',
  config: 'application/vnd.cncf.helm.config.v1+json',
  chart: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
  prov: 'application/vnd.cncf.helm.chart.provenance.v1.prov',
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface Blob extends Descriptor {
  data: Buffer;
}

export interface ChartArtifact {
  name: string;
  version: string;
  tag: string;
  config: Blob;
  /** Chart layer and, when present, the provenance layer, sorted by digest as Helm does. */
  layers: Blob[];
  manifest: Buffer;
  manifestDigest: string;
}

/** Only the descriptor fields of a blob or descriptor (mediaType, digest, size). */
export function descriptorOf({ mediaType, digest, size }: Descriptor): Descriptor {
  return { mediaType, digest, size };
}

export function blob(mediaType: string, data: Buffer): Blob {
  return { mediaType, digest: sha256Digest(data), size: data.length, data };
}

function sortedObject(map: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(map).sort().map((k) => [k, map[k]]));
}

const nonEmpty = (v: unknown): boolean => v !== undefined && v !== null && v !== '' && v !== false && !(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);

function pick(source: Record<string, unknown>, keys: string[], always: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = source[k];
    if (always.includes(k)) out[k] = v ?? '';
    else if (nonEmpty(v)) out[k] = v;
  }
  return out;
}

/** Chart.yaml metadata as Helm's config blob: Go's field order of chart.Metadata, empty fields omitted. */
export function configJson(meta: ChartMetadata): string {
  const m = meta as Record<string, unknown>;
  const out = pick(m, ['name', 'home', 'sources', 'version', 'description', 'keywords']);
  if (Array.isArray(meta.maintainers) && meta.maintainers.length) out.maintainers = meta.maintainers.map((x) => pick(x as Record<string, unknown>, ['name', 'email', 'url']));
  Object.assign(out, pick(m, ['icon', 'apiVersion', 'condition', 'tags', 'appVersion', 'deprecated']));
  if (nonEmpty(m.annotations)) out.annotations = sortedObject(m.annotations as Record<string, unknown>);
  Object.assign(out, pick(m, ['kubeVersion']));
  if (Array.isArray(m.dependencies) && m.dependencies.length) {
    out.dependencies = (m.dependencies as Record<string, unknown>[]).map((d) =>
      pick(d, ['name', 'version', 'repository', 'condition', 'tags', 'enabled', 'import-values', 'alias'], ['name', 'repository']),
    );
  }
  Object.assign(out, pick(m, ['type']));
  return goJson(out);
}

/** The org.opencontainers.image.* annotations Helm derives; Chart.yaml annotations override all but title and version. */
export function manifestAnnotations(meta: ChartMetadata, created: Date): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (key: string, value: unknown) => {
    if (typeof value === 'string' && value.trim() !== '') out[`org.opencontainers.image.${key}`] = value;
  };
  add('description', meta.description);
  add('title', meta.name);
  add('version', meta.version);
  add('url', meta.home);
  add('created', rfc3339(created));
  if (Array.isArray(meta.sources) && meta.sources.length) add('source', meta.sources[0]);
  if (Array.isArray(meta.maintainers) && meta.maintainers.length) {
    add('authors', meta.maintainers.map((x) => `${x?.name ?? ''}${x?.email ? ` (${x.email})` : ''}`).join(', '));
  }
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    if (k === 'org.opencontainers.image.title' || k === 'org.opencontainers.image.version') continue;
    out[k] = String(v);
  }
  return out;
}

/**
 * Builds config, layers and manifest for one chart archive.
 * `created` is the archive's source date, so the manifest digest depends only on the archive (and .prov).
 */
export function buildChartArtifact(input: { archive: Buffer; prov?: Buffer; metadata: ChartMetadata; created: Date }): ChartArtifact {
  const config = blob(MEDIA_TYPES.config, Buffer.from(configJson(input.metadata)));
  const layers = [blob(MEDIA_TYPES.chart, input.archive)];
  if (input.prov) layers.push(blob(MEDIA_TYPES.prov, input.prov));
  layers.sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  const manifest = Buffer.from(
    goJson({
      schemaVersion: 2,
      config: descriptorOf(config),
      layers: layers.map(descriptorOf),
      annotations: sortedObject(manifestAnnotations(input.metadata, input.created)),
    }),
  );
  return {
    name: input.metadata.name,
    version: input.metadata.version,
    tag: tagForVersion(input.metadata.version),
    config,
    layers,
    manifest,
    manifestDigest: sha256Digest(manifest),
  };
}

/** Every blob of the artifact, config first, each digest once. */
export function artifactBlobs(a: ChartArtifact): Blob[] {
  const seen = new Set<string>();
  return [a.config, ...a.layers].filter((b) => !seen.has(b.digest) && seen.add(b.digest));
}

export type PushDecision =
  | { action: 'push' }
  | { action: 'unchanged' }
  | { action: 'replace'; existingDigest: string }
  | { action: 'refuse'; existingDigest: string };

/** Charts are immutable: identical content is a no-op, different content under the same tag needs --force. */
export function decidePush(newDigest: string, existingDigest: string | undefined, force: boolean): PushDecision {
  if (existingDigest === undefined) return { action: 'push' };
  if (existingDigest === newDigest) return { action: 'unchanged' };
  return force ? { action: 'replace', existingDigest } : { action: 'refuse', existingDigest };
}
