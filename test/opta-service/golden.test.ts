// Golden files of the rendered chart: every change to the YAML the chart produces shows in review.
// Regenerate with: UPDATE_GOLDEN=1 npx vitest run test/opta-service/golden.test.ts
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HELMS } from '../support/helm.js';
import { type BuiltChart, buildChart, ciScenarios, ciValuesFile, HERE, renderObjects } from './chart.js';

const GOLDEN_DIR = join(HERE, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const SCENARIOS = ['default', ...ciScenarios()];

let chart: BuiltChart;
beforeAll(async () => {
  chart = await buildChart();
});
afterAll(() => chart?.cleanup());

describe.each(SCENARIOS)('%s', (scenario) => {
  test('both Helm releases render exactly the golden file', async () => {
    const args = scenario === 'default' ? [] : ['-f', ciValuesFile(scenario)];
    const outputs = await Promise.all(HELMS.map(async (helm) => (await renderObjects(helm, chart.archive, args)).text));
    const golden = join(GOLDEN_DIR, `${scenario}.yaml`);
    if (UPDATE) {
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(golden, outputs[0]);
    }
    expect(existsSync(golden), `${golden} is missing; run with UPDATE_GOLDEN=1`).toBe(true);
    const expected = readFileSync(golden, 'utf8');
    HELMS.forEach((helm, i) => expect(outputs[i], `Helm ${helm.version} output differs from ${golden}`).toBe(expected));
  });
});

test('no golden file is left over from a removed scenario', () => {
  const files = existsSync(GOLDEN_DIR) ? readdirSync(GOLDEN_DIR) : [];
  expect(files.sort()).toEqual(SCENARIOS.map((s) => `${s}.yaml`).sort());
});
