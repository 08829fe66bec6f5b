/**
 * Checks a base URL and returns it parsed. A relative URL (`/ordo`) is
 * resolved against the page's location in a browser.
 *
 * @throws TypeError when the URL is not absolute http(s) (and there is no page to resolve
 *   against), or carries credentials (pass `token` instead).
 */
export function resolveBaseUrl(baseUrl: string | URL): URL {
  let url: URL;
  const pageHref = (globalThis as { location?: { href?: unknown } }).location?.href;
  try {
    url = typeof pageHref === 'string' ? new URL(baseUrl, pageHref) : new URL(baseUrl);
  } catch {
    throw new TypeError(`Invalid baseUrl ${JSON.stringify(String(baseUrl))}: expected an absolute http(s) URL such as "https://ordo.example.com/ordo"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`Invalid baseUrl ${JSON.stringify(String(baseUrl))}: expected http: or https:, got ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError('Invalid baseUrl: it carries credentials; pass the token with the `token` option instead');
  }
  url.hash = '';
  return url;
}

/**
 * `{base}/jobs/{id}` with the id percent-encoded as one path segment; the base's query string is
 * kept. `normalizeJobId` has already refused `.`, `..`, `/` and `\\`, so the id cannot climb out
 * of `/jobs/`.
 */
export function jobUrl(base: URL, id: string): string {
  const url = new URL(base.href);
  // A batch is ids joined by commas (GET /jobs/a,b,c): each id is encoded, the commas are not.
  url.pathname = `${base.pathname.replace(/\/+$/, '')}/jobs/${id.split(',').map(encodeURIComponent).join(',')}`;
  return url.href;
}
