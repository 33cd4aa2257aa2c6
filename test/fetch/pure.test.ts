import { describe, expect, it } from 'vitest';
import { UserError } from '../../generator/errors.js';
import { mirrorArchiveUrl, mirrorFor, parseMirrors } from '../../generator/fetch/mirrors.js';
import { repositoryLabel } from '../../generator/fetch/messages.js';
import { redactUrl } from '../../generator/net/http.js';
import { isLoopbackRegistry } from '../../generator/fetch/oci-source.js';
import { chartRepository, formatReference, parseOciBase } from '../../generator/oci/reference.js';
import { findChartVersion, indexUrl, parseRepoIndex, resolveArchiveUrl } from '../../generator/fetch/upstream-index.js';
import {
  compareLockWithRefs,
  diffLocks,
  formatLockDiff,
  parseUpstreamLock,
  serializeUpstreamLock,
  type LockEntry,
} from '../../generator/fetch/upstream-lock.js';

const D = (c: string) => `sha256:${c.repeat(64)}`;

describe('index.yaml lookup', () => {
  const index = parseRepoIndex(
    [
      'apiVersion: v1',
      'entries:',
      '  ingress-nginx:',
      '    - version: 4.15.1',
      '      urls: [ingress-nginx-4.15.1.tgz]',
      '      digest: ' + 'ab'.repeat(32),
      '    - version: 4.9.0',
      '      urls: [https://github.com/x/releases/download/ingress-nginx-4.9.0.tgz]',
      '    - version: 4.15.0',
      '      urls: []',
      '  odd:',
      '    - version: 1.10',
      '      urls: [odd-1.10.tgz]',
    ].join('\n'),
    'http://r/index.yaml',
  );

  it('finds an exact version with its digest, keeping 1.10 a string', () => {
    expect(findChartVersion(index, 'ingress-nginx', '4.15.1', 'http://r')).toEqual({
      version: '4.15.1',
      urls: ['ingress-nginx-4.15.1.tgz'],
      digest: 'ab'.repeat(32),
    });
    expect(findChartVersion(index, 'odd', '1.10', 'http://r').urls).toEqual(['odd-1.10.tgz']);
  });

  it('names chart, version, repository and the versions that exist (newest first)', () => {
    expect(() => findChartVersion(index, 'ingress-nginx', '9.9.9', 'https://kubernetes.github.io/ingress-nginx')).toThrow(
      'chart ingress-nginx 9.9.9: repository https://kubernetes.github.io/ingress-nginx has no version 9.9.9 of ingress-nginx (versions: 4.15.1, 4.15.0, 4.9.0)',
    );
    expect(() => findChartVersion(index, 'nope', '1.0.0', 'http://r')).toThrow('has no chart named "nope" (it has: ingress-nginx, odd)');
    expect(() => findChartVersion(index, 'ingress-nginx', '4.15.0', 'http://r')).toThrow('lists no download URL');
  });

  it('rejects a document that is not an index', () => {
    expect(() => parseRepoIndex('<html>hello</html>', 'http://r/index.yaml')).toThrow(UserError);
    expect(() => parseRepoIndex('<html>hello</html>', 'http://r/index.yaml')).toThrow('http://r/index.yaml: entries: missing');
  });

  it("resolves URLs as Helm does (absolute as is; relative against the repository as a directory, query kept)", () => {
    expect(resolveArchiveUrl('https://h/charts', 'a-1.0.0.tgz')).toBe('https://h/charts/a-1.0.0.tgz');
    expect(resolveArchiveUrl('https://h/charts/', 'sub/a-1.0.0.tgz')).toBe('https://h/charts/sub/a-1.0.0.tgz');
    expect(resolveArchiveUrl('https://h/charts', '/top/a.tgz')).toBe('https://h/top/a.tgz');
    expect(resolveArchiveUrl('https://h/charts?token=x', 'a.tgz')).toBe('https://h/charts/a.tgz?token=x');
    expect(resolveArchiveUrl('https://h/charts', 'https://cdn/a.tgz')).toBe('https://cdn/a.tgz');
    expect(indexUrl('https://kubernetes-sigs.github.io/metrics-server/')).toBe('https://kubernetes-sigs.github.io/metrics-server/index.yaml');
    expect(indexUrl('https://helm.linkerd.io/edge')).toBe('https://helm.linkerd.io/edge/index.yaml');
  });
});

