// `index`: a deterministic Helm repository index that real Helm can use.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import yaml from 'js-yaml';
import { main } from '../../generator/cli.js';
import { memoryOutput } from '../../generator/output.js';
import { sha256Hex } from '../../generator/package/archive.js';
import { HELMS, helmOk } from '../support/helm.js';
import { archiveDir } from './fixtures.js';

async function index(args: string[], cwd: string) {
  const out = memoryOutput();
  const code = await main(['node', 'opta-charts', 'index', ...args], { output: out, cwd, env: {}, stdin: Readable.from([]) });
  return { code, stderr: out.stderr.join('\n') };
}

describe('index', () => {
  let charts: ReturnType<typeof archiveDir>;
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    charts = archiveDir([
      { name: 'alpha', version: '1.0.0' },
      { name: 'alpha', version: '1.10.0' },
      { name: 'beta', version: '0.2.0' },
    ]);
    server = http.createServer((req, res) => {
      const file = join(charts.dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1)));
      const stream = createReadStream(file);
      stream.on('error', () => res.writeHead(404).end());
      stream.on('open', () => stream.pipe(res));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
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
