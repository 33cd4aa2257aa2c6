// OCI references as Helm writes them: oci://HOST[:PORT]/PATH/<chart>:<tag>.
import { UserError } from '../errors.js';
import { redactUrl } from '../net/redact.js';

/** A registry host plus a repository path inside it (no tag). */
export interface RepositoryRef {
  /** host[:port], as used in URLs and credential stores. */
  registry: string;
  /** Path inside the registry, e.g. `acme/charts/opta-base`. */
  repository: string;
}

// Distribution's grammar for path components: lowercase alphanumerics joined by separators.
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;

/** `oci://HOST/PATH`, a place to push charts into; PATH may be empty. */
export interface OciBase {
  registry: string;
  path: string;
}

/** Parses `oci://HOST/PATH` (a place to push charts into); PATH may be empty. */
export function parseOciBase(url: string): OciBase {
  const shown = redactUrl(url);
  const m = /^oci:\/\/([^/]+)(\/.*)?$/.exec(url.trim());
  if (!m) throw new UserError(`${shown}: not an OCI reference; expected oci://HOST/PATH`);
  const registry = m[1];
  if (registry.includes('@')) {
    throw new UserError(`${shown}: credentials in the reference are not supported`, 'pass --username with --password-stdin, or log in with helm registry login / docker login');
  }
  if (!HOST.test(registry)) throw new UserError(`${url}: "${registry}" is not a valid registry host`);
  const path = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (path !== '') {
    for (const c of path.split('/')) {
      if (!COMPONENT.test(c)) throw new UserError(`${url}: path component "${c}" is not valid (lowercase letters, digits, and . _ - separators)`);
    }
  }
  return { registry, path };
}

/** Parses `oci://HOST/PATH/NAME[:TAG][@DIGEST]` (a chart repository) into registry + repository (+ tag/digest). */
export function parseChartRepository(ref: string): RepositoryRef & { tag?: string; digest?: string } {
  let rest = ref.trim();
  let digest: string | undefined;
  let tag: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at > rest.lastIndexOf('/')) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/') && rest.lastIndexOf('/') > 'oci://'.length) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const { registry, path } = parseOciBase(rest);
  if (path === '') throw new UserError(`${ref}: the reference names no chart; expected oci://HOST/PATH/NAME`);
  if (digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(digest)) throw new UserError(`${ref}: "${digest}" is not a sha256 digest`);
  if (tag !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) throw new UserError(`${ref}: "${tag}" is not a valid tag`);
  return { registry, repository: path, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** The repository a chart lands in when pushed to `oci://HOST/PATH`. */
export function chartRepository(base: OciBase, chartName: string): RepositoryRef {
  return { registry: base.registry, repository: base.path ? `${base.path}/${chartName}` : chartName };
}

/** OCI tags cannot contain `+`; Helm writes `_` instead (and reads it back). */
export function tagForVersion(version: string): string {
  return version.replace(/\+/g, '_');
}

export function versionForTag(tag: string): string {
  return tag.replace(/_/g, '+');
}

/** `oci://HOST/REPO:TAG`, as shown to users and accepted by Helm. */
export function formatReference(ref: RepositoryRef, tag?: string): string {
  return `oci://${ref.registry}/${ref.repository}${tag ? `:${tag}` : ''}`;
}
