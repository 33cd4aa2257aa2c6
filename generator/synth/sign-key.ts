// artifacthub.io/signKey for PGP-signed charts (.prov): which key signed them and where to get it
// (artifacthub/hub docs/helm_annotations.md). Pure: Chart.yaml text in, Chart.yaml text out.
import yaml from 'js-yaml';
import { UserError } from '../errors.js';

const SIGN_KEY_ANNOTATION = 'artifacthub.io/signKey';

/** The annotation's value for `--pgp-fingerprint` / `--pgp-key-url`; both or neither. */
export function signKeyAnnotation(fingerprint: string | undefined, url: string | undefined): Record<string, string> | undefined {
  if (fingerprint === undefined && url === undefined) return undefined;
  if (fingerprint === undefined || url === undefined) throw new UserError('--pgp-fingerprint and --pgp-key-url go together (Artifact Hub needs both to show the signing key)');
  const hex = fingerprint.replace(/\s+/g, '').toUpperCase();
  if (!/^[0-9A-F]{40}$|^[0-9A-F]{64}$/.test(hex)) throw new UserError(`--pgp-fingerprint: "${fingerprint}" is not a PGP key fingerprint (40 or 64 hex digits)`);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed?.protocol !== 'https:') throw new UserError(`--pgp-key-url: "${url}" is not an https URL where users can download the public key`);
  return { [SIGN_KEY_ANNOTATION]: yaml.dump({ fingerprint: hex, url }) };
}

/**
 * Adds annotations to Chart.yaml's text, under its top-level `annotations:` (created at the end if missing), keeping
 * the rest of the file (and its comments) as written. Each value is a YAML block scalar.
 */
export function addAnnotations(text: string, annotations: Record<string, string>): string {
  const lines = text.replace(/\n*$/, '\n').split('\n').slice(0, -1);
  const at = lines.findIndex((l) => /^annotations:\s*(#.*)?$/.test(l));
  const childIndent = at >= 0 ? (/^( +)\S/.exec(lines.slice(at + 1).find((l) => /^\s+\S/.test(l) && !/^\s+#/.test(l)) ?? '')?.[1] ?? '  ') : '  ';
  const entries = Object.entries(annotations).flatMap(([key, value]) => [
    `${childIndent}${key}: |`,
    ...value.replace(/\n$/, '').split('\n').map((l) => `${childIndent}  ${l}`),
  ]);
  if (at < 0) return [...lines, 'annotations:', ...entries, ''].join('\n');
  return [...lines.slice(0, at + 1), ...entries, ...lines.slice(at + 1), ''].join('\n');
}
