// opta-base's production mesh: Linkerd's CNI plugin paired with cniEnabled, cert-manager issuing the identity issuer
// (hooks after its CRDs and webhook), the namespaces Helm's hooks need, and the ha profile in the ci scenario.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../generator/charts/opta-base/catalog.js';
import { umbrellaDependencies } from '../../generator/charts/opta-base/model.js';
import { withProfile } from '../../generator/charts/opta-base/profiles.js';
import type { Obj } from '../support/cluster/index.js';
import { HELMS, runHelm } from '../support/helm.js';
import { buildUmbrella, ROOT, tempDir } from './build-umbrella.js';
import { rendersOptaBase } from './helm-floor.js';

const CI = join(ROOT, 'chart-templates', 'opta-base', 'ci');
const helm = HELMS.find(rendersOptaBase)!;
const tmp = tempDir('opta-base-mesh-');
let archive = '';
beforeAll(async () => {
  archive = join(tmp.dir, 'opta-base.tgz');
  writeFileSync(archive, (await buildUmbrella()).archive);
});
afterAll(() => tmp.cleanup());

const template = (scenario: string, extra: string[] = []) =>
  runHelm(helm, ['template', 'opta-base', archive, '-n', 'opta-system', '-f', join(CI, `${scenario}-values.yaml`), ...extra]);
