import { failureChain, OrdoNetworkError, systemCodeOf } from '../errors/OrdoNetworkError.js';
import { OrdoSchemaError } from '../errors/OrdoSchemaError.js';
import { excerptOf } from '../body/excerptOf.js';
import { parseJsonText } from '../body/parseJsonText.js';
import { httpErrorFor } from './httpError.js';
import { jobUrl, resolveBaseUrl } from './jobUrl.js';
import { createRedactorCache, type Redactor } from './redact.js';
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
   * before each request with `{ refresh: false }`; after a 401 it is called once more with
   * `{ refresh: true }` and the request is sent again, once. Leading and trailing whitespace is
   * trimmed. It never appears in an error, log or output: a server text that echoes it (literally
   * or JSON-escaped) is redacted; in job data only tokens of 8 characters or more are redacted
   * (shorter ones cannot be told apart from words).
   * @defaultValue no `Authorization` header
   */
  token?: TokenProvider | undefined;
  /**
   * The `fetch` to use (a mock, an instrumented one, undici's).
   * @defaultValue `globalThis.fetch`
   */
  fetch?: typeof globalThis.fetch | undefined;
  /**
   * The largest response body read, in bytes. A larger 2xx body is an `OrdoSchemaError` (not
   * retried), found from `Content-Length` before reading or by counting while reading; a larger
   * error page is cut there (only its excerpt is kept anyway).
   * @defaultValue 10485760 (10 MiB)
   */
  maxResponseBytes?: number | undefined;
}

/** The defaults of {@link FetchTransportOptions}. */
export const defaultFetchTransportOptions = { maxResponseBytes: 10 * 1024 * 1024 } as const;

/**
 * Reads a body as UTF-8 text, at most `limit` bytes: `truncated` says the body was longer (its
 * `Content-Length` said so, or more bytes came); reading stops there.
 */
async function readBody(response: Response, limit: number): Promise<{ text: string; truncated: boolean }> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    return { text: '', truncated: true };
  }
  // A declared length within the limit, not compressed (a compressed body may expand past it):
  // the body is that long, and `text()` reads it in one go (several times faster than decoding
  // the chunks ourselves).
  const encoding = response.headers.get('content-encoding');
  if (!response.body || (Number.isFinite(declared) && (encoding === null || encoding === 'identity'))) return { text: await response.text(), truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > limit) {
      chunks.push(value.subarray(0, limit - size));
      await reader.cancel().catch(() => undefined);
      return { text: new TextDecoder().decode(concat(chunks, limit)), truncated: true };
    }
    chunks.push(value);
    size += value.byteLength;
  }
  return { text: new TextDecoder().decode(concat(chunks, size)), truncated: false };
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

/** `{base}/jobs`, where `POST` submits a job; the base's query string is kept, as in `jobUrl`. */
function submissionUrl(base: URL): string {
  const url = new URL(base.href);
  url.pathname = `${base.pathname.replace(/\/+$/, '')}/jobs`;
  return url.href;
}

/**
 * Tokens shorter than this are not redacted from job data: they cannot be told apart from
 * ordinary words (`dev` in `development/…`), and redacting them would corrupt the snapshot. They
 * are still redacted from error texts.
 */
export const minRedactedTokenLength = 8;

/** What a fetch failure says about itself, told without the token. */
interface FailureDescription {
  /** The system error code (`ECONNREFUSED`), unless there is none or it holds the token. */
  systemCode: string | undefined;
  /** The last non-empty message in the failure's chain (`redirect count exceeded`), redacted. */
  text: string;
  /** True when a message or code in the failure's chain holds the token: the cause must not be kept. */
  leaks: boolean;
}

/**
 * Describes a fetch failure: its system code (see {@link systemCodeOf}), the last message in its
 * chain ({@link failureChain}: undici's outer `fetch failed` / `terminated` says nothing, its
 * cause does), and whether any message or code in that chain quotes the token.
 */
function describeFailure(error: unknown, redactor: Redactor): FailureDescription {
  const messages: string[] = [];
  const said: string[] = [];
  for (const node of failureChain(error)) {
    const message = typeof node === 'string' ? node : typeof (node as { message?: unknown } | null)?.message === 'string' ? (node as { message: string }).message : undefined;
    if (message === undefined) continue;
    said.push(message);
    if (message !== '') messages.push(message);
  }
  const found = systemCodeOf(error);
  const systemCode = found !== undefined && redactor.mentionedIn(found) ? undefined : found;
  const leaks = redactor.mentionedIn(said.join('\n')) || systemCode !== found;
  return { systemCode, text: redactor.text(messages.at(-1) ?? 'unknown error'), leaks };
}

