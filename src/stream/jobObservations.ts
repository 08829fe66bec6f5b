import type { Observable } from 'rxjs';
import type { JobEvent } from '../machine/jobEvent.js';
import type { JobId } from '../schema/jobId.js';
import type { JobSnapshot } from '../schema/types.js';
import { watchJob } from './watchJob.js';
import type { WatchOptions } from './watchOptions.js';

/**
 * One distinct snapshot of a job together with the transition events it brought: what
 * {@link jobObservations$} emits, and what {@link jobStatus$} (the snapshots) and
 * {@link jobEvents$} (the events, one by one) are made of.
 *
 * Checkpointing: handle the events, then store the snapshot (`JSON.stringify(snapshot)`; restore
 * it with `jobSnapshotFromJSON` and pass it as `resumeFrom`). A stored snapshot then never claims
 * an event that was not handled: a crash in between repeats this snapshot's events after the
 * restart (at least once) and skips none.
 *
 * @example
 * ```ts
 * for await (const { snapshot, events } of eachValueFrom(ordo.jobObservations$(42, { resumeFrom }))) {
 *   for (const event of events) await handle(event);
 *   await store(JSON.stringify(snapshot)); // after its events: the checkpoint claims only what was handled
 * }
 * ```
 */
export interface JobObservation {
  /** The validated snapshot; its content differs from the previous observation's. */
  readonly snapshot: JobSnapshot;
  /**
   * The transitions from the previous snapshot (or from `pending`, or from `resumeFrom`) to this
   * one, in the order they happened (see docs/lifecycles.md, "Order of events within one
   * snapshot"); each carries this `snapshot`. Empty when only other fields changed (progress, a
   * step's `attempt`, outputs, timestamps).
   */
  readonly events: readonly JobEvent[];
}

/**
 * Polls a job like {@link jobStatus$} and emits each distinct snapshot together with the
 * transition events it brought (`{ snapshot, events }`, see {@link JobObservation}); completes
 * right after the terminal snapshot. Cold: each subscription polls on its own.
 *
 * - `events` may be empty: a snapshot whose statuses did not change (progress moved, an attempt
 *   began) is still emitted, with no events.
 * - The first snapshot's events are the whole legal path from `pending`; with `resumeFrom`, only
 *   the changes after the stored snapshot are emitted (an answer equal to it emits nothing, a
 *   stored terminal snapshot completes at once with no request).
 * - A snapshot with an illegal change emits nothing; the stream errors with
 *   {@link OrdoIllegalTransitionError} (or skips it, with `onIllegalTransition: 'skip'`).
 *
 * This is the stream for pipelines that keep a checkpoint: handle `events`, then store
 * `snapshot`.
 *
 * @param id - the job id (`42` and `"42"` are the same job).
 * @param options - {@link WatchOptions}; `transport` is required here (`createOrdoClient`
 *   supplies it: `client.jobObservations$(id)`).
 * @returns a cold `Observable<JobObservation>`.
 * @throws TypeError at call time for an invalid id or option, or a `resumeFrom` of another job.
 *   The stream errors as {@link jobStatus$} does: {@link OrdoHttpError} (and subclasses),
 *   {@link OrdoNetworkError}, {@link OrdoSchemaError}, {@link OrdoIllegalTransitionError},
 *   {@link OrdoTimeoutError}, or the signal's reason.
 * @example
 * ```ts
 * jobObservations$(42, { transport }).subscribe(({ snapshot, events }) => {
 *   for (const event of events) console.log(event.type === 'step' ? event.stepId : 'job', event.from, '→', event.to);
 *   console.log(`${Math.round(snapshot.progress.fraction * 100)}%`);
 * });
 * ```
 * @see docs/node.md, "Checkpoints: at least once".
 */
export function jobObservations$(id: JobId, options: WatchOptions): Observable<JobObservation> {
  return watchJob(id, options);
}
