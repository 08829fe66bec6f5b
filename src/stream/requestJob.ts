import { from, Observable, type SchedulerLike } from 'rxjs';
import { OrdoError } from '../errors/OrdoError.js';
import { OrdoNetworkError } from '../errors/OrdoNetworkError.js';
import { OrdoTimeoutError } from '../errors/OrdoTimeoutError.js';
import type { JobSnapshot } from '../schema/types.js';
import { bodyInput } from '../transport/bodyInput.js';
import type { JobTransport } from '../transport/types.js';

/** `String(value)` that cannot throw (a null-prototype object, a throwing `toString`). */
function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Keeps errors of this library as they are; wraps anything else in an {@link OrdoNetworkError}. */
export function toOrdoError(error: unknown, jobId: string): OrdoError {
  if (error instanceof OrdoError) return error;
  const message = error instanceof Error ? error.message : safeString(error);
  return new OrdoNetworkError(`The transport failed for job ${jobId}: ${message}`, { cause: error, jobId });
}

/** One request got no answer in time (`requestTimeoutMs`, scope `'request'`; retried), counted as of the timeout. */
export function requestTimeoutError(
  jobId: string,
  timeoutMs: number,
  lastSnapshot: JobSnapshot | null,
  counts: { readonly requests: number; readonly failures: number },
): OrdoTimeoutError {
  return new OrdoTimeoutError(`No answer for job ${jobId} within ${timeoutMs} ms`, { jobId, timeoutMs, scope: 'request', lastSnapshot, ...counts });
}

/** Options of {@link requestJob}. */
export interface RequestJobOptions {
  /** Abort the request and fail with an {@link OrdoTimeoutError} after this long; `undefined`: never. */
  readonly timeoutMs?: number | undefined;
  /** The clock of the timeout. */
  readonly scheduler: SchedulerLike;
  /** The snapshot an {@link OrdoTimeoutError} carries. */
  readonly lastSnapshot?: () => JobSnapshot | null;
  /** The watch's counts an {@link OrdoTimeoutError} carries. */
  readonly stats?: () => { requests: number; failures: number };
}

/**
 * One request through a transport, as a cold observable: emits the body once and completes.
 *
 * - A transport may return the body text itself (a `string`, `Uint8Array` or `ArrayBuffer`)
 *   rather than wrapping it: it is taken as one value, not iterated character by character.
 * - Unsubscribing before the answer aborts the request (the transport's signal fires); after the
 *   answer nothing is aborted.
 * - No answer within `timeoutMs`: the request is aborted and the observable errors with an
 *   {@link OrdoTimeoutError}.
 * - A transport that completes without a value, throws, or returns something that is not an
 *   `ObservableInput` errors with an {@link OrdoNetworkError}.
 */
export function requestJob(transport: JobTransport, jobId: string, options: RequestJobOptions): Observable<unknown> {
  return new Observable<unknown>((subscriber) => {
    // Made when the transport first reads `signal`: an AbortController costs microseconds.
    let controller: AbortController | undefined;
    const context = {
      get signal() {
        return (controller ??= new AbortController()).signal;
      },
    };
    let settled = false;
    let subscription: { unsubscribe(): void } | undefined;
    const timeout =
      options.timeoutMs === undefined
        ? undefined
        : options.scheduler.schedule(() => {
            if (settled) return;
            settled = true;
            subscription?.unsubscribe();
            controller?.abort();
            subscriber.error(
              requestTimeoutError(jobId, options.timeoutMs as number, options.lastSnapshot?.() ?? null, options.stats?.() ?? { requests: 1, failures: 0 }),
            );
          }, options.timeoutMs);
    const settle = () => {
      settled = true;
      timeout?.unsubscribe();
    };
    try {
      subscription = from(bodyInput(transport(jobId, context))).subscribe({
        next: (body) => {
          if (settled) return;
          settle();
          subscriber.next(body);
          subscriber.complete();
        },
        error: (error: unknown) => {
          if (settled) return;
          settle();
          subscriber.error(toOrdoError(error, jobId));
        },
        complete: () => {
          if (settled) return;
          settle();
          subscriber.error(new OrdoNetworkError(`The transport completed without a body for job ${jobId}`, { jobId }));
        },
      });
    } catch (error) {
      settle();
      subscriber.error(toOrdoError(error, jobId));
      return undefined;
    }
    return () => {
      timeout?.unsubscribe();
      subscription?.unsubscribe();
      if (!settled) controller?.abort();
    };
  });
}
