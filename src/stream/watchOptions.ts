import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { JobTransport } from '../transport/types.js';

/**
 * Options of `jobStatus$`, `jobEvents$` and `waitForJob`. All durations are milliseconds.
 *
 * Source: design.md, "Streams".
 */
export interface WatchOptions {
  /** Fetches one job status body. `createOrdoClient` supplies one built on `fetch`. */
  transport: JobTransport;
  /**
   * Time from one answer to the next request, in milliseconds. The next request starts one
   * interval after the previous answer arrived, so requests never overlap and a slow answer is
   * never cancelled. At most 2,147,483,647 (larger timers fire at once in Node).
   * @defaultValue 3000 (the server documentation recommends polling every 3–5 s)
   */
  intervalMs?: number | undefined;
  /**
   * The RxJS scheduler for polling and deadlines: pass a `TestScheduler` (or use
   * `TestScheduler.run`) to test in virtual time.
   * @defaultValue `asyncScheduler`
   */
  scheduler?: SchedulerLike | undefined;
  /**
   * Stops the watch: the request in flight is aborted and the stream errors (the promise
   * rejects) with the signal's `reason`. Already aborted: no request is made.
   */
  signal?: AbortSignal | undefined;
  /**
   * Deadline for the whole watch in milliseconds, counted from subscription; running out is an
   * `OrdoTimeoutError` carrying the last snapshot.
   * @defaultValue no deadline
   */
  timeoutMs?: number | undefined;
  /**
   * Deadline for each request in milliseconds: a server that does not answer in time has its
   * request aborted, and the watch ends with an `OrdoTimeoutError` carrying the last snapshot.
   * @defaultValue 30000
   */
  requestTimeoutMs?: number | undefined;
}

/** The defaults of {@link WatchOptions}. */
export const defaultWatchOptions = {
  intervalMs: 3000,
  scheduler: asyncScheduler as SchedulerLike,
  timeoutMs: undefined as number | undefined,
  requestTimeoutMs: 30_000,
} as const;

/** The largest delay a JavaScript timer honours (2^31 − 1 ms); larger ones fire at once in Node. */
export const maxTimerDelayMs = 2_147_483_647;

/** @throws TypeError unless `value` is undefined or a finite number in (0, 2^31 − 1]. */
export function checkDuration(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > maxTimerDelayMs) {
    throw new TypeError(`Invalid ${name} ${String(value)}: expected milliseconds, a number greater than 0 and at most ${maxTimerDelayMs}`);
  }
}

/** {@link WatchOptions} with the defaults filled in. */
export interface ResolvedWatchOptions {
  readonly transport: JobTransport;
  readonly intervalMs: number;
  readonly scheduler: SchedulerLike;
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number | undefined;
  readonly requestTimeoutMs: number;
}

/** Checks watch options and fills in the defaults. @throws TypeError for an invalid option. */
export function resolveWatchOptions(options: WatchOptions): ResolvedWatchOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('Watch options are required: at least { transport }');
  if (typeof options.transport !== 'function') {
    throw new TypeError('Invalid transport: expected a function (id, { signal }) => ObservableInput of the body');
  }
  checkDuration('intervalMs', options.intervalMs);
  checkDuration('timeoutMs', options.timeoutMs);
  checkDuration('requestTimeoutMs', options.requestTimeoutMs);
  if (options.signal !== undefined && !(typeof options.signal === 'object' && options.signal !== null && 'aborted' in options.signal)) {
    throw new TypeError('Invalid signal: expected an AbortSignal');
  }
  return {
    transport: options.transport,
    intervalMs: options.intervalMs ?? defaultWatchOptions.intervalMs,
    scheduler: options.scheduler ?? defaultWatchOptions.scheduler,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    requestTimeoutMs: options.requestTimeoutMs ?? defaultWatchOptions.requestTimeoutMs,
  };
}
