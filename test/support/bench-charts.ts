// Used by `npm run bench` (tools/bench.ts); not part of the CLI. Chart sources for the benchmark's scaling rows, written
// into a copy of the project: copies of opta-service with N times its files (extra templates and files/ of realistic
// sizes), and one with a ~50 MB unpacked subchart under charts/ that stays within Helm's loader limits (every file
// <= 5 MiB decompressed, the chart <= 100 MiB: generator/package/helm-limits.ts), so Helm could install it.
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { HELM_MAX_FILE_BYTES } from '../../generator/package/helm-limits.js';
import { valuesSchemaFile } from '../../generator/synth/synthesize.js';
import { base64Data, crdShapedYaml, markdownText, seededRandom } from './padding.js';

const BASE = 'opta-service';

function write(file: string, content: string | Buffer): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => statSync(join(dir, p)).isFile());
}

/** Copies opta-service's sources (without the ci/ scenarios) and its values schema under another chart name. */
function copyService(root: string, name: string): string {
  const dir = join(root, 'chart-templates', name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(root, 'chart-templates', BASE), dir, { recursive: true, filter: (src) => !relative(join(root, 'chart-templates', BASE), src).startsWith('ci') });
  const chartYaml = join(dir, 'Chart.yaml');
  writeFileSync(chartYaml, readFileSync(chartYaml, 'utf8').replace(/^name: .*$/m, `name: ${name}`));
  // opta-service's extension fills the Opta field table; the copies have no extension.
  const readme = join(dir, 'README.md.hbs');
  writeFileSync(readme, readFileSync(readme, 'utf8').replace(/\{\{\{optaFieldTable\}\}\}/g, ''));
  cpSync(join(root, valuesSchemaFile(BASE)), join(root, valuesSchemaFile(name)));
  return dir;
}

/** Java-properties-like settings of about `bytes` characters, each line indented by `indent`. */
function propertiesText(seed: string, bytes: number, indent = ''): string {
  const rnd = seededRandom(seed);
  const lines: string[] = [];
  for (let n = 0; n < bytes; ) {
    const line = `${indent}${['log', 'cache', 'pool', 'upstream', 'feature'][Math.floor(rnd() * 5)]}.${Math.floor(rnd() * 1000)}.${['size', 'timeout', 'enabled', 'name'][Math.floor(rnd() * 4)]} = ${Math.floor(rnd() * 100000)}`;
    lines.push(line);
    n += line.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

/** A ConfigMap template of about `bytes` characters (it renders without values, as the build's template check needs). */
function configMapTemplate(seed: string, i: number, bytes: number): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-extra-${i}\n  namespace: {{ .Release.Namespace }}\n  labels:\n    app.kubernetes.io/instance: {{ .Release.Name }}\ndata:\n  settings.properties: |\n${propertiesText(seed, bytes, '    ')}`;
}

/**
 * opta-service with `factor` times the files of its archive: the extra files are half templates/extra/*.yaml
 * (ConfigMaps of 1-5 KB), half files/ (Markdown, properties and base64 data of 0.5-8 KB).
 */
export function writeScaledServiceChart(root: string, name: string, factor: number): void {
  const dir = copyService(root, name);
  // The archive also holds values.yaml and values.schema.json, generated from the schema.
  const archiveFiles = filesUnder(dir).length + 2;
  const extra = (factor - 1) * archiveFiles;
  const rnd = seededRandom(`${name}/sizes`);
  for (let i = 0; i < extra; i++) {
    const seed = `${name}/${i}`;
    if (i % 2 === 0) write(join(dir, 'templates', 'extra', `configmap-${i}.yaml`), configMapTemplate(seed, i, 1000 + Math.floor(rnd() * 4000)));
    else {
      const size = 500 + Math.floor(rnd() * 7500);
      const kind = i % 3;
      const [file, content] =
        kind === 0 ? [`docs/guide-${i}.md`, markdownText(seed, `guide ${i}`, size)] : kind === 1 ? [`config/app-${i}.properties`, propertiesText(seed, size)] : [`certs/bundle-${i}.b64`, base64Data(seed, size)];
      write(join(dir, 'files', file), content);
    }
  }
}

/** The generated subchart's files: CRD-shaped YAML (compresses well) and base64 data (does not), about 50 MB. */
const SUBCHART = { crds: 10, crdBytes: 4_000_000, blobs: 3, blobBytes: 3_300_000 };

/** opta-service with an unpacked ~50 MB subchart `bulk` under charts/ (CRDs in its crds/, data in files/). */
export function writeSubchartServiceChart(root: string, name: string): void {
  const dir = copyService(root, name);
  const sub = join(dir, 'charts', 'bulk');
  write(join(sub, 'Chart.yaml'), 'apiVersion: v2\nname: bulk\nversion: 1.0.0\ndescription: Generated bulk subchart for the benchmark\ntype: application\n');
  write(join(sub, 'values.yaml'), 'enabled: true\n');
  // About 50 MB of the 100 MiB Helm allows; `build` refuses a chart over either limit, so the bench would stop there.
  const add = (path: string, content: string) => {
    if (content.length > HELM_MAX_FILE_BYTES) throw new Error(`${path}: ${content.length} bytes is over Helm's per-file limit`);
    write(join(sub, path), content);
  };
  for (let i = 0; i < SUBCHART.crds; i++) add(`crds/bulk-${i}.yaml`, crdShapedYaml(`${name}/crd/${i}`, 'bulk.example.com', `Bulk${i}`, SUBCHART.crdBytes));
  for (let i = 0; i < SUBCHART.blobs; i++) add(`files/blob-${i}.b64`, base64Data(`${name}/blob/${i}`, SUBCHART.blobBytes));
}
