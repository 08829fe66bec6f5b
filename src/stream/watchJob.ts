import { catchError, defer, EMPTY, filter, finalize, map, Observable, race, repeat, switchMap, takeUntil, takeWhile, timer, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { isTerminalJobStatus } from '../machine/terminal.js';
import { normalizeJobId, type JobId } from '../schema/jobId.js';
import { abortWith } from './abortWith.js';
import type { JobObservation } from './jobObservations.js';
import { watchTimeoutError } from './timeoutErrors.js';
import { acceptAnswer, createPollState, pollInterval, pollStats, recordFailure, recordRequest, tellRetry, type PollState, type PollStats } from './pollState.js';
import { requestJob } from './requestJob.js';
import { documentVisibility, whenShown, type VisibilitySource } from './visibility.js';
import { resolveWatchOptions, resumeSnapshotFor, type ResolvedWatchOptions, type WatchOptions } from './watchOptions.js';

/**
 * The polling core of the standalone streams: one job, validated snapshots and their events, the
 * retry policy; no deadline and no caller's signal (those belong to each subscriber). The state
 * is one {@link PollState} record, changed by the same functions as a client's engine uses.
 *
 * Each cycle is a wait (`timer(delay)`) then `switchMap` to one request: the timer emits once, so
 * the switch never cancels a request, however slow; `repeat()` starts the next cycle only after
 * the answer. `delay` is 0 for the first request, the interval after a good answer, and the retry
 * policy's delay (backoff or `Retry-After`) after a transient failure; all run on the same
 * scheduler. A good answer is validated into a snapshot; one equal in content to the previous is
 * dropped (without parsing when the transport hands back the previous body itself); each is
 * checked by the job's lifecycle. `takeWhile(…, true)` ends the stream right after the terminal
 * snapshot, so a job already terminal costs one request.
 */
export function pollJob(jobId: string, settings: ResolvedWatchOptions, onState?: (state: PollState) => void): Observable<JobObservation> {
  const { transport, scheduler, requestTimeoutMs, onRetry, resumeFrom } = settings; // resumeFrom is checked against the job by watchJob
  return defer(() => {
    // A stored terminal snapshot: nothing can change any more (terminal statuses are final).
    if (resumeFrom && isTerminalJobStatus(resumeFrom.job.status)) return EMPTY;
    const state = createPollState(jobId, scheduler.now(), resumeFrom);
    onState?.(state);
    let delay = 0;
    /** Scheduler time of the last good answer; `undefined` after a failure (its retry ignores visibility). */
    let answeredAt: number | undefined;

    /** A failed request: retry it after the policy's delay, or end the watch with the error. */
    const recover = (caught: unknown): Observable<never> => {
      const decision = recordFailure(state, caught, scheduler.now(), settings);
      if (!decision.retry) throw decision.error;
      delay = decision.info.delayMs;
      tellRetry(onRetry, decision.info);
      return EMPTY;
    };

    // Page visibility, looked up when the watch starts (never at import: no page in Node).
    const visibility = settings.whenHidden === 'poll' ? undefined : (settings.visibility ?? documentVisibility());
    /** While the page is hidden after a good answer: until shown (then one interval after the answer at the soonest), or the hidden interval. */
    const hiddenWait = (source: VisibilitySource, answered: number): Observable<unknown> => {
      const shown = new Observable<void>((subscriber) =>
        whenShown(
          source,
          () => {
            subscriber.next();
            subscriber.complete();
          },
          (error) => subscriber.error(error),
        ),
      ).pipe(switchMap(() => timer(Math.max(0, answered + delay - scheduler.now()), scheduler)));
      const { whenHidden } = settings;
      return typeof whenHidden === 'object' ? race(timer(Math.max(0, answered + whenHidden.intervalMs - scheduler.now()), scheduler), shown) : shown;
    };
    /** The wait before the next request: the delay; after a good answer, a hidden page (when the wait starts or ends) waits for {@link hiddenWait}. */
    const wait = (): Observable<unknown> => {
      const answered = answeredAt;
      if (answered === undefined || !visibility) return timer(delay, scheduler);
      if (visibility.isHidden()) return hiddenWait(visibility, answered);
      return timer(delay, scheduler).pipe(switchMap(() => (visibility.isHidden() ? hiddenWait(visibility, answered) : [0])));
    };

    // Let the transport keep its conditional-request memory of this job while the watch runs.
    const release = transport.track?.(jobId);
    return defer(wait).pipe(
      switchMap(() => {
        answeredAt = undefined;
        recordRequest(state);
        return requestJob(transport, jobId, {
          timeoutMs: requestTimeoutMs,
          scheduler,
          lastSnapshot: () => state.lifecycle.last ?? null,
          // Counted as of the timeout, the failing request included.
          stats: () => ({ requests: state.requests, failures: state.totalFailures + 1 }),
        }).pipe(
          map((body) => acceptAnswer(state, body, settings)),
          catchError(recover),
          // Only good answers get here (a failure set its own delay): back to the cadence. An
          // interval function that fails ends the watch; it is no failure of the request.
          map((observation) => {
            if (!observation || !isTerminalJobStatus(observation.snapshot.job.status)) delay = pollInterval(state, settings);
            answeredAt = scheduler.now();
            return observation;
          }),
        );
      }),
      repeat(),
      filter((observation): observation is JobObservation => observation !== undefined),
      takeWhile(({ snapshot }) => !isTerminalJobStatus(snapshot.job.status), true),
      finalize(() => release?.()),
    );
  });
}

/**
 * Ends a watch with an {@link OrdoTimeoutError} (scope `'watch'`) when `timeoutMs` runs out,
 * carrying the last snapshot and the poll's counts.
 */
export function watchDeadline<T>(
  timeoutMs: number | undefined,
  scheduler: SchedulerLike,
  jobId: string,
  stats: () => PollStats,
): MonoTypeOperatorFunction<T> {
  if (timeoutMs === undefined) return (source) => source;
  return (source) =>
    source.pipe(
      takeUntil(
        timer(timeoutMs, scheduler).pipe(
          map(() => {
            throw watchTimeoutError(jobId, timeoutMs, stats());
          }),
        ),
      ),
    );
}

/** A cold watch of one job: {@link pollJob} with the whole-watch deadline and the caller's signal. */
export function watchJob(id: JobId, options: WatchOptions): Observable<JobObservation> {
  const jobId = normalizeJobId(id);
  const settings = resolveWatchOptions(options);
  resumeSnapshotFor(jobId, settings); // a snapshot of another job is a TypeError now, not at subscription
  return defer(() => {
    let state: PollState | undefined;
    const stats = () => (state ? pollStats(state) : { requests: 0, failures: 0, last: settings.resumeFrom });
    return pollJob(jobId, settings, (created) => (state = created)).pipe(watchDeadline(settings.timeoutMs, settings.scheduler, jobId, stats));
  }).pipe(abortWith(settings.signal));
}
