import { OrdoError, type OrdoErrorOptions } from './OrdoError.js';

/** Fields of an HTTP failure, shared by {@link OrdoHttpError} and its subclasses. */
export interface OrdoHttpErrorOptions extends OrdoErrorOptions {
  /** HTTP status code of the response, e.g. `502`. */
  status: number;
  /** The URL that was requested, without credentials. */
  url: string;
  /** The server's `Retry-After`, converted to milliseconds from when it was received; `null` when absent or unreadable. */
  retryAfterMs?: number | null;
  /** The first characters of the response body (at most 200), for diagnosis. */
  bodyExcerpt?: string;
}

/**
 * A non-2xx response (code `HTTP`). 401 and 403 are {@link OrdoAuthError}, 404 is
 * {@link OrdoNotFoundError}; every other status, including a gateway's HTML error page, is this
 * class: never a JSON syntax error.
 *
 * Source: docs/api.md, "Errors"; docs/ordo-server.md, "Routes" (errors are `{"error": "<message>"}`).
 */
export class OrdoHttpError extends OrdoError {
  override readonly name: string = 'OrdoHttpError';
  readonly code: 'HTTP' | 'AUTH' | 'NOT_FOUND' = 'HTTP';
  /** HTTP status code, e.g. `503`. */
  readonly status: number;
  /** The requested URL without credentials. */
  readonly url: string;
  /** `Retry-After` in milliseconds (a date is converted to a delay), or `null`. */
  readonly retryAfterMs: number | null;
  /** At most 200 characters of the response body. */
  readonly bodyExcerpt: string;

  constructor(message: string, options: OrdoHttpErrorOptions) {
    super(message, options);
    this.status = options.status;
    this.url = options.url;
    this.retryAfterMs = options.retryAfterMs ?? null;
    this.bodyExcerpt = options.bodyExcerpt ?? '';
  }
}
