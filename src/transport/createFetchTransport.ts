import { OrdoNetworkError } from '../errors/OrdoNetworkError.js';
import { parseJsonText } from '../schema/parseJobSnapshot.js';
import { httpErrorFor } from './httpError.js';
import { jobUrl, resolveBaseUrl } from './jobUrl.js';
import { parseRetryAfter } from './retryAfter.js';
import type { JobTransport, TokenProvider } from './types.js';

/** Options of {@link createFetchTransport}. */
export interface FetchTransportOptions {
  /**
   * The server's base URL, with or without a path prefix and trailing slash:
   * `https://ordo.example.com`, `https://gateway.example.com/ordo/`. In a browser a relative
   * URL (`/ordo`, for a same-origin proxy) is resolved against the page.
   */
  baseUrl: string | URL;
  /**
   * Sent as `Authorization: Bearer <token>`: a string, or a function (sync or async) called
   * before each request. It never appears in an error, log or output.
   * @defaultValue no `Authorization` header
   */
  token?: TokenProvider | undefined;
  /**
   * The `fetch` to use (a mock, an instrumented one, undici's).
   * @defaultValue `globalThis.fetch`
   */
  fetch?: typeof globalThis.fetch | undefined;
}

/** Replaces every occurrence of the token in a server's text (a careless server may echo headers). */
function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('[redacted]') : text;
}

/** A short description of a fetch failure's cause, e.g. `ECONNREFUSED`. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Creates the HTTP transport `createOrdoClient` uses: `GET {baseUrl}/jobs/{id}` with
 * `Accept: application/json` and `Authorization: Bearer …`, the id percent-encoded into the path.
 *
 * - 2xx: the body is read and parsed as JSON; a body that is not JSON (a proxy's HTML page with
 *   status 200) is an {@link OrdoSchemaError} naming the content type.
 * - non-2xx: {@link OrdoAuthError} (401/403), {@link OrdoNotFoundError} (404) or
 *   {@link OrdoHttpError}, with `status`, `url`, `retryAfterMs` and a short `bodyExcerpt`; a 502
 *   HTML page is an `OrdoHttpError`, never a JSON syntax error.
 * - no response (refused, reset, DNS, a body cut off): {@link OrdoNetworkError} with `cause`.
 * - aborted through the context's signal: the signal's reason is thrown (the caller is gone).
 *
 * The token is never put in an error: a server text that echoes it is redacted.
 *
 * @param options - `baseUrl` (required), `token`, `fetch`.
 * @returns a {@link JobTransport} returning a `Promise` of the parsed body.
 * @throws TypeError at creation when `baseUrl` is not an absolute http(s) URL or carries
 *   credentials, or when no `fetch` is available.
 * @example
 * ```ts
 * const transport = createFetchTransport({ baseUrl: 'https://gw.example.com/ordo', token: () => auth.currentToken() });
 * jobStatus$(42, { transport }).subscribe(console.log);
 * ```
 * @see ordo-api.md, "Routes" and "Headers and caching".
 */
export function createFetchTransport(options: FetchTransportOptions): JobTransport {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('createFetchTransport needs options with a baseUrl');
  }
  const base = resolveBaseUrl(options.baseUrl);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') {
    throw new TypeError('No fetch is available: pass one with the `fetch` option');
  }
  const { token } = options;
  if (token !== undefined && typeof token !== 'string' && typeof token !== 'function') {
    throw new TypeError('Invalid token: expected a string or a function returning one');
  }

  async function bearer(url: string, jobId: string): Promise<string | undefined> {
    if (token === undefined) return undefined;
    if (typeof token === 'string') return token;
    let value: unknown;
    try {
      value = await token({ refresh: false });
    } catch (cause) {
      throw new OrdoNetworkError(`GET ${url} was not sent: the token function failed`, { cause, url, jobId });
    }
    if (typeof value !== 'string') {
      throw new OrdoNetworkError(`GET ${url} was not sent: the token function returned ${typeof value}, not a string`, { url, jobId });
    }
    return value;
  }

  return async (id, { signal }) => {
    const url = jobUrl(base, id);
    const headers: Record<string, string> = { Accept: 'application/json' };
    const value = await bearer(url, id);
    if (value) headers['Authorization'] = `Bearer ${value}`;
    signal.throwIfAborted();

    let response: Response;
    let body: string;
    try {
      response = await fetchImpl(url, { method: 'GET', headers, signal });
      body = await response.text();
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new OrdoNetworkError(`GET ${url} failed without a complete response (${causeOf(error)})`, {
        cause: error,
        url,
        jobId: id,
      });
    }
    const contentType = response.headers.get('content-type');
    if (response.status < 200 || response.status > 299) {
      throw httpErrorFor({
        status: response.status,
        statusText: response.statusText,
        url,
        body: redact(body, value),
        contentType,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()),
        jobId: id,
      });
    }
    try {
      return parseJsonText(body, { jobId: id, contentType: contentType ?? 'none' });
    } catch {
      // Build the error again from the redacted text, so its excerpt cannot show the token.
      return parseJsonText(redact(body, value), { jobId: id, contentType: contentType ?? 'none' });
    }
  };
}
