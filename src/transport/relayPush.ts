import type { SchedulerLike, Subscription } from 'rxjs';
import { OrdoError } from '../errors/OrdoError.js';
import { OrdoNetworkError } from '../errors/OrdoNetworkError.js';
import { checkDuration } from '../stream/duration.js';
import { httpErrorFor } from './httpError.js';
import { jobUrl, resolveBaseUrl } from './jobUrl.js';
import { createRedactorCache } from './redact.js';
import type { TokenProvider } from './types.js';

/**
 * Where a client receives pushed transitions: an `ordo-status relay` (its
 * `GET /jobs/:id/events` Server-Sent Events). See `createOrdoClient`'s `relay` option and
 * docs/relay.md, "Consumers".
 */
export interface RelayClientOptions {
  /** The relay's base URL, e.g. `http://relay.internal:8788` (a same-origin path in a browser). */
  readonly url: string | URL;
  /**
   * The relay's own token (never Ordo's), sent as `Authorization: Bearer …` on every connection;
   * a function is called before each one. An empty string sends none.
   * @defaultValue the client's `token` when the client has no `baseUrl` (it talks to the relay only); otherwise none
   */
  readonly token?: TokenProvider | undefined;
  /**
   * The wait before connecting again after a stream broke, in milliseconds; it doubles with each
   * failure in a row up to `maxReconnectDelayMs`. The job is polled meanwhile.
   * @defaultValue 1000
   */
  readonly reconnectDelayMs?: number | undefined;
  /** The longest wait between two connection attempts, in milliseconds. @defaultValue 30000 */
  readonly maxReconnectDelayMs?: number | undefined;
  /**
   * A stream silent this long (not even the relay's 15 s heartbeat) counts as broken, in
   * milliseconds: a dead connection that no error reports. @defaultValue 45000
   */
  readonly idleTimeoutMs?: number | undefined;
  /**
   * The most jobs pushed at once (one event stream each); more jobs are polled. Browsers open at
   * most 6 connections per origin over HTTP/1.1, so the default leaves room for other requests
   * there; serve the relay over HTTP/2 to push more.
   * @defaultValue 4 in a browser (a `document` exists), unlimited elsewhere
   */
  readonly maxStreams?: number | undefined;
  /**
   * The `fetch` that reads the streams (it must stream the body, as the platform's does).
   * @defaultValue the client's `fetch`, else `globalThis.fetch` (the Angular adapter: `globalThis.fetch`, never `HttpClient`, which buffers a whole response)
   */
  readonly fetch?: typeof globalThis.fetch | undefined;
}

/** The defaults of {@link RelayClientOptions}. */
export const defaultRelayClientOptions = { reconnectDelayMs: 1000, maxReconnectDelayMs: 30_000, idleTimeoutMs: 45_000 } as const;

/** What a job's push stream tells its watch. */
export interface PushHandlers {
  /** The stream is open: polling stops. */
  connected(): void;
  /** A `snapshot` event: an Ordo job body (parsed JSON, or its text when it is no JSON). */
  snapshot(body: unknown): void;
  /** The stream broke or could not open; it connects again by itself, later. Poll meanwhile. */
  lost(error: OrdoError): void;
  /** The relay ended the job's stream with an `error` event (the job is unknown, or upstream failed): poll from now on. */
  gone(): void;
  /** The relay refused the client (401, 403) or is none (404 for the events route): the watch ends with `error`. */
  failed(error: OrdoError): void;
}

/** Opens jobs' push streams. */
export interface PushSource {
  /** The most streams open at once. */
  readonly maxStreams: number;
  /**
   * Opens the stream of `jobId`; its timers run on `scheduler`; `connectTimeoutMs` bounds the
   * wait for the response headers.
   * @returns a function that closes it for good.
   */
  open(jobId: string, handlers: PushHandlers, scheduler: SchedulerLike, connectTimeoutMs: number): () => void;
}

