import { firstValueFrom } from 'rxjs';
import { normalizeJobId, type JobId } from '../schema/jobId.js';
import { parseJobSnapshot } from '../schema/parseJobSnapshot.js';
import type { JobSnapshot } from '../schema/types.js';
import type { JobTransport } from '../transport/types.js';
import { abortWith } from './abortWith.js';
import { requestJob } from './requestJob.js';

/** Options of {@link getJob}. */
export interface GetJobOptions {
  /** Fetches one job status body. */
  transport: JobTransport;
  /** Aborts the request; the promise rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/**
 * Fetches a job once (one request, no polling) and validates it.
 *
 * @param id - the job id.
 * @param options - `transport` (required), `signal`.
 * @returns the validated snapshot.
 * @throws (rejects with) {@link OrdoHttpError} and its subclasses, {@link OrdoNetworkError},
 *   {@link OrdoSchemaError} (including a body for another job), a `TypeError` for an invalid id,
 *   or the signal's reason.
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
  const body = await firstValueFrom(requestJob(options.transport, jobId).pipe(abortWith(options.signal)));
  return parseJobSnapshot(body, { jobId });
}
