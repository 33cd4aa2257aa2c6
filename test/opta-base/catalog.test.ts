// The stack catalog: validated with errors naming file, component and field; a new component or provider is data only.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { loadCatalog, parseCatalog, type Catalog } from '../../generator/charts/opta-base/catalog.js';
import { UserError } from '../../generator/errors.js';
import { optaBaseContribution } from '../../generator/charts/opta-base/extension.js';
import { ROOT, tempDir } from './build-umbrella.js';

const FILE = 'chart-templates/opta-base/stack.catalog.yaml';
const text = readFileSync(join(ROOT, FILE), 'utf8');
const schema = JSON.parse(readFileSync(join(ROOT, 'schemas/stack-catalog.schema.json'), 'utf8'));
const baseSchema = JSON.parse(readFileSync(join(ROOT, 'schemas/opta-base.values.schema.json'), 'utf8'));
const edited = (edit: (c: Catalog) => void) => {
  const c = yaml.load(text) as Catalog;
  edit(c);
  return yaml.dump(c);
};
const ingress = (c: Catalog) => c.components.find((x) => x.name === 'ingress-nginx')!;

describe('stack catalog', () => {
  it('has the issue\'s components at exact versions', () => {
    const c = parseCatalog(text, FILE, schema);
    expect(c.components.map((x) => [x.chart, x.version, Object.keys(x.providers).join(',')])).toEqual([
      ['linkerd-crds', '2026.8.3', 'aws,gcp,azure'],
      ['linkerd-control-plane', '2026.8.3', 'aws,gcp,azure'],
      ['linkerd2-cni', '2026.8.3', 'aws,gcp,azure'],
      ['metrics-server', '3.13.1', 'aws'],
      ['cluster-autoscaler', '9.59.0', 'aws'],
      ['ingress-nginx', '4.15.1', 'aws,gcp,azure'],
      ['gateway-helm', 'v1.9.0', 'aws,gcp,azure'],
      ['external-dns', '1.21.1', 'aws'],
      ['cert-manager', 'v1.21.1', 'aws,gcp,azure'],
      ['datadog', '3.240.0', 'aws,gcp,azure'],
    ]);
  });

  it.each([
    ['a version range', (c: Catalog) => (ingress(c).version = '^4.15.1'), 'components[5] (ingress-nginx).version: must match pattern'],
    ['an unknown field', (c: Catalog) => ((ingress(c) as any).namespce = {}), 'components[5] (ingress-nginx).namespce: is not a known field'],
    ['a missing field', (c: Catalog) => delete (ingress(c) as any).repository, 'components[5] (ingress-nginx).repository: is required'],
    ['an unknown provider', (c: Catalog) => (ingress(c).providers.digitalocean = {}), 'components[5] (ingress-nginx).providers.digitalocean: is not one of the catalog\'s providers (aws, gcp, azure)'],
    ['a duplicate component', (c: Catalog) => c.components.push({ ...ingress(c) }), 'components[10] (ingress-nginx).name: is used by another component'],
    ['a gateway setting for a provider the component lacks', (c: Catalog) => (c.components.find((x) => x.name === 'envoy-gateway')!.gateway!.providers.hetzner = {}), "components[6] (envoy-gateway).gateway.providers.hetzner: is not one of the component's providers (aws, gcp, azure)"],
    ['a conflict with an unknown component', (c: Catalog) => (c.components.find((x) => x.name === 'envoy-gateway')!.conflictsWith = 'istio-crds.installGatewayAPI'), 'components[6] (envoy-gateway).conflictsWith: starts with "istio-crds", which is not a component of the catalog'],
  ])('rejects %s naming file, component and field', (_what, edit, message) => {
    expect(() => parseCatalog(edited(edit), FILE, schema)).toThrow(`${FILE}: ${message}`);
  });

  it('says that a version YAML read as a number needs quotes', () => {
    const unquoted = text.replace('version: 3.13.1', 'version: 3.13');
    expect(() => parseCatalog(unquoted, FILE, schema)).toThrow(
      `${FILE}: components[3] (metrics-server).version: must be string, found 3.13 (quote it in YAML to make it a string)`,
    );
  });

  it.each([
    ['a profile for an unknown component', (c: Catalog) => (c.profiles!.ha.components['cert-mgr'] = {}), 'profiles.ha.components.cert-mgr: is not a component of the catalog'],
    ['a pairing with an unknown component', (c: Catalog) => (c.components[2].pairedWith = 'linkerd.cniEnabled'), 'components[2] (linkerd2-cni).pairedWith: starts with "linkerd", which is not a component of the catalog'],
    ['a namespace without a Pod Security level', (c: Catalog) => delete (ingress(c).namespace as any).podSecurity, 'components[5] (ingress-nginx).namespace.podSecurity: is required'],
  ])('rejects %s', (_what, edit, message) => {
    expect(() => parseCatalog(edited(edit), FILE, schema)).toThrow(`${FILE}: ${message}`);
  });

  it('reports a broken catalog schema or a source without the catalog as user errors', async () => {
    const dir = tempDir('opta-base-catalog-');
    try {
      mkdirSync(join(dir.dir, 'schemas'));
      await expect(loadCatalog(dir.dir)).rejects.toThrow(`${join(dir.dir, 'schemas/stack-catalog.schema.json')}: no such file`);
      await expect(loadCatalog(dir.dir)).rejects.toBeInstanceOf(UserError);
      writeFileSync(join(dir.dir, 'schemas/stack-catalog.schema.json'), '{ "type": ');
      await expect(loadCatalog(dir.dir)).rejects.toThrow(/^schemas\/stack-catalog.schema.json: not valid JSON: /);
      await expect(loadCatalog(dir.dir)).rejects.toBeInstanceOf(UserError);
    } finally {
      dir.cleanup();
    }
  });

  it('a new provider and component are data only', () => {
    const c = parseCatalog(
      edited((c) => {
        c.providers.push({ name: 'hetzner', title: 'Hetzner' });
        for (const x of c.components.filter((x) => x.name.startsWith('linkerd'))) x.providers.hetzner = {};
        ingress(c).providers.hetzner = { controller: { service: { annotations: { 'load-balancer.hetzner.cloud/location': 'fsn1' } } } };
        c.components.push({ name: 'hcloud-csi', title: 'Hetzner CSI', chart: 'hcloud-csi', repository: 'https://charts.hetzner.cloud', version: '2.9.0', providers: { hetzner: {} } });
      }),
      FILE,
      schema,
    );
    const { declared, schema: values } = optaBaseContribution(c, baseSchema, 'schemas/opta-base.values.schema.json', new Date(0));
    expect(declared.filter((d) => d.tags?.includes('hetzner')).map((d) => d.alias ?? d.name)).toEqual([
      'linkerd-crds', 'linkerd-control-plane', 'linkerd2-cni-hetzner', 'ingress-nginx-hetzner', 'hcloud-csi',
    ]);
    const props = values.properties as Record<string, any>;
    expect(props.tags.properties.hetzner).toMatchObject({ type: 'boolean', default: false });
    expect(props['ingress-nginx-hetzner'].default.controller.service.annotations).toEqual({ 'load-balancer.hetzner.cloud/location': 'fsn1' });
  });
});
