/**
 * The node a local `#/...` reference points at (JSON Pointer, RFC 6901, inside a URI fragment:
 * `%xx` escapes first, then `~1` and `~0`), or undefined when it points at nothing.
 */
export function localRefTarget(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let parts: string[];
  try {
    parts = ref.slice(2).split('/').map((p) => decodeURIComponent(p).replace(/~1/g, '/').replace(/~0/g, '~'));
  } catch {
    return undefined; // a malformed %-escape points at nothing
  }
  return parts.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), root);
}
