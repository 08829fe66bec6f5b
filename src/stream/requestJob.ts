import { from, Observable, type SchedulerLike } from 'rxjs';
import { OrdoNetworkError } from '../errors/OrdoNetworkError.js';
import { toOrdoError } from '../errors/toOrdoError.js';
import type { JobSnapshot } from '../schema/types.js';
import { bodyInput } from '../transport/bodyInput.js';
import type { JobTransport } from '../transport/types.js';
import { requestTimeoutError } from './timeoutErrors.js';

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
