// publish: read archives -> build artifacts (pure) -> compare with the registry -> push blobs, then the manifest.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { UserError } from '../errors.js';
import { artifactBlobs, buildChartArtifact, decidePush, MEDIA_TYPES, type ChartArtifact } from '../oci/artifact.js';
import { chartRepository, formatReference, type OciBase } from '../oci/reference.js';
import type { Repository } from '../oci/repository.js';
import { readArchiveChart } from '../package/archive-metadata.js';
import type { SigningKey } from '../oci/sigstore-bundle.js';
import { signManifest, type SignatureResult } from './sign.js';

export interface PublishItem {
  archivePath: string;
  artifact: ChartArtifact;
}

export interface PublishResult {
  chart: string;
  version: string;
  reference: string;
  digest: string;
  /** pushed: new tag; unchanged: identical content already there; replaced: --force over different content; planned: --dry-run. */
  status: 'pushed' | 'unchanged' | 'replaced' | 'planned';
  previousDigest?: string;
  /** Blobs uploaded (the rest were already in the registry). */
  blobsUploaded: number;
  blobs: { digest: string; size: number; mediaType: string }[];
  /** With --sign: the chart manifest's signature. */
  signature?: SignatureResult;
}

/** Reads each archive (and `<archive>.prov` if present) and builds its OCI artifact. */
export async function loadArtifacts(archivePaths: string[]): Promise<PublishItem[]> {
  const items: PublishItem[] = [];
  for (const archivePath of archivePaths) {
    let archive: Buffer;
    try {
      // Synchronous: the first asynchronous read would start libuv's thread pool, which costs more than the read.
      archive = readFileSync(archivePath);
    } catch (e) {
      throw new UserError(`${archivePath}: cannot read the chart archive (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    // No provenance file is normal; one that exists but cannot be read is a problem to report, not to skip.
    let prov: Buffer | undefined;
    try {
      prov = readFileSync(`${archivePath}.prov`);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'ENOENT') throw new UserError(`${archivePath}.prov: cannot read the provenance file (${e.code ?? e.message})`);
    }
    const { metadata, mtime } = await readArchiveChart(archive, archivePath);
    const expected = `${metadata.name}-${metadata.version}.tgz`;
    if (basename(archivePath) !== expected) {
      throw new UserError(`${archivePath}: Chart.yaml says ${metadata.name} ${metadata.version}, so the archive should be named ${expected}`);
    }
    items.push({ archivePath, artifact: buildChartArtifact({ archive, prov, metadata, created: mtime }) });
  }
  const seen = new Map<string, string>();
  for (const { archivePath, artifact } of items) {
    const key = `${artifact.name}:${artifact.tag}`;
    if (seen.has(key)) throw new UserError(`${archivePath}: ${artifact.name} ${artifact.version} is also given as ${seen.get(key)}`);
    seen.set(key, archivePath);
  }
  return items;
}

function summary(artifact: ChartArtifact) {
  return artifactBlobs(artifact).map(({ digest, size, mediaType }) => ({ digest, size, mediaType }));
}

/** What --dry-run prints: no network. */
export function planOnly(base: OciBase, items: PublishItem[], signing = false): PublishResult[] {
  return items.map(({ artifact }) => ({
    ...(signing ? { signature: { status: 'planned' as const } } : {}),
    chart: artifact.name,
    version: artifact.version,
    reference: formatReference(chartRepository(base, artifact.name), artifact.tag),
    digest: artifact.manifestDigest,
    status: 'planned',
    blobsUploaded: 0,
    blobs: summary(artifact),
  }));
}

/**
 * Pushes one artifact: blobs the registry lacks first, the manifest (the tag) last, so the tag
 * never points at missing content. Refuses different content under an existing tag unless `force`.
 */
export async function pushArtifact(repo: Repository, artifact: ChartArtifact, force: boolean): Promise<PublishResult> {
  const reference = repo.reference(artifact.tag);
  const existing = await repo.manifestDigest(artifact.tag);
  const decision = decidePush(artifact.manifestDigest, existing, force);
  const base = { chart: artifact.name, version: artifact.version, reference, digest: artifact.manifestDigest, blobs: summary(artifact) };
  if (decision.action === 'unchanged') return { ...base, status: 'unchanged', blobsUploaded: 0 };
  if (decision.action === 'refuse') {
    throw new UserError(
      `${reference} already exists with different content: registry has ${decision.existingDigest}, this archive makes ${artifact.manifestDigest}`,
      'chart versions are immutable: bump the version in Chart.yaml, or pass --force to replace the tag',
    );
  }
  const uploaded = await repo.pushMissingBlobs(artifactBlobs(artifact));
  await repo.putManifest(artifact.tag, artifact.manifest, MEDIA_TYPES.manifest);
  return {
    ...base,
    status: decision.action === 'replace' ? 'replaced' : 'pushed',
    ...(decision.action === 'replace' ? { previousDigest: decision.existingDigest } : {}),
    blobsUploaded: uploaded,
  };
}

/** Pushes the chart, then (with a key) signs its manifest: a signature never points at a manifest not yet there. */
export async function publishChart(repo: Repository, artifact: ChartArtifact, options: { force: boolean; key?: SigningKey; now: Date }): Promise<PublishResult> {
  const pushed = await pushArtifact(repo, artifact, options.force);
  if (!options.key) return pushed;
  const subject = { mediaType: MEDIA_TYPES.manifest, digest: artifact.manifestDigest, size: artifact.manifest.length };
  return { ...pushed, signature: await signManifest(repo, subject, options.key, options.now) };
}
