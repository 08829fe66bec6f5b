const day = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const month = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const httpDate = [
  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
  new RegExp(`^${day}, \\d{2} ${month} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT$`),
  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
  new RegExp(`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \\d{2}-${month}-\\d{2} \\d{2}:\\d{2}:\\d{2} GMT$`),
  // asctime: Sun Nov  6 08:49:37 1994
  new RegExp(`^${day} ${month} [ \\d]\\d \\d{2}:\\d{2}:\\d{2} \\d{4}$`),
];

/**
 * Reads a `Retry-After` header into a delay in milliseconds: a number of seconds
 * (`"120"` → `120000`) or an HTTP date in one of its three forms (the time left until it, `0`
 * when it is past).
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
  // Only the three HTTP date forms; Date.parse alone would read "soon 2099" as a year.
  if (!httpDate.some((form) => form.test(text))) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}
