/** RFC 3339 in UTC without fractions, as Go's time.RFC3339 prints it. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
