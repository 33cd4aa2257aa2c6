// Signing keys, bundles and the referrers index without a registry; publish --sign / --artifacthub-repo offline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Digest } from '../../generator/encoding/sha256.js';
import { mergeReferrersIndex, referrersOf, type ReferrerEntry } from '../../generator/oci/referrers.js';
import { bundleSignsDigest, loadSigningKey, preAuthEncoding, signManifestDigest } from '../../generator/oci/sigstore-bundle.js';
import { verifyWithSigstore } from '../support/sigstore-verify.js';
import { runCli as runBundled } from '../support/cli-process.js';
import { archiveDir, runCli } from './fixtures.js';

const DIGEST = sha256Digest('a chart manifest');
const p256 = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });

describe('loadSigningKey', () => {
  it('reads PKCS#8, SEC1 and passphrase-encrypted PKCS#8 P-256 keys', () => {
    const sec1 = generateKeyPairSync('ec', { namedCurve: 'prime256v1', privateKeyEncoding: { type: 'sec1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const encrypted = generateKeyPairSync('ec', {
      namedCurve: 'prime256v1',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw-1' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    for (const [pem, pass, pub] of [
      [p256().privateKey, undefined, undefined],
      [sec1.privateKey, undefined, sec1.publicKey],
      [encrypted.privateKey, 'pw-1', encrypted.publicKey],
    ] as const) {
      const key = loadSigningKey(Buffer.from(pem), 'k.pem', pass);
      expect(key.hint).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      if (pub) expect(key.publicKey.export({ type: 'spki', format: 'pem' })).toBe(pub);
    }
  });

  it("gives cosign's key hint: base64 of the sha256 of the DER public key (as openssl computes it)", () => {
    const { privateKey, publicKey } = p256();
    const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'DER'], { input: publicKey });
    const digest = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: der });
    expect(loadSigningKey(Buffer.from(privateKey), 'k.pem').hint).toBe(digest.toString('base64'));
  });

  it.each([
    ['an RSA key', generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey, 'k.pem: the key is rsa; --sign needs an ECDSA P-256 key'],
    ['a P-384 key', generateKeyPairSync('ec', { namedCurve: 'secp384r1', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey, 'k.pem: the key is ec (secp384r1); --sign needs an ECDSA P-256 key'],
    ['a public key', p256().publicKey, 'k.pem: not a readable PEM private key'],
    ['garbage', 'not a key', 'k.pem: not a readable PEM private key'],
    ["cosign's own format", '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nabc\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n', "k.pem: this is cosign's own encrypted key format"],
  ])('refuses %s with a message naming the file', (_, pem, message) => {
    expect(() => loadSigningKey(Buffer.from(pem), 'k.pem')).toThrow(message);
  });

  it('an encrypted key without its passphrase names the environment variable', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1', privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    try {
      loadSigningKey(Buffer.from(privateKey), 'k.pem');
      expect.unreachable();
    } catch (e) {
      expect((e as { hint?: string }).hint).toContain('OPTA_CHARTS_SIGNING_KEY_PASSWORD');
    }
  });
});