describe('mirror mapping', () => {
  const rules = parseMirrors(['https://helm.linkerd.io/edge=http://mirror/linkerd'], {
    OPTA_CHARTS_MIRROR: '*=https://artifactory/helm, https://helm.datadoghq.com=oci://harbor/datadog',
  });

  it('maps a named repository (trailing slash ignored), else `*`, else itself', () => {
    expect(mirrorFor('https://helm.linkerd.io/edge/', rules)).toBe('http://mirror/linkerd');
    expect(mirrorFor('https://helm.datadoghq.com', rules)).toBe('oci://harbor/datadog');
    expect(mirrorFor('https://kubernetes.github.io/autoscaler', rules)).toBe('https://artifactory/helm');
    expect(mirrorFor('https://kubernetes.github.io/autoscaler', [])).toBe('https://kubernetes.github.io/autoscaler');
  });

  it('a flag wins over the environment for the same repository', () => {
    const both = parseMirrors(['*=http://flag'], { OPTA_CHARTS_MIRROR: '*=http://env' });
    expect(mirrorFor('https://x', both)).toBe('http://flag');
  });

  it('rejects a rule that is not FROM=TO, naming where it came from', () => {
    expect(() => parseMirrors(['nothing'], {})).toThrow('--mirror: "nothing" is not FROM=TO');
    expect(() => parseMirrors([], { OPTA_CHARTS_MIRROR: '=x' })).toThrow('OPTA_CHARTS_MIRROR: "=x" is not FROM=TO');
  });

  it('moves absolute archive URLs below the upstream repository to the mirror', () => {
    expect(mirrorArchiveUrl('https://up/charts/a.tgz', 'https://up/charts/', 'http://m/x')).toBe('http://m/x/a.tgz');
    expect(mirrorArchiveUrl('https://github.com/a.tgz', 'https://up/charts', 'http://m/x')).toBe('https://github.com/a.tgz');
  });
});

