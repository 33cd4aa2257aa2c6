// Committed generated files must equal a fresh generation, so every change to output shows in review.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTree } from '../../generator/fs/tree.js';
import { generatedOutput, withReadmeBlocks, type GeneratedOutput } from '../../tools/generate.js';

const root = join(import.meta.dirname, '..', '..');
const hint = 'run `npm run generate` and commit the result';
let fresh: GeneratedOutput;
beforeAll(async () => {
  fresh = await generatedOutput(root);
});

describe('reviewed output', () => {
  it.each(['opta-base', 'opta-service'])('dist-charts/%s equals a fresh build (vendored charts/ aside)', async (name) => {
    const committed = await readTree(join(root, 'dist-charts', name));
    const paths = Object.keys(committed).filter((p) => !p.startsWith('charts/'));
    expect(paths, hint).toEqual(Object.keys(fresh.chartDirs[name]));
    for (const [path, content] of Object.entries(fresh.chartDirs[name])) {
      expect(committed[path].toString('utf8'), `${path}: ${hint}`).toBe(content.toString('utf8'));
    }
  });

  it('generator/generated/*-values.ts equal the types generated from the charts\' schemas', () => {
    expect(Object.keys(fresh.files).sort()).toEqual(['generator/generated/opta-base-values.ts', 'generator/generated/opta-service-values.ts']);
    for (const [path, text] of Object.entries(fresh.files)) {
      expect(existsSync(join(root, path)), `${path} is missing: ${hint}`).toBe(true);
      expect(readFileSync(join(root, path), 'utf8'), `${path}: ${hint}`).toBe(text);
    }
  });

  it("README.md's values tables equal the ones generated from the schemas", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const name of ['opta-base', 'opta-service']) expect(readme).toContain(`<!-- generated: ${name} values (npm run generate) -->`);
    expect(withReadmeBlocks(readme, fresh.readmeBlocks), hint).toBe(readme);
  });
});

describe('withReadmeBlocks', () => {
  it('replaces only the text between a chart\'s markers', () => {
    const readme = 'a\n<!-- generated: x values (npm run generate) -->\nold\n<!-- end generated: x values -->\nb\n';
    expect(withReadmeBlocks(readme, { x: 'new', y: 'ignored' })).toBe(
      'a\n<!-- generated: x values (npm run generate) -->\nnew\n<!-- end generated: x values -->\nb\n',
    );
  });
});
