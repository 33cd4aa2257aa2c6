// `certs check`: expiry of the identity certificates in a values file or a rendered release, as exit codes a CI job can use.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrustAnchor, DAY_MS, issueIssuer, type CertificateAndKey } from '../../generator/certs/linkerd-identity.js';
import { buildUmbrella, ROOT, tempDir } from '../opta-base/build-umbrella.js';
import { runCli } from '../oci/fixtures.js';
import { HELMS, runHelm } from '../support/helm.js';
import { rendersOptaBase } from '../opta-base/helm-floor.js';

const tmp = tempDir('opta-certs-check-');
afterAll(() => tmp.cleanup());
const cli = (args: string[], stdin?: string) => runCli(args, { cwd: tmp.dir, stdin });
const check = (args: string[], stdin?: string) => cli(['certs', 'check', '--source', ROOT, ...args], stdin);
const b64 = (s: string) => Buffer.from(s).toString('base64');

let anchor: CertificateAndKey;
/** An issuer valid two more days, and one that expired yesterday (issued in the past: no clocks involved). */
let shortIssuer: CertificateAndKey;
let expiredIssuer: CertificateAndKey;
beforeAll(async () => {
  anchor = await createTrustAnchor({ validityDays: 3650, now: new Date(Date.now() - 10 * DAY_MS) });
  shortIssuer = await issueIssuer(anchor, { validityDays: 2 });
  expiredIssuer = await issueIssuer(anchor, { validityDays: 2, now: new Date(Date.now() - 3 * DAY_MS) });
});

function staticValues(name: string, issuer: CertificateAndKey, trustAnchors = anchor.crtPEM): string {
  const file = join(tmp.dir, name);
  const values = { tags: { gcp: true }, 'linkerd-control-plane': { identityTrustAnchorsPEM: trustAnchors, identity: { issuer: { tls: { crtPEM: issuer.crtPEM, keyPEM: issuer.keyPEM } } } } };
  writeFileSync(file, yaml.dump(values));
  return file;
}

