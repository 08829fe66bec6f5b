import { OrdoAuthError } from '../errors/OrdoAuthError.js';
import { OrdoHttpError } from '../errors/OrdoHttpError.js';
import { OrdoNotFoundError } from '../errors/OrdoNotFoundError.js';
import { excerptOf } from '../body/excerptOf.js';

/** What {@link httpErrorFor} needs to know of a non-2xx response. */
export interface HttpFailure {
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  /** The request's method, named in the message. @defaultValue `'GET'` */
  readonly method?: string | undefined;
  readonly body: string;
  readonly contentType: string | null;
  readonly retryAfterMs: number | null;
  readonly jobId?: string | undefined;
  readonly cause?: unknown;
  /** Words added at the end of the message (a submission's redirect or gateway error says what it means). */
  readonly note?: string | undefined;
}

/** A server's reason as a message quotes it: at most 200 characters, the last `…` when cut. */
function clipReason(text: string): string {
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/** The server's own message from an Ordo error body `{"error": "…"}` (at most 200 characters), if the body is one. */
function serverMessage(body: string, contentType: string | null): string | undefined {
  if (contentType !== null && !/json/i.test(contentType)) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    const message = (parsed as { error?: unknown } | null)?.error;
    if (typeof message !== 'string') return undefined;
    return clipReason(message);
  } catch {
    return undefined;
  }
}

/** A short plain-text body's first line (at most 200 characters), as a server's reason; else `undefined`. */
function plainTextReason(body: string, contentType: string | null): string | undefined {
  if (contentType === null || !/^text\/plain\b/i.test(contentType)) return undefined;
  const line = body.trim().split(/\r?\n/, 1)[0] ?? '';
  if (line === '') return undefined;
  return clipReason(line);
}

/**
 * Whether a 404's `{"error"}` text is Ordo's own for a job it does not have, `Job not found`
 * (compared without case). Source: docs/ordo-server.md, "Routes".
 */
function isOrdoNotFound(said: string | undefined): boolean {
  return said !== undefined && said.trim().toLowerCase() === 'job not found';
}

/**
 * What a 404 that is not Ordo's says besides: the request reached a server, but not Ordo's
 * `/jobs` routes, most often because the base URL lacks (or has a wrong) path prefix, such as
 * the `/ordo` of a gateway. The base URL is the request URL before its `/jobs…` path. With no
 * prefix the hint asks whether Ordo sits behind one (an example on the URL's own origin); with
 * a prefix it names that prefix and asks whether it is right, never proposing what was used.
 */
function pathPrefixHint(url: string): string {
  const lead = `; that is not Ordo's {"error":"Job not found"}`;
  let parsed: URL;
  try {
    parsed = new URL(url, 'http://relative.invalid');
  } catch {
    return `${lead}: is the base URL right?`;
  }
  const relative = parsed.origin === 'http://relative.invalid';
  const prefix = parsed.pathname.replace(/\/jobs(\/[^/]*)?\/?$/, '').replace(/\/+$/, '');
  if (prefix === '') {
    const example = relative ? '/ordo' : `${parsed.origin}/ordo`;
    return `${lead}: does Ordo sit behind a path prefix on this server (a base URL such as ${example})?`;
  }
  const base = relative ? prefix : `${parsed.origin}${prefix}`;
  return `${lead}: is the base URL's path prefix "${prefix}" right (the base URL was ${base})?`;
}

/**
 * Maps a non-2xx response to its error class, in one place: 401 and 403 →
 * {@link OrdoAuthError}, 404 → {@link OrdoNotFoundError}, anything else → {@link OrdoHttpError}.
 * The message names the method, URL, status and the server's `{"error"}` text (or a `text/plain`
 * body's first line, or the content type of another page, such as a gateway's HTML), unescaped:
 * whoever prints it escapes control characters. The body's first characters go to
 * `bodyExcerpt`. A 404 whose body is not Ordo's `{"error":"Job not found"}` (an HTML page,
 * another JSON, none) adds a hint that the base URL's path prefix may be wrong.
 */
export function httpErrorFor(failure: HttpFailure): OrdoHttpError {
  const reason = failure.statusText ? ` ${failure.statusText}` : '';
  const said = serverMessage(failure.body, failure.contentType) ?? plainTextReason(failure.body, failure.contentType);
  const detail =
    said !== undefined
      ? `: ${said}`
      : failure.body.trim() !== ''
        ? ` (${failure.contentType ?? 'no content type'} body)`
        : '';
  const hint = failure.status === 404 && !isOrdoNotFound(said) ? pathPrefixHint(failure.url) : '';
  const message = `${failure.method ?? 'GET'} ${failure.url} answered ${failure.status}${reason}${detail}${hint}${failure.note ?? ''}`;
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
