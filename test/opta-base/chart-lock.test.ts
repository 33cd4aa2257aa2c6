// Chart.lock: Helm's digest (Go json.Marshal, escaping included), proved by both Helm releases accepting it as in sync.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartLockYaml, lockDigest } from '../../generator/charts/opta-base/chart-lock.js';
import { goJson } from '../../generator/encoding/go-json.js';
import { rfc3339, rfc3339Nano } from '../../generator/encoding/go-time.js';
import { startChartRepo, type ChartRepoServer } from '../support/chart-repo-server.js';
import { HELMS, runHelm } from '../support/helm.js';
import { standInArchive, standInCharts } from '../support/standin-charts.js';
import { buildUmbrella, tempDir, writeTree } from './build-umbrella.js';

const sha = (s: string) => `sha256:${createHash('sha256').update(s, 'utf8').digest('hex')}`;

describe('lock digest', () => {
  it('escapes like Go: < > & U+2028 U+2029', () => {
    expect(goJson('a<b>&c\u2028d\u2029"\\\n')).toBe('"a\\u003cb\\u003e\\u0026c\\u2028d\\u2029\\"\\\\\\n"');
  });

  it('writes times as Go does: time.RFC3339 (no fractions), and time.Time\'s JSON form RFC3339Nano (Chart.lock `generated`)', () => {
    const d = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 120));
    expect(rfc3339(d)).toBe('2024-01-02T03:04:05Z');
    expect(rfc3339Nano(d)).toBe('2024-01-02T03:04:05.12Z');
    expect(rfc3339Nano(new Date(Date.UTC(2024, 0, 1)))).toBe('2024-01-01T00:00:00Z');
  });

  it('hashes json.Marshal([declared, locked]) with Helm field order and omitted empties', () => {
    const declared = [
      { name: 'a', version: '1.0.0', repository: 'https://x.test/?q=1&r=<2>', condition: 'c.a', tags: ['t1', 't2'], alias: 'al' },
      { name: 'b', version: '2.0.0', repository: '' },
    ];
    const locked = [
      { name: 'a', version: '1.0.0', repository: 'https://x.test/?q=1&r=<2>' },
      { name: 'b', version: '2.0.0', repository: '' },
    ];
    const go =
      '[[{"name":"a","version":"1.0.0","repository":"https://x.test/?q=1\\u0026r=\\u003c2\\u003e","condition":"c.a","tags":["t1","t2"],"alias":"al"},' +
      '{"name":"b","version":"2.0.0","repository":""}],' +
      '[{"name":"a","version":"1.0.0","repository":"https://x.test/?q=1\\u0026r=\\u003c2\\u003e"},{"name":"b","version":"2.0.0","repository":""}]]';
    expect(lockDigest(declared, locked)).toBe(sha(go));
  });

  it('writes sorted keys, items at column 0 and a quoted deterministic time', () => {
    const text = chartLockYaml([{ name: 'a', version: '1.0.0', repository: 'https://x.test' }], new Date(Date.UTC(2024, 0, 1)));
    expect(text).toBe(
      `dependencies:\n- name: a\n  repository: https://x.test\n  version: 1.0.0\ndigest: ${lockDigest([{ name: 'a', version: '1.0.0', repository: 'https://x.test' }], [{ name: 'a', version: '1.0.0', repository: 'https://x.test' }])}\ngenerated: "2024-01-01T00:00:00Z"\n`,
    );
  });
});

describe.each(HELMS)('Chart.lock with helm $version', (helm) => {
  const tmp = tempDir('opta-base-lock-');
  afterAll(() => tmp.cleanup());

  it('accepts escaped characters exactly as Go writes them (file:// dependency named with & < >)', async () => {
    const dir = join(tmp.dir, 'escape');
    const depDir = join(dir, 'dep&<x>');
    mkdirSync(depDir, { recursive: true });
    writeFileSync(join(depDir, 'Chart.yaml'), 'apiVersion: v2\nname: dep\nversion: 1.0.0\n');
    const declared = [{ name: 'dep', version: '1.0.0', repository: 'file://../dep&<x>', condition: 'x<y&z>.on' }];
    writeTree(join(dir, 'parent'), {
      'Chart.yaml': Buffer.from(yaml.dump({ apiVersion: 'v2', name: 'parent', version: '0.1.0', dependencies: declared })),
      'Chart.lock': Buffer.from(chartLockYaml(declared, new Date(0))),
    });
    const ok = await runHelm(helm, ['dependency', 'build', join(dir, 'parent')]);
    expect(ok.code, ok.stderr).toBe(0);
    // The control: JSON.stringify's digest (no Go escaping) is refused.
    const naive = `sha256:${createHash('sha256').update(JSON.stringify([declared, declared.map(({ name, version, repository }) => ({ name, version, repository }))])).digest('hex')}`;
    const lock = readFileSync(join(dir, 'parent', 'Chart.lock'), 'utf8');
    writeFileSync(join(dir, 'parent', 'Chart.lock'), lock.replace(/digest: .*/, `digest: ${naive}`));
    const bad = await runHelm(helm, ['dependency', 'build', join(dir, 'parent')]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/out of sync/);
  });

  describe('the generated umbrella', () => {
    let repo: ChartRepoServer;
    let chartDir = '';
    beforeAll(async () => {
      repo = await startChartRepo({ repos: { '': standInCharts().map((c) => ({ name: c.name, version: c.version, archive: standInArchive(c.name, c.version) })) } });
      // Same catalog, every repository pointed at the local server (the upstream ones are unreachable here).
      const built = await buildUmbrella(undefined, (text) => text.replace(/repository: \S+/g, `repository: ${repo.repoUrl()}`));
      chartDir = join(tmp.dir, 'opta-base');
      writeTree(chartDir, Object.fromEntries(Object.entries(built.files).filter(([p]) => !p.startsWith('charts/'))));
    });
    afterAll(async () => repo?.close());

    it('is in sync for `helm dependency build` and `helm dependency list`', async () => {
      const add = await runHelm(helm, ['repo', 'add', '--force-update', `standins-${helm.major}`, repo.repoUrl()]);
      expect(add.code, add.stderr).toBe(0);
      const build = await runHelm(helm, ['dependency', 'build', chartDir]);
      expect(build.code, build.stderr).toBe(0);
      const list = await runHelm(helm, ['dependency', 'list', chartDir]);
      expect(list.code, list.stderr).toBe(0);
      const rows = list.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
      expect(rows.map((r) => r[0])).toEqual([
        'linkerd-crds', 'linkerd-control-plane', 'linkerd2-cni', 'linkerd2-cni', 'linkerd2-cni', 'metrics-server', 'cluster-autoscaler',
        'ingress-nginx', 'ingress-nginx', 'ingress-nginx', 'gateway-helm', 'external-dns', 'cert-manager', 'datadog',
      ]);
      expect(rows.every((r) => r[r.length - 1] === 'ok')).toBe(true);
    });

    it('detects a hand-edited Chart.yaml as out of sync', async () => {
      const file = join(chartDir, 'Chart.yaml');
      const original = readFileSync(file, 'utf8');
      try {
        writeFileSync(file, original.replace('condition: components.external-dns', 'condition: externalDns.enabled'));
        const build = await runHelm(helm, ['dependency', 'build', chartDir]);
        expect(build.code).not.toBe(0);
        expect(build.stderr).toMatch(/Chart\.lock\) is out of sync/);
      } finally {
        writeFileSync(file, original);
      }
    });
  });
});
