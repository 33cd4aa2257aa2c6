// An independent verifier for publish --sign: the Sigstore project's own JavaScript packages, not opta-charts code.
// Does what `cosign verify --key KEY --insecure-ignore-tlog` does with a new-format bundle: parse and validate the bundle,
// verify its signature with the public key (no transparency-log or timestamp requirement: offline key signing), then
// check that the signed in-toto statement names the expected manifest digest (cosign's IntotoSubjectClaimVerifier).
import { createPublicKey } from 'node:crypto';
import { bundleFromJSON, isBundleWithDsseEnvelope } from '@sigstore/bundle';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';

/** A trusted root with no authorities: only the given public key is trusted. */
const EMPTY_ROOT = { mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] };

export interface VerifiedStatement {
  /** The public-key hint the bundle names. */
  hint: string;
  predicateType: string;
  subjectDigests: string[];
}

/** Throws (Sigstore's VerificationError, or an Error for the subject) unless `bundleJson` signs `manifestDigest` with `publicKeyPem`. */
export function verifyWithSigstore(bundleJson: unknown, publicKeyPem: string, manifestDigest: string): VerifiedStatement {
  const bundle = bundleFromJSON(bundleJson);
  if (!isBundleWithDsseEnvelope(bundle)) throw new Error('the bundle has no DSSE envelope');
  const key = createPublicKey(publicKeyPem);
  const trust = toTrustMaterial(EMPTY_ROOT as unknown as Parameters<typeof toTrustMaterial>[0], () => ({ publicKey: key, validFor: () => true }));
  new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, tsaThreshold: 0 }).verify(toSignedEntity(bundle));
  const statement = JSON.parse(bundle.content.dsseEnvelope.payload.toString('utf8')) as { predicateType: string; subject: { digest: Record<string, string> }[] };
  const subjectDigests = statement.subject.flatMap((s) => Object.entries(s.digest).map(([alg, hex]) => `${alg}:${hex}`));
  if (!subjectDigests.includes(manifestDigest)) throw new Error(`no matching subject digest found (${subjectDigests.join(', ')} vs ${manifestDigest})`);
  const hint = bundle.verificationMaterial.content.$case === 'publicKey' ? bundle.verificationMaterial.content.publicKey.hint : '';
  return { hint, predicateType: statement.predicateType, subjectDigests };
}