async function render(scenario: string, extra: string[] = []): Promise<Obj[]> {
  const r = await template(scenario, extra);
  if (r.code !== 0) throw new Error(r.stderr);
  return (yaml.loadAll(r.stdout) as Obj[]).filter(Boolean);
}
const find = (objs: Obj[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);
const initContainers = (objs: Obj[]) => (find(objs, 'Deployment', 'linkerd-identity')!.spec.template.spec.initContainers as Obj[]).map((c) => c.name);

describe('Linkerd CNI mode', () => {
  it.each([
    ['aws', '/opt/cni/bin'],
    ['gcp-cni', '/home/kubernetes/bin'],
    ['azure', '/opt/cni/bin'],
  ])('%s: the CNI DaemonSet in the release namespace with the cloud\'s bin dir, and no linkerd-init', async (scenario, binDir) => {
    const objs = await render(scenario);
    const ds = find(objs, 'DaemonSet', 'linkerd-cni')!;
    expect(ds.metadata.namespace).toBe('opta-system');
    expect(ds.spec.template.spec.volumes[0].hostPath.path).toBe(binDir);
    expect(ds.spec.template.spec.containers.map((c: Obj) => c.name)).toEqual(['install-cni', 'repair-controller']);
    expect(initContainers(objs)).toEqual(['linkerd-network-validator']);
  });

  it('proxy-init mode: no CNI chart, linkerd-init, meshed namespaces privileged', async () => {
    const objs = await render('aws-proxy-init');
    expect(find(objs, 'DaemonSet', 'linkerd-cni')).toBeUndefined();
    expect(initContainers(objs)).toEqual(['linkerd-init']);
    const ns = find(objs, 'Namespace', 'ingress-nginx')!;
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(find(objs, 'Namespace', 'external-dns')!.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    // Unmeshed namespaces are outside Linkerd's webhooks (so failurePolicy Fail never blocks them); meshed ones are not.
    expect(find(objs, 'Namespace', 'external-dns')!.metadata.labels['config.linkerd.io/admission-webhooks']).toBe('disabled');
    expect(ns.metadata.labels['config.linkerd.io/admission-webhooks']).toBeUndefined();
  });

  it.each([
    [['--set', 'components.linkerd2-cni-aws=false'], 'opta-base: linkerd-control-plane.cniEnabled is true but components.linkerd2-cni-aws is false; set both to false (or both to true)'],
    [
      ['--set', 'linkerd-control-plane.cniEnabled=false'],
      'opta-base: linkerd-control-plane.cniEnabled is not true but linkerd2-cni-aws is on; set components.linkerd2-cni-aws=false as well (or linkerd-control-plane.cniEnabled=true)',
    ],
  ])('one switch without the other fails naming both (%j)', async (extra, message) => {
    const r = await template('aws', extra);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(message);
  });

  it('with the control plane off, the CNI switch alone decides', async () => {
    const r = await template('aws', ['--set', 'components.linkerd-control-plane=false,components.linkerd2-cni-aws=false']);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('meshIdentity.issuer=cert-manager', () => {
  let anchorCrt = '';
  let anchorKeyFile = '';
  beforeAll(() => {
    // A throw-away ECDSA P-256 trust anchor (openssl is a test tool of this project).
    anchorKeyFile = join(tmp.dir, 'anchor.key');
    execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', anchorKeyFile]);
    anchorCrt = execFileSync('openssl', ['req', '-x509', '-new', '-key', anchorKeyFile, '-subj', '/CN=root.linkerd.cluster.local', '-days', '1', '-addext', 'basicConstraints=critical,CA:TRUE']).toString();
    writeFileSync(join(tmp.dir, 'anchor.crt'), anchorCrt);
  });
  const withPems = () => ['--set', 'meshIdentity.trustAnchor.existingSecret=', '--set-file', `meshIdentity.trustAnchor.crtPEM=${join(tmp.dir, 'anchor.crt')}`, '--set-file', `meshIdentity.trustAnchor.keyPEM=${anchorKeyFile}`];

  it('renders the Issuer and the Certificate as post-install/post-upgrade hooks after startupapicheck', async () => {
    const objs = await render('azure-cert-manager');
    const issuer = find(objs, 'Issuer', 'linkerd-trust-anchor')!;
    const certificate = find(objs, 'Certificate', 'linkerd-identity-issuer')!;
    const check = find(objs, 'Job', 'cert-manager-startupapicheck')!;
    expect(issuer.spec).toEqual({ ca: { secretName: 'ci-trust-anchor' } });
    expect(issuer.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'post-install,post-upgrade', 'helm.sh/hook-weight': '10' });
    expect(certificate.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'post-install,post-upgrade', 'helm.sh/hook-weight': '11' });
    expect(check.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'post-install,post-upgrade', 'helm.sh/hook-weight': '1' });
    expect(Number(check.metadata.annotations['helm.sh/hook-weight'])).toBeLessThan(Number(issuer.metadata.annotations['helm.sh/hook-weight']));
    expect(certificate.spec).toMatchObject({
      secretName: 'linkerd-identity-issuer',
      duration: '48h',
      renewBefore: '25h',
      issuerRef: { name: 'linkerd-trust-anchor', kind: 'Issuer' },
      commonName: 'identity.linkerd.cluster.local',
      isCA: true,
      privateKey: { algorithm: 'ECDSA', size: 256 },
    });
    // The control plane reads the issuer from the kubernetes.io/tls Secret cert-manager writes; no inline issuer.
    expect(find(objs, 'Secret', 'linkerd-identity-issuer')).toBeUndefined();
    expect(find(objs, 'Secret', 'linkerd-trust-anchor')).toBeUndefined();
    expect(find(objs, 'Namespace', 'cert-manager')!.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('renders the trust-anchor Secret from crtPEM and a keyPEM passed with --set-file', async () => {
    const objs = await render('azure-cert-manager', [...withPems(), '--set', 'meshIdentity.issuerCertificate.duration=72h', '--set', 'linkerd-control-plane.identityTrustDomain=prod.example']);
    const secret = find(objs, 'Secret', 'linkerd-trust-anchor')!;
    expect(secret.type).toBe('kubernetes.io/tls');
    expect(Buffer.from(secret.data['tls.crt'], 'base64').toString()).toBe(anchorCrt);
    expect(Buffer.from(secret.data['tls.key'], 'base64').toString()).toBe(readFileSync(anchorKeyFile, 'utf8'));
    expect(secret.metadata.annotations?.['helm.sh/hook']).toBeUndefined();
    expect(find(objs, 'Issuer', 'linkerd-trust-anchor')!.spec.ca.secretName).toBe('linkerd-trust-anchor');
    expect(find(objs, 'Certificate', 'linkerd-identity-issuer')!.spec).toMatchObject({ duration: '72h', commonName: 'identity.linkerd.prod.example' });
  });

  it.each([
    [['--set', 'components.cert-manager=false'], /cert-manager/],
    [['--set', 'cert-manager.startupapicheck.enabled=false'], /meshIdentity.issuer=cert-manager needs cert-manager.startupapicheck.enabled=true/],
    [['--set', 'meshIdentity.trustAnchor.existingSecret=', '--set', 'meshIdentity.trustAnchor.crtPEM='], /meshIdentity.trustAnchor.crtPEM is required/],
    [['--set', 'meshIdentity.trustAnchor.existingSecret=', '--set', 'meshIdentity.trustAnchor.keyPEM=not-a-key'], /keyPEM/],
    [['--set', 'linkerd-control-plane.identity.issuer.scheme=linkerd.io/tls'], /scheme|allOf/],
    [['--set', 'meshIdentity.issuerCertificate.duration=2 days'], /duration/],
  ])('refuses %j', async (extra, message) => {
    const r = await template('azure-cert-manager', extra as string[]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });

  it('refuses both an existing Secret and PEMs', async () => {
    const r = await template('azure-cert-manager', ['--set-file', `meshIdentity.trustAnchor.crtPEM=${join(tmp.dir, 'anchor.crt')}`, '--set-file', `meshIdentity.trustAnchor.keyPEM=${anchorKeyFile}`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('opta-base: give meshIdentity.trustAnchor.existingSecret or meshIdentity.trustAnchor.crtPEM and keyPEM, not both');
  });
});

describe('ha profile', () => {
  it('ci/aws-ha-values.yaml is ci/aws-values.yaml with the catalog\'s ha profile, as `values base --ha` writes it', async () => {
    const catalog = await loadCatalog(ROOT);
    const base = yaml.load(readFileSync(join(CI, 'aws-values.yaml'), 'utf8')) as Obj;
    const ha = yaml.load(readFileSync(join(CI, 'aws-ha-values.yaml'), 'utf8')) as Obj;
    expect(ha).toEqual(withProfile(catalog, umbrellaDependencies(catalog), base, 'aws', 'ha'));
    // cert-manager is off on aws by default: its part of the profile is not written.
    expect(ha['cert-manager']).toBeUndefined();
  });

  it('renders 3 Linkerd controllers with PDBs and Fail webhooks, an ingress HPA from 3 with a PDB and zone spread', async () => {
    const objs = await render('aws-ha');
    expect(find(objs, 'Deployment', 'linkerd-identity')!.spec.replicas).toBe(3);
    expect(find(objs, 'PodDisruptionBudget', 'linkerd-identity')).toBeDefined();
    expect(find(objs, 'MutatingWebhookConfiguration', 'linkerd-proxy-injector-webhook-config')!.webhooks[0].failurePolicy).toBe('Fail');
    const hpa = objs.find((o) => o.kind === 'HorizontalPodAutoscaler')!;
    expect(hpa.spec).toMatchObject({ minReplicas: 3, maxReplicas: 9 });
    expect(objs.find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.namespace === 'ingress-nginx')!.spec.minAvailable).toBe(2);
    const controller = objs.find((o) => o.kind === 'Deployment' && o.metadata.namespace === 'ingress-nginx')!;
    expect(controller.spec.template.spec.topologySpreadConstraints.map((c: Obj) => c.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    expect(find(objs, 'Deployment', 'metrics-server')!.spec.replicas).toBe(2);
  });
});
