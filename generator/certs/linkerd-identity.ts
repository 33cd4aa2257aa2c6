// Linkerd's mTLS identity: a self-signed trust anchor and an issuer CA signed by it, both ECDSA P-256.
// @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface LinkerdIdentity {
  trustAnchorPEM: string;
  issuerCrtPEM: string;
  issuerKeyPEM: string;
  notAfter: { trustAnchor: Date; issuer: Date };
}

export interface IdentityOptions {
  /** Linkerd's trust domain, `cluster.local` unless the cluster uses another. */
  trustDomain?: string;
  /** Issuer validity in days; the trust anchor lives ten times as long, so rotating the issuer keeps it. */
  validityDays: number;
  now?: Date;
}

function serial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] &= 0x7f; // positive
  return Buffer.from(bytes).toString('hex');
}

async function privateKeyPEM(key: CryptoKey): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

/** The CA extensions Linkerd expects: CA:true, path length 0 for the issuer, cert and CRL signing. */
function caExtensions(publicKey: CryptoKey, pathLength: number | undefined) {
  return x509.SubjectKeyIdentifierExtension.create(publicKey).then((ski) => [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ski,
  ]);
}

export async function createLinkerdIdentity(options: IdentityOptions): Promise<LinkerdIdentity> {
  if (!Number.isInteger(options.validityDays) || options.validityDays < 1) throw new Error('validityDays must be a whole number ≥ 1');
  const domain = options.trustDomain ?? 'cluster.local';
  const now = options.now ?? new Date();
  // Backdate a little so freshly issued certificates are valid on nodes with clock skew.
  const notBefore = new Date(now.getTime() - 5 * 60 * 1000);
  const issuerNotAfter = new Date(now.getTime() + options.validityDays * DAY_MS);
  const anchorNotAfter = new Date(now.getTime() + options.validityDays * 10 * DAY_MS);

  const anchorKeys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const anchor = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=root.linkerd.${domain}`,
    notBefore,
    notAfter: anchorNotAfter,
    signingAlgorithm: EC_P256,
    keys: anchorKeys,
    extensions: await caExtensions(anchorKeys.publicKey, undefined),
  });

  const issuerKeys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const issuer = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=identity.linkerd.${domain}`,
    issuer: anchor.subject,
    notBefore,
    notAfter: issuerNotAfter,
    signingAlgorithm: EC_P256,
    publicKey: issuerKeys.publicKey,
    signingKey: anchorKeys.privateKey,
    extensions: [
      ...(await caExtensions(issuerKeys.publicKey, 0)),
      await x509.AuthorityKeyIdentifierExtension.create(anchorKeys.publicKey),
    ],
  });

  return {
    trustAnchorPEM: anchor.toString('pem'),
    issuerCrtPEM: issuer.toString('pem'),
    issuerKeyPEM: await privateKeyPEM(issuerKeys.privateKey),
    notAfter: { trustAnchor: anchorNotAfter, issuer: issuerNotAfter },
  };
}
