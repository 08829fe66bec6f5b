import { mergeMap, type Observable } from 'rxjs';
import type { JobEvent } from '../machine/jobEvent.js';
import type { JobId } from '../schema/jobId.js';
import { watchJob } from './watchJob.js';
import type { WatchOptions } from './watchOptions.js';

/**
 * Polls a job like {@link jobStatus$} and emits its transition events: job and step status
 * changes, with the states a poll missed filled in from the shortest legal path and marked
 * `inferred: true`. Completes after the events of the terminal snapshot. A subscriber who comes
 * late (even after the job ended) gets the complete legal path from `pending`.
 *
 * Order within one snapshot: job transitions into non-terminal states, step transitions in the
 * server's step order, job transitions into terminal states. A snapshot with an illegal change
 * emits none of its events; the stream errors with {@link OrdoIllegalTransitionError}.
 *
 * @param id - the job id.
 * @param options - {@link WatchOptions}; `transport` is required here.
 * @returns a cold `Observable<JobEvent>`.
 * @throws TypeError at call time for an invalid id or option; stream errors as {@link jobStatus$}.
 * @example
 * ```ts
 * jobEvents$(42, { transport }).pipe(filter((e) => e.type === 'step' && e.to === 'failed'))
 *   .subscribe((e) => alert(`${e.stepId} failed`));
 * ```
 * @see design.md, "Lifecycles (the machines)" and "Streams".
 */
export function jobEvents$(id: JobId, options: WatchOptions): Observable<JobEvent> {
  return watchJob(id, options).pipe(mergeMap((observation) => observation.events));
}
