// The entries of an uncompressed tar, read in one pass over a Buffer: no streams, and only tar's header and PAX
// modules (not the whole tar package, which costs more to load than reading a chart archive).
import { Header } from 'tar/header';
import { Pax } from 'tar/pax';

export interface TarEntry {
  /** The entry's path, a PAX extended header's when there is one. */
  path: string;
  /** tar's entry type name: 'File', 'OldFile', 'Directory', ... */
  type: string;
  mtime?: Date;
  body: Buffer;
}

const BLOCK = 512;

/**
 * The entries up to the end-of-archive blocks, one at a time (a reader looking for one stops there: decoding headers
 * is most of the cost). Throws an Error for a header that is not a tar header, or cut short.
 */
export function* tarEntries(tar: Buffer): Generator<TarEntry> {
  let pending: { path?: string } = {};
  let at = 0;
  for (; at + BLOCK <= tar.length; ) {
    if (tar.subarray(at, at + BLOCK).every((b) => b === 0)) return;
    const header = new Header(tar, at);
    if (!header.cksumValid) throw new Error(`invalid tar header at byte ${at}`);
    const size = header.size ?? 0;
    if (at + BLOCK + size > tar.length) throw new Error(`truncated tar entry ${header.path ?? ''}`);
    const body = tar.subarray(at + BLOCK, at + BLOCK + size);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (header.type === 'ExtendedHeader') {
      pending = { path: Pax.parse(body.toString('utf8'), undefined, false).path };
      continue;
    }
    yield { path: pending.path ?? header.path ?? '', type: header.type ?? '', mtime: header.mtime, body };
    pending = {};
  }
  if (at === 0) throw new Error('not a tar archive');
}
