// The one thin layer that reads and writes chart files; everything else works on FileTree values.
import { chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { problemAt, type UserError } from '../errors.js';
import { holdForTest, restoreOnInterrupt } from './interrupt.js';

/** A chart's files: POSIX path relative to the chart root → bytes. Pure synthesis produces these; one thin layer writes them. */
export type FileTree = Record<string, Buffer>;

// The file system's answers that mean "this path cannot be written here": the user's to fix, not a bug.
const PATH_PROBLEMS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a parent of this path is a file, not a directory',
  EEXIST: 'exists and is not a directory',
  EISDIR: 'is a directory',
  ENAMETOOLONG: 'name too long',
};

/** Runs a write to `target`; on failure removes `tmp` and reports the path the user named, without a stack. */
async function writing<T>(target: string, tmp: string | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    if (code && code in PATH_PROBLEMS) throw problemAt(target, undefined, `cannot write: ${PATH_PROBLEMS[code]}${detailPath(e, target)}`);
    throw e;
  }
}

// The file system's answers that mean "this source cannot be read": the user's to fix, not a bug.
const READ_PROBLEMS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'is not a directory',
  ENOENT: 'does not exist (a symbolic link to a missing file?)',
  ELOOP: 'is a loop of symbolic links',
  EIO: 'input/output error',
  ENAMETOOLONG: 'name too long',
};

/** A file system refusal to read, as a UserError naming `shown` (the path as the user knows it); else undefined. */
export function readProblem(e: unknown, shown: string): UserError | undefined {
  const code = (e as NodeJS.ErrnoException).code;
  return code && code in READ_PROBLEMS ? problemAt(shown, undefined, `cannot read: ${READ_PROBLEMS[code]}`) : undefined;
}

/** Reads with `read`; a file system refusal becomes a UserError naming `shown`. */
export async function reading<T>(shown: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    throw readProblem(e, shown) ?? e;
  }
}

/** Reads a whole source file; errors name `shown`. */
export function readSourceFile(path: string, shown: string = path): Promise<Buffer> {
  return reading(shown, () => readFile(path));
}

/**
 * Reads every file below `dir` into a FileTree with POSIX paths, in sorted order. Symbolic links are followed (as
 * `helm package` does); a dangling link, a FIFO or a device is an error naming it, never silently skipped.
 * `shown` is how `dir` appears in messages (e.g. relative to the project).
 */
export async function readTree(dir: string, shown: string = dir): Promise<FileTree> {
  const tree: FileTree = {};
  const walk = async (d: string): Promise<void> => {
    const entries = await reading(join(shown, relative(dir, d)), () => readdir(d, { withFileTypes: true }));
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = join(d, e.name);
      const name = join(shown, relative(dir, full));
      const kind = e.isSymbolicLink() ? await reading(name, () => stat(full)) : e;
      if (kind.isDirectory()) await walk(full);
      else if (kind.isFile()) tree[relative(dir, full).split(sep).join('/')] = await readSourceFile(full, name);
      else throw problemAt(name, undefined, 'cannot read: not a regular file (a FIFO, socket or device)');
    }
  };
  await walk(dir);
  return tree;
}

/** Replaces `dir` with exactly the files of `tree`: written to a sibling temp dir first, then swapped in. */
export async function writeTreeReplacing(dir: string, tree: FileTree): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  const old = `${dir}.old-${process.pid}`;
  const release = restoreOnInterrupt([tmp, old], dir, old);
  try {
    await swapTree(dir, tmp, old, tree);
  } finally {
    release();
  }
}

