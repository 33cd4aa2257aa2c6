// The stand-ins must behave like the upstream charts in the ways opta-base relies on, or the umbrella tests prove nothing.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { HELMS, runHelm } from '../support/helm.js';
import { standInArchive, standInCharts } from '../support/standin-charts.js';
import { REAL_ARCHIVE_BYTES } from '../support/standin-padding.js';
import { sha256Hex } from '../../generator/encoding/sha256.js';

const dir = mkdtempSync(join(tmpdir(), 'opta-standins-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function archive(name: string, version: string): string {
  const file = join(dir, `${name}-${version}.tgz`);
  writeFileSync(file, standInArchive(name, version));
  return file;
}

const docs = (s: string) => yaml.loadAll(s).filter(Boolean) as { kind: string; metadata: { name: string; namespace?: string }; spec?: any }[];
const helm = HELMS[HELMS.length - 1];

describe('stand-in charts', () => {
  it('have the upstream names and versions, and deterministic archives', () => {
    expect(standInCharts().map((c) => `${c.name}-${c.version}`)).toEqual([
      'linkerd-crds-2026.8.3', 'linkerd-control-plane-2026.8.3', 'linkerd2-cni-2026.8.3', 'metrics-server-3.13.1', 'cluster-autoscaler-9.59.0',
      'ingress-nginx-4.15.1', 'gateway-helm-v1.9.0', 'external-dns-1.21.1', 'cert-manager-v1.21.1', 'datadog-3.240.0',
    ]);
    expect(standInArchive('datadog', '3.240.0').equals(standInArchive('datadog', '3.240.0'))).toBe(true);
  });

  it.each(standInCharts().map((c) => [c.name, c.version] as const))('%s: archive within 15%% of the real chart at the pinned version', (name, version) => {
    // Fetching, vendoring, packaging and Helm's loading of opta-base cost what they cost with the real charts.
    const ratio = standInArchive(name, version).length / REAL_ARCHIVE_BYTES[name];
    expect(ratio).toBeGreaterThan(0.85);
    expect(ratio).toBeLessThan(1.15);
  });

  it.each([
    ['linkerd-control-plane', '2026.8.3', ['--set', 'cniEnabled=false'], 'proxyInit.runAsRoot must be set to use proxyInit.closeWaitTimeoutSecs'],
    ['ingress-nginx', '4.15.1', [], 'progressDeadlineSeconds: 0'],
  ])('%s carries a 0 default that Helm 3.18.0 reads as true, like upstream', async (name, version, extra, symptom) => {
    const file = archive(name, version);
    const linkerdValues = name === 'linkerd-control-plane' ? ['--set', 'identityTrustAnchorsPEM=x', '--set', 'identity.issuer.tls.crtPEM=x', '--set', 'identity.issuer.tls.keyPEM=x'] : [];
    for (const h of HELMS) {
      const r = await runHelm(h, ['template', 'x', file, ...linkerdValues, ...(extra as string[])]);
      const out = r.stdout + r.stderr;
      if (h.version === '3.18.0') expect(out, h.version).toContain(symptom);
      else expect(out, h.version).not.toContain(symptom);
    }
  });

  it('ingress-nginx runs its webhook-certificate hooks in namespaceOverride before any regular object', async () => {
    const r = await runHelm(helm, ['template', 'x', archive('ingress-nginx', '4.15.1'), '--set', 'namespaceOverride=ingress-nginx']);
    const hooks = docs(r.stdout).filter((d) => (d as any).metadata.annotations?.['helm.sh/hook']?.includes('pre-install'));
    expect(hooks.map((d) => `${d.kind}/${d.metadata.namespace}`).sort()).toEqual(['Job/ingress-nginx', 'Role/ingress-nginx', 'RoleBinding/ingress-nginx', 'ServiceAccount/ingress-nginx']);
  });

  it('cert-manager: CRDs only with crds.enabled, a closed schema root, and the startupapicheck hooks from values', async () => {
    const file = archive('cert-manager', 'v1.21.1');
    const off = await runHelm(helm, ['template', 'x', file, '--set', 'namespace=cert-manager']);
    expect(docs(off.stdout).filter((d) => d.kind === 'CustomResourceDefinition')).toEqual([]);
    const on = await runHelm(helm, ['template', 'x', file, '--set', 'crds.enabled=true']);
    expect(docs(on.stdout).filter((d) => d.kind === 'CustomResourceDefinition').map((d) => d.metadata.name)).toEqual([
      'certificates.cert-manager.io', 'issuers.cert-manager.io', 'clusterissuers.cert-manager.io',
    ]);
    const job = docs(on.stdout).find((d) => d.kind === 'Job') as any;
    expect(job.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'post-install', 'helm.sh/hook-weight': '1' });
    const unknown = await runHelm(helm, ['template', 'x', file, '--set', 'crd.enabled=true']);
    expect(unknown.code).not.toBe(0);
  });

  it('linkerd2-cni: a DaemonSet with hostPath CNI directories in the release namespace (no namespace value)', async () => {
    const r = await runHelm(helm, ['template', 'x', archive('linkerd2-cni', '2026.8.3'), '-n', 'opta-system', '--set', 'destCNIBinDir=/home/kubernetes/bin']);
    const ds = docs(r.stdout).find((d) => d.kind === 'DaemonSet')!;
    expect(ds.metadata.namespace).toBe('opta-system');
    expect(ds.spec.template.spec.volumes.map((v: any) => v.hostPath?.path)).toEqual(['/home/kubernetes/bin', '/etc/cni/net.d']);
  });

  it('cluster-autoscaler renders no Deployment without autoDiscovery.clusterName', async () => {
    const file = archive('cluster-autoscaler', '9.59.0');
    const without = await runHelm(helm, ['template', 'x', file]);
    expect(without.code, without.stderr).toBe(0);
    expect(docs(without.stdout).map((d) => d.kind)).toEqual(['ServiceAccount']);
    const withName = await runHelm(helm, ['template', 'x', file, '--set', 'autoDiscovery.clusterName=c1']);
    const dep = docs(withName.stdout).find((d) => d.kind === 'Deployment')!;
    expect(dep.spec.template.spec.containers[0].args).toContain('--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/c1');
  });

  it("external-dns: open schema root like upstream, but typed keys (enabled, policy) and namespaceOverride", async () => {
    const file = archive('external-dns', '1.21.1');
    const enabled = await runHelm(helm, ['template', 'x', file, '--set', 'enabled=true', '--set', 'unknownKey=1']);
    expect(enabled.code, enabled.stderr).toBe(0);
    for (const [set, key] of [['enabled=maybe', 'enabled'], ['policy=delete-all', 'policy'], ['fullnameOverride[0]=x', 'fullnameOverride']]) {
      const bad = await runHelm(helm, ['template', 'x', file, '--set', set]);
      expect(bad.code, set).not.toBe(0);
      expect(bad.stderr).toMatch(new RegExp(key));
    }
    const ok = await runHelm(helm, ['template', 'x', file, '--set', 'global.foo=1', '--set', 'namespaceOverride=external-dns']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(docs(ok.stdout).every((d) => d.metadata.namespace === 'external-dns')).toBe(true);
  });

  it('datadog: renders a placeholder key when none is given, and refuses a cluster name its chart rejects', async () => {
    const file = archive('datadog', '3.240.0');
    const noKey = await runHelm(helm, ['template', 'x', file]);
    expect(noKey.code, noKey.stderr).toBe(0);
    const secret = docs(noKey.stdout).find((d) => d.kind === 'Secret') as unknown as { data: Record<string, string> };
    expect(Buffer.from(secret.data['api-key'], 'base64').toString()).toBe('MISSING');
    expect((await runHelm(helm, ['template', 'x', file, '--set', 'datadog.clusterName=prod-1.eu'])).code).toBe(0);
    const bad = await runHelm(helm, ['template', 'x', file, '--set', 'datadog.clusterName=Prod_1']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/clusterName/);
  });

  it("datadog: upstream's defaults opta-base overrides (socket admission mode, the operator) and its closed schema keys", async () => {
    const file = archive('datadog', '3.240.0');
    const defaults = docs((await runHelm(helm, ['template', 'x', file])).stdout);
    const env = (d: any) => Object.fromEntries(d.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env(defaults.find((d) => d.metadata.name === 'x-datadog-cluster-agent'))).toMatchObject({ DD_ADMISSION_CONTROLLER_INJECT_CONFIG_MODE: 'socket' });
    expect(defaults.map((d) => `${d.kind}/${d.metadata.name}`)).toContain('Deployment/x-datadog-operator');
    const bad = await runHelm(helm, ['template', 'x', file, '--set', 'datadog.apm.instrumentation.enabledNamespace[0]=x']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/enabledNamespace/);
  });

  it('linkerd-control-plane refuses to render without the identity', async () => {
    const r = await runHelm(helm, ['template', 'x', archive('linkerd-control-plane', '2026.8.3')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/identity trust anchors/);
  });

  it.each(HELMS)('each lints strictly with helm $version', async (h) => {
    for (const c of standInCharts()) {
      const args = ['lint', '--strict', archive(c.name, c.version)];
      if (c.name === 'linkerd-control-plane') args.push('--set', 'identityTrustAnchorsPEM=x,identity.issuer.tls.crtPEM=x,identity.issuer.tls.keyPEM=x');
      if (c.name === 'datadog') args.push('--set', 'datadog.apiKey=x');
      const r = await runHelm(h, args);
      // Known strict-lint findings of Helm 4 in the upstream charts themselves (the umbrella's lint does not check a
      // subchart's Chart.yaml): cluster-autoscaler's `engine: gotpl`, cert-manager's and gateway-helm's `v`-prefixed versions.
      if (['cluster-autoscaler', 'cert-manager', 'gateway-helm'].includes(c.name) && h.major >= 4) continue;
      expect(r.code, `${c.name}: ${r.stdout}${r.stderr}`).toBe(0);
    }
  });
});

describe('the project upstream lock', () => {
  it('never records a stand-in archive (a test or bench run must not write into the project)', () => {
    const lockFile = join(import.meta.dirname, '..', '..', 'chart-templates', 'opta-base', 'upstream.lock.yaml');
    const text = existsSync(lockFile) ? readFileSync(lockFile, 'utf8') : '';
    for (const c of standInCharts()) expect(text).not.toContain(sha256Hex(standInArchive(c.name, c.version)));
  });
});
