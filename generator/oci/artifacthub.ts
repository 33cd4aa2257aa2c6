// Artifact Hub's repository metadata as an OCI artifact: pure.
// Artifact Hub reads `<chart repository>:artifacthub.io` and takes the layer of this media type
// (artifacthub/hub internal/repo/manager.go GetMetadata, MetadataLayerMediaType; docs/helm_charts_repositories.md).
import { sharedAjv } from '../parse/ajv.js';
import { precompiledValidator } from '../precompiled/lookup.js';
import { parseYamlSource } from '../parse/source.js';
import { schemaProblem } from '../parse/schema-problem.js';
import { problemAt } from '../errors.js';
import { blob, type Blob } from './artifact.js';
import { sha256Digest } from '../encoding/sha256.js';
import { artifactManifest } from './referrers.js';

export const ARTIFACTHUB_TAG = 'artifacthub.io';
export const ARTIFACTHUB_MEDIA_TYPES = {
  config: 'application/vnd.cncf.artifacthub.config.v1+yaml',
  layer: 'application/vnd.cncf.artifacthub.repository-metadata.layer.v1.yaml',
} as const;
export const ARTIFACTHUB_FILE = 'artifacthub-repo.yml';

export interface ArtifactHubArtifact {
  config: Blob;
  layer: Blob;
  manifest: Buffer;
  manifestDigest: string;
}

/** Checks an artifacthub-repo.yml against schemas/artifacthub-repo.schema.json; `file` names it in errors. */
export function checkArtifactHubRepo(text: string, file: string, schema: object, schemaText?: string): void {
  const doc = parseYamlSource(text, file);
  const validate = (schemaText !== undefined && precompiledValidator(schemaText)) || sharedAjv().compile(schema);
  if (!validate(doc)) {
    const { key, problem } = schemaProblem(doc, validate.errors![0]);
    throw problemAt(file, key, problem, key === 'repositoryID' ? 'copy the repository ID from the Artifact Hub control panel' : undefined);
  }
}

/**
 * The artifact for the file's exact bytes. Config `{}` rather than the zero-byte config of `oras push --config /dev/null`:
 * some registries (ECR) refuse empty blobs. No timestamp, so the same file makes the same digest.
 */
export function artifactHubArtifact(file: Buffer): ArtifactHubArtifact {
  const config = blob(ARTIFACTHUB_MEDIA_TYPES.config, Buffer.from('{}'));
  const layer = blob(ARTIFACTHUB_MEDIA_TYPES.layer, file);
  const manifest = artifactManifest({ config, layers: [{ ...layer, annotations: { 'org.opencontainers.image.title': ARTIFACTHUB_FILE } }] });
  return { config, layer, manifest, manifestDigest: sha256Digest(manifest) };
}
