import { UserError } from '../errors.js';

export interface MirrorRule {
  /** An upstream repository URL, or `*` for every repository. */
  from: string;
  to: string;
}

/** Environment variable holding mirror rules, whitespace- or comma-separated, same FROM=TO form as --mirror. */
export const MIRROR_ENV = 'OPTA_CHARTS_MIRROR';

/** Parses `--mirror FROM=TO` flags (and the environment, flags first so they win). */
export function parseMirrors(flags: string[], env: NodeJS.ProcessEnv): MirrorRule[] {
  const fromEnv = (env[MIRROR_ENV] ?? '').split(/[\s,]+/).filter(Boolean);
  return [...flags.map((f) => [f, '--mirror'] as const), ...fromEnv.map((f) => [f, MIRROR_ENV] as const)].map(([spec, source]) => {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) {
      throw new UserError(`${source}: "${spec}" is not FROM=TO (FROM is an upstream repository URL or *, TO a repository URL)`);
    }
    return { from: spec.slice(0, eq), to: spec.slice(eq + 1) };
  });
}

/** Repository URLs compare equal with or without a trailing slash. */
function normalizeRepositoryUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * Where to fetch `repository` from: the first rule naming it exactly wins, else the first `*` rule, else itself.
 * (Flags come before the environment in `rules`, so a flag wins over the same kind of rule from OPTA_CHARTS_MIRROR.)
 */
export function mirrorFor(repository: string, rules: MirrorRule[]): string {
  const wanted = normalizeRepositoryUrl(repository);
  const exact = rules.find((r) => r.from !== '*' && normalizeRepositoryUrl(r.from) === wanted);
  const any = rules.find((r) => r.from === '*');
  return (exact ?? any)?.to ?? repository;
}

/**
 * An absolute archive URL inside a mirrored repository's index that still points below the upstream repository
 * is moved to the mirror too (air-gapped copies of an index often keep upstream URLs).
 */
export function mirrorArchiveUrl(url: string, upstream: string, mirror: string): string {
  const from = `${normalizeRepositoryUrl(upstream)}/`;
  if (mirror === upstream || !url.startsWith(from)) return url;
  return `${normalizeRepositoryUrl(mirror)}/${url.slice(from.length)}`;
}
