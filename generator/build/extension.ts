// The chart-extension contract of the build pipeline: what a chart adds to the generic synthesis, and the options it gets.
import type { DependencyRef } from '../fetch/upstream-lock.js';
import type { FileTree } from '../fs/tree.js';
import type { Output } from '../output.js';
import type { ChartSources, JsonSchema } from '../synth/types.js';

export interface BuildOptions {
  /** Build only from cached upstream archives; fail naming what is missing. */
  offline: boolean;
  /** Upstream repository URL (or `*`) → replacement URL. */
  mirrors: { from: string; to: string }[];
  /** Where downloaded upstream archives are cached by digest. */
  cacheDir: string;
  /** The project root (holds chart-templates/, schemas/, and lock files). */
  root: string;
  /** Use a first download of a dependency whose lock entry has no digest, for this build only (`build --trust-unpublished-digests`). */
  trustUnpublishedDigests?: boolean;
  env: NodeJS.ProcessEnv;
}

/** What a chart-specific extension adds to the generic synthesis. */
export interface ChartContribution {
  /** Extra Handlebars model entries, available in every .hbs file of the chart. */
  model?: Record<string, unknown>;
  /** Files added verbatim (vendored subchart archives, Chart.lock). */
  files?: FileTree;
  /** Replaces the source schema (e.g. subchart sections derived from a catalog). */
  schema?: JsonSchema;
  /** Source files the extension read itself (e.g. a catalog), which therefore do not ship in the chart. */
  consumes?: string[];
  /** Chart.yaml annotations the build adds (e.g. artifacthub.io/signKey); a key Chart.yaml already has is an error. */
  annotations?: Record<string, string>;
}

/** The upstream charts a chart vendors, each archive once, and the lock file that pins their digests. */
export interface UpstreamCharts {
  refs: DependencyRef[];
  lockFile: string;
}

/**
 * Chart-specific work the generic pipeline cannot do alone.
 * `contribute` needs no network (catalog-derived model, schema, generated files), so tests, docs and types can use it;
 * `upstream` names the upstream charts (what `vendor` fetches and `opta-charts lock` checks), also without network;
 * `vendor` brings what only the network or the cache can (vendored subchart archives).
 */
export interface ChartExtension {
  contribute(sources: ChartSources, options: BuildOptions): Promise<ChartContribution>;
  upstream?(sources: ChartSources, options: BuildOptions): Promise<UpstreamCharts>;
  vendor?(sources: ChartSources, options: BuildOptions, output: Output): Promise<FileTree>;
}
