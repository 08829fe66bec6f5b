import type { OrdoError } from '../errors/OrdoError.js';
import { OrdoNetworkError } from '../errors/OrdoNetworkError.js';
import { OrdoSchemaError } from '../errors/OrdoSchemaError.js';
import { excerptOf } from '../body/excerptOf.js';
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
  /** The `Retry-After` header as sent: seconds or an HTTP date (a number is seconds). */
  readonly retryAfter?: string | number | null | undefined;
  readonly jobId?: string | undefined;
  /** The client's own error, kept as `cause`. */
  readonly cause?: unknown;
}

/**
 * Turns a failed response from another HTTP client into the error a {@link JobTransport} should
 * fail with, so the retry policy and callers can tell failures apart: status `0` →
 * `OrdoNetworkError` (retried), a 2xx the client could not read (Angular reports a 200 whose
 * body is not JSON as an error) → `OrdoSchemaError`, 401 / 403 → `OrdoAuthError`, 404 →
 * `OrdoNotFoundError` (whose message, when the body is not Ordo's `{"error":"Job not found"}`,
 * asks whether the base URL's path prefix is right), anything else → `OrdoHttpError` with `status`, `retryAfterMs` (from
 * `retryAfter`, seconds or an HTTP date) and the body's first characters in `bodyExcerpt`. The
 * same mapping `createFetchTransport` uses. Credentials in `url` (`user:password@`) are removed
 * before it appears in the error.
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
 * @throws TypeError when `status` is not 0 or an integer from 100 to 599, or `url` is not a string.
 * Source: docs/api.md, "Errors" (which status is which error); RFC 9110 §10.2.3 (`Retry-After`).
 */
export function errorFromResponse(response: FailedResponse): OrdoError {
  if (response === null || typeof response !== 'object') throw new TypeError('Invalid response: expected { status, url, … }');
  const { status, jobId, cause } = response;
  if (!Number.isInteger(status) || status < 0 || status > 599 || (status > 0 && status < 100)) {
    throw new TypeError(`Invalid status ${String(status)}: expected 0 (no response) or an HTTP status from 100 to 599`);
  }
  if (typeof response.url !== 'string') throw new TypeError('Invalid url: expected a string');
  // Credentials in the URL (user:password@) never reach a message.
  const url = response.url.replace(/^([a-z][\w+.-]*:\/\/)[^/?#@]*@/i, '$1');
  if (status === 0) return new OrdoNetworkError(`GET ${url} failed without a response`, { url, jobId, cause });
  const given = response.body;
  const body = given == null ? '' : typeof given === 'string' ? given : safeJson(given);
  const contentType = response.contentType ?? (typeof given === 'object' && body !== '' ? 'application/json' : null);
  if (status < 300) {
    // A success the client could not read (Angular reports a 200 that is not JSON as an error).
    const bodyExcerpt = excerptOf(body);
    return new OrdoSchemaError(`GET ${url} answered ${status}, but the body could not be read`, {
      issues: [{ path: '', message: 'the HTTP client could not read the body', received: bodyExcerpt }],
      bodyExcerpt,
      contentType: contentType ?? undefined,
      jobId,
      cause,
    });
  }
  const retryAfter = response.retryAfter;
  return httpErrorFor({
    status,
    statusText: response.statusText ?? '',
    url,
    body,
    contentType,
    retryAfterMs: parseRetryAfter(typeof retryAfter === 'number' ? String(retryAfter) : typeof retryAfter === 'string' ? retryAfter : null, Date.now()),
    jobId,
    cause,
  });
}

/** JSON text of a parsed body; `''` for one that has none (circular, BigInt). */
function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}
