import { OrdoError } from '../errors/OrdoError.js';
import { OrdoHttpError } from '../errors/OrdoHttpError.js';
import { OrdoIllegalTransitionError } from '../errors/OrdoIllegalTransitionError.js';
import { OrdoNetworkError } from '../errors/OrdoNetworkError.js';
import { OrdoNotFoundError } from '../errors/OrdoNotFoundError.js';
import { OrdoTimeoutError } from '../errors/OrdoTimeoutError.js';
import { maxTimerDelayMs } from './duration.js';

/**
 * How a watch retries transient failures: within a time budget (`maxElapsedMs`), and at most
 * `maxRetries` in a row. All times are milliseconds.
 *
 * Source: issues "Keep watching through real-world faults" and "One engine per client" (time
 * budget); RFC 9110 §10.2.3 (`Retry-After`).
 */
export interface RetryOptions {
  /**
   * How long a run of consecutive failures is retried, in milliseconds from its first failure: a
   * failure after that ends the watch with its error, and a wait that would end after it is cut
   * to end there (one last try). Any good answer starts the budget again. Long enough to ride out
   * a server or database restart of a minute or two (a real Ordo server whose PostgreSQL
   * restarts dies and is restarted). `0` turns retrying off; `Infinity` lets only `maxRetries`
   * limit the retries.
   * @defaultValue 300000 (5 minutes)
   */
  maxElapsedMs?: number;
  /**
   * How many **consecutive** failed requests are retried at most; the next one ends the watch
   * with its error, even within `maxElapsedMs`. Any good answer resets the count. `0` turns
   * retrying off; a number passed as `retry` sets this. An integer from 0 to 1000, or `Infinity`.
   * @defaultValue `Infinity` (only `maxElapsedMs` limits the retries)
   */
  maxRetries?: number;
  /** Backoff before the first retry; it doubles for each further consecutive failure. @defaultValue 1000 */
  baseDelayMs?: number;
  /** The backoff never exceeds this. @defaultValue 30000 */
  maxDelayMs?: number;
  /**
   * A server's `Retry-After` (seconds or an HTTP date) replaces the backoff, but is clamped to
   * this, so a far-future date cannot stall a watch for days (nor overflow a timer).
   * @defaultValue 300000 (5 minutes)
   */
  maxRetryAfterMs?: number;
  /**
   * Random spread of the backoff, a fraction 0..1: the delay is drawn from
   * `[backoff × (1 − jitter), backoff]`, so many clients that failed together do not retry
   * together. `0` makes delays exact (useful in marble tests). `Retry-After` is never jittered.
   * @defaultValue 0.5
   */
  jitter?: number;
  /**
   * The HTTP statuses that say "try again later" and are retried like network errors and request
   * timeouts; every other status is permanent. The defaults are the statuses RFC 9110 and RFC 6585
   * give that meaning: 408 Request Timeout, 429 Too Many Requests, 500, 502 Bad Gateway,
   * 503 Service Unavailable, 504 Gateway Timeout. The one list of transient statuses: the docs,
   * the CLI and the client's batching read it from {@link defaultRetryOptions}.
   *
   * Source: RFC 9110 §15.5.9, §15.6; RFC 6585 §4; docs/ordo-server.md ("Errors": a restarting server and
   * its gateway answer 502/503).
   * 401, 403 and 404 cannot be listed: they have rules of their own (one token refresh;
   * `WatchOptions.notFoundGraceMs`).
   * @defaultValue `[408, 429, 500, 502, 503, 504]`
   */
  statusCodes?: readonly number[];
}

/** The defaults of {@link RetryOptions}. */
export const defaultRetryOptions: Readonly<Required<RetryOptions>> = Object.freeze({
  maxElapsedMs: 300_000,
  maxRetries: Number.POSITIVE_INFINITY,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 300_000,
  jitter: 0.5,
  statusCodes: Object.freeze([408, 429, 500, 502, 503, 504]),
});

/** What `onRetry` is told before each retry. */
export interface RetryInfo {
  /** This retry's number among the consecutive failures: 1 for the first. */
  readonly attempt: number;
  /** The most consecutive failures that are retried (`RetryOptions.maxRetries`; `Infinity` when only the time budget limits them). */
  readonly maxRetries: number;
  /** Time since the first failure of this run of failures, in milliseconds (0 for the first). */
  readonly elapsedMs: number;
  /** The time budget of a run of failures (`RetryOptions.maxElapsedMs`), in milliseconds. */
  readonly maxElapsedMs: number;
  /** Time until the next request, in milliseconds (the backoff, or the server's `Retry-After`). */
  readonly delayMs: number;
  /** The failure being retried. */
  readonly error: OrdoError;
}


