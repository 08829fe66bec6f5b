import { lastValueFrom, map, type Observable } from 'rxjs';
import { OrdoJobFailedError } from '../errors/OrdoJobFailedError.js';
import type { JobEvent } from '../machine/jobEvent.js';
import type { JobId } from '../schema/jobId.js';
import type { JobSnapshot } from '../schema/types.js';
import { jobObservations$, type JobObservation } from './jobObservations.js';
import type { WatchOptions } from './watchOptions.js';

/** Options of {@link waitForJob}: {@link WatchOptions} and a callback for each snapshot. */
export interface WaitForJobOptions extends WatchOptions {
  /**
   * Called with each distinct snapshot and the transition events it brought (as
   * {@link jobObservations$} emits them), in order, the terminal one included, before the promise
   * settles: progress for code without RxJS (like `onProgress` of Azure's `@azure/core-lro`).
   * Called synchronously as each answer is accepted; what it returns is ignored (a promise is not
   * awaited). A job resumed from a stored terminal snapshot calls it never.
   *
   * An error it throws ends the wait: polling stops (the request in flight is aborted, no timer
   * is left) and the promise rejects with that very error. (Unlike `onRetry`, whose errors are
   * ignored: a failing progress handler is the caller's own failure, and is not hidden.)
   * @defaultValue none
   */
  onSnapshot?: ((snapshot: JobSnapshot, events: readonly JobEvent[]) => void) | undefined;
}

/**
 * Polls a job until it ends and resolves with the terminal snapshot when it succeeded.
 *
 * @param id - the job id.
 * @param options - {@link WaitForJobOptions}; `transport` is required here. Use `timeoutMs` for a
 *   deadline, `signal` to give up, and `onSnapshot` to be told of each snapshot on the way.
 * @returns the terminal snapshot of a job that ended `success`.
 * @throws (rejects with) {@link OrdoJobFailedError} carrying the terminal snapshot when the job
 *   ended `failed` or `partial`; otherwise the errors of {@link jobStatus$}, a `TypeError` for an
 *   invalid id or option, the signal's reason, or what `onSnapshot` threw.
 * @example
 * ```ts
 * try {
 *   const done = await waitForJob(42, {
 *     transport,
 *     timeoutMs: 30 * 60_000,
 *     onSnapshot: (snapshot) => console.log(`${Math.round(snapshot.progress.fraction * 100)}%`),
 *   });
 * } catch (e) {
 *   if (e instanceof OrdoJobFailedError) console.error(e.snapshot.job.error);
 * }
 * ```
 * @see docs/ordo-server.md, "Statuses".
 */
export async function waitForJob(id: JobId, options: WaitForJobOptions): Promise<JobSnapshot> {
  const observations = jobObservations$(id, options); // checks the id and the watch options first
  return waitThrough(observations, options.resumeFrom, checkOnSnapshot(options.onSnapshot));
}

/**
 * Checks an `onSnapshot` option.
 * @throws TypeError when it is given and not a function.
 */
export function checkOnSnapshot(onSnapshot: unknown): WaitForJobOptions['onSnapshot'] {
  if (onSnapshot !== undefined && typeof onSnapshot !== 'function') throw new TypeError('Invalid onSnapshot: expected a function (snapshot, events) => void');
  return onSnapshot as WaitForJobOptions['onSnapshot'];
}

/**
 * Waits for the end of a watch: tells `onSnapshot` of each observation (an error it throws ends
 * the watch with that error), then settles with the terminal snapshot ({@link settleJob}). A watch
 * resumed from a stored terminal snapshot emits nothing: it settles with that snapshot.
 */
export async function waitThrough(
  observations: Observable<JobObservation>,
  resumed: JobSnapshot | undefined,
  onSnapshot: WaitForJobOptions['onSnapshot'],
): Promise<JobSnapshot> {
  const snapshots = observations.pipe(
    map(({ snapshot, events }) => {
      onSnapshot?.(snapshot, events);
      return snapshot;
    }),
  );
  return settleJob(await (resumed ? lastValueFrom(snapshots, { defaultValue: resumed }) : lastValueFrom(snapshots)));
}

/**
 * The terminal snapshot of a job that succeeded; an {@link OrdoJobFailedError} for `failed` and
 * `partial`.
 */
export function settleJob(snapshot: JobSnapshot): JobSnapshot {
  if (snapshot.job.status === 'success') return snapshot;
  const failed = snapshot.steps.filter((step) => step.status === 'failed').map((step) => step.stepId);
  const steps = failed.length > 0 ? ` (failed step${failed.length > 1 ? 's' : ''}: ${failed.join(', ')})` : '';
  const why = snapshot.job.error ? `: ${snapshot.job.error}` : '';
  throw new OrdoJobFailedError(`Job ${snapshot.job.id} ended ${snapshot.job.status}${steps}${why}`, {
    snapshot,
    jobId: snapshot.job.id,
  });
}
