/** Go's encoding/json escapes these where JSON.stringify does not; matching it keeps our bytes equal to Helm's. */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