describe('bundles', () => {
  const pair = p256();
  const key = loadSigningKey(Buffer.from(pair.privateKey), 'k.pem');

  it("DSSE's pre-authentication encoding (secure-systems-lab/dsse protocol.md example)", () => {
    expect(preAuthEncoding('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });

  it('a bundle verifies with our check and with Sigstore; another key or digest does not', () => {
    const bundle = signManifestDigest(key, DIGEST);
    expect(bundleSignsDigest(bundle, key.publicKey, DIGEST)).toBe(true);
    expect(verifyWithSigstore(JSON.parse(bundle.toString()), pair.publicKey, DIGEST).subjectDigests).toEqual([DIGEST]);
    const other = loadSigningKey(Buffer.from(p256().privateKey), 'o.pem');
    expect(bundleSignsDigest(bundle, other.publicKey, DIGEST)).toBe(false);
    expect(bundleSignsDigest(bundle, key.publicKey, sha256Digest('another manifest'))).toBe(false);
    expect(bundleSignsDigest(Buffer.from('{}'), key.publicKey, DIGEST)).toBe(false);
  });
});

describe('referrers index', () => {
  const entry = (n: number): ReferrerEntry => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256Digest(`r${n}`), size: n, artifactType: 'application/x-test' });

  it('adds an entry after the existing ones, and writes nothing when it is already listed', () => {
    const one = mergeReferrersIndex(undefined, entry(1))!;
    expect(JSON.parse(one.toString())).toEqual({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [entry(1)] });
    const two = mergeReferrersIndex(one, entry(2))!;
    expect(referrersOf(two)).toEqual([entry(1), entry(2)]);
    expect(mergeReferrersIndex(two, entry(1))).toBeUndefined();
  });

  it('drops entries named gone, keeping the rest', () => {
    const two = mergeReferrersIndex(mergeReferrersIndex(undefined, entry(1)), entry(2))!;
    expect(referrersOf(mergeReferrersIndex(two, entry(3), new Set([entry(1).digest])))).toEqual([entry(2), entry(3)]);
    expect(referrersOf(mergeReferrersIndex(two, entry(2), new Set([entry(1).digest])))).toEqual([entry(2)]);
  });

  it('an unreadable index counts as empty', () => {
    expect(referrersOf(Buffer.from('not json'))).toEqual([]);
    expect(referrersOf(undefined)).toEqual([]);
  });
});

describe('publish --sign / --artifacthub-repo offline', () => {
  let charts: ReturnType<typeof archiveDir>;
  beforeAll(() => {
    charts = archiveDir([{ name: 'one', version: '1.0.0' }]);
    writeFileSync(join(charts.dir, 'sign.key'), p256().privateKey);
    writeFileSync(join(charts.dir, 'ah.yml'), 'owners:\n  - name: A\n    email: a@example.com\n');
  });
  afterAll(() => charts?.cleanup());
  const to = ['--to', 'oci://registry.example.com/charts'];

  it('--dry-run shows the planned signature and Artifact Hub tag', async () => {
    const r = await runCli(['publish', ...to, '--dry-run', '--json', '--sign', 'sign.key', '--artifacthub-repo', 'ah.yml', charts.paths[0]], { cwd: charts.dir });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.charts[0].signature).toEqual({ status: 'planned' });
    expect(out.artifacthub).toEqual([{ reference: 'oci://registry.example.com/charts/one:artifacthub.io', digest: expect.stringMatching(/^sha256:/), status: 'planned' }]);
    const table = await runCli(['publish', ...to, '--dry-run', '--sign', 'sign.key', '--artifacthub-repo', 'ah.yml', charts.paths[0]], { cwd: charts.dir });
    expect(table.stdout).toMatch(/would sign/);
    expect(table.stdout).toMatch(/one:artifacthub\.io .* would push/);
  });

  it('the same with the shipped bundle (lib/publish.cjs, in a child process): it loads the signing code', async () => {
    const r = await runBundled(['publish', ...to, '--dry-run', '--json', '--sign', 'sign.key', charts.paths[0]], { cwd: charts.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).charts[0].signature).toEqual({ status: 'planned' });
  });

  it('a missing key or metadata file fails before any network use', async () => {
    const noKey = await runCli(['publish', ...to, '--sign', 'absent.key', charts.paths[0]], { cwd: charts.dir });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain(`${join(charts.dir, 'absent.key')}: cannot read the signing key (ENOENT)`);
    const noFile = await runCli(['publish', ...to, '--artifacthub-repo', 'absent.yml', charts.paths[0]], { cwd: charts.dir });
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain(`${join(charts.dir, 'absent.yml')}: cannot read the Artifact Hub metadata file (ENOENT)`);
  });

  it('--help documents both options', async () => {
    const r = await runCli(['publish', '--help'], { cwd: charts.dir });
    expect(r.stdout).toContain('--sign <key-file>');
    expect(r.stdout).toContain('--artifacthub-repo <file>');
  });
});
