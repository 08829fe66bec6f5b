import {
  catchError,
  defer,
  EMPTY,
  filter,
  finalize,
  map,
  Observable,
  race,
  repeat,
  switchMap,
  takeUntil,
  takeWhile,
  timer,
  type MonoTypeOperatorFunction,
  type SchedulerLike,
} from 'rxjs';
import { OrdoIllegalTransitionError } from '../errors/OrdoIllegalTransitionError.js';
import { OrdoNotFoundError } from '../errors/OrdoNotFoundError.js';
import { OrdoTimeoutError } from '../errors/OrdoTimeoutError.js';
import type { JobEvent } from '../machine/jobEvent.js';
import { createJobLifecycle } from '../machine/jobLifecycle.js';
import { normalizeJobId, type JobId } from '../schema/jobId.js';
import { parseJobSnapshot } from '../schema/parseJobSnapshot.js';
import { isTerminalJobStatus, type JobSnapshot } from '../schema/types.js';
import { abortWith } from './abortWith.js';
import { checkDuration } from './duration.js';
import { jsonEqual } from '../schema/jsonEqual.js';
import { requestJob, toOrdoError } from './requestJob.js';
import { isTransientFailure, retryDelayMs } from './retryPolicy.js';
import { documentVisibility, resolveWatchOptions, resumeSnapshotFor, type ResolvedWatchOptions, type VisibilitySource, type WatchOptions } from './watchOptions.js';

/** One accepted snapshot and the transition events it caused. */
export interface JobObservation {
  readonly snapshot: JobSnapshot;
  readonly events: readonly JobEvent[];
}

/** Counts a poll keeps, for the errors that report them. */
export interface PollStats {
  requests: number;
  failures: number;
  last: JobSnapshot | undefined;
}

/** True when a snapshot parsed against `previous` reused all of its parts and has the same progress. */
function sameParts(previous: JobSnapshot, next: JobSnapshot): boolean {
  if (previous.job !== next.job || previous.durationMs !== next.durationMs) return false;
  if (previous.steps.length !== next.steps.length || previous.outputs.length !== next.outputs.length) return false;
  const [a, b] = [previous.progress, next.progress];
  if (a.fraction !== b.fraction || a.completedSteps !== b.completedSteps || a.totalSteps !== b.totalSteps) return false;
  return previous.steps.every((step, index) => step === next.steps[index]) && previous.outputs.every((output, index) => output === next.outputs[index]);
}

/**
 * The polling core: one job, validated snapshots and their events, the retry policy; no
 * deadline and no caller's signal (those belong to each subscriber).
 *
 * Each cycle is `timer(delay)` then `switchMap` to one request: the timer emits once, so the
 * switch never cancels a request, however slow; `repeat()` starts the next cycle only after the
 * answer. `delay` is 0 for the first request, the interval after a good answer, and the retry
 * policy's delay (backoff or `Retry-After`) after a transient failure; all three run on the same
 * scheduler. A good answer is validated into a snapshot; one equal in content to the previous is
 * dropped (without parsing when the transport hands back the previous body itself); each is
 * checked by the job's lifecycle. `takeWhile(…, true)` ends the stream right after the terminal
 * snapshot, so a job already terminal costs one request.
 */