/** One SSE frame's fields. */
interface Frame {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

/**
 * Splits the text read so far into complete frames (a blank line ends one) and the rest.
 * Comment lines (`:` first, the heartbeats) and frames without `event` (`retry:`) are dropped;
 * data lines join with `\n`. Source: WHATWG HTML, "Server-sent events" › "Interpreting an event stream".
 */
export function sseFramesOf(buffer: string): { frames: Frame[]; rest: string } {
  const frames: Frame[] = [];
  const text = buffer.includes('\r') ? buffer.replace(/\r\n?/g, '\n') : buffer;
  let start = 0;
  let end: number;
  while ((end = text.indexOf('\n\n', start)) >= 0) {
    let id: string | undefined;
    let event: string | undefined;
    const data: string[] = [];
    for (const line of text.slice(start, end).split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    start = end + 2;
    if (event !== undefined) frames.push({ id, event, data: data.join('\n') });
  }
  return { frames, rest: text.slice(start) };
}

/**
 * The longest unfinished frame kept, in characters: a stream that sends more without a blank line
 * is no event stream (or a broken one); it is dropped and connected again.
 */
const maxFrameChars = 1_048_576;

/** Lets a Node timer behind an RxJS action not hold the process open (no-op elsewhere). */
function unref(action: Subscription): Subscription {
  const handle = (action as { id?: { unref?: () => void } }).id;
  if (handle !== null && typeof handle === 'object' && typeof handle.unref === 'function') handle.unref();
  return action;
}

/** The stream is over for good: no reconnection. */
class Final extends Error {
  constructor(readonly error: OrdoError | undefined) {
    super(error?.message ?? 'the stream is over');
  }
}

/**
 * The push source of a client with a `relay`: one `GET {url}/jobs/:id/events` per pushed job,
 * read with `fetch` (in browsers and in Node alike, so the relay token goes in a header, never in
 * the URL), parsed as Server-Sent Events. A broken stream connects again after a growing wait
 * with `Last-Event-ID`, so the relay sends exactly what came after the last event received.
 *
 * @throws TypeError for an invalid `url` or duration.
 */
export function createRelayPush(options: RelayClientOptions, fetchImpl: typeof globalThis.fetch | undefined): PushSource {
  let base: URL;
  try {
    base = resolveBaseUrl(options.url);
  } catch (error) {
    throw new TypeError((error as Error).message.replace(/^Invalid baseUrl/, 'Invalid relay URL').replace('the `token` option', 'relay.token'), { cause: error });
  }
  const reconnectDelayMs = options.reconnectDelayMs ?? defaultRelayClientOptions.reconnectDelayMs;
  const maxReconnectDelayMs = options.maxReconnectDelayMs ?? Math.max(reconnectDelayMs, defaultRelayClientOptions.maxReconnectDelayMs);
  const idleTimeoutMs = options.idleTimeoutMs ?? defaultRelayClientOptions.idleTimeoutMs;
  checkDuration('relay.reconnectDelayMs', reconnectDelayMs);
  checkDuration('relay.maxReconnectDelayMs', maxReconnectDelayMs);
  checkDuration('relay.idleTimeoutMs', idleTimeoutMs);
  if (maxReconnectDelayMs < reconnectDelayMs) {
    throw new TypeError(`Invalid relay.maxReconnectDelayMs ${maxReconnectDelayMs}: less than relay.reconnectDelayMs (${reconnectDelayMs})`);
  }
  const inBrowser = typeof (globalThis as { document?: unknown }).document === 'object';
  const maxStreams = options.maxStreams ?? (inBrowser ? 4 : Number.POSITIVE_INFINITY);
  if (!(maxStreams === Number.POSITIVE_INFINITY || (Number.isSafeInteger(maxStreams) && maxStreams >= 0))) {
    throw new TypeError(`Invalid relay.maxStreams ${String(maxStreams)}: expected a whole number of streams, 0 or more (0 pushes nothing)`);
  }
  const token = options.token;
  if (token !== undefined && typeof token !== 'string' && typeof token !== 'function') {
    throw new TypeError('Invalid relay.token: expected a string or a function returning one');
  }
  if (typeof token === 'string') checkHeaderValue(token);
  const redactorFor = createRedactorCache();

  return {
    maxStreams,
    open(jobId, handlers, scheduler, connectTimeoutMs) {
      // `{base}/jobs/:id/events`, the base's query string kept after the path.
      const eventsUrl = new URL(jobUrl(base, jobId));
      eventsUrl.pathname += '/events';
      const url = eventsUrl.href;
      let lastToken: string | undefined;
      let closed = false;
      let lastEventId: string | undefined;
      let attempt: AbortController | undefined;
      let waiting: Subscription | undefined;
      let failuresInRow = 0;
      let refreshToken = false;

      // Called through globalThis: a browser's fetch called detached throws "Illegal invocation".
      const send: typeof globalThis.fetch = options.fetch ?? fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
      /** The request's headers; a token function that fails, or gives no header value, is a {@link Final} error. */
      const headersFor = async (): Promise<Record<string, string>> => {
        const headers: Record<string, string> = { Accept: 'text/event-stream' };
        let value: unknown;
        try {
          value = typeof token === 'function' ? await token({ refresh: refreshToken }) : token;
          if (value !== undefined) checkHeaderValue(value);
        } catch (error) {
          throw new Final(new OrdoNetworkError(`The relay token function failed for ${url}: ${error instanceof Error ? error.message : String(error)}`, { url, jobId, retryable: false, cause: error }));
        }
        lastToken = value;
        if (typeof value === 'string' && value !== '') headers.Authorization = `Bearer ${value}`;
        if (lastEventId !== undefined) headers['Last-Event-ID'] = lastEventId;
        return headers;
      };

      /** One connection: resolves when the stream is over (broken: an error to retry; or final). */
      const connect = async (controller: AbortController): Promise<OrdoError | Final> => {
        let lastByteAt = scheduler.now();
        let connected = false;
        let watchdog: Subscription | undefined;
        const limit = (): number => (connected ? idleTimeoutMs : connectTimeoutMs);
        const check = (): void => {
          if (controller.signal.aborted) return;
          const silentMs = scheduler.now() - lastByteAt;
          if (silentMs >= limit()) controller.abort(new Error('timeout'));
          else watchdog = unref(scheduler.schedule(check, Math.max(1, limit() - silentMs)));
        };
        watchdog = unref(scheduler.schedule(check, connectTimeoutMs));
        try {
          // A token function that never settles is cut by the watchdog like a silent server.
          const aborted = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
          aborted.catch(() => undefined);
          const headers = await Promise.race([headersFor(), aborted]);
          const response = await send(url, { headers, signal: controller.signal, cache: 'no-store' });
          if (!response.ok) {
            // The body may quote the request's Authorization header: the token is redacted from it.
            const body = redactorFor([lastToken]).text((await response.text().catch(() => '')).slice(0, 4096));
            const error = httpErrorFor({ status: response.status, statusText: response.statusText, url, body, contentType: response.headers.get('content-type'), retryAfterMs: null, jobId });
            if (response.status === 401 && typeof token === 'function' && !refreshToken) {
              refreshToken = true;
              return error; // once more, with a fresh token
            }
            if (response.status === 401 || response.status === 403) return new Final(error);
            if (response.status === 404 || response.status === 405) {
              return new Final(new OrdoNetworkError(`GET ${url} answered ${response.status}: the relay URL serves no event streams (is it an ordo-status relay, and is its path prefix right?)`, { url, jobId, retryable: false, cause: error }));
            }
            return error;
          }
          refreshToken = false;
          const type = response.headers.get('content-type') ?? '';
          if (!/^text\/event-stream\b/i.test(type) || !response.body) {
            return new Final(new OrdoNetworkError(`GET ${url} answered ${type || 'no content type'}, not text/event-stream: the relay URL is not an ordo-status relay`, { url, jobId, retryable: false }));
          }
          connected = true;
          lastByteAt = scheduler.now();
          handlers.connected();
          const reader = response.body.getReader();
          const decoder = new TextDecoder();
          let buffer = '';
          for (;;) {
            const { done, value } = await reader.read();
            if (done || closed) break;
            lastByteAt = scheduler.now();
            const { frames, rest } = sseFramesOf(buffer + decoder.decode(value, { stream: true }));
            buffer = rest;
            if (buffer.length > maxFrameChars) {
              return new OrdoNetworkError(`GET ${url}: more than ${maxFrameChars} characters without the end of an event; not an event stream of a relay`, { url, jobId });
            }
            for (const frame of frames) {
              if (closed) return new Final(undefined);
              failuresInRow = 0;
              if (frame.id !== undefined) lastEventId = frame.id;
              if (frame.event === 'snapshot') handlers.snapshot(parsedOrText(frame.data));
              else if (frame.event === 'end') {
                // The terminal snapshot came before it; without one (a relay that lost it), polls find the end.
                handlers.gone();
                return new Final(undefined);
              }
              else if (frame.event === 'error') {
                handlers.gone();
                return new Final(undefined);
              }
            }
          }
          return new OrdoNetworkError(`GET ${url}: the event stream ended before the job did`, { url, jobId });
        } catch (error) {
          if (error instanceof Final) return error;
          if (error instanceof OrdoError) return error;
          const why = controller.signal.aborted ? (connected ? `no data for ${idleTimeoutMs} ms` : `no answer within ${connectTimeoutMs} ms`) : error instanceof Error ? error.message : String(error);
          return new OrdoNetworkError(`GET ${url} failed (${why})`, { url, jobId, cause: error });
        } finally {
          watchdog?.unsubscribe();
        }
      };

      const run = (): void => {
        waiting = undefined;
        if (closed) return;
        const controller = new AbortController();
        attempt = controller;
        void connect(controller).then((outcome) => {
          if (closed || attempt !== controller) return;
          controller.abort();
          attempt = undefined;
          if (outcome instanceof Final) {
            closed = true;
            if (outcome.error) handlers.failed(outcome.error);
            return;
          }
          failuresInRow += 1;
          handlers.lost(outcome);
          if (closed) return;
          const delay = refreshToken && failuresInRow === 1 ? 0 : Math.min(maxReconnectDelayMs, reconnectDelayMs * 2 ** Math.min(failuresInRow - 1, 30));
          waiting = unref(scheduler.schedule(run, delay));
        });
      };
      run();

      return () => {
        closed = true;
        waiting?.unsubscribe();
        attempt?.abort();
      };
    },
  };
}

/**
 * A token's value as a header needs it: a string of Latin-1 characters without CR, LF or NUL.
 * @throws TypeError naming what is wrong (not the token).
 */
function checkHeaderValue(value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`Invalid relay token: expected a string, got ${value === null ? 'null' : typeof value}`);
  // eslint-disable-next-line no-control-regex
  if (/[\r\n\0]|[^\u0000-\u00ff]/.test(value)) throw new TypeError('Invalid relay token: it holds a line break, a NUL or a character beyond Latin-1, which no HTTP header can carry');
}

/** A data line's JSON, or its text when it is none (the snapshot's parse then says what is wrong). */
function parsedOrText(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}
