/** RFC 3339 in UTC without fractions, as Go's time.RFC3339 prints it. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Go's time.RFC3339Nano, the JSON (and so YAML) form of a time.Time: fractions only when not zero, trailing zeros dropped. */
export function rfc3339Nano(date: Date): string {
  return date.toISOString().replace(/\.?0+Z$/, 'Z');
}
