import { defer, filter, map, repeat, switchMap, takeUntil, takeWhile, timer, type Observable } from 'rxjs';
import { OrdoTimeoutError } from '../errors/OrdoTimeoutError.js';
import type { JobEvent } from '../machine/jobEvent.js';
import { createJobLifecycle } from '../machine/jobLifecycle.js';
import { normalizeJobId, type JobId } from '../schema/jobId.js';
import { parseJobSnapshot } from '../schema/parseJobSnapshot.js';
import { isTerminalJobStatus, type JobSnapshot } from '../schema/types.js';
import { abortWith } from './abortWith.js';
import { jsonEqual } from './jsonEqual.js';
import { requestJob } from './requestJob.js';
import { resolveWatchOptions, type WatchOptions } from './watchOptions.js';

/** One accepted snapshot and the transition events it caused. */
export interface JobObservation {
  readonly snapshot: JobSnapshot;
  readonly events: readonly JobEvent[];
}

/**
 * The polling core shared by `jobStatus$` and `jobEvents$`.
 *
 * Each poll is `timer(delay)` then `switchMap` to one request: the timer emits once, so the
 * switch never cancels a request, however slow; `repeat()` starts the next cycle only after the
 * answer, with `delay` = `intervalMs` (0 for the first poll). Answers are validated into
 * snapshots, those equal in content to the previous one are dropped, each is checked by the
 * job's lifecycle (an illegal change errors), and `takeWhile(…, true)` ends the stream right
 * after the terminal snapshot, so a job already terminal costs one request.
 */
export function watchJob(id: JobId, options: WatchOptions): Observable<JobObservation> {
  const jobId = normalizeJobId(id);
  const { transport, intervalMs, scheduler, signal, timeoutMs, requestTimeoutMs } = resolveWatchOptions(options);

  return defer(() => {
    const lifecycle = createJobLifecycle();
    let polls = 0;
    let previous: JobSnapshot | undefined;

    const observations = defer(() => timer(polls++ === 0 ? 0 : intervalMs, scheduler)).pipe(
      switchMap(() => requestJob(transport, jobId, { timeoutMs: requestTimeoutMs, scheduler, lastSnapshot: () => previous ?? null })),
      repeat(),
      map((body) => parseJobSnapshot(body, { jobId })),
      filter((snapshot) => previous === undefined || !jsonEqual(previous.raw, snapshot.raw)),
      map((snapshot): JobObservation => {
        const events = lifecycle.observe(snapshot);
        previous = snapshot;
        return { snapshot, events };
      }),
      takeWhile(({ snapshot }) => !isTerminalJobStatus(snapshot.job.status), true),
    );
    if (timeoutMs === undefined) return observations;
    const deadlineMs = timeoutMs;
    const deadline = timer(deadlineMs, scheduler).pipe(
      map(() => {
        throw new OrdoTimeoutError(
          `Job ${jobId} did not finish within ${deadlineMs} ms` +
            (previous ? ` (last seen ${previous.job.status}, ${Math.round(previous.progress.fraction * 100)}%)` : ' (no answer yet)'),
          { jobId, lastSnapshot: previous ?? null, timeoutMs: deadlineMs },
        );
      }),
    );
    return observations.pipe(takeUntil(deadline));
  }).pipe(abortWith(signal));
}