/** What the transport remembers of the last answer to a URL, for conditional requests. */
interface Remembered {
  etag: string | null;
  /** The parsed (and redacted) body: returned as is when nothing changed. `undefined` before any answer. */
  body: unknown;
  /**
   * The body text, kept only when the server sent no ETag (comparing texts is about a hundred
   * times cheaper than parsing them; a real Ordo server always sends an ETag).
   */
  text: string | undefined;
}

/** The methods the transport sends: `GET` a job or a batch, `POST` a new job. */
type Method = 'GET' | 'POST';

/** One request the transport sends. */
interface Exchange {
  readonly method: Method;
  readonly url: string;
  /** The job asked for (`undefined` for a batch or a submission), named in errors. */
  readonly jobId: string | undefined;
  readonly signal: AbortSignal;
  /** The JSON body of a `POST`. */
  readonly payload: string | undefined;
}

/**
 * System codes of failures that certainly happened before a request was sent: nothing listens
 * (`ECONNREFUSED`, Bun's `ConnectionRefused`), the name does not resolve (`ENOTFOUND`,
 * `EAI_AGAIN`), no route to the host (`EHOSTUNREACH`, `ENETUNREACH`), or the connection was never
 * made in time (`UND_ERR_CONNECT_TIMEOUT`). Only these leave a failed `POST /jobs` safe to send
 * again (`retryable: true`); a reset or a cut-off answer may come after the server created the job.
 * Source: Node.js docs, "Errors" › "Common system errors"; undici docs, "Errors".
 */
const notSentCodes: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ConnectionRefused', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** Requests `fetch` refuses to send at all (a port it blocks, a URL it cannot fetch). */
const refusedByFetch = /unsupported protocol|invalid url|bad port|url scheme must be/i;

/** Failures of the request itself that sending it again cannot mend. */
const permanentFetchFailure = /redirect count exceeded|unsupported protocol|invalid url|redirect mode|bad port|url scheme must be/i;

/**
 * Characters a header value may not hold (CR, LF, NUL and other controls) or that are not
 * Latin-1: `fetch` would refuse them with an error that quotes the whole value, token included.
 */
const unsafeTokenMessage = 'the token has characters an HTTP header cannot carry (line breaks, control or non-Latin-1 characters)';
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const unsafeHeaderValue = /[\u0000-\u0008\u000a-\u001f\u007f]|[^\u0000-\u00ff]/;

