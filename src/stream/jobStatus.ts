import { map, type Observable } from 'rxjs';
import type { JobId } from '../schema/jobId.js';
import type { JobSnapshot } from '../schema/types.js';
import { jobObservations$ } from './jobObservations.js';
import type { WatchOptions } from './watchOptions.js';

/**
 * Polls a job and emits each distinct validated snapshot; completes right after the terminal one
 * (`success`, `failed` or `partial`). Cold: each subscription polls on its own.
 *
 * - The first request starts at subscription (on the scheduler); each next one `intervalMs`
 *   after the previous answer, so requests never overlap and a slow answer is never cancelled.
 * - A snapshot whose content equals the previous one is not emitted.
 * - Every snapshot is checked against the lifecycle machines, the first one against `pending`.
 * - Unsubscribing aborts the request in flight and leaves no timer.
 *
 * @param id - the job id (`42` and `"42"` are the same job).
 * @param options - {@link WatchOptions}; `transport` is required here (`createOrdoClient` supplies it).
 * @returns a cold `Observable<JobSnapshot>`.
 * @throws TypeError at call time for an invalid id or option. The stream errors with
 *   {@link OrdoHttpError} (and subclasses), {@link OrdoNetworkError}, {@link OrdoSchemaError},
 *   {@link OrdoIllegalTransitionError}, {@link OrdoTimeoutError}, or the signal's reason.
 * @example
 * ```ts
 * jobStatus$(42, { transport, intervalMs: 5000 }).subscribe((s) => console.log(s.job.status, s.progress.fraction));
 * ```
 * @see {@link jobObservations$} for each snapshot with its events; docs/ordo-server.md, "Routes".
 */
export function jobStatus$(id: JobId, options: WatchOptions): Observable<JobSnapshot> {
  return jobObservations$(id, options).pipe(map((observation) => observation.snapshot));
}
