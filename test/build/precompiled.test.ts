// What the package ships precompiled (generator/precompiled/): fresh, the same results as compiling at run time, and
// sources that differ from the shipped ones still compiled and checked.
import { cpSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { tempDirMaker } from '../support/temp-dirs.js';
import { checkGoTemplates, goTemplatesKey, schemaDefaultsKey } from '../../generator/build/source-checks.js';
import { sharedAjv } from '../../generator/parse/ajv.js';
import { HANDLEBARS_OPTIONS, renderHandlebars } from '../../generator/synth/render.js';
import { checkDefaults } from '../../generator/synth/schema-check.js';
import { synthesizeChartOffline } from '../../generator/build/offline.js';
import { listChartNames, readChartSources } from '../../generator/build/sources.js';
import { chartExtensions } from '../../generator/charts/extensions.js';
import { parseCatalog } from '../../generator/charts/opta-base/catalog.js';
import { main } from '../../generator/cli.js';
import { memoryOutput } from '../support/memory-output.js';
import { packageRoot } from '../../generator/paths.js';
import { draft07MetaValidator, passedWhenShipped, precompiledTemplate, precompiledValidator, precompiledValuesDocs } from '../../generator/precompiled/lookup.js';
import { valuesTable, valuesYamlBody } from '../../generator/synth/values-doc.js';
import { sha256Hex } from '../../generator/encoding/sha256.js';
import { checkValuesSchema } from '../../generator/synth/schema-bundle.js';
import { precompiledFiles } from '../../tools/precompile.js';
import { HELMS } from '../support/helm.js';

const tempDir = tempDirMaker('opta-precompiled-');
const read = (path: string) => readFileSync(join(packageRoot, path), 'utf8');
const Handlebars = createRequire(import.meta.url)('handlebars') as typeof import('handlebars');

/** A copy of the project's sources, with every .hbs and the validated schemas changed in ways that change no output. */
function equivalentSources(): string {
  const dir = tempDir();
  cpSync(join(packageRoot, 'chart-templates'), join(dir, 'chart-templates'), { recursive: true });
  cpSync(join(packageRoot, 'schemas'), join(dir, 'schemas'), { recursive: true });
  for (const file of readdirSync(join(dir, 'chart-templates'), { recursive: true }) as string[]) {
    const path = join(dir, 'chart-templates', file);
    if (file.endsWith('.hbs')) writeFileSync(path, `${readFileSync(path, 'utf8')}{{!-- changed: not precompiled --}}`);
  }
  const catalogSchema = join(dir, 'schemas', 'stack-catalog.schema.json');
  writeFileSync(catalogSchema, `${readFileSync(catalogSchema, 'utf8')} `);
  return dir;
}

describe('precompiled validators, templates and passed checks', () => {
  it('generator/precompiled/*.generated.ts equal a fresh generation', async () => {
    for (const [path, text] of Object.entries(await precompiledFiles(packageRoot))) {
      expect(read(path), `${path}: run \`npm run generate\` and commit the result`).toBe(text);
    }
  });

  it('cover every shipped .hbs source and validated schema, and nothing else', async () => {
    for (const chart of await listChartNames(packageRoot)) {
      const sources = await readChartSources(packageRoot, chart);
      for (const [path, content] of Object.entries(sources.files)) {
        if (path.endsWith('.hbs')) expect(precompiledTemplate(content.toString('utf8')), path).toBeTypeOf('function');
      }
    }
    for (const name of ['stack-catalog', 'upstream-lock', 'artifacthub-repo']) expect(precompiledValidator(read(`schemas/${name}.schema.json`)), name).toBeTypeOf('function');
    expect(precompiledValidator(`${read('schemas/stack-catalog.schema.json')} `)).toBeUndefined();
    expect(precompiledTemplate('{{chart.name}}')).toBeUndefined();
  });

  it("hold each shipped chart's README values table and values.yaml body as generated from its schema, and nothing for another schema", async () => {
    for (const name of await listChartNames(packageRoot)) {
      const chart = await synthesizeChartOffline(packageRoot, name, chartExtensions[name]);
      if (!chart.schema) continue;
      const schemaJson = chart.files['values.schema.json'].toString('utf8');
      expect(precompiledValuesDocs(schemaJson), name).toEqual({ table: valuesTable(chart.schema), yamlBody: valuesYamlBody(chart.schema) });
      expect(precompiledValuesDocs(`${schemaJson} `), name).toBeUndefined();
    }
  });

  it('synthesize every chart byte for byte as sources compiled at run time do', async () => {
    const changed = equivalentSources();
    for (const name of await listChartNames(packageRoot)) {
      const shipped = await synthesizeChartOffline(packageRoot, name, chartExtensions[name]);
      const compiled = await synthesizeChartOffline(changed, name, chartExtensions[name]);
      expect(Object.keys(compiled.files)).toEqual(Object.keys(shipped.files));
      for (const [path, content] of Object.entries(shipped.files)) expect(compiled.files[path].equals(content), `${name}/${path}`).toBe(true);
    }
  });

  it('render the same errors as templates compiled at run time (a name missing from the model)', async () => {
    const sources = await readChartSources(packageRoot, 'opta-service');
    const readme = sources.files['README.md.hbs'].toString('utf8');
    const model = { chart: { name: 'x' } };
    const precompiled = () => renderHandlebars(readme, model, 'README.md.hbs');
    const compiled = () => renderHandlebars(`${readme}{{!-- changed --}}`, model, 'README.md.hbs');
    expect(precompiled).toThrow(/README\.md\.hbs: template error: line \d+:/);
    expect(() => precompiled()).toThrow(((): string => { try { compiled(); } catch (e) { return (e as Error).message; } return 'no error'; })());
    // The same options precompiled as compiled: strict, no HTML escaping.
    expect(Handlebars.compile('{{a}}', HANDLEBARS_OPTIONS)({ a: '<&>' })).toBe('<&>');
  });

  it('validate the stack catalog with the same errors as Ajv compiling its schema at run time', () => {
    const text = read('chart-templates/opta-base/stack.catalog.yaml');
    const schemaText = read('schemas/stack-catalog.schema.json');
    const schema = JSON.parse(schemaText);
    const catalog = yaml.load(text) as { components: Record<string, unknown>[] };
    const edits: ((c: typeof catalog) => void)[] = [
      (c) => (c.components[0].version = 3.1),
      (c) => delete c.components[1].chart,
      (c) => (c.components[2].colour = 'blue'),
      (c) => (c.components[3].providers = 'aws'),
    ];
    for (const edit of edits) {
      const doc = structuredClone(catalog);
      edit(doc);
      const broken = yaml.dump(doc);
      const message = (fn: () => unknown) => { try { fn(); } catch (e) { return (e as Error).message; } return 'no error'; };
      const precompiled = message(() => parseCatalog(broken, 'stack.catalog.yaml', schema, schemaText));
      expect(precompiled).toMatch(/^stack\.catalog\.yaml: /);
      expect(precompiled).toBe(message(() => parseCatalog(broken, 'stack.catalog.yaml', schema)));
    }
  });

  it("check schemas against draft-07 with Ajv's own validateSchema errors", () => {
    const ajv = sharedAjv();
    for (const schema of [{ type: 'int' }, { properties: { a: { minimum: 'x' } } }, { required: 'a' }, { items: [{ type: 'string' }, 3] }, { type: 'object' }]) {
      expect(draft07MetaValidator(schema)).toBe(ajv.validateSchema(schema));
      expect(draft07MetaValidator.errors ?? null).toEqual(ajv.errors ?? null);
    }
  });

  it('record as passed exactly what passes: the shipped values schemas (draft-07, references, keywords, defaults)', async () => {
    for (const name of await listChartNames(packageRoot)) {
      const chart = await synthesizeChartOffline(packageRoot, name, chartExtensions[name]);
      if (!chart.schema) continue;
      expect(passedWhenShipped('schema-defaults', schemaDefaultsKey(chart.files['values.schema.json'].toString('utf8'))), name).toBe(true);
      expect(() => checkDefaults(chart.schema!, `${name} values schema`)).not.toThrow();
      expect(passedWhenShipped('values-schema', sha256Hex(chart.files['values.schema.json'].toString('utf8'))), name).toBe(true);
      expect(() => checkValuesSchema(chart.schema!, `${name} values schema`)).not.toThrow();
    }
  });

  it.each(HELMS)("record as passed exactly what passes: the shipped charts' Go templates parse (Helm $version)", async (helm) => {
    for (const name of await listChartNames(packageRoot)) {
      const sources = await readChartSources(packageRoot, name);
      const chart = await synthesizeChartOffline(packageRoot, name, chartExtensions[name]);
      expect(passedWhenShipped('go-templates', goTemplatesKey(chart)), name).toBe(true);
      expect(await checkGoTemplates(helm.path, { ...chart, version: chart.metadata.version }, sources, process.env), name).toBe(true);
    }
  });
});

describe('a --source project whose schemas or templates differ from the shipped ones', () => {
  async function build(source: string, env: NodeJS.ProcessEnv = {}) {
    const output = memoryOutput();
    const out = tempDir();
    const code = await main(['node', 'opta-charts', 'build', '--source', source, '--chart', 'opta-service', '--out', out], { output, cwd: process.cwd(), env: { OPTA_CHARTS_CACHE: tempDir(), ...env }, stdin: process.stdin });
    return { code, out, stderr: output.stderr.join('\n') };
  }

  it('builds the same archive when the change renders to nothing', async () => {
    const shipped = await build(packageRoot);
    const changed = await build(equivalentSources());
    expect([shipped.code, changed.code]).toEqual([0, 0]);
    const archive = (dir: string) => readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz'))!));
    expect(archive(changed.out).equals(archive(shipped.out))).toBe(true);
  });

  it('is still checked: a wrong default in the values schema fails', async () => {
    const src = equivalentSources();
    const file = join(src, 'schemas', 'opta-service.values.schema.json');
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    schema.properties.replicaCount = { ...schema.properties.replicaCount, default: 'two' };
    writeFileSync(file, JSON.stringify(schema, null, 2));
    const r = await build(src);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('schemas/opta-service.values.schema.json: #/properties/replicaCount/default: "two" does not match its own schema');
  });

  it('is still checked: a misspelt keyword in the values schema fails', async () => {
    const src = equivalentSources();
    const file = join(src, 'schemas', 'opta-service.values.schema.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"minimum": 0,', '"minimun": 0,'));
    const r = await build(src);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown keyword "minimun": JSON Schema draft-07 has no such keyword, and Helm ignores it');
  });

  it('is still checked: a Go template syntax error fails (Helm named)', async () => {
    const src = equivalentSources();
    const file = join(src, 'chart-templates', 'opta-service', 'templates', 'service.yaml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nbroken: {{ .Values.x | quote\n`);
    const r = await build(src, { OPTA_CHARTS_HELM: HELMS[0].path });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('chart-templates/opta-service/templates/service.yaml: line');
    expect(r.stderr).toContain('Go template parse error');
  });
});
