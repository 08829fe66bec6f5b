import { OrdoAuthError } from '../errors/OrdoAuthError.js';
import { OrdoHttpError } from '../errors/OrdoHttpError.js';
import { OrdoNotFoundError } from '../errors/OrdoNotFoundError.js';
import { excerptOf } from '../body/excerptOf.js';

/** What {@link httpErrorFor} needs to know of a non-2xx response. */
export interface HttpFailure {
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly body: string;
  readonly contentType: string | null;
  readonly retryAfterMs: number | null;
  readonly jobId?: string | undefined;
  readonly cause?: unknown;
}

/** The server's own message from an Ordo error body `{"error": "…"}` (at most 200 characters), if the body is one. */
function serverMessage(body: string, contentType: string | null): string | undefined {
  if (contentType !== null && !/json/i.test(contentType)) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    const message = (parsed as { error?: unknown } | null)?.error;
    if (typeof message !== 'string') return undefined;
    return message.length > 200 ? `${message.slice(0, 199)}…` : message;
  } catch {
    return undefined;
  }
}

/**
 * Maps a non-2xx response to its error class, in one place: 401 and 403 →
 * {@link OrdoAuthError}, 404 → {@link OrdoNotFoundError}, anything else → {@link OrdoHttpError}.
 * The message names the method, URL, status and the server's `{"error"}` text (or the content
 * type of a non-JSON page, such as a gateway's HTML); the body's first characters go to
 * `bodyExcerpt`.
 */
export function httpErrorFor(failure: HttpFailure): OrdoHttpError {
  const reason = failure.statusText ? ` ${failure.statusText}` : '';
  const said = serverMessage(failure.body, failure.contentType);
  const detail =
    said !== undefined
      ? `: ${said}`
      : failure.body.trim() !== ''
        ? ` (${failure.contentType ?? 'no content type'} body)`
        : '';
  const message = `GET ${failure.url} answered ${failure.status}${reason}${detail}`;
  const options = {
    status: failure.status,
    url: failure.url,
    retryAfterMs: failure.retryAfterMs,
    bodyExcerpt: excerptOf(failure.body),
    jobId: failure.jobId,
    cause: failure.cause,
  };
  if (failure.status === 401 || failure.status === 403) return new OrdoAuthError(message, options);
  if (failure.status === 404) return new OrdoNotFoundError(message, options);
  return new OrdoHttpError(message, options);
}
