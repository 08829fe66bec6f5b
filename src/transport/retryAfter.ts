const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const day = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const longDay = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const month = `(${months.join('|')})`;
const time = '(\\d{2}):(\\d{2}):(\\d{2})';

// IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
const imfFixdate = new RegExp(`^${day}, (\\d{2}) ${month} (\\d{4}) ${time} GMT$`);
// RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
const rfc850 = new RegExp(`^${longDay}, (\\d{2})-${month}-(\\d{2}) ${time} GMT$`);
// asctime: Sun Nov  6 08:49:37 1994 (always GMT, although it does not say so)
const asctime = new RegExp(`^${day} ${month} ([ \\d]\\d) ${time} (\\d{4})$`);

function utc(year: number, monthName: string, dayOfMonth: number, hours: string, minutes: string, seconds: string): number {
  return Date.UTC(year, months.indexOf(monthName), dayOfMonth, Number(hours), Number(minutes), Number(seconds));
}

/**
 * Reads an HTTP date in one of its three forms, all in GMT, as milliseconds since the epoch.
 * A two-digit RFC 850 year more than 50 years in the future means the same year last century.
 * @returns `null` for anything else.
 * @see RFC 9110, section 5.6.7.
 */
export function parseHttpDate(text: string, nowMs: number): number | null {
  let match = imfFixdate.exec(text);
  if (match) {
    const [, dayOfMonth, monthName, year, h, m, s] = match as unknown as string[];
    return utc(Number(year), monthName!, Number(dayOfMonth), h!, m!, s!);
  }
  match = rfc850.exec(text);
  if (match) {
    const [, dayOfMonth, monthName, shortYear, h, m, s] = match as unknown as string[];
    const thisYear = new Date(nowMs).getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + Number(shortYear);
    if (year > thisYear + 50) year -= 100;
    return utc(year, monthName!, Number(dayOfMonth), h!, m!, s!);
  }
  match = asctime.exec(text);
  if (match) {
    const [, monthName, dayOfMonth, h, m, s, year] = match as unknown as string[];
    return utc(Number(year), monthName!, Number(dayOfMonth!.trim()), h!, m!, s!);
  }
  return null;
}

/**
 * Reads a `Retry-After` header into a delay in milliseconds: a number of seconds
 * (`"120"` → `120000`) or an HTTP date in one of its three forms, read as GMT (the time left until
 * it, `0` when it is past).
 *
 * @param value - the header value, or `null` when absent.
 * @param nowMs - the current time in milliseconds since the epoch (for dates).
 * @returns the delay in milliseconds (≥ 0), or `null` when absent or neither form.
 * @see RFC 9110, sections 10.2.3 and 5.6.7.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (value == null) return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = parseHttpDate(text, nowMs);
  if (at === null || Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}
