// Builds opta-base exactly as `build` does, with the stand-in charts as the fetched upstream archives (no network).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { readChartSources } from '../../generator/build/sources.js';
import { synthesizeChart } from '../../generator/synth/synthesize.js';
import type { BuildOptions } from '../../generator/build/extension.js';
import type { FileTree } from '../../generator/fs/tree.js';
import { optaBaseExtension, type Fetcher } from '../../generator/charts/opta-base/extension.js';
import { memoryOutput } from '../support/memory-output.js';
import { packChart } from '../../generator/package/archive.js';
import { sha256Hex } from '../../generator/encoding/sha256.js';
import { standInArchive } from '../support/standin-charts.js';

export const ROOT = resolve(import.meta.dirname, '../..');

/** A fetcher that serves the stand-ins and records what it was asked for. */
export function standInFetcher(calls: { name: string; version: string; repository: string }[] = []): Fetcher {
  return async (refs) =>
    refs.map((ref) => {
      calls.push(ref);
      const archive = standInArchive(ref.name, ref.version);
      return { ref, archive, sha256: sha256Hex(archive) };
    });
}

/** `catalog` rewrites the stack catalog text first (e.g. to point repositories at a local server). */
export async function buildUmbrella(fetch: Fetcher = standInFetcher(), catalog?: (text: string) => string): Promise<{ files: FileTree; archive: Buffer }> {
  const sources = await readChartSources(ROOT, 'opta-base');
  if (catalog) sources.files['stack.catalog.yaml'] = Buffer.from(catalog(sources.files['stack.catalog.yaml'].toString()));
  const options: BuildOptions = { offline: false, mirrors: [], cacheDir: '/nonexistent', root: ROOT, env: {} };
  const extension = optaBaseExtension(fetch);
  const contribution = await extension.contribute(sources, options);
  const vendored = await extension.vendor!(sources, options, memoryOutput());
  const { files } = synthesizeChart(sources, { ...contribution, files: { ...contribution.files, ...vendored } });
  return { files, archive: packChart('opta-base', files) };
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeTree(dir: string, files: FileTree): void {
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}
