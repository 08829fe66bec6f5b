import { mergeMap, type Observable } from 'rxjs';
import type { JobEvent } from '../machine/jobEvent.js';
import type { JobId } from '../schema/jobId.js';
import { jobObservations$ } from './jobObservations.js';
import type { WatchOptions } from './watchOptions.js';

/**
 * Polls a job like {@link jobStatus$} and emits its transition events: job and step status
 * changes, with the states a poll missed filled in from the shortest legal path and marked
 * `inferred: true`. Completes after the events of the terminal snapshot. A subscriber who comes
 * late (even after the job ended) gets the complete legal path from `pending`.
 *
 * Order within one snapshot: job transitions into non-terminal states, then step transitions in
 * the order they happened (by the step's `startedAt` / `finishedAt`; an inferred transition just
 * before the observed one it leads to; unknown times last; ties in the server's step order), then
 * job transitions into terminal states: a step that finished comes before its dependent that
 * started in the same poll. A snapshot with an illegal change emits none of its events; the
 * stream errors with {@link OrdoIllegalTransitionError}.
 *
 * @param id - the job id: a positive whole number, `42` or `"42"` (see {@link normalizeJobId}).
 * @param options - {@link WatchOptions}; `transport` is required here.
 * @returns a cold `Observable<JobEvent>`.
 * @throws TypeError at call time, before any request, for an invalid id (`"abc"`, `0`, `1.5`:
 *   "a job id is a positive whole number such as 42") or option; stream errors as {@link jobStatus$}.
 * @example
 * ```ts
 * jobEvents$(42, { transport }).pipe(filter((e) => e.type === 'step' && e.to === 'failed'))
 *   .subscribe((e) => alert(`${e.stepId} failed`));
 * ```
 * @see docs/lifecycles.md, "Order of events within one snapshot".
 */
export function jobEvents$(id: JobId, options: WatchOptions): Observable<JobEvent> {
  return jobObservations$(id, options).pipe(mergeMap((observation) => observation.events));
}
