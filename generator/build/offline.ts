// A chart without the network (contribute, no vendor): what `npm run generate` writes to dist-charts/ and the tests synthesize.
import { synthesizeChart, type SynthesizedChart } from '../synth/synthesize.js';
import type { BuildOptions, ChartExtension } from './extension.js';
import { readChartSources } from './sources.js';

/**
 * Reads and synthesizes a chart without the network: everything but vendored subcharts.
 * This is what dist-charts/<chart>/ holds in git, and what docs and types are generated from.
 */
export async function synthesizeChartOffline(root: string, name: string, extension?: ChartExtension, env: NodeJS.ProcessEnv = {}): Promise<SynthesizedChart> {
  const sources = await readChartSources(root, name);
  const options: BuildOptions = { offline: true, mirrors: [], cacheDir: '', root, env };
  return synthesizeChart(sources, (await extension?.contribute(sources, options)) ?? {});
}
