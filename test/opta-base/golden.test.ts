// Golden files of the generated umbrella's metadata; refresh with UPDATE_GOLDEN=1 after a deliberate change.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildUmbrella } from './build-umbrella.js';

const GOLDEN = join(import.meta.dirname, 'golden');

describe('generated opta-base', async () => {
  const { files, archive } = await buildUmbrella();
  it.each(['Chart.yaml', 'Chart.lock', 'values.yaml', 'values.schema.json', 'components.json', 'README.md'])('%s matches its golden file', (path) => {
    const file = join(GOLDEN, path);
    if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, files[path]);
    expect(files[path].toString()).toBe(readFileSync(file, 'utf8'));
  });

  it('ships neither the catalog nor the upstream lock, and one archive per distinct chart', () => {
    expect(Object.keys(files).filter((p) => p.startsWith('charts/'))).toEqual([
      'charts/cluster-autoscaler-9.59.0.tgz', 'charts/datadog-3.240.0.tgz', 'charts/external-dns-1.21.1.tgz', 'charts/ingress-nginx-4.15.1.tgz',
      'charts/linkerd-control-plane-2026.8.3.tgz', 'charts/linkerd-crds-2026.8.3.tgz', 'charts/metrics-server-3.13.1.tgz',
    ]);
    expect(files['stack.catalog.yaml']).toBeUndefined();
    expect(files['upstream.lock.yaml']).toBeUndefined();
  });

  it('is reproducible', async () => {
    expect((await buildUmbrella()).archive.equals(archive)).toBe(true);
  });
});
