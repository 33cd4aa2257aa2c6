// `index`: a deterministic Helm repository index that real Helm can use.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { sha256Hex } from '../../generator/encoding/sha256.js';
import { HELMS, helmOk } from '../support/helm.js';
import { archiveDir, runCli } from './fixtures.js';

/** Serves `dir` read-only under `/prefix/` on 127.0.0.1, like a static host. */
async function serveDir(dir: string, prefix: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (!path.startsWith(prefix)) return void res.writeHead(404).end();
    const stream = createReadStream(join(dir, path.slice(prefix.length)));
    stream.on('error', () => res.writeHead(404).end());
    stream.on('open', () => stream.pipe(res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${prefix.replace(/\/$/, '')}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

const index = (args: string[], cwd: string) => runCli(['index', ...args], { cwd, env: {} });

describe('index', () => {
  let charts: ReturnType<typeof archiveDir>;
  let server: Awaited<ReturnType<typeof serveDir>>;
  let url: string;
  beforeAll(async () => {
    charts = archiveDir([
      { name: 'alpha', version: '1.0.0' },
      { name: 'alpha', version: '1.10.0' },
      { name: 'beta', version: '0.2.0' },
    ]);
    server = await serveDir(charts.dir, '/');
    url = server.url;
  });
  afterAll(async () => {
    await server?.close();
    charts?.cleanup();
  });

  it('writes entries with digests, urls and metadata, newest version first, the same bytes every time', async () => {
    expect((await index(['--url', `${url}/`, charts.dir], charts.dir)).code).toBe(0);
    const text = readFileSync(join(charts.dir, 'index.yaml'), 'utf8');
    const doc = yaml.load(text, { schema: yaml.JSON_SCHEMA }) as any;
    expect(doc.apiVersion).toBe('v1');
    expect(doc.generated).toBe('2024-01-01T00:00:00Z');
    expect(Object.keys(doc.entries)).toEqual(['alpha', 'beta']);
    expect(doc.entries.alpha.map((e: any) => e.version)).toEqual(['1.10.0', '1.0.0']);
    expect(doc.entries.alpha[1]).toMatchObject({
      name: 'alpha',
      apiVersion: 'v2',
      appVersion: '1.0',
      home: 'https://example.com/alpha',
      created: '2024-01-01T00:00:00Z',
      digest: sha256Hex(charts.bytes[0]),
      urls: [`${url}/alpha-1.0.0.tgz`],
    });
    expect((await index(['--url', url, charts.dir], charts.dir)).code).toBe(0);
    expect(readFileSync(join(charts.dir, 'index.yaml'), 'utf8')).toBe(text);
  });

  it('--merge keeps other entries of an existing index', async () => {
    const other = mkdtempSync(join(tmpdir(), 'opta-index-'));
    try {
      const old = { apiVersion: 'v1', generated: '2023-01-01T00:00:00Z', entries: { gamma: [{ name: 'gamma', version: '9.9.9', created: '2023-01-01T00:00:00Z', digest: 'ab', urls: ['https://old.example.com/gamma-9.9.9.tgz'] }] } };
      writeFileSync(join(other, 'old.yaml'), yaml.dump(old));
      expect((await index(['--url', url, '--merge', join(other, 'old.yaml'), charts.dir], charts.dir)).code).toBe(0);
      const doc = yaml.load(readFileSync(join(charts.dir, 'index.yaml'), 'utf8'), { schema: yaml.JSON_SCHEMA }) as any;
      expect(Object.keys(doc.entries)).toEqual(['alpha', 'beta', 'gamma']);
      expect(doc.entries.gamma[0]).toEqual(old.entries.gamma[0]);
    } finally {
      rmSync(other, { recursive: true, force: true });
      await index(['--url', url, charts.dir], charts.dir);
    }
  });

  it('a bad --merge file is a clear error', async () => {
    const r = await index(['--url', url, '--merge', 'nope.yaml', charts.dir], charts.dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nope\.yaml: cannot read the index to merge \(ENOENT\)/);
  });

  it.each(HELMS)('helm $version adds the repository and pulls from it', async (helm) => {
    const name = `opta-idx-${helm.major}`;
    await helmOk(helm, ['repo', 'add', name, url, '--force-update']);
    const dest = mkdtempSync(join(tmpdir(), 'opta-index-pull-'));
    try {
      await helmOk(helm, ['pull', `${name}/alpha`, '--version', '1.0.0', '--destination', dest]);
      expect(readFileSync(join(dest, 'alpha-1.0.0.tgz')).equals(charts.bytes[0])).toBe(true);
      const shown = yaml.load(await helmOk(helm, ['show', 'chart', `${name}/beta`])) as any;
      expect(shown).toMatchObject({ name: 'beta', version: '0.2.0' });
    } finally {
      rmSync(dest, { recursive: true, force: true });
    }
  });
});

describe('index: URLs', () => {
  let charts: ReturnType<typeof archiveDir>;
  let server: Awaited<ReturnType<typeof serveDir>>;
  const entries = () => (yaml.load(readFileSync(join(charts.dir, 'index.yaml'), 'utf8'), { schema: yaml.JSON_SCHEMA }) as any).entries;
  beforeAll(async () => {
    charts = archiveDir([
      { name: 'alpha', version: '1.0.0' },
      { name: 'beta', version: '0.2.0+meta.1' },
    ]);
    server = await serveDir(charts.dir, '/charts/stable/');
  });
  afterAll(async () => {
    await server?.close();
    charts?.cleanup();
  });

  it.each(['charts.example.com', 'https://', 'ftp://charts.example.com', 'https://charts.example.com/x?sig=1'])('--url %s: exit 1 naming the flag', async (bad) => {
    const r = await index(['--url', bad, charts.dir], charts.dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error: --url: "${bad.replace(/[.?/]/g, '\\$&')}"`));
  });

  it('a base URL with a path gets exactly one slash before the (escaped) file name', async () => {
    expect((await index(['--url', `${server.url}//`, charts.dir], charts.dir)).code).toBe(0);
    expect(entries().alpha[0].urls).toEqual([`${server.url}/alpha-1.0.0.tgz`]);
    expect(entries().beta[0].urls).toEqual([`${server.url}/beta-0.2.0%2Bmeta.1.tgz`]);
  });

  it.each(HELMS)('without --url the URLs are relative to the index, and helm $version resolves them against the repository URL', async (helm) => {
    expect((await index([charts.dir], charts.dir)).code).toBe(0);
    expect([entries().alpha[0].urls, entries().beta[0].urls]).toEqual([['alpha-1.0.0.tgz'], ['beta-0.2.0%2Bmeta.1.tgz']]);
    const name = `opta-rel-${helm.major}`;
    await helmOk(helm, ['repo', 'add', name, server.url, '--force-update']);
    const dest = mkdtempSync(join(tmpdir(), 'opta-index-rel-'));
    try {
      await helmOk(helm, ['pull', `${name}/beta`, '--version', '0.2.0+meta.1', '--destination', dest]);
      expect(readFileSync(join(dest, 'beta-0.2.0+meta.1.tgz')).equals(charts.bytes[1])).toBe(true);
    } finally {
      rmSync(dest, { recursive: true, force: true });
    }
  });

  it('--merge keeps merged entries exactly (nanosecond created, relative URLs); an archive in the directory wins', async () => {
    const old = [
      'apiVersion: v1',
      'entries:',
      '  alpha:',
      '  - name: alpha',
      '    version: 1.0.0',
      '    created: 2020-05-06T07:08:09.123456789+02:00',
      '    digest: stale',
      '    urls: [https://old.example.com/alpha-1.0.0.tgz]',
      '  - name: alpha',
      '    version: 0.9.0',
      '    created: "2020-05-06T07:08:09.123456789+02:00"',
      '    digest: "0123"',
      '    urls: [alpha-0.9.0.tgz]',
      'generated: 2020-05-06T07:08:09.123456789+02:00',
      '',
    ].join('\n');
    writeFileSync(join(charts.dir, 'old.yaml'), old);
    try {
      expect((await index(['--merge', 'old.yaml', charts.dir], charts.dir)).code).toBe(0);
      const alpha = entries().alpha;
      expect(alpha.map((e: any) => [e.version, e.digest, e.urls])).toEqual([
        ['1.0.0', sha256Hex(charts.bytes[0]), ['alpha-1.0.0.tgz']],
        ['0.9.0', '0123', ['alpha-0.9.0.tgz']],
      ]);
      expect(alpha[1].created).toBe('2020-05-06T07:08:09.123456789+02:00');
    } finally {
      rmSync(join(charts.dir, 'old.yaml'));
    }
  });
});
