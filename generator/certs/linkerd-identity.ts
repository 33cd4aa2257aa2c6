// Linkerd's mTLS identity: a self-signed trust anchor and an issuer CA signed by it, both ECDSA P-256 (pure: no files).
// Names and extensions as Linkerd's docs make them (linkerd/website, linkerd.io/content/2-edge/tasks/
// automatically-rotating-control-plane-tls-credentials.md: anchor `root.linkerd.<domain>`, issuer
// `identity.linkerd.<domain>`, both CAs, ECDSA).
// @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
export const DAY_MS = 24 * 60 * 60 * 1000;
/** Default lifetimes: the issuer a year (static mode), the anchor ten years, so the issuer can be renewed under it. */
export const DEFAULT_ISSUER_DAYS = 365;
export const DEFAULT_ANCHOR_DAYS = 3650;

/** A certificate with its private key, both PEM. */
export interface CertificateAndKey {
  crtPEM: string;
  keyPEM: string;
  notAfter: Date;
}

const issuerName = (trustDomain: string) => `identity.linkerd.${trustDomain}`;
const anchorName = (trustDomain: string) => `root.linkerd.${trustDomain}`;

function serial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] &= 0x7f; // positive
  return Buffer.from(bytes).toString('hex');
}

async function privateKeyPEM(key: CryptoKey): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

function checkDays(name: string, days: number): void {
  if (!Number.isInteger(days) || days < 1) throw new Error(`${name} must be a whole number ≥ 1`);
}

/** X.509 times have whole seconds: the dates we report are the certificate's. */
const wholeSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);

/** Backdated a little so freshly issued certificates are valid on nodes with clock skew. */
const backdated = (now: Date) => new Date(now.getTime() - 5 * 60 * 1000);

/** The CA extensions Linkerd expects: CA:true (path length 0 for the issuer), cert and CRL signing. */
async function caExtensions(publicKey: CryptoKey, pathLength: number | undefined) {
  return [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
  ];
}

export async function createTrustAnchor(options: { trustDomain?: string; validityDays: number; now?: Date }): Promise<CertificateAndKey> {
  checkDays('anchor validity days', options.validityDays);
  const now = options.now ?? new Date();
  const notAfter = wholeSeconds(now.getTime() + options.validityDays * DAY_MS);
  const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const anchor = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${anchorName(options.trustDomain ?? 'cluster.local')}`,
    notBefore: backdated(now),
    notAfter,
    signingAlgorithm: EC_P256,
    keys,
    extensions: await caExtensions(keys.publicKey, undefined),
  });
  return { crtPEM: anchor.toString('pem'), keyPEM: await privateKeyPEM(keys.privateKey), notAfter };
}

/**
 * A new issuer certificate and key signed by `anchor`. The issuer never outlives its anchor: its end is capped at the
 * anchor's (`capped` says so). Throws when the key is not an ECDSA P-256 key or does not belong to the certificate.
 */
export async function issueIssuer(
  anchor: { crtPEM: string; keyPEM: string },
  options: { trustDomain?: string; validityDays: number; now?: Date },
): Promise<CertificateAndKey & { capped: boolean }> {
  checkDays('validity days', options.validityDays);
  const now = options.now ?? new Date();
  const anchorCert = new x509.X509Certificate(anchor.crtPEM);
  const signingKey = await importSigningKey(anchor.keyPEM);
  if (!new X509Certificate(anchor.crtPEM).checkPrivateKey(createPrivateKey(anchor.keyPEM))) {
    throw new Error('the private key does not belong to the trust anchor certificate');
  }
  const wanted = wholeSeconds(now.getTime() + options.validityDays * DAY_MS);
  const capped = wanted > anchorCert.notAfter;
  const notAfter = capped ? anchorCert.notAfter : wanted;
  const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const issuer = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${issuerName(options.trustDomain ?? 'cluster.local')}`,
    issuer: anchorCert.subject,
    notBefore: backdated(now),
    notAfter,
    signingAlgorithm: EC_P256,
    publicKey: keys.publicKey,
    signingKey,
    extensions: [
      ...(await caExtensions(keys.publicKey, 0)),
      await x509.AuthorityKeyIdentifierExtension.create(await anchorCert.publicKey.export()),
    ],
  });
  return { crtPEM: issuer.toString('pem'), keyPEM: await privateKeyPEM(keys.privateKey), notAfter, capped };
}

/** Imports a PEM private key (PKCS#8 or SEC1 "EC PRIVATE KEY", as `step` writes) for signing; only ECDSA P-256. */
async function importSigningKey(pem: string): Promise<CryptoKey> {
  let key;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new Error('not a PEM private key');
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`an ECDSA P-256 key is needed (Linkerd's trust anchor), this is ${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.namedCurve ?? ''}`.trim());
  }
  const der = key.export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
}
