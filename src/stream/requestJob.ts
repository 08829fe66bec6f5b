import type { Observable, SchedulerLike } from 'rxjs';
import { OrdoNetworkError } from '../errors/OrdoNetworkError.js';
import { toOrdoError } from '../errors/toOrdoError.js';
import type { JobSnapshot } from '../schema/types.js';
import type { JobTransport } from '../transport/types.js';
import { oneAnswer } from './oneAnswer.js';
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
  return oneAnswer((context) => transport(jobId, context), {
    timeoutMs: options.timeoutMs,
    scheduler: options.scheduler,
    timeoutError: () =>
      requestTimeoutError(jobId, options.timeoutMs as number, options.lastSnapshot?.() ?? null, options.stats?.() ?? { requests: 1, failures: 0 }),
    failure: (error) => toOrdoError(error, jobId),
    empty: () => new OrdoNetworkError(`The transport completed without a body for job ${jobId}`, { jobId }),
  });
}
