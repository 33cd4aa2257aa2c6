// The one thin layer that reads and writes chart files; everything else works on FileTree values.
import { chmodSync, closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { problemAt, type UserError } from '../errors.js';
import { holdForTest, restoreOnInterrupt, testHoldsAt } from './interrupt.js';

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

/** Runs `f`, ignoring a failure (cleaning up after one that already happened). */
function quietly(f: () => void): void {
  try {
    f();
  } catch {
    // The first failure is the one to report.
  }
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Runs a write to `target`; on failure removes `tmp` and reports the path the user named, without a stack. */
async function writing<T>(target: string, tmp: string | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (tmp) quietly(() => rmSync(tmp, { recursive: true, force: true }));
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

/** `reading`, synchronously; `shown` is made only for a message. */
function readingSync<T>(shown: string | (() => string), read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw readProblem(e, typeof shown === 'string' ? shown : shown()) ?? e;
  }
}

// Chart files are small and many: synchronous calls cost a system call each, where fs/promises costs a round trip
// through libuv's thread pool each (most of a build's time was spent waiting for them). Functions stay async so
// callers need not change.

/** Reads a whole source file; errors name `shown`. */
export async function readSourceFile(path: string, shown: string = path): Promise<Buffer> {
  return readingSync(shown, () => readFileSync(path));
}

/**
 * Reads every file below `dir` into a FileTree with POSIX paths, in sorted order. Symbolic links are followed (as
 * `helm package` does); a dangling link, a FIFO or a device is an error naming it, never silently skipped.
 * `shown` is how `dir` appears in messages (e.g. relative to the project).
 */
export async function readTree(dir: string, shown: string = dir): Promise<FileTree> {
  const tree: FileTree = {};
  // Paths are built by concatenation as the walk goes down (path.join and path.relative for every entry were a tenth of
  // a small build); how a path is shown in messages is made only for a message.
  const shownAt = (rel: string) => join(shown, ...rel.split('/'));
  const walk = (d: string, rel: string): void => {
    const entries = readingSync(() => shownAt(rel), () => readdirSync(d, { withFileTypes: true }));
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = `${d}${sep}${e.name}`;
      const path = rel ? `${rel}/${e.name}` : e.name;
      const kind = e.isSymbolicLink() ? readingSync(() => shownAt(path), () => statSync(full)) : e;
      if (kind.isDirectory()) walk(full, path);
      else if (kind.isFile()) tree[path] = readingSync(() => shownAt(path), () => readFileSync(full));
      else throw problemAt(shownAt(path), undefined, 'cannot read: not a regular file (a FIFO, socket or device)');
    }
  };
  walk(dir, '');
  return tree;
}

// One buffer for every comparison: the files compared are written output (a vendored archive is hundreds of KB), and
// reading each whole into a new Buffer held them all in memory until the next garbage collection.
const compareBuffer = Buffer.allocUnsafe(64 * 1024);

/** Whether the file at `path` holds exactly `want` (false when it cannot be read): size first, then 64 KiB at a time. */
function fileEquals(path: string, want: Buffer): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    if (fstatSync(fd).size !== want.length) return false;
    for (let at = 0; at < want.length; ) {
      const n = readSync(fd, compareBuffer, 0, Math.min(compareBuffer.length, want.length - at), at);
      if (n === 0 || !compareBuffer.subarray(0, n).equals(want.subarray(at, at + n))) return false;
      at += n;
    }
    return true;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Whether `dir` holds exactly the files of `tree` (same paths, same bytes, nothing else). Reading a file costs less than
 * writing, renaming and later removing it, and a rebuild of unchanged sources finds every file the same.
 */
function holdsExactly(dir: string, tree: FileTree): boolean {
  let seen = 0;
  const same = (d: string, prefix: string): boolean => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return false;
    }
    if (!entries.length && prefix) return false;
    for (const e of entries) {
      const path = `${prefix}${e.name}`;
      if (e.isDirectory()) {
        if (!same(join(d, e.name), `${path}/`)) return false;
      } else {
        const want = tree[path];
        if (!e.isFile() || !want || !fileEquals(join(d, e.name), want)) return false;
        seen++;
      }
    }
    return true;
  };
  return same(dir, '') && seen === Object.keys(tree).length;
}