export function pollJob(jobId: string, settings: ResolvedWatchOptions, stats: PollStats): Observable<JobObservation> {
  const { transport, intervalMs, scheduler, requestTimeoutMs, retry, onRetry } = settings;
  const { resumeFrom } = settings; // checked against the job by watchJob
  return defer(() => {
    if (resumeFrom) stats.last = resumeFrom;
    // A stored terminal snapshot: nothing can change any more (terminal statuses are final).
    if (resumeFrom && isTerminalJobStatus(resumeFrom.job.status)) return EMPTY;
    const lifecycle = createJobLifecycle({ resumeFrom });
    const startedAt = scheduler.now();
    let delay = 0;
    let consecutiveFailures = 0;
    let unchangedPolls = 0;
    let previous: JobSnapshot | undefined = resumeFrom;

    /** The wait after a good answer: the interval, or what the interval function says. */
    const cadence = (): number => {
      if (typeof intervalMs === 'number') return intervalMs;
      const next = intervalMs({ unchangedPolls, snapshot: previous });
      checkDuration('intervalMs() result', next);
      return next;
    };

    /** A good answer: reset the failure count and go back to the polling cadence. */
    const accept = (body: unknown): JobObservation | undefined => {
      // The transport hands back the previous body itself when nothing changed (a 304, the same
      // ETag, a byte-identical body): no parsing, no validation, no emission. Otherwise the body
      // is parsed against the previous snapshot (only what changed is validated and built again);
      // when every part came out the same, a last comparison of the whole body (unknown fields
      // included) says whether anything changed at all.
      const snapshot = previous !== undefined && body === previous.raw ? undefined : parseJobSnapshot(body, { jobId, previous });
      if (snapshot === undefined || (previous !== undefined && sameParts(previous, snapshot) && jsonEqual(previous.raw, snapshot.raw))) {
        consecutiveFailures = 0;
        unchangedPolls += 1;
        return undefined;
      }
      // Throws for an illegal change: then this answer was no good one and resets nothing.
      const events = lifecycle.observe(snapshot);
      consecutiveFailures = 0;
      previous = snapshot;
      stats.last = snapshot;
      unchangedPolls = 0;
      return { snapshot, events };
    };

    const transient = (error: unknown): boolean =>
      isTransientFailure(error) || (error instanceof OrdoIllegalTransitionError && settings.onIllegalTransition === 'skip');
    /** A job just submitted may not be visible yet: 404s are retried until the grace period ends, whatever the retry limit. */
    const inGrace = (error: unknown): boolean =>
      error instanceof OrdoNotFoundError && scheduler.now() - startedAt < settings.notFoundGraceMs;

    /** A failed request: retry it after the policy's delay, or end the watch with the error. */
    const recover = (caught: unknown): Observable<never> => {
      const error = toOrdoError(caught, jobId);
      stats.failures += 1;
      consecutiveFailures += 1;
      const grace = inGrace(error);
      if (!grace && (!transient(error) || consecutiveFailures > retry.maxRetries)) throw error;
      delay = retryDelayMs(consecutiveFailures, error, retry);
      try {
        onRetry?.({ attempt: consecutiveFailures, maxRetries: grace ? Math.max(retry.maxRetries, consecutiveFailures) : retry.maxRetries, delayMs: delay, error });
      } catch {
        // A failing observer (a logger) must not end a watch that can carry on.
      }
      return EMPTY;
    };

    // Page visibility, looked up when the watch starts (never at import: no page in Node).
    const visibility = settings.whenHidden === 'poll' ? undefined : (settings.visibility ?? documentVisibility());
    let answeredAt: number | undefined;
    /**
     * The page was shown again: poll then, but never sooner than one interval after the answer
     * (a tab flickering hidden and back must not cause a burst).
     */
    const shown = (source: VisibilitySource) =>
      new Observable<void>((subscriber) => {
        const stop: unknown = source.onChange(() => {
          try {
            if (!source.isHidden()) {
              subscriber.next();
              subscriber.complete();
            }
          } catch (error) {
            subscriber.error(error);
          }
        });
        if (typeof stop !== 'function') throw new TypeError('Invalid visibility: onChange(listener) must return a function that stops listening');
        return () => {
          try {
            stop();
          } catch {
            // A source that cannot stop listening: nothing more this watch can do about it.
          }
        };
      }).pipe(switchMap(() => timer(Math.max(0, (answeredAt ?? 0) + delay - scheduler.now()), scheduler)));
    /** The wait before the next request: the delay, or, after a good answer on a hidden page, until shown (or the hidden interval). */
    const wait = (): Observable<unknown> => {
      if (answeredAt === undefined || !visibility || !visibility.isHidden()) return timer(delay, scheduler);
      const whenHidden = settings.whenHidden;
      return whenHidden === 'pause' ? shown(visibility) : race(timer(typeof whenHidden === 'object' ? whenHidden.intervalMs : delay, scheduler), shown(visibility));
    };

    // Let the transport keep its conditional-request memory of this job while the watch runs.
    const release = transport.track?.(jobId);
    return defer(wait).pipe(
      switchMap(() => {
        answeredAt = undefined;
        stats.requests += 1;
        return requestJob(transport, jobId, {
          timeoutMs: requestTimeoutMs,
          scheduler,
          lastSnapshot: () => previous ?? null,
          // Counted as of the timeout, the failing request included.
          stats: () => ({ requests: stats.requests, failures: stats.failures + 1 }),
        }).pipe(
          map(accept),
          catchError(recover),
          // Only good answers get here (a failure set its own delay): back to the cadence. An
          // interval function that fails ends the watch; it is no failure of the request.
          map((observation) => {
            if (!observation || !isTerminalJobStatus(observation.snapshot.job.status)) delay = cadence();
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
            const { last, requests, failures } = stats();
            throw new OrdoTimeoutError(
              `Job ${jobId} did not finish within ${timeoutMs} ms` +
                (last ? ` (last seen ${last.job.status}, ${Math.round(last.progress.fraction * 100)}%)` : ' (no answer yet)'),
              { jobId, lastSnapshot: last ?? null, timeoutMs, scope: 'watch', requests, failures },
            );
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
    const stats: PollStats = { requests: 0, failures: 0, last: undefined };
    return pollJob(jobId, settings, stats).pipe(watchDeadline(settings.timeoutMs, settings.scheduler, jobId, () => stats));
  }).pipe(abortWith(settings.signal));
}
