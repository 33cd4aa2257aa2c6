// The generated umbrella's files are reviewed as dist-charts/opta-base (test/build/reviewed-output.test.ts);
// here: what the vendoring build adds to them.
import { describe, expect, it } from 'vitest';
import { synthesizeChartOffline } from '../../generator/build/offline.js';
import { chartExtensions } from '../../generator/charts/extensions.js';
import { buildUmbrella, ROOT } from './build-umbrella.js';

describe('generated opta-base', async () => {
  const { files, archive } = await buildUmbrella();

  it('is the offline synthesis plus the vendored archives', async () => {
    const offline = (await synthesizeChartOffline(ROOT, 'opta-base', chartExtensions['opta-base'])).files;
    expect(Object.keys(files).filter((p) => !p.startsWith('charts/'))).toEqual(Object.keys(offline));
    for (const [path, content] of Object.entries(offline)) expect(files[path].equals(content), path).toBe(true);
  });

  it('ships neither the catalog nor the upstream lock, and one archive per distinct chart', () => {
    expect(Object.keys(files).filter((p) => p.startsWith('charts/'))).toEqual([
      'charts/cert-manager-v1.21.1.tgz', 'charts/cluster-autoscaler-9.59.0.tgz', 'charts/datadog-3.240.0.tgz', 'charts/external-dns-1.21.1.tgz', 'charts/gateway-helm-v1.9.0.tgz',
      'charts/ingress-nginx-4.15.1.tgz', 'charts/linkerd-control-plane-2026.8.3.tgz', 'charts/linkerd-crds-2026.8.3.tgz',
      'charts/linkerd2-cni-2026.8.3.tgz', 'charts/metrics-server-3.13.1.tgz',
    ]);
    expect(files['stack.catalog.yaml']).toBeUndefined();
    expect(files['upstream.lock.yaml']).toBeUndefined();
  });

  it('is reproducible', async () => {
    expect((await buildUmbrella()).archive.equals(archive)).toBe(true);
  });
});