/**
 * Whether retrying a failure can help:
 * - transient: {@link OrdoNetworkError} (unless `retryable` is false), a request's
 *   {@link OrdoTimeoutError}, an {@link OrdoHttpError} whose status is in `statusCodes`;
 * - permanent: every other HTTP status (400, 401 after the token refresh, 403, 404…), schema
 *   errors, illegal transitions, the whole watch's deadline.
 * The watch adds two cases of its own: a 404 within `notFoundGraceMs`, and a regression when
 * `onIllegalTransition` is `'skip'`.
 * @param error - Any failure (non-Ordo errors are permanent).
 * @param statusCodes - The transient HTTP statuses. @defaultValue `defaultRetryOptions.statusCodes`
 * @throws TypeError when `statusCodes` is not an array.
 */
export function isTransientFailure(error: unknown, statusCodes: readonly number[] = defaultRetryOptions.statusCodes): boolean {
  if (!Array.isArray(statusCodes)) throw new TypeError('Invalid statusCodes: expected an array of HTTP statuses, such as defaultRetryOptions.statusCodes');
  if (error instanceof OrdoNetworkError) return error.retryable;
  if (error instanceof OrdoTimeoutError) return error.scope === 'request';
  if (error instanceof OrdoNotFoundError) return false;
  if (error instanceof OrdoHttpError) return error.code === 'HTTP' && statusCodes.includes(error.status);
  return false;
}

/** Statuses with rules of their own (a token refresh; `notFoundGraceMs`), never made transient by a list. */
const ownRuleStatuses: readonly number[] = [401, 403, 404];

/**
 * A frozen copy of a list of transient HTTP statuses, read once.
 * @throws TypeError naming the first bad element and its index: not an array, a hole, not an
 *   integer from 100 to 599, or 401, 403 or 404 (which have rules of their own).
 */
function checkStatusCodes(name: string, value: unknown): readonly number[] {
  if (!Array.isArray(value)) throw new TypeError(`Invalid ${name}: expected an array of HTTP statuses, such as [503, 504]`);
  const codes: number[] = [];
  for (let index = 0; index < value.length; index += 1) {
    const code: unknown = value[index];
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 100 || code > 599) {
      const shown = typeof code === 'string' ? JSON.stringify(code) : typeof code === 'number' || code === undefined || code === null ? String(code) : typeof code;
      throw new TypeError(`Invalid ${name}[${index}] ${shown}: expected an HTTP status, an integer from 100 to 599`);
    }
    if (ownRuleStatuses.includes(code)) {
      throw new TypeError(`Invalid ${name}[${index}] ${code}: 401, 403 and 404 have rules of their own (one token refresh; notFoundGraceMs) and are never retried as transient`);
    }
    codes.push(code);
  }
  return Object.freeze(codes);
}

