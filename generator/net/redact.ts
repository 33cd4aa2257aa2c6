// Apart from net/http.ts, so that messages can mask URLs without loading Node's HTTP modules.

/** `scheme://user:password@host/...` with the user info masked, for messages (--mirror and --to may carry credentials). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
}
