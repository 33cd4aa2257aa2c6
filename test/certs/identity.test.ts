// The Linkerd identity certificates: what Linkerd requires of the chain, checked with Node, @peculiar/x509 and openssl.
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterAll, describe, expect, it } from 'vitest';
import { createTrustAnchor, DAY_MS, DEFAULT_ANCHOR_DAYS, issueIssuer } from '../../generator/certs/linkerd-identity.js';
import { tempDir } from '../opta-base/build-umbrella.js';

const tmp = tempDir('opta-certs-identity-');
afterAll(() => tmp.cleanup());
const now = new Date('2026-08-01T00:00:00Z');

function basicConstraints(pem: string): x509.BasicConstraintsExtension {
  return new x509.X509Certificate(pem).getExtension(x509.BasicConstraintsExtension)!;
}

describe('Linkerd identity', () => {
  it('is an ECDSA P-256 issuer CA (path length 0) signed by a self-signed anchor CA, named for the trust domain', async () => {
    // As `values base` makes it: an anchor of the default validity, then the issuer it signs.
    const trustAnchor = await createTrustAnchor({ validityDays: DEFAULT_ANCHOR_DAYS, trustDomain: 'prod.example', now });
    const issuer = await issueIssuer(trustAnchor, { validityDays: 30, trustDomain: 'prod.example', now });
    const anchor = new X509Certificate(trustAnchor.crtPEM);
    const cert = new X509Certificate(issuer.crtPEM);
    expect(cert.verify(anchor.publicKey)).toBe(true);
    expect(cert.checkIssued(anchor)).toBe(true);
    expect(anchor.checkIssued(anchor)).toBe(true);
    expect([cert.ca, anchor.ca]).toEqual([true, true]);
    for (const c of [cert, anchor]) {
      expect(c.publicKey.asymmetricKeyType).toBe('ec');
      expect(c.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    }
    expect(cert.subject).toBe('CN=identity.linkerd.prod.example');
    expect(anchor.subject).toBe('CN=root.linkerd.prod.example');
    expect(basicConstraints(issuer.crtPEM)).toMatchObject({ ca: true, pathLength: 0, critical: true });
    expect(basicConstraints(trustAnchor.crtPEM).pathLength).toBeUndefined();
    const usages = new x509.X509Certificate(issuer.crtPEM).getExtension(x509.KeyUsagesExtension)!;
    expect(usages.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    // The issuer's authority key id is the anchor's subject key id (chain building by key id).
    const aki = new x509.X509Certificate(issuer.crtPEM).getExtension(x509.AuthorityKeyIdentifierExtension)!;
    const ski = new x509.X509Certificate(trustAnchor.crtPEM).getExtension(x509.SubjectKeyIdentifierExtension)!;
    expect(aki.keyId).toBe(ski.keyId);
    expect(new Date(cert.validTo).getTime()).toBe(now.getTime() + 30 * DAY_MS);
    expect(new Date(anchor.validTo).getTime()).toBe(now.getTime() + 3650 * DAY_MS);
    expect(anchor.checkPrivateKey(createPrivateKey(trustAnchor.keyPEM))).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(issuer.keyPEM))).toBe(true);
    expect(issuer.keyPEM).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('openssl, as an independent verifier, accepts the chain (strict X.509 checks)', async () => {
    const trustAnchor = await createTrustAnchor({ validityDays: DEFAULT_ANCHOR_DAYS });
    const issuer = await issueIssuer(trustAnchor, { validityDays: 30 });
    writeFileSync(join(tmp.dir, 'anchor.pem'), trustAnchor.crtPEM);
    writeFileSync(join(tmp.dir, 'issuer.pem'), issuer.crtPEM);
    const out = execFileSync('openssl', ['verify', '-x509_strict', '-CAfile', join(tmp.dir, 'anchor.pem'), join(tmp.dir, 'issuer.pem')], { encoding: 'utf8' });
    expect(out.trim()).toBe(`${join(tmp.dir, 'issuer.pem')}: OK`);
    const text = execFileSync('openssl', ['x509', '-in', join(tmp.dir, 'issuer.pem'), '-noout', '-text'], { encoding: 'utf8' });
    expect(text).toMatch(/CA:TRUE, pathlen:0/);
    expect(text).toMatch(/ASN1 OID: prime256v1/);
    expect(text).toMatch(/Signature Algorithm: ecdsa-with-SHA256/);
  });

  it('renews the issuer under a kept anchor: a new key, the same anchor, also from a SEC1 "EC PRIVATE KEY" (as step writes)', async () => {
    const anchor = await createTrustAnchor({ validityDays: 100, now });
    const sec1 = createPrivateKey(anchor.keyPEM).export({ type: 'sec1', format: 'pem' }).toString();
    expect(sec1).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    const first = await issueIssuer(anchor, { validityDays: 10, now });
    const second = await issueIssuer({ crtPEM: anchor.crtPEM, keyPEM: sec1 }, { validityDays: 10, now });
    expect(second.keyPEM).not.toBe(first.keyPEM);
    for (const i of [first, second]) expect(new X509Certificate(i.crtPEM).verify(new X509Certificate(anchor.crtPEM).publicKey)).toBe(true);
  });

  it('never lets the issuer outlive its anchor', async () => {
    const anchor = await createTrustAnchor({ validityDays: 5, now });
    const issuer = await issueIssuer(anchor, { validityDays: 30, now });
    expect(issuer.capped).toBe(true);
    expect(new X509Certificate(issuer.crtPEM).validTo).toBe(new X509Certificate(anchor.crtPEM).validTo);
  });

  it('refuses a key that is not the anchor\'s, or not ECDSA P-256', async () => {
    const anchor = await createTrustAnchor({ validityDays: 5, now });
    const other = await createTrustAnchor({ validityDays: 5, now });
    await expect(issueIssuer({ crtPEM: anchor.crtPEM, keyPEM: other.keyPEM }, { validityDays: 1, now })).rejects.toThrow('the private key does not belong to the trust anchor certificate');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(issueIssuer({ crtPEM: anchor.crtPEM, keyPEM: rsa }, { validityDays: 1, now })).rejects.toThrow('an ECDSA P-256 key is needed');
  });
});
