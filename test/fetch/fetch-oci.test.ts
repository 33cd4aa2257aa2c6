// fetchDependencies against a real OCI registry (Debian's docker-registry on loopback), stand-ins pushed by real Helm.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildOptions } from '../../generator/build/extension.js';
import { UserError } from '../../generator/errors.js';
import { fetchDependencies } from '../../generator/fetch/dependencies.js';
import { type DependencyRef } from '../../generator/fetch/upstream-lock.js';
import { parseMirrors } from '../../generator/fetch/mirrors.js';
import { sha256Hex } from '../../generator/encoding/sha256.js';
import { memoryOutput } from '../support/memory-output.js';
import { unusedLoopbackUrl } from '../support/chart-repo-server.js';
import { HELMS, helmOk } from '../support/helm.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { standInArchive } from '../support/standin-charts.js';
import { standInEntry, writeLock } from '../support/standin-lock.js';
import { tinyChart } from './tiny-charts.js';

const LINKERD = 'https://helm.linkerd.io/edge';
const crds: DependencyRef = { name: 'linkerd-crds', version: '2026.8.3', repository: LINKERD };
const cp: DependencyRef = { name: 'linkerd-control-plane', version: '2026.8.3', repository: LINKERD };
const datadog: DependencyRef = { name: 'datadog', version: '3.240.0', repository: 'https://helm.datadoghq.com' };

let registry: TestRegistry;
let dir: string;
let n = 0;

async function helmPush(archive: Buffer, name: string, version: string, target: string): Promise<void> {
  const file = join(dir, `${name}-${version}.tgz`);
  await writeFile(file, archive);
  await helmOk(HELMS.find((h) => h.major === 3)!, ['push', file, target, '--plain-http']);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opta-fetch-oci-'));
  registry = await startRegistry();
  for (const r of [crds, cp]) await helmPush(standInArchive(r.name, r.version), r.name, r.version, `${registry.url}/linkerd`);
  // A registry copy whose datadog archive differs from the upstream one (to prove the lock catches it).
  await helmPush(tinyChart('datadog', '3.240.0', 'other bytes').archive, 'datadog', '3.240.0', `${registry.url}/proxy`);
  await helmPush(tinyChart('datadog', '3.239.0').archive, 'datadog', '3.239.0', `${registry.url}/proxy`);
});
afterAll(async () => {
  await registry?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A fresh cache per test, and a test lock listing `locked` (stand-in digests; any digest for charts with no stand-in). */
function options(locked: DependencyRef[], over: Partial<BuildOptions> = {}) {
  const own = join(dir, `t${++n}`);
  const lockFile = join(own, 'upstream.lock.yaml');
  writeLock(lockFile, locked.map((r) => (r.version === '2026.8.3' || r.version === '3.240.0' ? standInEntry(r) : standInEntry(r, Buffer.from('none')))));
  return { offline: false, mirrors: [], cacheDir: join(own, 'cache'), root: own, env: {}, lockFile, ...over };
}

async function userError(p: Promise<unknown>): Promise<UserError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(UserError);
  return e as UserError;
}

describe('fetch from an OCI registry', () => {
  it('resolves oci:// dependencies byte for byte, verified by the lock, which it never writes', async () => {
    const refs = [crds, cp].map((r) => ({ ...r, repository: `${registry.url}/linkerd` }));
    const opts = options(refs);
    const lockBefore = await readFile(opts.lockFile, 'utf8');
    const out = memoryOutput();
    const got = await fetchDependencies(refs, opts, out);
    expect(got.map((g) => g.archive.equals(standInArchive(g.ref.name, g.ref.version)))).toEqual([true, true]);
    expect(await readFile(opts.lockFile, 'utf8')).toBe(lockBefore);
    expect(out.stderr).toContain(`pulling linkerd-crds 2026.8.3 from ${registry.url}/linkerd`);
  });

  it('an https upstream mirrored to an oci:// registry; the second fetch needs no registry at all', async () => {
    const opts = options([crds, cp], { mirrors: parseMirrors([`${LINKERD}=${registry.url}/linkerd`], {}) });
    await fetchDependencies([crds, cp], opts, memoryOutput());
    const lock = await readFile(opts.lockFile, 'utf8');
    expect(lock).toContain(`repository: "${LINKERD}"`);

    const nowhere = parseMirrors([`*=oci://${(await unusedLoopbackUrl()).slice('http://'.length)}/x`], {});
    const again = await fetchDependencies([crds, cp], { ...opts, mirrors: nowhere }, memoryOutput());
    expect(again.map((g) => g.archive.equals(standInArchive(g.ref.name, g.ref.version)))).toEqual([true, true]);
  });

  it('rejects a registry archive whose sha256 differs from the lock', async () => {
    const opts = options([datadog], { mirrors: parseMirrors([], { OPTA_CHARTS_MIRROR: `*=${registry.url}/proxy` }) });
    const upstream = `sha256:${sha256Hex(standInArchive('datadog', '3.240.0'))}`;
    const e = await userError(fetchDependencies([datadog], opts, memoryOutput()));
    expect(e.message).toBe(
      `chart datadog 3.240.0 (https://helm.datadoghq.com): archive sha256 does not match ${opts.lockFile}: ` +
        `expected ${upstream}, got sha256:${sha256Hex(tinyChart('datadog', '3.240.0', 'other bytes').archive)}`,
    );
  });

  it('a version the registry does not have names the versions it has', async () => {
    const opts = options([{ ...datadog, version: '9.0.0' }], { mirrors: parseMirrors([`*=${registry.url}/proxy`], {}) });
    const e = await userError(fetchDependencies([{ ...datadog, version: '9.0.0' }], opts, memoryOutput()));
    expect(e.message).toBe(
      `chart datadog 9.0.0: repository ${registry.url}/proxy (mirror of https://helm.datadoghq.com) has no version 9.0.0 of datadog (versions: 3.240.0, 3.239.0)`,
    );
  });

  it('an unreachable registry is named, with --mirror and --offline suggested', async () => {
    const host = (await unusedLoopbackUrl()).slice('http://'.length);
    const ref = { ...datadog, repository: `oci://${host}/charts` };
    const e = await userError(fetchDependencies([ref], options([ref]), memoryOutput()));
    expect(e.message).toContain(`chart datadog 3.240.0: repository oci://${host}/charts: registry ${host}: repository charts/datadog:`);
    expect(e.message).toContain('connection refused');
    expect(e.hint).toContain(`--mirror oci://${host}/charts=URL`);
    expect(e.hint).toContain('--offline');
  });
});
