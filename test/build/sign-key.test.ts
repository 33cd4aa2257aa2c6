// build --pgp-fingerprint/--pgp-key-url: the artifacthub.io/signKey annotation of PGP-signed charts.
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirMaker } from '../support/temp-dirs.js';
import yaml from 'js-yaml';
import { addAnnotations, signKeyAnnotation } from '../../generator/synth/sign-key.js';
import { synthesizeChart } from '../../generator/synth/synthesize.js';
import { main } from '../../generator/cli.js';
import { memoryOutput } from '../support/memory-output.js';
import { HELMS, helmOk } from '../support/helm.js';

const FPR = '0123456789ABCDEF0123456789ABCDEF01234567';
const URL_ = 'https://example.com/keys/charts.asc';
const tempDir = tempDirMaker('opta-signkey-');

async function cli(args: string[]) {
  const output = memoryOutput();
  const code = await main(['node', 'opta-charts', ...args], { output, cwd: process.cwd(), env: {}, stdin: process.stdin });
  return { code, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') };
}

describe('signKeyAnnotation', () => {
  it('is a YAML document with the normalised fingerprint and the URL', () => {
    const a = signKeyAnnotation('0123 4567 89ab cdef 0123  4567 89ab cdef 0123 4567', URL_)!;
    expect(yaml.load(a['artifacthub.io/signKey'])).toEqual({ fingerprint: FPR, url: URL_ });
    expect(signKeyAnnotation(undefined, undefined)).toBeUndefined();
  });

  it.each([
    [FPR, undefined, '--pgp-fingerprint and --pgp-key-url go together'],
    ['12345', URL_, '--pgp-fingerprint: "12345" is not a PGP key fingerprint'],
    [FPR, 'http://example.com/k.asc', '--pgp-key-url: "http://example.com/k.asc" is not an https URL'],
    [FPR, 'not a url', '--pgp-key-url: "not a url" is not an https URL'],
  ])('refuses %s / %s', (fpr, url, message) => {
    expect(() => signKeyAnnotation(fpr, url)).toThrow(message);
  });
});

describe('addAnnotations', () => {
  const add = { 'artifacthub.io/signKey': 'fingerprint: AB\nurl: https://x\n' };

  it('adds under an existing annotations block, keeping comments and the other annotations', () => {
    const text = 'apiVersion: v2\nname: x\nversion: "1.0.0"\nannotations:\n  # a comment\n  artifacthub.io/license: MIT\nkeywords: [a]\n';
    const out = addAnnotations(text, add);
    expect(out).toContain('# a comment');
    expect(yaml.load(out)).toEqual({ apiVersion: 'v2', name: 'x', version: '1.0.0', keywords: ['a'], annotations: { 'artifacthub.io/license': 'MIT', ...add } });
  });

  it('creates the block when Chart.yaml has none, following the existing indentation', () => {
    expect(yaml.load(addAnnotations('apiVersion: v2\nname: x', add))).toEqual({ apiVersion: 'v2', name: 'x', annotations: add });
    const fourSpaces = addAnnotations('name: x\nannotations:\n    a: b\n', add);
    expect(yaml.load(fourSpaces)).toEqual({ name: 'x', annotations: { a: 'b', ...add } });
  });
});

describe('synthesis with build annotations', () => {
  const sources = (chartYaml: string) => ({ name: 'x', dir: 'chart-templates/x', files: { 'Chart.yaml': Buffer.from(chartYaml) } });
  const add = signKeyAnnotation(FPR, URL_)!;

  it('adds them to Chart.yaml and its metadata', () => {
    const chart = synthesizeChart(sources('apiVersion: v2\nname: x\nversion: "1.0.0"\n'), { annotations: add });
    expect((chart.metadata.annotations as Record<string, string>)['artifacthub.io/signKey']).toBe(add['artifacthub.io/signKey']);
    expect(chart.files['Chart.yaml'].toString()).toContain('artifacthub.io/signKey: |');
  });

  it('a key Chart.yaml sets itself is an error naming the file and key', () => {
    const own = 'apiVersion: v2\nname: x\nversion: "1.0.0"\nannotations:\n  artifacthub.io/signKey: "fingerprint: X"\n';
    expect(() => synthesizeChart(sources(own), { annotations: add })).toThrow('chart-templates/x/Chart.yaml: annotations.artifacthub.io/signKey: is set here and by the build; keep one');
  });
});

describe('build --pgp-fingerprint --pgp-key-url', () => {
  it('writes the annotation into the built Chart.yaml; Helm lints the chart', async () => {
    const out = tempDir();
    const r = await cli(['build', '--chart', 'opta-service', '--out', out, '--pgp-fingerprint', FPR, '--pgp-key-url', URL_]);
    expect(r.code, r.stderr).toBe(0);
    const chart = yaml.load(readFileSync(join(out, 'opta-service', 'Chart.yaml'), 'utf8')) as { annotations: Record<string, string> };
    expect(yaml.load(chart.annotations['artifacthub.io/signKey'])).toEqual({ fingerprint: FPR, url: URL_ });
    expect(chart.annotations['artifacthub.io/license']).toBe('Apache-2.0');
    for (const helm of HELMS) await helmOk(helm, ['lint', '--strict', join(out, 'opta-service')]);
  });

  it('a half-given key is a user error, before anything is written', async () => {
    const r = await cli(['build', '--chart', 'opta-service', '--out', join(tmpdir(), 'opta-never-written'), '--pgp-fingerprint', FPR]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--pgp-fingerprint and --pgp-key-url go together');
    expect(existsSync(join(tmpdir(), 'opta-never-written'))).toBe(false);
  });
});
