// publish --sign against a real registry (Distribution, no referrers API), checked by Sigstore's own verifier.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VerificationError } from '@sigstore/verify';
import { sha256Digest } from '../../generator/encoding/sha256.js';
import { ACCEPT_INDEX } from '../../generator/oci/repository.js';
import type { OciSession } from '../../generator/oci/session.js';
import { HELMS, helmOk } from '../support/helm.js';
import { startRegistry, storedBlobCount, type TestRegistry } from '../support/registry.js';
import { verifyWithSigstore } from '../support/sigstore-verify.js';
import { archiveDir, runCli, testSession } from './fixtures.js';

const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

interface Key {
  file: string;
  publicPem: string;
}

/** A P-256 key pair; `format` sec1 (`EC PRIVATE KEY`) or pkcs8, both accepted. */
function makeKey(dir: string, name: string, format: 'sec1' | 'pkcs8'): Key {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1', privateKeyEncoding: { type: format, format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const file = join(dir, `${name}.key`);
  writeFileSync(file, privateKey);
  return { file, publicPem: publicKey };
}

interface ChartOut {
  chart: string;
  digest: string;
  status: string;
  signature?: { status: string; digest?: string; fallbackTag?: string };
}

describe('publish --sign', () => {
  let reg: TestRegistry;
  let charts: ReturnType<typeof archiveDir>;
  let keyDir: string;
  let key: Key;
  let other: Key;
  let oci: OciSession;
  const at = (repository: string) => oci.repository({ registry: reg.host, repository });
  let first: ChartOut[];

  const publish = async (args: string[]) => {
    const r = await runCli(['publish', '--to', `${reg.url}/signed`, '--plain-http', '--json', ...args], { cwd: charts.dir, env: {} });
    return { ...r, charts: r.code === 0 ? (JSON.parse(r.stdout).charts as ChartOut[]) : [] };
  };
  /** The bundle bytes of a signature referrer. */
  const bundleOf = async (repository: string, referrer: string) => {
    const manifest = JSON.parse((await (await at(repository)).getManifest(referrer)).bytes.toString('utf8'));
    return JSON.parse((await (await at(repository)).getBlob(manifest.layers[0])).toString('utf8'));
  };
  const fallbackIndex = async (repository: string, subject: string) => {
    const got = await (await at(repository)).findManifest(subject.replace(':', '-'), ACCEPT_INDEX);
    return got && { mediaType: got.mediaType, doc: JSON.parse(got.bytes.toString('utf8')) };
  };

  beforeAll(async () => {
    reg = await startRegistry();
    charts = archiveDir([
      { name: 'alpha', version: '1.0.0' },
      { name: 'beta', version: '0.2.0+meta.1' },
    ]);
    keyDir = mkdtempSync(join(tmpdir(), 'opta-sign-keys-'));
    key = makeKey(keyDir, 'cosign', 'pkcs8');
    other = makeKey(keyDir, 'other', 'sec1');
    oci = await testSession();
    const r = await publish(['--sign', key.file, ...charts.paths]);
    expect(r.code, r.stderr).toBe(0);
    first = r.charts;
  });
  afterAll(async () => {
    oci?.close();
    charts?.cleanup();
    if (keyDir) rmSync(keyDir, { recursive: true, force: true });
    await reg?.stop();
  });

  it('signs each pushed chart and reports the referrer and its fallback tag', () => {
    expect(first.map((c) => [c.chart, c.status, c.signature?.status, c.signature?.fallbackTag])).toEqual(
      first.map((c) => [c.chart, 'pushed', 'signed', `sha256-${c.digest.slice('sha256:'.length)}`]),
    );
    for (const c of first) expect(c.signature?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('the referrer is an OCI 1.1 artifact of the chart manifest: subject, artifactType, empty config, one bundle layer, cosign annotations', async () => {
    const alpha = first[0];
    const got = await (await at('signed/alpha')).getManifest(alpha.signature!.digest!);
    const m = JSON.parse(got.bytes.toString('utf8'));
    const chartManifest = await (await at('signed/alpha')).getManifest('1.0.0');
    expect(m).toMatchObject({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: BUNDLE,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256Digest('{}'), size: 2 },
      subject: { mediaType: OCI_MANIFEST, digest: alpha.digest, size: chartManifest.bytes.length },
      annotations: { 'dev.sigstore.bundle.content': 'dsse-envelope', 'dev.sigstore.bundle.predicateType': 'https://sigstore.dev/cosign/sign/v1' },
    });
    expect(m.layers).toHaveLength(1);
    expect(m.layers[0].mediaType).toBe(BUNDLE);
    expect(m.annotations['org.opencontainers.image.created']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('the sha256-<hex> tag is an OCI index listing the referrer with its artifactType and annotations', async () => {
    for (const c of first) {
      const repo = `signed/${c.chart}`;
      const index = await fallbackIndex(repo, c.digest);
      expect(index?.mediaType).toBe(OCI_INDEX);
      expect(index?.doc).toMatchObject({ schemaVersion: 2, mediaType: OCI_INDEX });
      const referrer = await (await at(repo)).getManifest(c.signature!.digest!);
      expect(index?.doc.manifests).toEqual([
        { mediaType: OCI_MANIFEST, digest: c.signature!.digest, size: referrer.bytes.length, artifactType: BUNDLE, annotations: JSON.parse(referrer.bytes.toString('utf8')).annotations },
      ]);
    }
  });

  it("Sigstore's verifier accepts each bundle with the public key, and the signed statement names the chart manifest digest", async () => {
    for (const c of first) {
      const bundle = await bundleOf(`signed/${c.chart}`, c.signature!.digest!);
      const verified = verifyWithSigstore(bundle, key.publicPem, c.digest);
      expect(verified.predicateType).toBe('https://sigstore.dev/cosign/sign/v1');
      expect(verified.subjectDigests).toEqual([c.digest]);
      // cosign's key hint: base64(sha256(DER SubjectPublicKeyInfo))
      const der = createPublicKey(key.publicPem).export({ type: 'spki', format: 'der' });
      expect(verified.hint).toBe(createHash('sha256').update(der).digest('base64'));
      expect(bundle.mediaType).toBe(BUNDLE);
      expect(bundle.dsseEnvelope.payloadType).toBe('application/vnd.in-toto+json');
    }
  });

  it('a wrong key fails verification', async () => {
    const bundle = await bundleOf('signed/alpha', first[0].signature!.digest!);
    expect(() => verifyWithSigstore(bundle, other.publicPem, first[0].digest)).toThrow(VerificationError);
    expect(() => verifyWithSigstore(bundle, other.publicPem, first[0].digest)).toThrow(/signature verification failed/);
  });

  it('a tampered manifest fails: another digest is not the signed subject, and an edited statement breaks the signature', async () => {
    const bundle = await bundleOf('signed/alpha', first[0].signature!.digest!);
    // The signature of alpha's manifest does not vouch for beta's (or any other) manifest.
    expect(() => verifyWithSigstore(bundle, key.publicPem, first[1].digest)).toThrow(/no matching subject digest/);
    // Re-pointing the signed statement at another manifest invalidates the signature.
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
    statement.subject[0].digest.sha256 = first[1].digest.slice('sha256:'.length);
    const forged = { ...bundle, dsseEnvelope: { ...bundle.dsseEnvelope, payload: Buffer.from(JSON.stringify(statement)).toString('base64') } };
    expect(() => verifyWithSigstore(forged, key.publicPem, first[1].digest)).toThrow(/signature verification failed/);
  });

  it('re-publishing unchanged charts re-signs nothing: same referrer, one index entry, no new blob', async () => {
    const blobs = storedBlobCount(reg);
    const again = await publish(['--sign', key.file, ...charts.paths]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.charts.map((c) => [c.status, c.signature?.status, c.signature?.digest])).toEqual(first.map((c) => ['unchanged', 'unchanged', c.signature?.digest]));
    expect(storedBlobCount(reg)).toBe(blobs);
    expect((await fallbackIndex('signed/alpha', first[0].digest))?.doc.manifests).toHaveLength(1);
  });

  it('a second key adds its own signature; the index keeps both entries, each once', async () => {
    const second = await publish(['--sign', other.file, charts.paths[0]]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.charts[0].signature?.status).toBe('signed');
    const third = await publish(['--sign', key.file, charts.paths[0]]);
    expect(third.charts[0].signature).toMatchObject({ status: 'unchanged', digest: first[0].signature!.digest });
    const manifests = (await fallbackIndex('signed/alpha', first[0].digest))!.doc.manifests as { digest: string }[];
    expect(manifests.map((m) => m.digest)).toEqual([first[0].signature!.digest, second.charts[0].signature!.digest]);
    verifyWithSigstore(await bundleOf('signed/alpha', second.charts[0].signature!.digest!), other.publicPem, first[0].digest);
  });

  it('a chart replaced with --force but not re-signed has no signature; its old signature does not cover it', async () => {
    const changed = archiveDir([{ name: 'alpha', version: '1.0.0', extra: ' changed' }]);
    try {
      const r = await runCli(['publish', '--to', `${reg.url}/tampered`, '--plain-http', '--json', '--sign', key.file, charts.paths[0]], { cwd: charts.dir, env: {} });
      expect(r.code, r.stderr).toBe(0);
      const signed = JSON.parse(r.stdout).charts[0] as ChartOut;
      const forced = await runCli(['publish', '--to', `${reg.url}/tampered`, '--plain-http', '--json', '--force', changed.paths[0]], { cwd: changed.dir, env: {} });
      expect(forced.code, forced.stderr).toBe(0);
      const now = await (await at('tampered/alpha')).manifestDigest('1.0.0');
      expect(now).not.toBe(signed.digest);
      expect(await fallbackIndex('tampered/alpha', now!)).toBeUndefined();
      const bundle = await bundleOf('tampered/alpha', signed.signature!.digest!);
      expect(() => verifyWithSigstore(bundle, key.publicPem, now!)).toThrow(/no matching subject digest/);
    } finally {
      changed.cleanup();
    }
  });

  it('a listed referrer that was deleted vouches for nothing: the chart is signed again, the dangling entry dropped (Distribution refuses it)', async () => {
    const r = await runCli(['publish', '--to', `${reg.url}/deleted`, '--plain-http', '--json', '--sign', key.file, charts.paths[1]], { cwd: charts.dir, env: {} });
    const signed = JSON.parse(r.stdout).charts[0] as ChartOut;
    const gone = await fetch(`http://${reg.host}/v2/deleted/beta/manifests/${signed.signature!.digest}`, { method: 'DELETE' });
    expect(gone.status).toBe(202);
    const again = await runCli(['publish', '--to', `${reg.url}/deleted`, '--plain-http', '--json', '--sign', key.file, charts.paths[1]], { cwd: charts.dir, env: {} });
    expect(again.code, again.stderr).toBe(0);
    const resigned = JSON.parse(again.stdout).charts[0] as ChartOut;
    expect(resigned.signature?.status).toBe('signed');
    const manifests = (await fallbackIndex('deleted/beta', signed.digest))!.doc.manifests as { digest: string }[];
    expect(manifests.map((m) => m.digest)).toEqual([resigned.signature!.digest]);
  });

  describe.each(HELMS)('helm $version', (helm) => {
    it('still pulls the signed charts byte for byte, by version and as the latest version (the sha256-… tag is no version)', async () => {
      const dest = mkdtempSync(join(tmpdir(), 'opta-sign-pull-'));
      try {
        await helmOk(helm, ['pull', `${reg.url}/signed/alpha`, '--version', '1.0.0', '--destination', dest, '--plain-http']);
        expect(readFileSync(join(dest, 'alpha-1.0.0.tgz')).equals(charts.bytes[0])).toBe(true);
        rmSync(join(dest, 'alpha-1.0.0.tgz'));
        await helmOk(helm, ['pull', `${reg.url}/signed/alpha`, '--destination', dest, '--plain-http']);
        expect(readFileSync(join(dest, 'alpha-1.0.0.tgz')).equals(charts.bytes[0])).toBe(true);
      } finally {
        rmSync(dest, { recursive: true, force: true });
      }
    });
  });
});
