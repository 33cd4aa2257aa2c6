// `index --url URL [dir]`: writes a Helm repository index.yaml for the chart archives in dir.
import type { Command } from 'commander';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CliContext } from './context.js';
import { UserError } from '../errors.js';
import type { IndexedArchive } from '../chart-repo/index-yaml.js';

interface IndexFlags {
  url?: string;
  merge?: string;
}

export async function runIndex(dirArg: string | undefined, flags: IndexFlags, ctx: CliContext): Promise<void> {
  const [{ writeFileAtomic }, { sha256Hex }, { readArchiveChart }, { buildIndex, checkBaseUrl, parseIndex, serializeIndex }] = await Promise.all([
    import('../fs/tree.js'),
    import('../encoding/sha256.js'),
    import('../package/archive-metadata.js'),
    import('../chart-repo/index-yaml.js'),
  ]);
  const baseUrl = flags.url === undefined ? undefined : checkBaseUrl(flags.url);
  const dir = resolve(ctx.cwd, dirArg ?? 'dist-charts');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.tgz')).sort();
  } catch (e) {
    throw new UserError(`${dir}: cannot read the directory (${(e as NodeJS.ErrnoException).code})`);
  }
  if (names.length === 0) throw new UserError(`${dir}: no chart archives (*.tgz) to index`);
  const archives: IndexedArchive[] = [];
  for (const fileName of names) {
    const bytes = await readFile(join(dir, fileName));
    const { metadata, mtime } = await readArchiveChart(bytes, join(dir, fileName));
    archives.push({ fileName, metadata, digest: sha256Hex(bytes), created: mtime });
  }
  let merge;
  if (flags.merge) {
    const file = resolve(ctx.cwd, flags.merge);
    const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new UserError(`${file}: cannot read the index to merge (${e.code})`);
    });
    merge = parseIndex(text, file);
  }
  const index = buildIndex(archives, baseUrl, merge);
  const target = join(dir, 'index.yaml');
  await writeFileAtomic(target, serializeIndex(index));
  const count = Object.values(index.entries).reduce((n, l) => n + l.length, 0);
  ctx.output.out(`${target}: ${count} chart versions (${archives.length} from ${dir})`);
}

export function registerIndex(program: Command, ctx: CliContext): void {
  program
    .command('index')
    .description('Write a Helm repository index.yaml (digests, URLs, metadata) for the chart archives in a directory')
    .argument('[dir]', 'directory with the chart archives', 'dist-charts')
    .option('--url <url>', 'URL the archives will be served from, e.g. https://charts.example.com; default: URLs relative to index.yaml')
    .option('--merge <file>', 'keep the entries of an existing index.yaml (archives in dir win for the same version)')
    .action((dir: string | undefined, flags: IndexFlags) => runIndex(dir, flags, ctx));
}
