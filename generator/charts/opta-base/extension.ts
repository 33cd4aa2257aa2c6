// opta-base's ChartExtension: catalog -> dependencies, Chart.lock, vendored archives, schema and README model.
import { join } from 'node:path';
import yaml from 'js-yaml';
import { valuesSchemaFile } from '../../synth/synthesize.js';
import type { BuildOptions, ChartContribution, ChartExtension, UpstreamCharts } from '../../build/extension.js';
import type { ChartSources, JsonSchema } from '../../synth/types.js';
import type { FileTree } from '../../fs/tree.js';
import { problemAt } from '../../errors.js';
import { fetchDependencies, type FetchedDependency, type FetchOptions } from '../../fetch/dependencies.js';
import { LOCK_FILE_NAME, type DependencyRef } from '../../fetch/upstream-lock.js';
import type { Output } from '../../output.js';
import { sourceDate } from '../../package/archive.js';
import { CATALOG_FILE, loadCatalog, type Catalog } from './catalog.js';
import { chartLockYaml } from './chart-lock.js';
import { chartDependencies, images, providerTables, templateData, umbrellaDependencies, upstreamRefs } from './model.js';
import { umbrellaSchema } from './schema.js';

/** Read by the umbrella's templates (.Files.Get) for the provider check and the namespaces it creates. */
const TEMPLATE_DATA_FILE = 'components.json';

export type Fetcher = (refs: DependencyRef[], options: FetchOptions, output: Output) => Promise<FetchedDependency[]>;

/** Everything of opta-base that needs no network: given the catalog, the chart's model, schema and generated files. */
export function optaBaseContribution(catalog: Catalog, baseSchema: JsonSchema | undefined, schemaFile: string, generated: Date) {
  const deps = umbrellaDependencies(catalog);
  const declared = chartDependencies(deps);
  const indent = (text: string, by: string) => text.trimEnd().split('\n').map((l) => by + l).join('\n');
  const model = {
    dependenciesYaml: yaml.dump({ dependencies: declared }, { lineWidth: -1, noArrayIndent: false }).trimEnd(),
    artifactHubImagesYaml: indent(yaml.dump(images(catalog), { lineWidth: -1 }), '    '),
    providers: providerTables(catalog, deps),
    providerNames: catalog.providers.map((p) => p.name),
    components: catalog.components,
    dependencyKeys: deps.map((d) => d.key),
  };
  const files: FileTree = {
    'Chart.lock': Buffer.from(chartLockYaml(declared, generated)),
    [TEMPLATE_DATA_FILE]: Buffer.from(`${JSON.stringify(templateData(catalog, deps), null, 2)}\n`),
  };
  const schema = umbrellaSchema(baseSchema ?? {}, schemaFile, catalog, deps);
  return { deps, declared, model, files, schema };
}

/** The vendored archives under charts/, one per upstream chart. */
function vendoredFiles(fetched: FetchedDependency[]): FileTree {
  return Object.fromEntries(fetched.map((f) => [`charts/${f.ref.name}-${f.ref.version}.tgz`, f.archive]));
}

async function readCatalog(sources: ChartSources, options: BuildOptions): Promise<Catalog> {
  const catalogText = sources.files[CATALOG_FILE];
  if (!catalogText) throw problemAt(sources.dir, undefined, `has no ${CATALOG_FILE} (the stack catalog)`);
  return loadCatalog(options.root, catalogText, join(sources.dir, CATALOG_FILE));
}

export function optaBaseExtension(fetch: Fetcher = fetchDependencies): ChartExtension {
  // A build passes the same sources to contribute() and vendor(): read and validate their catalog once.
  const catalogs = new WeakMap<ChartSources, Promise<Catalog>>();
  const catalogOf = (sources: ChartSources, options: BuildOptions): Promise<Catalog> => {
    let catalog = catalogs.get(sources);
    if (!catalog) catalogs.set(sources, (catalog = readCatalog(sources, options)));
    return catalog;
  };
  const upstream = async (sources: ChartSources, options: BuildOptions): Promise<UpstreamCharts> => ({
    refs: upstreamRefs(umbrellaDependencies(await catalogOf(sources, options))),
    lockFile: join(options.root, sources.dir, LOCK_FILE_NAME),
  });
  return {
    async contribute(sources: ChartSources, options: BuildOptions): Promise<ChartContribution> {
      const schemaFile = sources.schemaFile ?? valuesSchemaFile(sources.name);
      const base = optaBaseContribution(await catalogOf(sources, options), sources.schema, schemaFile, sourceDate(options.env));
      return { model: base.model, files: base.files, schema: base.schema, consumes: [CATALOG_FILE, LOCK_FILE_NAME] };
    },
    upstream,
    async vendor(sources: ChartSources, options: BuildOptions, output: Output): Promise<FileTree> {
      const { refs, lockFile } = await upstream(sources, options);
      return vendoredFiles(await fetch(refs, { ...options, lockFile }, output));
    },
  };
}
