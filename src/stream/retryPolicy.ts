import { OrdoError } from '../errors/OrdoError.js';
import { OrdoHttpError } from '../errors/OrdoHttpError.js';
import { OrdoNetworkError } from '../errors/OrdoNetworkError.js';
import { OrdoNotFoundError } from '../errors/OrdoNotFoundError.js';
import { OrdoTimeoutError } from '../errors/OrdoTimeoutError.js';
import { maxTimerDelayMs } from './duration.js';

/**
 * How a watch retries transient failures. All times are milliseconds.
 *
 * Source: issue "Keep watching through real-world faults"; RFC 9110 §10.2.3 (`Retry-After`).
 */
export interface RetryOptions {
  /**
   * How many **consecutive** failed requests are retried; the next one ends the watch with its
   * error. Any good answer resets the count. `0` turns retrying off.
   * @defaultValue 5
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
}

/** The defaults of {@link RetryOptions}. */
export const defaultRetryOptions: Readonly<Required<RetryOptions>> = Object.freeze({
  maxRetries: 5,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 300_000,
  jitter: 0.5,
});

/** What `onRetry` is told before each retry. */
export interface RetryInfo {
  /** This retry's number among the consecutive failures: 1 for the first. */
  readonly attempt: number;
  /** The most consecutive failures that are retried (`RetryOptions.maxRetries`). */
  readonly maxRetries: number;
  /** Time until the next request, in milliseconds (the backoff, or the server's `Retry-After`). */
  readonly delayMs: number;
  /** The failure being retried. */
  readonly error: OrdoError;
}

/** HTTP statuses that say "try again later". */
const transientStatuses: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Whether retrying a failure can help:
 * - transient: {@link OrdoNetworkError} (unless `retryable` is false), a request's
 *   {@link OrdoTimeoutError}, HTTP 408, 429, 500, 502, 503 and 504;
 * - permanent: every other HTTP status (400, 401 after the token refresh, 403, 404…), schema
 *   errors, illegal transitions, the whole watch's deadline.
 * The watch adds two cases of its own: a 404 within `notFoundGraceMs`, and a regression when
 * `onIllegalTransition` is `'skip'`.
 */
export function isTransientFailure(error: unknown): boolean {
  if (error instanceof OrdoNetworkError) return error.retryable;
  if (error instanceof OrdoTimeoutError) return error.scope === 'request';
  if (error instanceof OrdoNotFoundError) return false;
  if (error instanceof OrdoHttpError) return error.code === 'HTTP' && transientStatuses.has(error.status);
  return false;
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
    checkNumber('maxRetries', retry, 0, 1000, true);
    return { ...defaultRetryOptions, maxRetries: retry };
  }
  if (retry === null || typeof retry !== 'object') throw new TypeError('Invalid retry: expected a number of retries or RetryOptions');
  checkNumber('maxRetries', retry.maxRetries, 0, 1000, true);
  checkNumber('baseDelayMs', retry.baseDelayMs, 0, maxTimerDelayMs);
  checkNumber('maxDelayMs', retry.maxDelayMs, 0, maxTimerDelayMs);
  checkNumber('maxRetryAfterMs', retry.maxRetryAfterMs, 0, maxTimerDelayMs);
  checkNumber('jitter', retry.jitter, 0, 1);
  const resolved = { ...defaultRetryOptions };
  for (const key of Object.keys(defaultRetryOptions) as Array<keyof RetryOptions>) {
    if (retry[key] !== undefined) resolved[key] = retry[key];
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
