// The one thin layer that reads and writes chart files; everything else works on FileTree values.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { FileTree } from '../chart/types.js';

/** Reads every file below `dir` into a FileTree with POSIX paths, in sorted order. */
export async function readTree(dir: string): Promise<FileTree> {
  const tree: FileTree = {};
  const walk = async (d: string): Promise<void> => {
    const entries = (await readdir(d, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) tree[relative(dir, full).split(sep).join('/')] = await readFile(full);
    }
  };
  await walk(dir);
  return tree;
}

/** Replaces `dir` with exactly the files of `tree`: written to a sibling temp dir first, then swapped in. */
export async function writeTreeReplacing(dir: string, tree: FileTree): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  for (const [path, content] of Object.entries(tree)) {
    const target = join(tmp, ...path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  await mkdir(tmp, { recursive: true });
  const old = `${dir}.old-${process.pid}`;
  await rm(old, { recursive: true, force: true });
  await rename(dir, old).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
  await rename(tmp, dir);
  await rm(old, { recursive: true, force: true });
}

/** Writes a file through a temp file and rename, so readers never see half a file. */
export async function writeFileAtomic(path: string, content: Buffer | string, mode?: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, content, mode === undefined ? undefined : { mode });
  await rename(tmp, path);
}