/**
 * Replaces `dir` with exactly the files of `tree`: written to a sibling temp dir first, then swapped in. A `dir` that
 * holds exactly those files already is left as it is (unless the test hook is to hold this very swap).
 */
export async function writeTreeReplacing(dir: string, tree: FileTree): Promise<void> {
  if (!testHoldsAt(`swap:${basename(dir)}`) && holdsExactly(dir, tree)) return;
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
    rmSync(tmp, { recursive: true, force: true });
    const made = new Set<string>();
    for (const [path, content] of Object.entries(tree)) {
      const target = join(tmp, ...path.split('/'));
      const parent = dirname(target);
      if (!made.has(parent)) mkdirSync(parent, { recursive: true });
      made.add(parent);
      writeFileSync(target, content);
    }
    mkdirSync(tmp, { recursive: true });
    rmSync(old, { recursive: true, force: true });
    let moved = false;
    try {
      renameSync(dir, old);
      moved = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    await holdForTest(`swap:${basename(dir)}`);
    // Put the previous tree back if the new one cannot take its place.
    try {
      renameSync(tmp, dir);
    } catch (e) {
      if (moved) renameSync(old, dir);
      throw e;
    }
  });
  rmSync(old, { recursive: true, force: true });
}

/** `writeFileAtomic`, unless `path` is a file with exactly these bytes already (build output: rebuilds of the same sources). */
export async function writeFileAtomicUnlessSame(path: string, content: Buffer | string): Promise<void> {
  if (fileEquals(path, typeof content === 'string' ? Buffer.from(content) : content)) return;
  await writeFileAtomic(path, content);
}

/** Writes a file through a temp file and rename, so readers never see half a file; `mode` is exact, whatever the umask. */
export async function writeFileAtomic(path: string, content: Buffer | string, mode?: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const release = restoreOnInterrupt([tmp]);
  try {
    await writing(path, tmp, async () => {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(tmp, content, mode === undefined ? undefined : { mode });
      // writeFile's mode is reduced by the umask, and not applied to a temp file left over from an earlier run.
      if (mode !== undefined) chmodSync(tmp, mode);
      renameSync(tmp, path);
    });
  } finally {
    release();
  }
}

/** Creates `dir` (and its parents) if missing; a path that is a file, or not writable, is the user's error. */
export async function makeDirectory(dir: string): Promise<void> {
  await writing(dir, undefined, async () => mkdirSync(dir, { recursive: true }));
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
    const info = statOrUndefined(dir);
    if (!info) throw problemAt(dir, undefined, 'no such directory', 'create it first (opta-charts does not create directories for files holding private keys)');
    if (!info.isDirectory()) throw problemAt(dir, undefined, 'is not a directory');
  }
  for (const f of files) {
    if (statOrUndefined(f.path)?.isDirectory()) throw problemAt(f.path, undefined, `cannot write: ${PATH_PROBLEMS.EISDIR}`);
  }
  const tmp = (f: FileToWrite) => `${f.path}.tmp-${process.pid}`;
  const old = (f: FileToWrite) => `${f.path}.old-${process.pid}`;
  const written: FileToWrite[] = [];
  const moved: { file: FileToWrite; hadOld: boolean }[] = [];
  try {
    for (const f of files) {
      written.push(f);
      await writing(f.path, tmp(f), async () => {
        writeFileSync(tmp(f), f.content, { mode: f.mode });
        chmodSync(tmp(f), f.mode);
      });
    }
    for (const f of files) {
      const hadOld = await writing(f.path, undefined, async () => {
        try {
          renameSync(f.path, old(f));
          return true;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
          throw e;
        }
      });
      moved.push({ file: f, hadOld });
      await writing(f.path, undefined, async () => renameSync(tmp(f), f.path));
    }
  } catch (e) {
    for (const { file, hadOld } of moved.reverse()) {
      quietly(() => rmSync(file.path, { force: true }));
      if (hadOld) quietly(() => renameSync(old(file), file.path));
    }
    for (const f of written) quietly(() => rmSync(tmp(f), { force: true }));
    throw e;
  }
  for (const { file, hadOld } of moved) if (hadOld) rmSync(old(file), { force: true });
}