describe('certs check of a values file', () => {
  it('exits 3 when a certificate expires within --within days, 0 otherwise, naming subject, expiry and key', async () => {
    const file = staticValues('short.yaml', shortIssuer);
    const soon = await check(['-f', file, '--within', '5']);
    expect(soon.code, soon.stderr).toBe(3);
    const lines = soon.stdout.split('\n');
    expect(lines[0]).toMatch(/^CERTIFICATE\s+SUBJECT\s+SHA-256\s+EXPIRES\s+DAYS LEFT\s+STATUS\s+FROM$/);
    expect(lines[1]).toMatch(/^trust anchor\s+CN=root\.linkerd\.cluster\.local\s+[0-9A-F:]{11}\s+\S+\s+3639\s+ok\s+.*short\.yaml: linkerd-control-plane\.identityTrustAnchorsPEM$/);
    expect(lines[2]).toMatch(/^issuer\s+CN=identity\.linkerd\.cluster\.local\s+[0-9A-F:]{11}\s+\S+\s+1\s+EXPIRES WITHIN 5 DAYS\s+.*short\.yaml: linkerd-control-plane\.identity\.issuer\.tls\.crtPEM$/);
    expect(soon.stderr).toBe(`warning: issuer CN=identity.linkerd.cluster.local expires on ${shortIssuer.notAfter.toISOString().replace(/\.\d+Z$/, '.000Z')} (${file}: linkerd-control-plane.identity.issuer.tls.crtPEM)`);
    const later = await check(['-f', file, '--within', '1']);
    expect(later.code, later.stderr).toBe(0);
    expect(later.stderr).toBe('');
  });

  it('exits 3 for an expired issuer, and reports JSON with --json', async () => {
    const file = staticValues('expired.yaml', expiredIssuer);
    const r = await check([file, '--within', '0', '--json']);
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout);
    expect(report.withinDays).toBe(0);
    expect(report.problems).toEqual([]);
    expect(report.certificates.map((c: { role: string; status: string }) => [c.role, c.status])).toEqual([
      ['trust anchor', 'ok'],
      ['issuer', 'expired'],
    ]);
    expect(report.certificates[1].daysLeft).toBe(-2);
  });

  it('exits 4 when the issuer is not signed by any trusted anchor', async () => {
    const stranger = await createTrustAnchor({ validityDays: 10 });
    const file = staticValues('foreign.yaml', await issueIssuer(stranger, { validityDays: 5 }));
    const r = await check(['-f', file, '--within', '1']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`error: ${file}: linkerd-control-plane.identity.issuer.tls.crtPEM: the issuer (CN=identity.linkerd.cluster.local) is not signed by any trust anchor in ${file}: linkerd-control-plane.identityTrustAnchorsPEM`);
  });

  it('reads what `values base --issuer cert-manager` writes: the anchor, cert-manager\'s CA and its renewal', async () => {
    const file = join(tmp.dir, 'cm.yaml');
    expect((await cli(['values', 'base', '--source', ROOT, '--provider', 'gcp', '--cluster-name', 'c', '-o', file])).code).toBe(0);
    const r = await check(['-f', file, '--within', '30']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^trust anchor\s+CN=root.linkerd.cluster.local .* ok\s+.*cm.yaml: linkerd-control-plane.identityTrustAnchorsPEM$/m);
    expect(r.stdout).toMatch(/^signing anchor\s+CN=root.linkerd.cluster.local .* ok\s+.*cm.yaml: meshIdentity.trustAnchor.crtPEM$/m);
    expect(r.stdout).toContain(`issuer: renewed by cert-manager (${file}: meshIdentity.issuerCertificate: duration 48h, renewBefore 25h)`);
  });

  it.each([
    ['not PEM', { 'linkerd-control-plane': { identityTrustAnchorsPEM: 'hello' } }, 'linkerd-control-plane.identityTrustAnchorsPEM: is not PEM certificates'],
    ['a broken certificate', { 'linkerd-control-plane': { identityTrustAnchorsPEM: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' } }, 'linkerd-control-plane.identityTrustAnchorsPEM: certificate 1 cannot be read'],
    ['a number', { 'linkerd-control-plane': { identityTrustAnchorsPEM: 3 } }, 'linkerd-control-plane.identityTrustAnchorsPEM: expected PEM certificate text, found a number'],
    ['no identity', { tags: { gcp: true } }, ': no Linkerd identity certificate found (looked at linkerd-control-plane.identityTrustAnchorsPEM, meshIdentity.trustAnchor.crtPEM)'],
  ])('bad input (%s) is a user error naming the file and key', async (_, values, message) => {
    const file = join(tmp.dir, 'bad.yaml');
    writeFileSync(file, yaml.dump(values));
    const r = await check(['-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${file}${message.startsWith(':') ? '' : ': '}${message}`);
  });

  it.each([
    [['missing.yaml'], 'error: missing.yaml: no such file'],
    [['-f', 'a.yaml', '--manifest', 'b.yaml'], 'error: certs check: name exactly one input'],
    [[], 'error: certs check: name exactly one input'],
    [['-', '--within', 'soon'], 'error: --within: "soon" must be a whole number of days'],
  ])('refuses %j', async (args, message) => {
    const r = await check(args, '');
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toContain(message);
  });
});

describe('certs check of rendered manifests', () => {
  const archive = join(tmp.dir, 'opta-base.tgz');
  beforeAll(async () => writeFileSync(archive, (await buildUmbrella()).archive));

  it('reads `helm template` output of opta-base on standard input (trust-roots ConfigMap, issuer Secret), with every Helm release that renders opta-base', async () => {
    const values = join(tmp.dir, 'static.yaml');
    const made = await cli(['values', 'base', '--source', ROOT, '--provider', 'azure', '--cluster-name', 'c', '--issuer', 'static', '--validity-days', '20', '-o', values]);
    expect(made.code, made.stderr).toBe(0);
    for (const helm of HELMS.filter(rendersOptaBase)) {
      const rendered = await runHelm(helm, ['template', 'opta-base', archive, '-n', 'opta-system', '-f', values]);
      expect(rendered.code, rendered.stderr).toBe(0);
      const ok = await check(['-', '--within', '10'], rendered.stdout);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/^trust anchor .* <stdin>: ConfigMap\/linkerd-identity-trust-roots data.ca-bundle.crt$/m);
      expect(ok.stdout).toMatch(/^issuer .* <stdin>: Secret\/linkerd-identity-issuer data.crt.pem$/m);
      expect((await check(['--manifest', '-', '--within', '30'], rendered.stdout)).code).toBe(3);
    }
  });

  it('reads `helm template` output of a cert-manager install as `values base` printed it: anchor Secret, Issuer, Certificate', async () => {
    const values = join(tmp.dir, 'cm-release.yaml');
    const made = await cli(['values', 'base', '--source', ROOT, '--provider', 'gcp', '--cluster-name', 'c', '-o', values]);
    expect(made.code, made.stderr).toBe(0);
    for (const helm of HELMS.filter(rendersOptaBase)) {
      const args = ['template', 'opta-base', archive, '-n', 'opta-system', '-f', values, '--set-file', `meshIdentity.trustAnchor.keyPEM=${join(tmp.dir, 'cm-release.trust-anchor.key.pem')}`];
      const rendered = await runHelm(helm, args);
      expect(rendered.code, rendered.stderr).toBe(0);
      const r = await check(['-', '--within', '30'], rendered.stdout);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^trust anchor .* ok\s+<stdin>: ConfigMap\/linkerd-identity-trust-roots data.ca-bundle.crt$/m);
      expect(r.stdout).toMatch(/^signing anchor .* ok\s+<stdin>: Secret\/linkerd-trust-anchor data.tls.crt$/m);
      expect(r.stdout).toContain('issuer: renewed by cert-manager (<stdin>: Certificate/linkerd-identity-issuer: duration 48h, renewBefore 25h)');
    }
  });

  const certManagerObjects = (issuerSecret?: object) => [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'linkerd-identity-trust-roots' }, data: { 'ca-bundle.crt': anchor.crtPEM } },
    { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'linkerd-trust-anchor' }, data: { 'tls.crt': b64(anchor.crtPEM), 'tls.key': b64(anchor.keyPEM) } },
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'linkerd-trust-anchor' }, spec: { ca: { secretName: 'linkerd-trust-anchor' } } },
    { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'linkerd-identity-issuer' }, spec: { secretName: 'linkerd-identity-issuer', duration: '48h0m0s', renewBefore: '25h0m0s', isCA: true } },
    ...(issuerSecret ? [issuerSecret] : []),
  ];
  const manifest = (objects: object[]) => objects.map((o) => `---\n${yaml.dump(o)}`).join('');
  const liveIssuer = (issuer: CertificateAndKey) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { name: 'linkerd-identity-issuer', annotations: { 'cert-manager.io/certificate-name': 'linkerd-identity-issuer' } },
    data: { 'tls.crt': b64(issuer.crtPEM), 'tls.key': b64(issuer.keyPEM), 'ca.crt': b64(anchor.crtPEM) },
  });

  it('reads cert-manager\'s objects: the CA Secret as signing anchor and the Certificate\'s duration', async () => {
    const r = await check(['-', '--within', '30'], manifest(certManagerObjects()));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^signing anchor .* <stdin>: Secret\/linkerd-trust-anchor data.tls.crt$/m);
    expect(r.stdout).toContain('issuer: renewed by cert-manager (<stdin>: Certificate/linkerd-identity-issuer: duration 48h0m0s, renewBefore 25h0m0s)');
  });

  it('an issuer cert-manager renews counts only once expired (kubectl get secret output)', async () => {
    const renewing = await check(['-', '--within', '30'], manifest(certManagerObjects(liveIssuer(shortIssuer))));
    expect(renewing.code, renewing.stderr).toBe(0);
    expect(renewing.stdout).toMatch(/^issuer .* renewed by cert-manager\s+<stdin>: Secret\/linkerd-identity-issuer data.tls.crt$/m);
    const stuck = await check(['-', '--within', '30'], manifest(certManagerObjects(liveIssuer(expiredIssuer))));
    expect(stuck.code).toBe(3);
    expect(stuck.stdout).toMatch(/^issuer .* EXPIRED /m);
  });

  it('exits 4 when cert-manager\'s CA is not in the trust bundle', async () => {
    const other = await createTrustAnchor({ validityDays: 10 });
    const objects = certManagerObjects();
    objects[1] = { ...objects[1], data: { 'tls.crt': b64(other.crtPEM) } };
    const r = await check(['-', '--within', '1'], manifest(objects));
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('error: <stdin>: Secret/linkerd-trust-anchor data.tls.crt: the anchor cert-manager signs the issuer with is not in the trust bundle <stdin>: ConfigMap/linkerd-identity-trust-roots data.ca-bundle.crt');
  });

  it.each([
    ['not base64', [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'linkerd-identity-issuer' }, data: { 'crt.pem': '%%%' } }], 'error: <stdin>: Secret/linkerd-identity-issuer data.crt.pem: is not base64'],
    ['no identity objects', [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other' } }], 'error: <stdin>: no Linkerd identity found'],
    ['not PEM in the ConfigMap', [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'linkerd-identity-trust-roots' }, data: { 'ca-bundle.crt': 'x' } }], 'error: <stdin>: ConfigMap/linkerd-identity-trust-roots data.ca-bundle.crt: is not PEM certificates'],
  ])('bad manifest (%s) is a user error naming the object and key', async (_, objects, message) => {
    const r = await check(['--manifest', '-'], manifest(objects));
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toContain(message);
  });
});
