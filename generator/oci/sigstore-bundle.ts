// Key-based Sigstore signatures of chart manifests, as `cosign sign --key` (v3, new bundle format) makes them: pure.
//
// What cosign v3 writes (sigstore/cosign v3.1.2, cmd/cosign/cli/sign/sign.go signDigestBundle and
// cmd/cosign/cli/signcommon/common.go NewAttestationBundle): an in-toto Statement v1 whose only subject is the
// manifest digest, predicateType https://sigstore.dev/cosign/sign/v1 and an empty predicate, in a DSSE envelope
// (payloadType application/vnd.in-toto+json), in a Sigstore bundle v0.3 whose verification material is the public
// key's hint: base64(sha256(DER SubjectPublicKeyInfo)) (internal/key/svkeypair.go). Offline signing: no tlog entry.
// `cosign verify` then checks the signature and that a subject's sha256 equals the image digest
// (pkg/cosign/verifiers.go IntotoSubjectClaimVerifier).
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { UserError } from '../errors.js';
import { sha256Base64 } from '../encoding/sha256.js';

export const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The bundle's `verificationMaterial.publicKey.hint`, as cosign computes it. */
  hint: string;
}

/** The hint cosign writes for a public key: base64 of the SHA-256 of its DER SubjectPublicKeyInfo. */
export function publicKeyHint(publicKey: KeyObject): string {
  return sha256Base64(publicKey.export({ type: 'spki', format: 'der' }));
}

/**
 * Reads an ECDSA P-256 private key (PEM: PKCS#8 or SEC1, optionally encrypted with `passphrase`).
 * `label` names the key file in errors.
 */
export function loadSigningKey(pem: Buffer, label: string, passphrase?: string): SigningKey {
  const text = pem.toString('utf8');
  if (/-----BEGIN ENCRYPTED (SIGSTORE|COSIGN) PRIVATE KEY-----/.test(text)) {
    throw new UserError(
      `${label}: this is cosign's own encrypted key format, which only cosign reads`,
      'use a PEM key: openssl ecparam -genkey -name prime256v1 -noout | openssl pkcs8 -topk8 -nocrypt -out signing.key (cosign import-key-pair --key signing.key gives cosign the same key)',
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(passphrase === undefined ? { key: text, format: 'pem' } : { key: text, format: 'pem', passphrase });
  } catch (e) {
    const reason = (e as Error).message;
    const needsPassphrase = /passphrase/i.test(reason) || /ENCRYPTED/.test(text);
    throw new UserError(
      `${label}: not a readable PEM private key (${reason})`,
      needsPassphrase ? 'an encrypted key needs its passphrase in OPTA_CHARTS_SIGNING_KEY_PASSWORD' : 'expected an ECDSA P-256 private key in PEM (PKCS#8 or "EC PRIVATE KEY")',
    );
  }
  const curve = privateKey.asymmetricKeyDetails?.namedCurve;
  if (privateKey.asymmetricKeyType !== 'ec' || curve !== 'prime256v1') {
    throw new UserError(`${label}: the key is ${privateKey.asymmetricKeyType}${curve ? ` (${curve})` : ''}; --sign needs an ECDSA P-256 key, the algorithm cosign uses by default`);
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, hint: publicKeyHint(publicKey) };
}

/** DSSE's pre-authentication encoding: the bytes actually signed (secure-systems-lab/dsse, protocol.md). */
export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

/** The in-toto statement cosign signs for an image (here: a chart manifest) digest. */
export function signStatement(manifestDigest: string): Buffer {
  const [algorithm, hex] = manifestDigest.split(':');
  return Buffer.from(
    JSON.stringify({ _type: IN_TOTO_STATEMENT_V1, subject: [{ digest: { [algorithm]: hex } }], predicateType: COSIGN_SIGN_PREDICATE, predicate: {} }),
  );
}

/** A Sigstore bundle v0.3 (JSON bytes) carrying a DSSE signature of `manifestDigest` by `key`. */
export function signManifestDigest(key: SigningKey, manifestDigest: string): Buffer {
  const payload = signStatement(manifestDigest);
  const signature = sign('sha256', preAuthEncoding(IN_TOTO_PAYLOAD_TYPE, payload), key.privateKey);
  return Buffer.from(
    JSON.stringify({
      mediaType: BUNDLE_MEDIA_TYPE,
      verificationMaterial: { publicKey: { hint: key.hint }, tlogEntries: [] },
      dsseEnvelope: { payload: payload.toString('base64'), payloadType: IN_TOTO_PAYLOAD_TYPE, signatures: [{ sig: signature.toString('base64'), keyid: '' }] },
    }),
  );
}

/**
 * Whether `bundle` is a valid signature of `manifestDigest` by `publicKey`: signature over the DSSE encoding, and a
 * cosign-sign statement whose subject is the digest. Used to find an existing signature, so nothing is signed twice.
 */
export function bundleSignsDigest(bundle: Buffer, publicKey: KeyObject, manifestDigest: string): boolean {
  try {
    const doc = JSON.parse(bundle.toString('utf8')) as { mediaType?: string; dsseEnvelope?: { payload?: string; payloadType?: string; signatures?: { sig?: string }[] } };
    const env = doc.dsseEnvelope;
    if (doc.mediaType !== BUNDLE_MEDIA_TYPE || !env?.payload || env.payloadType !== IN_TOTO_PAYLOAD_TYPE || env.signatures?.length !== 1) return false;
    const payload = Buffer.from(env.payload, 'base64');
    if (!verify('sha256', preAuthEncoding(env.payloadType, payload), publicKey, Buffer.from(env.signatures[0].sig ?? '', 'base64'))) return false;
    const statement = JSON.parse(payload.toString('utf8')) as { predicateType?: string; subject?: { digest?: Record<string, string> }[] };
    const [algorithm, hex] = manifestDigest.split(':');
    return statement.predicateType === COSIGN_SIGN_PREDICATE && (statement.subject ?? []).some((s) => s?.digest?.[algorithm] === hex);
  } catch {
    return false;
  }
}
