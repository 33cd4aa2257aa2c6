// Downloading charts from OCI repositories (used to resolve oci:// dependencies and to pin plans by digest).
import semver from 'semver';
import { UserError } from '../errors.js';
import { MEDIA_TYPES, type Descriptor } from './artifact.js';
import { isNotFound } from './errors.js';
import { tagForVersion, versionForTag } from './reference.js';
import type { Repository } from './repository.js';

export interface PulledChart {
  /** The exact .tgz bytes of the chart layer (digest and size checked). */
  archive: Buffer;
  /** Provenance file, when the artifact has one. */
  prov?: Buffer;
  manifestDigest: string;
  /** sha256:… of the archive. */
  archiveDigest: string;
  /** The reference pulled, oci://HOST/REPO:TAG or oci://HOST/REPO@DIGEST. */
  reference: string;
}

const LEGACY_CHART_LAYER = 'application/tar+gzip';

/**
 * Pulls the chart at `version` from `repo` (`+` becomes `_` in the tag); `version` may also be a `sha256:` manifest
 * digest. A version the repository does not have is a RegistryError of kind `not-found`, told from an unreachable
 * registry (RegistryUnreachableError) by type, from the one answer.
 */
export async function pullChart(repo: Repository, version: string): Promise<PulledChart> {
  const byDigest = version.startsWith('sha256:');
  const reference = byDigest ? version : tagForVersion(version);
  const shown = byDigest ? `${repo.reference()}@${reference}` : repo.reference(reference);
  const manifest = await repo.getManifest(reference);
  let parsed: { config?: Descriptor; layers?: Descriptor[] };
  try {
    parsed = JSON.parse(manifest.bytes.toString('utf8'));
  } catch {
    throw new UserError(`${shown}: the manifest is not JSON`);
  }
  if (parsed.config?.mediaType !== MEDIA_TYPES.config) {
    throw new UserError(`${shown}: not a Helm chart (config media type ${parsed.config?.mediaType ?? 'missing'})`);
  }
  const layers = parsed.layers ?? [];
  const chartLayer = layers.find((l) => l.mediaType === MEDIA_TYPES.chart) ?? layers.find((l) => l.mediaType === LEGACY_CHART_LAYER);
  if (!chartLayer) throw new UserError(`${shown}: the manifest has no chart layer`);
  const provLayer = layers.find((l) => l.mediaType === MEDIA_TYPES.prov);
  const layer = (desc: Descriptor) =>
    repo.getBlob(desc).catch((e: unknown) => {
      // The manifest is there, so a missing layer is a broken registry, not a missing version.
      if (isNotFound(e)) throw new UserError(`${shown}: the manifest lists ${desc.digest}, which the registry does not have (${e.message})`);
      throw e;
    });
  const archive = await layer(chartLayer);
  const prov = provLayer ? await layer(provLayer) : undefined;
  return { archive, ...(prov ? { prov } : {}), manifestDigest: manifest.digest, archiveDigest: chartLayer.digest, reference: shown };
}

/** The chart versions in `repo`: SemVer tags with `_` read back as `+`, highest first. */
export async function listChartVersions(repo: Repository): Promise<string[]> {
  const versions = (await repo.listTags()).map(versionForTag).filter((v) => semver.valid(v) !== null);
  return versions.sort((a, b) => semver.rcompare(a, b));
}
