// publish --artifacthub-repo: pushes artifacthub-repo.yml to each chart repository's `artifacthub.io` tag.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonSource } from '../parse/source.js';
import { UserError } from '../errors.js';
import { ARTIFACTHUB_TAG, artifactHubArtifact, checkArtifactHubRepo, type ArtifactHubArtifact } from '../oci/artifacthub.js';
import { MEDIA_TYPES } from '../oci/artifact.js';
import { formatReference } from '../oci/reference.js';
import type { Repository } from '../oci/repository.js';
import { packageRoot } from '../paths.js';

const SCHEMA_FILE = join('schemas', 'artifacthub-repo.schema.json');

export interface ArtifactHubResult {
  reference: string;
  digest: string;
  /** pushed: new tag; updated: the tag held another file; unchanged: the same file is there; planned: --dry-run. */
  status: 'pushed' | 'updated' | 'unchanged' | 'planned';
}

/** Reads and checks the file (schema in the opta-charts package); the artifact carries its exact bytes. */
export async function loadArtifactHubRepo(file: string): Promise<ArtifactHubArtifact> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new UserError(`${file}: cannot read the Artifact Hub metadata file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const schemaText = readFileSync(join(packageRoot, SCHEMA_FILE), 'utf8');
  checkArtifactHubRepo(bytes.toString('utf8'), file, parseJsonSource(schemaText, SCHEMA_FILE) as object, schemaText);
  return artifactHubArtifact(bytes);
}

/** What --dry-run prints: the tag each repository would get. */
export function planArtifactHubRepo(registry: string, repositories: string[], artifact: ArtifactHubArtifact): ArtifactHubResult[] {
  return repositories.map((repository) => ({ reference: formatReference({ registry, repository }, ARTIFACTHUB_TAG), digest: artifact.manifestDigest, status: 'planned' }));
}

/** Tags the metadata as `artifacthub.io` in `repository` (blobs first); the tag is metadata, so it is simply replaced. */
export async function pushArtifactHubRepo(repo: Repository, artifact: ArtifactHubArtifact): Promise<ArtifactHubResult> {
  const reference = repo.reference(ARTIFACTHUB_TAG);
  const existing = await repo.manifestDigest(ARTIFACTHUB_TAG);
  if (existing === artifact.manifestDigest) return { reference, digest: existing, status: 'unchanged' };
  await repo.pushMissingBlobs([artifact.config, artifact.layer]);
  const { digest } = await repo.putManifest(ARTIFACTHUB_TAG, artifact.manifest, MEDIA_TYPES.manifest);
  return { reference, digest, status: existing ? 'updated' : 'pushed' };
}
