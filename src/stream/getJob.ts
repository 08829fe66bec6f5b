import { firstValueFrom, type SchedulerLike } from 'rxjs';
import { normalizeJobId, type JobId } from '../schema/jobId.js';
import { parseJobSnapshot } from '../schema/parseJobSnapshot.js';
import { checkStatusAliases, type StatusAliases } from '../schema/statusAliases.js';
import type { JobSnapshot } from '../schema/types.js';
import type { JobTransport } from '../transport/types.js';
import { abortWith } from './abortWith.js';
import { requestJob } from './requestJob.js';
import { checkDuration } from './duration.js';
import { defaultWatchOptions } from './watchOptions.js';

/** Options of {@link getJob}. */
export interface GetJobOptions {
  /** Fetches one job status body. */
  transport: JobTransport;
  /** Aborts the request; the promise rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** No answer within this many milliseconds aborts the request: `OrdoTimeoutError`. @defaultValue 30000 */
  requestTimeoutMs?: number | undefined;
  /** The clock of `requestTimeoutMs`. @defaultValue `asyncScheduler` */
  scheduler?: SchedulerLike | undefined;
  /**
   * A deployment's own status words, e.g. `{ completed: 'success' }`, mapped before validation:
   * see {@link StatusAliases} and the watch option of the same name.
   * @defaultValue no words mapped
   */
  statusAliases?: StatusAliases | undefined;
}

/**
 * Fetches a job once (one request, no polling) and validates it.
 *
 * @param id - the job id: a positive whole number, `42` or `"42"` (see {@link normalizeJobId}).
 * @param options - `transport` (required), `signal`.
 * @returns the validated snapshot.
 * @throws (rejects with) {@link OrdoHttpError} and its subclasses, {@link OrdoNetworkError},
 *   {@link OrdoSchemaError} (including a body for another job), {@link OrdoTimeoutError} (no
 *   answer within `requestTimeoutMs`), a `TypeError` for an invalid id or option, or the signal's
 *   reason.
 * @example
 * ```ts
 * const snapshot = await getJob(42, { transport });
 * ```
 */
export async function getJob(id: JobId, options: GetJobOptions): Promise<JobSnapshot> {
  const jobId = normalizeJobId(id);
  if (options === null || typeof options !== 'object' || typeof options.transport !== 'function') {
    throw new TypeError('getJob needs options with a transport function');
  }
  checkDuration('requestTimeoutMs', options.requestTimeoutMs);
  const statusAliases = checkStatusAliases(options.statusAliases); // a bad one: no request
  const request = requestJob(options.transport, jobId, {
    timeoutMs: options.requestTimeoutMs ?? defaultWatchOptions.requestTimeoutMs,
    scheduler: options.scheduler ?? defaultWatchOptions.scheduler,
  });
  const body = await firstValueFrom(request.pipe(abortWith(options.signal)));
  return parseJobSnapshot(body, { jobId, statusAliases });
}
