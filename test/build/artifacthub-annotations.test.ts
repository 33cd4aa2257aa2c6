// Both charts carry complete, well-formed Artifact Hub annotations (artifacthub/hub docs/helm_annotations.md).
// Checks shape, not wording: other changes edit the changelog and the lists.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { loadCatalog } from '../../generator/charts/opta-base/catalog.js';
import { images } from '../../generator/charts/opta-base/model.js';
import { chartExtensions } from '../../generator/charts/extensions.js';
import { synthesizeChartOffline } from '../../generator/build/offline.js';
import { packageRoot } from '../../generator/paths.js';

const CHANGE_KINDS = ['added', 'changed', 'deprecated', 'removed', 'fixed', 'security'];
const IMAGE_REF = /^[a-z0-9]+(?:[._/-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9._-]+)*(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;

async function annotationsOf(chart: string): Promise<Record<string, string>> {
  const built = await synthesizeChartOffline(packageRoot, chart, chartExtensions[chart]);
  return (yaml.load(built.files['Chart.yaml'].toString('utf8')) as { annotations?: Record<string, string> }).annotations ?? {};
}

/** An annotation whose value is a YAML document (Artifact Hub's "yaml string"). */
function yamlList(annotations: Record<string, string>, key: string): Record<string, unknown>[] {
  expect(typeof annotations[key], key).toBe('string');
  const doc = yaml.load(annotations[key]);
  expect(Array.isArray(doc), `${key} is a YAML list`).toBe(true);
  expect((doc as unknown[]).length, `${key} is not empty`).toBeGreaterThan(0);
  return doc as Record<string, unknown>[];
}

describe.each(['opta-base', 'opta-service'])('%s Artifact Hub annotations', (chart) => {
  it('license is an SPDX identifier', async () => {
    expect((await annotationsOf(chart))['artifacthub.io/license']).toMatch(/^[A-Za-z0-9][A-Za-z0-9.+-]*$/);
  });

  it('changes: plain strings, or objects with a known kind and a description', async () => {
    for (const change of yamlList(await annotationsOf(chart), 'artifacthub.io/changes') as unknown[]) {
      if (typeof change === 'string') continue;
      const c = change as { kind?: string; description?: string };
      expect(CHANGE_KINDS).toContain(c.kind);
      expect(typeof c.description).toBe('string');
    }
  });

  it('images: each a name and a pullable image reference', async () => {
    for (const image of yamlList(await annotationsOf(chart), 'artifacthub.io/images')) {
      expect(typeof image.name).toBe('string');
      expect(image.image).toMatch(IMAGE_REF);
    }
  });

  it('links: each a name and an https URL, including a support link', async () => {
    const links = yamlList(await annotationsOf(chart), 'artifacthub.io/links');
    for (const link of links) {
      expect(typeof link.name).toBe('string');
      expect(String(link.url)).toMatch(/^https:\/\/\S+$/);
    }
    expect(links.map((l) => l.name)).toContain('support');
  });

  it('no signKey unless the build is given a PGP key', async () => {
    expect((await annotationsOf(chart))['artifacthub.io/signKey']).toBeUndefined();
  });
});

describe('derived annotation content', () => {
  it("opta-base's images are the catalog's images", async () => {
    const catalog = await loadCatalog(packageRoot);
    expect(yamlList(await annotationsOf('opta-base'), 'artifacthub.io/images')).toEqual(images(catalog));
  });

  it("opta-base's CRDs: kind, version and <plural>.<group> name each", async () => {
    const crds = yamlList(await annotationsOf('opta-base'), 'artifacthub.io/crds');
    for (const crd of crds) {
      expect(crd.kind).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(crd.version).toMatch(/^v\d+((alpha|beta)\d+)?$/);
      expect(crd.name).toMatch(/^[a-z]+\.[a-z0-9.-]+$/);
    }
    expect(crds.map((c) => c.name)).toEqual(expect.arrayContaining(['servers.policy.linkerd.io', 'certificates.cert-manager.io']));
  });

  it("opta-service's image is its schema's default image.repository at the chart's appVersion", async () => {
    const schema = JSON.parse(readFileSync(join(packageRoot, 'schemas', 'opta-service.values.schema.json'), 'utf8'));
    const built = await synthesizeChartOffline(packageRoot, 'opta-service', chartExtensions['opta-service']);
    const appVersion = (yaml.load(built.files['Chart.yaml'].toString('utf8')) as { appVersion: string }).appVersion;
    const listed = yamlList(await annotationsOf('opta-service'), 'artifacthub.io/images').map((i) => i.image);
    expect(listed).toEqual([`${schema.properties.image.properties.repository.default}:${appVersion}`]);
  });
});
