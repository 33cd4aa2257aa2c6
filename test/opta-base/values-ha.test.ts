// `values base --ha`: the catalog's ha profile written, visibly, into the values file for the chosen provider.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../generator/cli.js';
import { loadCatalog } from '../../generator/charts/opta-base/catalog.js';
import { memoryOutput } from '../support/memory-output.js';
import { HELMS, runHelm } from '../support/helm.js';
import { buildUmbrella, ROOT, tempDir } from './build-umbrella.js';
import { rendersOptaBase } from './helm-floor.js';

const tmp = tempDir('opta-base-values-ha-');
let archive = '';
beforeAll(async () => {
  archive = join(tmp.dir, 'opta-base.tgz');
  writeFileSync(archive, (await buildUmbrella()).archive);
});
afterAll(() => tmp.cleanup());

async function valuesBase(args: string[]): Promise<{ text: string; values: Record<string, any>; keyFile: string }> {
  const file = join(tmp.dir, `${args.join('_').replace(/\W/g, '')}.yaml`);
  const output = memoryOutput();
  const code = await main(['node', 'opta-charts', 'values', 'base', '--source', ROOT, ...args, '-o', file, '--force'], { output, cwd: tmp.dir, env: {}, stdin: process.stdin });
  expect(code, output.stderr.join('\n')).toBe(0);
  const text = readFileSync(file, 'utf8');
  return { text, values: yaml.load(text) as Record<string, any>, keyFile: file.replace(/\.yaml$/, '.trust-anchor.key.pem') };
}

describe('values base --ha', () => {
  it('gcp: writes the profile for Linkerd, gcp\'s ingress and cert-manager (on for the identity issuer) only, and says so in the header', async () => {
    const catalog = await loadCatalog(ROOT);
    const ha = catalog.profiles!.ha.components;
    const { text, values, keyFile } = await valuesBase(['--provider', 'gcp', '--cluster-name', 'c', '--ha']);
    expect(text).toMatch(/^# High availability \(--ha\): /m);
    expect(values['linkerd-control-plane']).toMatchObject(ha['linkerd-control-plane']);
    expect(values['ingress-nginx-gcp']).toEqual(ha['ingress-nginx']);
    expect(values['cert-manager']).toEqual(ha['cert-manager']);
    expect(Object.keys(values).sort()).toEqual(['cert-manager', 'components', 'ingress-nginx-gcp', 'linkerd-control-plane', 'meshIdentity', 'tags']);
    const file = join(tmp.dir, 'gcp-ha.yaml');
    writeFileSync(file, text);
    const r = await runHelm(HELMS.find(rendersOptaBase)!, ['template', 'opta-base', archive, '-n', 'opta-system', '-f', file, '--set-file', `meshIdentity.trustAnchor.keyPEM=${keyFile}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('kind: HorizontalPodAutoscaler');
  });

  it('aws, static issuer: merges the profile into the sections the flags wrote (cluster-autoscaler keeps its auto-discovery), none for cert-manager (off)', async () => {
    const { values } = await valuesBase(['--provider', 'aws', '--cluster-name', 'c', '--region', 'eu-west-1', '--issuer', 'static', '--ha']);
    expect(values['cluster-autoscaler']).toMatchObject({ autoDiscovery: { clusterName: 'c' }, awsRegion: 'eu-west-1', resources: { requests: { cpu: '100m' } } });
    expect(values['metrics-server'].replicas).toBe(2);
    expect(values['cert-manager']).toBeUndefined();
  });

  it('without --ha writes none of it', async () => {
    const { text, values } = await valuesBase(['--provider', 'gcp', '--cluster-name', 'c']);
    expect(text).not.toMatch(/High availability/);
    expect(values['ingress-nginx-gcp']).toBeUndefined();
    expect(values['linkerd-control-plane'].controllerReplicas).toBeUndefined();
  });
});
