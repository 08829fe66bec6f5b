/**
 * Reads a `Retry-After` header into a delay in milliseconds: a number of seconds
 * (`"120"` → `120000`) or an HTTP date (the time left until it, `0` when it is past).
 *
 * @param value - the header value, or `null` when absent.
 * @param nowMs - the current time in milliseconds since the epoch (for dates).
 * @returns the delay in milliseconds (≥ 0), or `null` when absent or neither form.
 * @see RFC 9110, section 10.2.3.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (value == null) return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date has letters (a weekday or month name); a bare or negative number is not one.
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}
