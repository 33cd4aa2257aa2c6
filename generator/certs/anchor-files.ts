// Where the trust-anchor files live, and reading them back: the anchor's key never goes into a values file.
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { problemAt, UserError } from '../errors.js';
import { checkPrivateKey } from './pem.js';

/** The mode of every file holding a private key. */
export const PRIVATE_MODE = 0o600;
/** The anchor certificate is public; kept next to its key for `kubectl create secret tls` and rotation. */
export const PUBLIC_MODE = 0o644;

/**
 * `<values without .yaml>.trust-anchor.key.pem` and `.crt.pem` next to the values file, so the three sort together and
 * one `.gitignore` line (`*.key.pem`) keeps keys out of version control. `--trust-anchor-key FILE` moves the key; its
 * certificate goes beside it (`x.key.pem` → `x.crt.pem`, otherwise `FILE.crt.pem`).
 */
export function anchorFilePaths(valuesFile: string, keyFile?: string, name = 'trust-anchor'): { key: string; crt: string } {
  const key = keyFile ?? `${valuesFile.replace(/\.ya?ml$/i, '')}.${name}.key.pem`;
  const crt = /\.key\.pem$/.test(key) ? key.replace(/\.key\.pem$/, '.crt.pem') : /\.key$/.test(key) ? key.replace(/\.key$/, '.crt') : `${key}.crt.pem`;
  return { key, crt };
}

/** A path as the user would type it: relative to the working directory when below it. */
export function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** Reads the private key file `name` (as the user typed it) at `path`; a missing or non-key file is a UserError naming it. */
export async function readKeyFile(path: string, name: string, flag: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') throw new UserError(`${flag}: ${name}: no such file`);
    if (e.code === 'EISDIR') throw new UserError(`${flag}: ${name}: is a directory, not a key file`);
    throw problemAt(name, undefined, `cannot read: ${e.code ?? e.message}`);
  });
  return checkPrivateKey(text, { file: name });
}
