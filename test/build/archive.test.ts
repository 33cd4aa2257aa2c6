import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Header } from 'tar';
import { archiveOrder, DEFAULT_SOURCE_DATE, packChart, sha256sums, sourceDate } from '../../generator/package/archive.js';

/** Walks the tar stream with the tar library's header decoder and returns each entry's header and content. */
function entries(tgz: Buffer) {
  const raw = gunzipSync(tgz);
  const out: { header: Header; content: Buffer }[] = [];
  let off = 0;
  let paxPath: string | undefined;
  while (off < raw.length) {
    const h = new Header(raw, off);
    if (h.nullBlock) break;
    const size = h.size ?? 0;
    const content = raw.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (h.type === 'ExtendedHeader') {
      paxPath = /\d+ path=(.*)\n/.exec(content.toString())?.[1];
      continue;
    }
    if (paxPath) h.path = paxPath;
    paxPath = undefined;
    out.push({ header: h, content });
  }
  return out;
}

const files = {
  'templates/service.yaml': Buffer.from('kind: Service\n'),
  'README.md': Buffer.from('# readme\n'),
  'values.yaml': Buffer.from('a: 1\n'),
  'Chart.yaml': Buffer.from('name: x\n'),
  'charts/sub-1.0.0.tgz': Buffer.from([1, 2, 3]),
  'values.schema.json': Buffer.from('{}\n'),
  'Chart.lock': Buffer.from('digest: x\n'),
  'templates/_helpers.tpl': Buffer.from('{{/* */}}\n'),
};

describe('packChart', () => {
  it('lays entries out in Helm order under <name>/ with fixed metadata', () => {
    const list = entries(packChart('x', files));
    expect(list.map((e) => e.header.path)).toEqual([
      'x/Chart.yaml',
      'x/Chart.lock',
      'x/values.yaml',
      'x/values.schema.json',
      'x/templates/_helpers.tpl',
      'x/templates/service.yaml',
      'x/README.md',
      'x/charts/sub-1.0.0.tgz',
    ]);
    for (const { header, content } of list) {
      expect(header.mode).toBe(0o644);
      expect([header.uid, header.gid, header.uname, header.gname]).toEqual([0, 0, '', '']);
      expect(header.mtime?.toISOString()).toBe(DEFAULT_SOURCE_DATE.toISOString());
      expect(header.type).toBe('File');
      expect(content.equals(files[header.path!.slice(2) as keyof typeof files])).toBe(true);
    }
  });

  it('gives the same bytes whatever the input order, and a fixed gzip header', () => {
    const reversed = Object.fromEntries(Object.entries(files).reverse());
    const a = packChart('x', files);
    const b = packChart('x', reversed);
    expect(a.equals(b)).toBe(true);
    // magic, deflate, no flags, mtime 0, XFL 0 (neither fastest nor best: level 6), OS 255 (unknown).
    expect([...a.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
  });

  it('changes when a byte of content or the source date changes', () => {
    const a = packChart('x', files);
    expect(packChart('x', { ...files, 'values.yaml': Buffer.from('a: 2\n') }).equals(a)).toBe(false);
    expect(packChart('x', files, new Date(0)).equals(a)).toBe(false);
  });

  it('leaves chart-testing scenarios (ci/) out of the archive', () => {
    const list = entries(packChart('x', { 'Chart.yaml': Buffer.from('a'), 'ci/aws-values.yaml': Buffer.from('b'), 'cilium.txt': Buffer.from('c') }));
    expect(list.map((e) => e.header.path)).toEqual(['x/Chart.yaml', 'x/cilium.txt']);
  });

  it('keeps paths longer than 100 bytes through a PAX header', () => {
    const long = `templates/${'d'.repeat(120)}/${'f'.repeat(90)}.yaml`;
    const list = entries(packChart('x', { 'Chart.yaml': Buffer.from('a'), [long]: Buffer.from('b') }));
    expect(list.map((e) => e.header.path)).toEqual(['x/Chart.yaml', `x/${long}`]);
  });
});

describe('sourceDate', () => {
  it('reads SOURCE_DATE_EPOCH and falls back to a constant', () => {
    expect(sourceDate({ SOURCE_DATE_EPOCH: '1700000000' }).toISOString()).toBe('2023-11-14T22:13:20.000Z');
    expect(sourceDate({})).toEqual(DEFAULT_SOURCE_DATE);
    expect(() => sourceDate({ SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(/SOURCE_DATE_EPOCH: "yesterday" is not a whole number/);
  });
});

describe('archiveOrder and sha256sums', () => {
  it('orders subcharts last and lists checksums sorted', () => {
    expect(archiveOrder(['charts/a.tgz', 'z.txt', 'Chart.yaml'])).toEqual(['Chart.yaml', 'z.txt', 'charts/a.tgz']);
    expect(sha256sums([{ fileName: 'b.tgz', bytes: Buffer.from('') }, { fileName: 'a.tgz', bytes: Buffer.from('abc') }])).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  a.tgz\n' +
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  b.tgz\n',
    );
  });
});