describe('upstream lock', () => {
  const a: LockEntry = { name: 'metrics-server', version: '3.13.1', repository: 'https://kubernetes-sigs.github.io/metrics-server/', digest: D('a'), published: true, source: 'index.yaml' };
  const b: LockEntry = { name: 'datadog', version: '3.240.0', repository: 'https://helm.datadoghq.com', digest: D('b'), published: true, source: 'index.yaml' };
  const l: LockEntry = { name: 'linkerd-crds', version: '2026.8.3', repository: 'https://helm.linkerd.io/edge', digest: null, published: false, reason: 'none published' };

  it('serializes deterministically (sorted, quoted, fixed key order) and parses back', () => {
    const text = serializeUpstreamLock([a, l, b]);
    expect(serializeUpstreamLock([l, b, a])).toBe(text);
    expect(text.split('\n').filter((line) => !line.startsWith('#'))).toEqual([
      'charts:',
      '  - name: "datadog"',
      '    version: "3.240.0"',
      '    repository: "https://helm.datadoghq.com"',
      `    digest: "${D('b')}"`,
      '    published: true',
      '    source: "index.yaml"',
      '  - name: "linkerd-crds"',
      '    version: "2026.8.3"',
      '    repository: "https://helm.linkerd.io/edge"',
      '    digest: null',
      '    published: false',
      '    reason: "none published"',
      '  - name: "metrics-server"',
      '    version: "3.13.1"',
      '    repository: "https://kubernetes-sigs.github.io/metrics-server/"',
      `    digest: "${D('a')}"`,
      '    published: true',
      '    source: "index.yaml"',
      '',
    ]);
    expect(parseUpstreamLock(text, 'l.yaml')).toEqual([b, l, a]);
    expect(parseUpstreamLock(undefined, 'l.yaml')).toEqual([]);
  });

  it('validates against schemas/upstream-lock.schema.json, naming the file, the entry and the key', () => {
    const entry = (extra: string) => `charts:\n  - name: x\n    version: "1.0.0"\n    repository: https://r\n${extra}`;
    expect(() => parseUpstreamLock(entry('    digest: md5:1\n    published: true\n    source: s\n'), 'l.yaml')).toThrow(
      'l.yaml: charts[0] (x).digest: must match pattern "^sha256:[0-9a-f]{64}$", found "md5:1"',
    );
    expect(() => parseUpstreamLock('charts:\n  - name: x\n', 'l.yaml')).toThrow('l.yaml: charts[0] (x).version: is required');
    // published: true needs the digest and where it was read; published: false needs the reason
    expect(() => parseUpstreamLock(entry(`    digest: "${D('a')}"\n    published: true\n`), 'l.yaml')).toThrow('l.yaml: charts[0] (x).source: is required');
    expect(() => parseUpstreamLock(entry('    digest: null\n    published: true\n    source: s\n'), 'l.yaml')).toThrow('l.yaml: charts[0] (x).digest: must be string, found null');
    expect(() => parseUpstreamLock(entry('    digest: null\n    published: false\n'), 'l.yaml')).toThrow('l.yaml: charts[0] (x).reason: is required');
    expect(() => parseUpstreamLock(entry('    digest: null\n    published: false\n    reason: r\n    note: n\n'), 'l.yaml')).toThrow('l.yaml: charts[0] (x).note: is not a known field');
    expect(() => parseUpstreamLock(`${entry('    digest: null\n    published: false\n    reason: r\n')}${entry('    digest: null\n    published: false\n    reason: r\n').slice('charts:\n'.length)}`, 'l.yaml')).toThrow(
      'l.yaml: charts[1]: x 1.0.0 (https://r) is listed twice',
    );
  });

  it('diffs added / changed old -> new / removed, marking digests accepted without a published one', () => {
    const c: LockEntry = { ...a, name: 'cluster-autoscaler', version: '9.59.0' };
    const accepted: LockEntry = { ...l, digest: D('d'), source: 'first download' };
    const diff = diffLocks([a, b, l], [{ ...a, digest: D('c') }, c, accepted]);
    expect(formatLockDiff(diff)).toEqual([
      `added    cluster-autoscaler 9.59.0 (${a.repository}) ${D('a')}`,
      `changed  linkerd-crds 2026.8.3 (https://helm.linkerd.io/edge) no digest -> ${D('d')} (not published upstream: accepted as downloaded)`,
      `changed  metrics-server 3.13.1 (${a.repository}) ${D('a')} -> ${D('c')}`,
      `removed  datadog 3.240.0 (https://helm.datadoghq.com) ${D('b')}`,
    ]);
  });

  it('lists catalog dependencies missing from the lock and stale entries', () => {
    expect(compareLockWithRefs([a], [b], 'l.yaml')).toEqual([
      'datadog 3.240.0 (https://helm.datadoghq.com): not in l.yaml',
      `metrics-server 3.13.1 (${a.repository}): in l.yaml but not in the catalog`,
    ]);
  });
});

describe('small helpers', () => {
  it('masks credentials in URLs shown to the user', () => {
    expect(redactUrl('https://robot:t0ken@proxy.example/helm')).toBe('https://***@proxy.example/helm');
    expect(redactUrl('https://proxy.example/helm?x=a@b')).toBe('https://proxy.example/helm?x=a@b');
    expect(repositoryLabel('https://u:p@m/x', 'https://up')).toBe('https://***@m/x (mirror of https://up)');
  });

  it('OCI: chart reference below the repository; plain HTTP only on loopback', () => {
    // What pullOciChart pulls for a dependency: the chart below the repository.
    const chartRef = (repository: string, name: string) => formatReference(chartRepository(parseOciBase(repository), name));
    expect(chartRef('oci://harbor.example/proxy/', 'datadog')).toBe('oci://harbor.example/proxy/datadog');
    expect(chartRef('oci://127.0.0.1:5000', 'datadog')).toBe('oci://127.0.0.1:5000/datadog');
    expect([isLoopbackRegistry('127.0.0.1:5000'), isLoopbackRegistry('localhost'), isLoopbackRegistry('[::1]:5000')]).toEqual([true, true, true]);
    expect([isLoopbackRegistry('harbor.example'), isLoopbackRegistry('127.example.com')]).toEqual([false, false]);
  });
});
