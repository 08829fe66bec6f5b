import type { OrdoError } from '../errors/OrdoError.js';
import { OrdoNetworkError } from '../errors/OrdoNetworkError.js';
import { httpErrorFor } from './httpError.js';
import { parseRetryAfter } from './retryAfter.js';

/**
 * A failed HTTP exchange as another HTTP client reports it (Angular's `HttpErrorResponse`,
 * axios, got): what {@link errorFromResponse} needs to pick the error class.
 */
export interface FailedResponse {
  /** The HTTP status; `0` means no response arrived (Angular's convention for network errors). */
  readonly status: number;
  /** The URL that was requested, without credentials. */
  readonly url: string;
  readonly statusText?: string | undefined;
  /** The body: text, or a value the client already parsed (it is shown as JSON). */
  readonly body?: unknown;
  readonly contentType?: string | null | undefined;
  /** The `Retry-After` header as sent: seconds or an HTTP date. */
  readonly retryAfter?: string | null | undefined;
  readonly jobId?: string | undefined;
  /** The client's own error, kept as `cause`. */
  readonly cause?: unknown;
}

/**
 * Turns a failed response from another HTTP client into the error a {@link JobTransport} should
 * fail with, so the retry policy and callers can tell failures apart: status `0` →
 * `OrdoNetworkError` (retried), 401 / 403 → `OrdoAuthError`, 404 → `OrdoNotFoundError`, anything
 * else → `OrdoHttpError` with `status`, `retryAfterMs` (from `retryAfter`, seconds or an HTTP
 * date) and the body's first characters in `bodyExcerpt`. The same mapping
 * `createFetchTransport` uses.
 *
 * @example Angular's HttpClient as the transport
 * ```ts
 * const transport: JobTransport = (id) =>
 *   http.get(`/ordo/jobs/${id}`).pipe(
 *     catchError((error: HttpErrorResponse) =>
 *       throwError(() => errorFromResponse({
 *         status: error.status, statusText: error.statusText, url: error.url ?? `/ordo/jobs/${id}`,
 *         body: error.error, retryAfter: error.headers?.get('Retry-After'), jobId: id, cause: error,
 *       })),
 *     ),
 *   );
 * ```
 * @throws TypeError when `status` is not an integer in 0..599 or `url` is not a string.
 * Source: design.md, "Errors" (which status is which error); RFC 9110 §10.2.3 (`Retry-After`).
 */
export function errorFromResponse(response: FailedResponse): OrdoError {
  if (response === null || typeof response !== 'object') throw new TypeError('Invalid response: expected { status, url, … }');
  const { status, url } = response;
  if (!Number.isInteger(status) || status < 0 || status > 599) throw new TypeError(`Invalid status ${String(status)}: expected an integer in 0..599`);
  if (typeof url !== 'string') throw new TypeError('Invalid url: expected a string');
  if (status === 0) {
    return new OrdoNetworkError(`GET ${url} failed without a response`, { url, jobId: response.jobId, cause: response.cause });
  }
  const body = response.body === undefined || response.body === null ? '' : typeof response.body === 'string' ? response.body : safeJson(response.body);
  return httpErrorFor({
    status,
    statusText: response.statusText ?? '',
    url,
    body,
    contentType: response.contentType ?? (typeof response.body === 'object' && response.body !== null ? 'application/json' : null),
    retryAfterMs: parseRetryAfter(response.retryAfter, Date.now()),
    jobId: response.jobId,
    cause: response.cause,
  });
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
