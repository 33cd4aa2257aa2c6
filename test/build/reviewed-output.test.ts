// The committed generated files must equal a fresh generation, so every change to output shows in review.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTree } from '../../generator/fs/tree.js';
import { synthesizeChartFromDisk } from '../../generator/chart/synthesize.js';
import { generatedValuesTypes } from '../../generator/tools/gen-types.js';

const root = join(import.meta.dirname, '..', '..');
const hint = 'run `npx opta-charts build` (or `npm run gen:types`) and commit the result';

describe('reviewed output', () => {
  it('dist-charts/opta-service equals a fresh build', async () => {
    const fresh = await synthesizeChartFromDisk(root, 'opta-service');
    const committed = await readTree(join(root, 'dist-charts', 'opta-service'));
    expect(Object.keys(committed), hint).toEqual(Object.keys(fresh));
    for (const [path, content] of Object.entries(fresh)) {
      expect(committed[path].toString('utf8'), `${path}: ${hint}`).toBe(content.toString('utf8'));
    }
  });

  it('generator/generated/*-values.ts equal types generated from the schemas', async () => {
    const fresh = await generatedValuesTypes(root);
    expect(Object.keys(fresh).length).toBeGreaterThan(0);
    for (const [path, text] of Object.entries(fresh)) {
      expect(existsSync(join(root, path)), `${path} is missing: ${hint}`).toBe(true);
      expect(readFileSync(join(root, path), 'utf8'), `${path}: ${hint}`).toBe(text);
    }
  });
});
