// One definition of the helm.sh/chart label: every chart's `<chart>.chart` helper has the same text, and it keeps the
// value a valid label (Kubernetes: at most 63 characters, alphanumeric at both ends; Helm's own `helm create` helper).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../generator/paths.js';
import { HELMS, helmOk } from '../support/helm.js';

const charts = readdirSync(join(packageRoot, 'chart-templates'));
const helpers = (chart: string) => readFileSync(join(packageRoot, 'chart-templates', chart, 'templates', '_helpers.tpl'), 'utf8');

/** The body of `define "<chart>.chart"`, with the chart's name taken out. */
function chartLabelHelper(chart: string): string | undefined {
  const body = new RegExp(`\\{\\{-? define "${chart}\\.chart" -?\\}\\}([\\s\\S]*?)\\{\\{-? end -?\\}\\}`).exec(helpers(chart))?.[1];
  return body?.trim();
}

describe('the helm.sh/chart label helper', () => {
  it.each(charts)('%s defines <chart>.chart with the one text and labels with it', (chart) => {
    expect(chartLabelHelper(chart)).toBe(chartLabelHelper(charts[0]));
    expect(chartLabelHelper(chart)).toContain('trunc 63');
    expect(helpers(chart)).toContain(`helm.sh/chart: {{ include "${chart}.chart" . | quote }}`);
  });

  const scratch = mkdtempSync(join(tmpdir(), 'opta-charts-label-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  /** The label a chart named `name` at `version` gets from the helper, rendered by Helm. */
  async function label(helm: (typeof HELMS)[number], name: string, version: string): Promise<string> {
    const dir = join(scratch, `${helm.version}-${name.length}`, name);
    mkdirSync(join(dir, 'templates'), { recursive: true });
    writeFileSync(join(dir, 'Chart.yaml'), `apiVersion: v2\nname: ${name}\nversion: ${version}\n`);
    writeFileSync(join(dir, 'templates', '_helpers.tpl'), `{{- define "c.chart" -}}\n${chartLabelHelper(charts[0])}\n{{- end -}}\n`);
    writeFileSync(join(dir, 'templates', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    helm.sh/chart: {{ include "c.chart" . | quote }}\n');
    return /helm\.sh\/chart: "(.*)"/.exec(await helmOk(helm, ['template', dir]))![1];
  }

  it.each(HELMS)('renders name-version with "+" as "_", cut to 63 characters without a trailing "-" (Helm $version)', async (helm) => {
    expect(await label(helm, 'c', '1.0.0+b.7')).toBe('c-1.0.0_b.7');
    // 62 characters and "-1.0.0": cut at 63 leaves a trailing "-", which a label value may not end with.
    const long = 'a'.repeat(62);
    expect(await label(helm, long, '1.0.0')).toBe(long);
  });
});