async function swapTree(dir: string, tmp: string, old: string, tree: FileTree): Promise<void> {
  await writing(dir, tmp, async () => {
    await rm(tmp, { recursive: true, force: true });
    for (const [path, content] of Object.entries(tree)) {
      const target = join(tmp, ...path.split('/'));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    await mkdir(tmp, { recursive: true });
    await rm(old, { recursive: true, force: true });
    let moved = false;
    await rename(dir, old).then(
      () => (moved = true),
      (e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      },
    );
    await holdForTest(`swap:${basename(dir)}`);
    // Put the previous tree back if the new one cannot take its place.
    await rename(tmp, dir).catch(async (e) => {
      if (moved) await rename(old, dir);
      throw e;
    });
  });
  await rm(old, { recursive: true, force: true });
}

/** Writes a file through a temp file and rename, so readers never see half a file; `mode` is exact, whatever the umask. */
export async function writeFileAtomic(path: string, content: Buffer | string, mode?: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const release = restoreOnInterrupt([tmp]);
  try {
    await writing(path, tmp, async () => {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(tmp, content, mode === undefined ? undefined : { mode });
      // writeFile's mode is reduced by the umask, and not applied to a temp file left over from an earlier run.
      if (mode !== undefined) await chmod(tmp, mode);
      await rename(tmp, path);
    });
  } finally {
    release();
  }
}

/** Creates `dir` (and its parents) if missing; a path that is a file, or not writable, is the user's error. */
export async function makeDirectory(dir: string): Promise<void> {
  await writing(dir, undefined, () => mkdir(dir, { recursive: true }));
}

/** The path the system call failed on, when it is neither the one the message names nor its temp file. */
function detailPath(e: unknown, target: string): string {
  const path = (e as NodeJS.ErrnoException).path;
  return path && !path.startsWith(target) ? ` (${path})` : '';
}

export interface FileToWrite {
  path: string;
  content: Buffer | string;
  mode: number;
}

/**
 * Writes files all or nothing (a values file and the private keys that go with it): their directories must exist
 * (never created here, so a typo does not scatter private keys), each is written to a temp file with its exact mode,
 * then all are renamed into place; if one fails, the files already moved are put back as they were.
 */
export async function writeFilesTogether(files: FileToWrite[]): Promise<void> {
  for (const dir of new Set(files.map((f) => dirname(f.path)))) {
    const info = await stat(dir).catch(() => undefined);
    if (!info) throw problemAt(dir, undefined, 'no such directory', 'create it first (opta-charts does not create directories for files holding private keys)');
    if (!info.isDirectory()) throw problemAt(dir, undefined, 'is not a directory');
  }
  for (const f of files) {
    if ((await stat(f.path).catch(() => undefined))?.isDirectory()) throw problemAt(f.path, undefined, `cannot write: ${PATH_PROBLEMS.EISDIR}`);
  }
  const tmp = (f: FileToWrite) => `${f.path}.tmp-${process.pid}`;
  const old = (f: FileToWrite) => `${f.path}.old-${process.pid}`;
  const written: FileToWrite[] = [];
  const moved: { file: FileToWrite; hadOld: boolean }[] = [];
  try {
    for (const f of files) {
      written.push(f);
      await writing(f.path, tmp(f), async () => {
        await writeFile(tmp(f), f.content, { mode: f.mode });
        await chmod(tmp(f), f.mode);
      });
    }
    for (const f of files) {
      const hadOld = await writing(f.path, undefined, () =>
        rename(f.path, old(f)).then(
          () => true,
          (e: NodeJS.ErrnoException) => {
            if (e.code === 'ENOENT') return false;
            throw e;
          },
        ),
      );
      moved.push({ file: f, hadOld });
      await writing(f.path, undefined, () => rename(tmp(f), f.path));
    }
  } catch (e) {
    for (const { file, hadOld } of moved.reverse()) {
      await rm(file.path, { force: true }).catch(() => undefined);
      if (hadOld) await rename(old(file), file.path).catch(() => undefined);
    }
    for (const f of written) await rm(tmp(f), { force: true }).catch(() => undefined);
    throw e;
  }
  for (const { file, hadOld } of moved) if (hadOld) await rm(old(file), { force: true });
}