function checkNumber(name: string, value: unknown, min: number, max: number, integer = false): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new TypeError(`Invalid retry.${name} ${String(value)}: expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
}

/**
 * Fills in the defaults of a retry option: a number is `maxRetries`.
 * @throws TypeError for a value out of range.
 */
export function resolveRetryOptions(retry: number | RetryOptions | undefined): Readonly<Required<RetryOptions>> {
  if (retry === undefined) return defaultRetryOptions;
  if (typeof retry === 'number') {
    if (retry !== Number.POSITIVE_INFINITY) checkNumber('maxRetries', retry, 0, 1000, true);
    return { ...defaultRetryOptions, maxRetries: retry };
  }
  if (retry === null || typeof retry !== 'object') throw new TypeError('Invalid retry: expected a number of retries or RetryOptions');
  if (retry.maxRetries !== Number.POSITIVE_INFINITY) checkNumber('maxRetries', retry.maxRetries, 0, 1000, true);
  if (retry.maxElapsedMs !== Number.POSITIVE_INFINITY) checkNumber('maxElapsedMs', retry.maxElapsedMs, 0, maxTimerDelayMs);
  checkNumber('baseDelayMs', retry.baseDelayMs, 0, maxTimerDelayMs);
  checkNumber('maxDelayMs', retry.maxDelayMs, 0, maxTimerDelayMs);
  checkNumber('maxRetryAfterMs', retry.maxRetryAfterMs, 0, maxTimerDelayMs);
  checkNumber('jitter', retry.jitter, 0, 1);
  const statusCodes = retry.statusCodes === undefined ? undefined : checkStatusCodes('retry.statusCodes', retry.statusCodes);
  const resolved = { ...defaultRetryOptions };
  for (const key of Object.keys(defaultRetryOptions) as Array<keyof RetryOptions>) {
    if (retry[key] !== undefined) (resolved as Record<string, unknown>)[key] = key === 'statusCodes' ? statusCodes : retry[key];
  }
  return resolved;
}

/**
 * The wait before retry number `attempt` (1-based) of `error`: the server's `Retry-After`
 * clamped to `maxRetryAfterMs` when it sent a readable one; otherwise exponential backoff
 * `min(maxDelayMs, baseDelayMs × 2^(attempt−1))`, jittered down by up to `jitter` of itself.
 */
export function retryDelayMs(
  attempt: number,
  error: OrdoError,
  options: Readonly<Required<RetryOptions>>,
  random: () => number = Math.random,
): number {
  const retryAfterMs = error instanceof OrdoHttpError ? error.retryAfterMs : null;
  if (retryAfterMs !== null) return Math.min(retryAfterMs, options.maxRetryAfterMs);
  const backoff = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(attempt - 1, 52));
  return Math.round(backoff * (1 - options.jitter * random()));
}

/** What {@link decideRetry} weighs: one failure, the run of failures it ends, and the watch's rules. */
export interface RetryContext {
  /** The failure (already an `OrdoError`). */
  readonly error: OrdoError;
  /** Consecutive failures, this one included: 1 for the first after a good answer. */
  readonly attempt: number;
  /** Milliseconds since the first failure of this run (0 for the first). */
  readonly elapsedMs: number;
  /** Milliseconds since the watch started (for `notFoundGraceMs`). */
  readonly sinceStartMs: number;
  readonly retry: Readonly<Required<RetryOptions>>;
  /** A 404 this soon after the start is retried whatever the limits (`WatchOptions.notFoundGraceMs`). */
  readonly notFoundGraceMs: number;
  /** `'skip'`: a snapshot that moves backwards is retried like a transient failure (`WatchOptions.onIllegalTransition`). */
  readonly onIllegalTransition: 'error' | 'skip';
  /** Draws the jitter, a number in [0, 1). @defaultValue `Math.random` */
  readonly random?: (() => number) | undefined;
}

/** The answer of {@link decideRetry}: retry after a delay (with what `onRetry` is told), or stop with the error. */
export type RetryDecision = { readonly retry: true; readonly info: RetryInfo } | { readonly retry: false; readonly error: OrdoError };

/**
 * The whole retry decision of a watch, as a pure function: retry the failure after `info.delayMs`,
 * or stop with it.
 *
 * - A 404 within `notFoundGraceMs` of the start is retried with the backoff, whatever the
 *   limits (a job just submitted may not be visible on every replica yet).
 * - Otherwise only a transient failure ({@link isTransientFailure}, or a skipped regression with
 *   `onIllegalTransition: 'skip'`) is retried, while the run of failures is within both limits:
 *   at most `maxRetries` consecutive retries, and `elapsedMs < maxElapsedMs`.
 * - The delay is {@link retryDelayMs} (the server's `Retry-After`, or jittered exponential
 *   backoff), cut so the retry happens no later than the end of `maxElapsedMs`.
 *
 * Source: issue "One engine per client" (one retry decision, time budget); RFC 9110 §10.2.3.
 */
export function decideRetry(context: RetryContext): RetryDecision {
  const { error, attempt, elapsedMs, retry } = context;
  const grace = error instanceof OrdoNotFoundError && context.sinceStartMs < context.notFoundGraceMs;
  if (!grace) {
    const transient = isTransientFailure(error, retry.statusCodes) || (error instanceof OrdoIllegalTransitionError && context.onIllegalTransition === 'skip');
    if (!transient || attempt > retry.maxRetries || elapsedMs >= retry.maxElapsedMs) return { retry: false, error };
  }
  const delay = retryDelayMs(attempt, error, retry, context.random);
  return {
    retry: true,
    info: {
      attempt,
      maxRetries: grace ? Math.max(retry.maxRetries, attempt) : retry.maxRetries,
      delayMs: grace ? delay : Math.max(0, Math.min(delay, retry.maxElapsedMs - elapsedMs)),
      error,
      elapsedMs,
      maxElapsedMs: retry.maxElapsedMs,
    },
  };
}
