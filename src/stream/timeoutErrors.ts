import { OrdoTimeoutError } from '../errors/OrdoTimeoutError.js';
import type { JobSnapshot } from '../schema/types.js';
import type { PollStats } from './pollState.js';

/**
 * The two timeouts of a watch, as {@link OrdoTimeoutError}s built in one place each: one request
 * without an answer (`requestTimeoutMs`, scope `'request'`, retried) and the whole watch's
 * deadline (`timeoutMs`, scope `'watch'`, final). Used by the standalone streams and the
 * client's engine alike.
 */

/** One request got no answer in time (`requestTimeoutMs`, scope `'request'`; retried), counted as of the timeout. */
export function requestTimeoutError(
  jobId: string,
  timeoutMs: number,
  lastSnapshot: JobSnapshot | null,
  counts: { readonly requests: number; readonly failures: number },
): OrdoTimeoutError {
  return new OrdoTimeoutError(`No answer for job ${jobId} within ${timeoutMs} ms`, { jobId, timeoutMs, scope: 'request', lastSnapshot, ...counts });
}

/** The whole watch's deadline ran out (`timeoutMs`, scope `'watch'`), with the last snapshot and the counts. */
export function watchTimeoutError(jobId: string, timeoutMs: number, stats: PollStats): OrdoTimeoutError {
  const { last, requests, failures } = stats;
  return new OrdoTimeoutError(
    `Job ${jobId} did not finish within ${timeoutMs} ms` +
      (last ? ` (last seen ${last.job.status}, ${Math.round(last.progress.fraction * 100)}%)` : ' (no answer yet)'),
    { jobId, lastSnapshot: last ?? null, timeoutMs, scope: 'watch', requests, failures },
  );
}
