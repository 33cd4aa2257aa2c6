// Runs the real Helm binaries (extracted by test/tools/ensure-test-tools.mjs) from tests.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error plain ESM helper shared with the pretest script
import { HELMS as HELM_LIST, helmPath } from '../tools/helm-binaries.mjs';

export interface HelmRelease {
  version: string;
  major: number;
  path: string;
}

export const HELMS: HelmRelease[] = (HELM_LIST as { version: string; major: number }[]).map((h) => ({
  ...h,
  path: helmPath(h.version) as string,
}));

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with an isolated HOME/config/cache so tests never touch the user's Helm settings. */
export function runHelm(helm: HelmRelease, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): Promise<HelmResult> {
  const home = isolatedHelmHome();
  return new Promise((resolve) => {
    const child = execFile(
      helm.path,
      args,
      {
        cwd: opts.cwd,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          PATH: process.env.PATH,
          HOME: home,
          HELM_CONFIG_HOME: join(home, 'config'),
          HELM_CACHE_HOME: join(home, 'cache'),
          HELM_DATA_HOME: join(home, 'data'),
          ...opts.env,
        },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

let sharedHome: string | undefined;
function isolatedHelmHome(): string {
  sharedHome ??= mkdtempSync(join(tmpdir(), 'opta-helm-home-'));
  return sharedHome;
}

/** Like runHelm but throws with helm's stderr when it fails. */
export async function helmOk(helm: HelmRelease, args: string[], opts?: Parameters<typeof runHelm>[2]): Promise<string> {
  const r = await runHelm(helm, args, opts);
  if (r.code !== 0) throw new Error(`helm ${helm.version} ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
  return r.stdout;
}
