// Small, real chart archives for the OCI tests (built with the project's deterministic packer).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../generator/cli.js';
import { memoryOutput } from '../support/memory-output.js';
import { pullChart, type PulledChart } from '../../generator/oci/pull.js';
import { parseChartRepository } from '../../generator/oci/reference.js';
import { OciSession, withOciSession, type SessionOptions } from '../../generator/oci/session.js';
import { packChart } from '../../generator/package/archive.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startRegistry, type RegistryAuth, type TestRegistry } from '../support/registry.js';

export function chartFiles(name: string, version: string, extra = ''): Record<string, Buffer> {
  return {
    'Chart.yaml': Buffer.from(
      `apiVersion: v2\nname: ${name}\nversion: ${version}\nappVersion: "1.0"\ndescription: Test chart ${name} <&>\nhome: https://example.com/${name}\nsources:\n  - https://example.com/src/${name}\nmaintainers:\n  - name: Opta\n    email: opta@example.com\n  - name: Second\n`,
    ),
    'values.yaml': Buffer.from(`message: hello${extra}\n`),
    'templates/configmap.yaml': Buffer.from(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-${name}\ndata:\n  message: {{ .Values.message | quote }}\n`),
  };
}

export function chartArchive(name: string, version: string, extra = ''): Buffer {
  return packChart(name, chartFiles(name, version, extra));
}

/** A temp dir with the given archives written as <name>-<version>.tgz. */
export function archiveDir(charts: { name: string; version: string; extra?: string }[]): { dir: string; paths: string[]; bytes: Buffer[]; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'opta-oci-charts-'));
  const paths: string[] = [];
  const bytes: Buffer[] = [];
  for (const c of charts) {
    const b = chartArchive(c.name, c.version, c.extra);
    const p = join(dir, `${c.name}-${c.version}.tgz`);
    writeFileSync(p, b);
    paths.push(p);
    bytes.push(b);
  }
  return { dir, paths, bytes, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs the CLI in-process; `stdin` feeds --password-stdin. */
export async function runCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; stdin?: string }): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = memoryOutput();
  const code = await main(['node', 'opta-charts', ...args], { output: out, cwd: options.cwd, env: options.env ?? { HOME: options.cwd }, stdin: Readable.from([options.stdin ?? '']) });
  return { code, stdout: out.stdout.join('\n'), stderr: out.stderr.join('\n') };
}

/** An OCI session for direct registry calls in tests: anonymous, plain HTTP (loopback registries) unless told otherwise. */
export function testSession(options: Partial<SessionOptions> = {}): Promise<OciSession> {
  return OciSession.open({ env: {}, plainHttp: true, ...options });
}

/** Pulls `ref` (oci://HOST/REPO) at `version` through a session of its own. */
export async function pullFrom(ref: string, version: string, options: Partial<SessionOptions> = {}): Promise<PulledChart> {
  return withOciSession({ env: {}, plainHttp: true, ...options }, async (session) => pullChart(await session.repository(parseChartRepository(ref)), version));
}

export interface ProxiedRegistry {
  reg: TestRegistry;
  proxy: FaultProxy;
  charts: ReturnType<typeof archiveDir>;
  stop(): Promise<void>;
}

/** A test registry behind a fault proxy, and archives of `charts` in a temp dir; stop() in afterAll. */
export async function proxiedRegistry(charts: { name: string; version: string }[], options: { auth?: RegistryAuth; keepAlive?: boolean } = {}): Promise<ProxiedRegistry> {
  const reg = await startRegistry({ auth: options.auth });
  const proxy = await startFaultProxy(reg.host, { keepAlive: options.keepAlive });
  const dir = archiveDir(charts);
  return {
    reg,
    proxy,
    charts: dir,
    stop: async () => {
      dir.cleanup();
      await proxy.stop();
      await reg.stop();
    },
  };
}
