// Downloading charts from OCI repositories (used to resolve oci:// dependencies).
import semver from 'semver';
import { UserError } from '../errors.js';
import { MEDIA_TYPES, type Descriptor } from './artifact.js';
import { parseChartRepository, tagForVersion, versionForTag, formatReference } from './reference.js';
import { connect, type ConnectOptions } from './session.js';

export type PullOptions = ConnectOptions;

export interface PulledChart {
  /** The exact .tgz bytes of the chart layer (digest and size checked). */
  archive: Buffer;
  /** Provenance file, when the artifact has one. */
  prov?: Buffer;
  manifestDigest: string;
  /** sha256:… of the archive. */
  archiveDigest: string;
  /** The reference pulled, oci://HOST/REPO:TAG. */
  reference: string;
}

const LEGACY_CHART_LAYER = 'application/tar+gzip';

/**
 * Pulls `ref` (oci://HOST/PATH/NAME) at `version` (`+` becomes `_` in the tag).
 * `version` may also be a `sha256:` manifest digest.
 */
export async function pullChart(ref: string, version: string, options: PullOptions): Promise<PulledChart> {
  const repo = parseChartRepository(ref);
  const reference = version.startsWith('sha256:') ? version : tagForVersion(version);
  const shown = formatReference(repo, reference.startsWith('sha256:') ? undefined : reference) + (reference.startsWith('sha256:') ? `@${reference}` : '');
  const client = await connect(repo.registry, options);
  try {
    const manifest = await client.getManifest(repo.repository, reference);
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
    const archive = await client.getBlob(repo.repository, chartLayer);
    const prov = provLayer ? await client.getBlob(repo.repository, provLayer) : undefined;
    return { archive, ...(prov ? { prov } : {}), manifestDigest: manifest.digest, archiveDigest: chartLayer.digest, reference: shown };
  } finally {
    client.close();
  }
}

/** The chart versions in `ref` (oci://HOST/PATH/NAME): SemVer tags with `_` read back as `+`, highest first. */
export async function listChartVersions(ref: string, options: PullOptions): Promise<string[]> {
  const repo = parseChartRepository(ref);
  const client = await connect(repo.registry, options);
  try {
    const versions = (await client.listTags(repo.repository)).map(versionForTag).filter((v) => semver.valid(v) !== null);
    return versions.sort((a, b) => semver.rcompare(a, b));
  } finally {
    client.close();
  }
}