/**
 * Creates the HTTP transport `createOrdoClient` uses: `GET {baseUrl}/jobs/{id}` with
 * `Accept: application/json` and `Authorization: Bearer …`, the id percent-encoded into the path;
 * and, as its `submit`, `POST {baseUrl}/jobs` with the job request as JSON (`submitJob` uses it).
 *
 * - 2xx: the body is read and parsed as JSON; a body that is not JSON (a proxy's HTML page with
 *   status 200) is an {@link OrdoSchemaError} naming the content type.
 * - non-2xx: {@link OrdoAuthError} (401/403), {@link OrdoNotFoundError} (404) or
 *   {@link OrdoHttpError}, with `status`, `url`, `retryAfterMs` and a short `bodyExcerpt`; a 502
 *   HTML page is an `OrdoHttpError`, never a JSON syntax error.
 * - no response (refused, reset, DNS, a body cut off): {@link OrdoNetworkError} with `cause`.
 *   For a `POST`, its `retryable` is `true` only when the failure certainly came before the
 *   request was sent (refused, DNS, unreachable, connect timeout), and its message says whether
 *   the job may have been created.
 * - aborted through the context's signal: the signal's reason is thrown (the caller is gone).
 *
 * The token is never put in an error or a snapshot: a server text that echoes it is redacted.
 *
 * @param options - `baseUrl` (required), `token`, `fetch`.
 * @returns a {@link JobTransport} returning a `Promise` of the parsed body.
 * @throws TypeError at creation when `baseUrl` is not an absolute http(s) URL or carries
 *   credentials, when a string token has characters a header cannot carry, or when no `fetch` is
 *   available.
 * @example
 * ```ts
 * const transport = createFetchTransport({ baseUrl: 'https://gw.example.com/ordo', token: () => auth.currentToken() });
 * jobStatus$(42, { transport }).subscribe(console.log);
 * ```
 * @see docs/ordo-server.md, "Routes", "Submitting a job" and "Headers and caching".
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
  const maxResponseBytes = options.maxResponseBytes ?? defaultFetchTransportOptions.maxResponseBytes;
  if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes < 1) {
    throw new TypeError(`Invalid maxResponseBytes ${String(maxResponseBytes)}: expected a positive whole number of bytes`);
  }
  if (token !== undefined && typeof token !== 'string' && typeof token !== 'function') {
    throw new TypeError('Invalid token: expected a string or a function returning one');
  }
  if (typeof token === 'string' && unsafeHeaderValue.test(token.trim())) {
    throw new TypeError(`Invalid token: ${unsafeTokenMessage}`);
  }

  /**
   * The redactors of the tokens in play, built once per distinct set of tokens: a string token's
   * at creation, a token function's when it returns a new value. The last two sets are kept (the
   * current token, and old and fresh token together while a 401 is sent again), so a rotating
   * token does not grow it. A long token's data redactor is its text redactor, the same entry.
   */
  const redactorFor = createRedactorCache();
  if (typeof token === 'string') redactorFor([token.trim()]);

  async function bearer(method: Method, url: string, jobId: string | undefined, refresh: boolean): Promise<string | undefined> {
    if (token === undefined) return undefined;
    let value: unknown = token;
    if (typeof token === 'function') {
      try {
        value = await token({ refresh });
      } catch (cause) {
        throw new OrdoNetworkError(`${method} ${url} was not sent: the token function failed`, { cause, url, jobId });
      }
    }
    if (typeof value !== 'string') {
      throw new OrdoNetworkError(`${method} ${url} was not sent: the token function returned ${value === null ? 'null' : typeof value}, not a string`, {
        url,
        jobId,
        retryable: false,
      });
    }
    const trimmed = value.trim();
    if (unsafeHeaderValue.test(trimmed)) {
      throw new OrdoNetworkError(`${method} ${url} was not sent: ${unsafeTokenMessage}`, { url, jobId, retryable: false });
    }
    return trimmed;
  }

  /**
   * What a submission's failed answer means for the job: a redirect (not followed) created none
   * here; a gateway's 502 or 504 may have come after the server created it.
   */
  function submissionNote(response: Response): string | undefined {
    if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status <= 399)) {
      const location = response.headers.get('location');
      return `; a submission does not follow redirects (the job would be sent again), so no job was created: point the base URL where it leads${location ? ` (Location: ${location})` : ''}`;
    }
    if (response.status === 502 || response.status === 504) return '; a gateway answered: the job may have been created; check before submitting again';
    return undefined;
  }

  async function send(
    { method, url, jobId, signal, payload }: Exchange,
    secret: string | undefined,
    etag: string | null,
  ): Promise<{ response: Response; body: string; truncated: boolean }> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (secret) headers['Authorization'] = `Bearer ${secret}`;
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    if (etag !== null) {
      headers['If-None-Match'] = etag;
      // Without it, fetch adds `Cache-Control: no-cache`, to which Express never answers 304.
      headers['Cache-Control'] = 'max-age=0';
    }
    signal.throwIfAborted();
    try {
      // A submission never follows a redirect: fetch would send the job again to the new place.
      const response = await fetchImpl(url, payload === undefined ? { method, headers, signal } : { method, headers, body: payload, signal, redirect: 'manual' });
      const { text, truncated } = await readBody(response, maxResponseBytes);
      return { response, body: text, truncated };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const { systemCode, text, leaks } = describeFailure(error, redactorFor([secret]));
      // The code names the failure best (`ECONNREFUSED`); without one, the cause's own words.
      const said = systemCode ?? text;
      if (method === 'POST') {
        // `retryable` only when it certainly never left (`notSentCodes`): one that did may have created a job.
        const notSent = (systemCode !== undefined && notSentCodes.has(systemCode)) || refusedByFetch.test(text);
        throw new OrdoNetworkError(
          notSent
            ? `${method} ${url} failed before the request was sent (${said}): no job was created`
            : `${method} ${url} failed without a complete response (${said}): the job may have been created; check before submitting again`,
          { cause: leaks ? undefined : error, url, jobId, retryable: notSent && !permanentFetchFailure.test(text), systemCode },
        );
      }
      throw new OrdoNetworkError(`${method} ${url} failed without a complete response (${said})`, {
        cause: leaks ? undefined : error,
        url,
        jobId,
        retryable: !permanentFetchFailure.test(text),
        systemCode,
      });
    }
  }

  /**
   * One GET. With `memory`, the request is conditional (`If-None-Match`), and an answer that
   * says nothing changed (a 304, the same ETag, or a byte-identical body) returns the previous
   * parsed body itself, without parsing, so the watch can skip it by identity.
   */
  async function get(url: string, jobId: string | undefined, signal: AbortSignal, memory: Remembered | undefined): Promise<unknown> {
    return exchange({ method: 'GET', url, jobId, signal, payload: undefined }, memory);
  }

  /**
   * One request and its answer, parsed. A 401 with a token function asks it for a fresh token
   * and sends the request once more (a POST too: the server checks the token before anything
   * else, so a refused request created nothing).
   */
  async function exchange(request: Exchange, memory: Remembered | undefined): Promise<unknown> {
    const { method, url, jobId } = request;
    const secret = await bearer(method, url, jobId, false);
    let { response, body, truncated } = await send(request, secret, memory?.etag ?? null);
    const secrets = [secret];
    if (response.status === 401 && typeof token === 'function') {
      // The token may have expired between two polls: ask for a fresh one, once.
      const fresh = await bearer(method, url, jobId, true);
      secrets.push(fresh);
      ({ response, body, truncated } = await send(request, fresh, memory?.etag ?? null));
    }
    const etag = response.headers.get('etag');
    if (response.status === 304 && memory && memory.etag !== null) {
      memory.etag = etag ?? memory.etag;
      return memory.body;
    }
    // A careless server may echo the Authorization header: nothing of a token goes further.
    const redactor = redactorFor(secrets);
    const contentType = response.headers.get('content-type');
    if (response.status < 200 || response.status > 299) {
      throw httpErrorFor({
        note: method === 'POST' ? submissionNote(response) : undefined,
        method,
        status: response.status,
        statusText: response.statusText,
        url,
        body: redactor.text(body),
        contentType,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()),
        jobId,
      });
    }
    if (truncated) {
      throw new OrdoSchemaError(`${method} ${url} answered a body larger than maxResponseBytes (${maxResponseBytes} bytes)`, {
        issues: [{ path: '', message: `the body is larger than ${maxResponseBytes} bytes`, received: undefined }],
        bodyExcerpt: excerptOf(redactor.text(body)),
        contentType: contentType ?? undefined,
        jobId,
      });
    }
    // A submission's answer (`{"id": n}`) goes on as text: `submitJob` parses and checks it.
    if (method === 'POST') return redactor.text(body);
    if (memory?.body !== undefined) {
      // The same ETag is the same bytes (a weak ETag is a hash of the body); without one, compare the texts.
      const same = etag !== null ? etag === memory.etag : memory.text === body;
      if (same) return memory.body;
    }
    let parsed: unknown;
    try {
      parsed = parseJsonText(body, { jobId, contentType: contentType ?? 'none' });
    } catch {
      // Build the error again from the redacted text, so its excerpt cannot show the token.
      return parseJsonText(redactor.text(body), { jobId, contentType: contentType ?? 'none' });
    }
    const longSecrets = secrets.filter((candidate): candidate is string => (candidate?.length ?? 0) >= minRedactedTokenLength);
    if (longSecrets.length > 0) {
      const dataRedactor = redactorFor(longSecrets);
      if (dataRedactor.mentionedIn(body)) parsed = dataRedactor.value(parsed);
    }
    if (memory) {
      memory.etag = etag;
      memory.body = parsed;
      memory.text = etag === null ? body : undefined;
    }
    return parsed;
  }

  /** Conditional-request memory of the job URLs that watches hold (see `track`). */
  const held = new Map<string, { users: number; memory: Remembered }>();
  /**
   * The last batch answers, by URL (a batch's id list changes as watches come and go): as many
   * as the watched jobs fill, twice over (`maxRememberedBatches`). The least recently used is
   * forgotten first (a Map keeps insertion order, and a URL asked for again moves to the back),
   * so a batch polled every interval keeps its ETag while fewer other batch URLs than that bound
   * are asked for between two of its polls, however many one-off batches come and go in all.
   */
  const batches = new Map<string, Remembered>();
  const maxRememberedBatches = () => 16 + 2 * Math.ceil(held.size / 100);

  const transport: JobTransport = (id, { signal }) => {
    const url = jobUrl(base, id);
    return get(url, id, signal, held.get(url)?.memory);
  };
  transport.track = (id) => {
    const url = jobUrl(base, id);
    const entry = held.get(url) ?? { users: 0, memory: { etag: null, body: undefined, text: undefined } };
    entry.users += 1;
    held.set(url, entry);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      entry.users -= 1;
      if (entry.users === 0 && held.get(url) === entry) held.delete(url);
      // Nothing watched any more: the batch answers kept for their ETags go too.
      if (held.size === 0) batches.clear();
    };
  };
  transport.batch = async (ids, { signal }) => {
    const url = jobUrl(base, ids.join(','));
    const memory = batches.get(url) ?? { etag: null, body: undefined, text: undefined };
    // Used now: to the back of the queue, where eviction comes last.
    batches.delete(url);
    batches.set(url, memory);
    while (batches.size > maxRememberedBatches()) batches.delete(batches.keys().next().value as string);
    // Whatever came back: an array, or (from a server without the batch route, which reads
    // `/jobs/1,2` as job 1) a single job, which the batching layer takes as "no batch route".
    return get(url, undefined, signal, memory);
  };
  const jobsUrl = submissionUrl(base);
  transport.submit = (request, { signal }) => exchange({ method: 'POST', url: jobsUrl, jobId: undefined, signal, payload: JSON.stringify(request) }, undefined);
  return transport;
}
