// "Same bytes on every machine", as a test that can fail: the sha256 of archives built from committed sources with
// the default timestamp (no SOURCE_DATE_EPOCH), pinned. It fails on a machine whose zlib, tar writer or file order
// gives other bytes, and on any change of the archive format.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirMaker } from '../support/temp-dirs.js';
import { main } from '../../generator/cli.js';
import { memoryOutput } from '../support/memory-output.js';

/**
 * THE BYTE PINS. Changing one means every archive opta-charts builds from those sources gets new bytes (and so a new
 * digest in SHA256SUMS, in OCI manifests, and wherever users pinned one). Update them only for a change you mean:
 * - `demo` (test/build/fixtures/demo, which nothing else changes): only the archive format moves it: entry order,
 *   modes, owners, the default mtime, the tar header layout, or the gzip level/header (the gzip level is part of the
 *   reproducibility contract, see README "Reproducible archives");
 * - `opta-service` (chart-templates/opta-service and its values schema): also moves with every change of the chart's
 *   sources or generated files (values.yaml, README, values.schema.json).
 * If `demo` fails on one machine and passes on another, the bytes depend on the machine: that is the bug.
 */
const PINNED_SHA256 = {
  'demo-0.3.0.tgz': '3449231920e43ca045dccd0a83d433920b11eaca00af9188524efe20ec8d854d',
  'opta-service-0.2.0.tgz': 'f17301d9f2ee834e09d199f33a2fbbd2cb08379082dc09b4c5b428ad999b6e60',
};

const tempDir = tempDirMaker('opta-pin-');

async function buildArchive(chart: string, source: string | undefined, archive: string): Promise<string> {
  const out = tempDir();
  const output = memoryOutput();
  // No SOURCE_DATE_EPOCH: the default timestamp. No Helm: the template check does not change bytes.
  const args = ['build', ...(source ? ['--source', source] : []), '--chart', chart, '--out', out, '--cache-dir', join(out, '.cache')];
  const code = await main(['node', 'opta-charts', ...args], { output, cwd: process.cwd(), env: {}, stdin: process.stdin });
  expect(code, output.stderr.join('\n')).toBe(0);
  return createHash('sha256').update(readFileSync(join(out, archive))).digest('hex');
}

describe('archive bytes are pinned', () => {
  it('the demo fixture (archive format only)', async () => {
    expect(await buildArchive('demo', join(import.meta.dirname, 'fixtures', 'demo'), 'demo-0.3.0.tgz')).toBe(PINNED_SHA256['demo-0.3.0.tgz']);
  });

  it('opta-service from the committed sources', async () => {
    expect(await buildArchive('opta-service', undefined, 'opta-service-0.2.0.tgz')).toBe(PINNED_SHA256['opta-service-0.2.0.tgz']);
  });
});
