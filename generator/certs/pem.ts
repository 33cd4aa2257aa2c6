// Reading PEM text a user handed us (values files, manifests, key files): every error names the file and the key.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { problemAt } from '../errors.js';

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Where a PEM came from, for messages: the file and the key inside it (a dotted values path or `Kind/name data.key`). */
export interface PemOrigin {
  file: string;
  key?: string;
}

/** Every certificate of a PEM bundle, in order; anything that is not one or more PEM certificates is a UserError. */
export function parseCertificates(text: unknown, origin: PemOrigin): X509Certificate[] {
  if (typeof text !== 'string' || !text.trim()) throw problemAt(origin.file, origin.key, 'expected PEM certificate text, found ' + describe(text));
  const blocks = text.match(CERT_BLOCK) ?? [];
  const rest = text.replace(CERT_BLOCK, '').trim();
  if (!blocks.length || rest) throw problemAt(origin.file, origin.key, 'is not PEM certificates (-----BEGIN CERTIFICATE----- blocks only)');
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (e) {
      throw problemAt(origin.file, origin.key, `certificate ${i + 1} cannot be read: ${(e as Error).message}`);
    }
  });
}

/** A PEM private key file's text, checked to be a private key (not a certificate, not encrypted). */
export function checkPrivateKey(text: string, origin: PemOrigin): string {
  if (!/-----BEGIN (EC |)PRIVATE KEY-----/.test(text)) {
    throw problemAt(origin.file, origin.key, 'is not an unencrypted PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)');
  }
  try {
    createPrivateKey(text);
  } catch (e) {
    throw problemAt(origin.file, origin.key, `cannot read the private key: ${(e as Error).message}`);
  }
  return text;
}

/** The certificate of `bundle` that `keyPEM` belongs to, if any. */
export function certificateForKey(bundle: X509Certificate[], keyPEM: string): X509Certificate | undefined {
  const key = createPrivateKey(keyPEM);
  return bundle.find((cert) => cert.checkPrivateKey(key));
}

/** A PEM bundle of `certs` in order, one trailing newline. */
export function bundlePEM(certs: X509Certificate[]): string {
  return certs.map((c) => c.toString().trim()).join('\n') + '\n';
}

/** The subject as one line, e.g. `CN=root.linkerd.cluster.local` (Node separates RDNs with newlines). */
export const subjectOf = (cert: X509Certificate) => cert.subject.split('\n').join(', ');

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)';
  if (value === null) return 'null';
  if (typeof value === 'string') return 'an empty string';
  return `a ${Array.isArray(value) ? 'list' : typeof value}`;
}
