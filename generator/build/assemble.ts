// The pure part of `build`: synthesized charts -> archives, checksums and the report.
import { synthesizeChart } from '../synth/synthesize.js';
import type { ChartContribution } from './extension.js';
import type { ChartSources, JsonSchema } from '../synth/types.js';
import type { FileTree } from '../fs/tree.js';
import { isShipped, packChart } from '../package/archive.js';
import { sha256Hex } from '../encoding/sha256.js';
import { checkHelmLimits, type LimitsPasses } from '../package/helm-limits.js';

export interface BuiltChart {
  name: string;
  version: string;
  /** The chart directory's files, as written to dist-charts/<name>/. */
  files: FileTree;
  archiveName: string;
  archive: Buffer;
  sha256: string;
  /** The values schema the chart was made from, if any (its text is files['values.schema.json']). */
  schema?: JsonSchema;
}

/** `limitsPasses`: vendored archives known to be within Helm's limits (checkHelmLimits). */
export function assembleChart(sources: ChartSources, contribution: ChartContribution, mtime: Date, limitsPasses?: LimitsPasses): BuiltChart {
  const chart = synthesizeChart(sources, contribution);
  checkHelmLimits(chart.name, chart.files, limitsPasses);
  const archive = packChart(chart.name, chart.files, mtime);
  return {
    name: chart.name,
    version: chart.metadata.version,
    files: chart.files,
    archiveName: `${chart.name}-${chart.metadata.version}.tgz`,
    archive,
    sha256: sha256Hex(archive),
    schema: chart.schema,
  };
}

export interface ChartReport {
  name: string;
  version: string;
  archive: string;
  files: number;
  bytes: number;
  sha256: string;
}

export function reportOf(chart: BuiltChart): ChartReport {
  return {
    name: chart.name,
    version: chart.version,
    archive: chart.archiveName,
    files: Object.keys(chart.files).filter(isShipped).length,
    bytes: chart.archive.length,
    sha256: chart.sha256,
  };
}
