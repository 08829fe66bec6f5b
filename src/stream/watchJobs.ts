import { catchError, concat, defer, EMPTY, from, map, mergeMap, of, type Observable } from 'rxjs';
import { isTerminalJobStatus } from '../machine/terminal.js';
import { normalizeJobId, type JobId } from '../schema/jobId.js';
import type { JobSnapshot } from '../schema/types.js';
import { abortWith } from './abortWith.js';
import { jobObservations$, type JobObservation } from './jobObservations.js';
import { resolveWatchOptions, type WatchOptions } from './watchOptions.js';

/** A {@link watchJobs$} update: one job's {@link JobObservation}, with its id. */
export interface JobObservationUpdate extends JobObservation {
  readonly type: 'observation';
  /** The job's id, normalised (`"42"`). */
  readonly jobId: string;
}

/**
 * A {@link watchJobs$} update: the error that ended one job's watch. It is that job's last
 * update; the other jobs go on.
 */
export interface JobErrorUpdate {
  readonly type: 'error';
  /** The job's id, normalised (`"42"`). */
  readonly jobId: string;
  /**
   * Why the watch of this job ended: an `OrdoError` ({@link OrdoNotFoundError},
   * {@link OrdoSchemaError}, {@link OrdoIllegalTransitionError}, {@link OrdoTimeoutError}, …,
   * each with its `code`), a `TypeError` (a `resumeFrom` of another job), or what a
   * `resumeFrom` function threw.
   */
  readonly error: unknown;
}

/**
 * What {@link watchJobs$} emits, discriminated by `type`. Each job's updates end with exactly one
 * outcome: an `'observation'` whose snapshot is terminal (`success`, `failed`, `partial`), or an
 * `'error'`.
 */
export type JobUpdate = JobObservationUpdate | JobErrorUpdate;

/** Options of {@link watchJobs$}: {@link WatchOptions} for every job, and where each job resumes from. */
export interface WatchJobsOptions extends Omit<WatchOptions, 'resumeFrom'> {
  /**
   * The stored snapshot each job resumes from (see {@link WatchOptions.resumeFrom}), asked once
   * per job when the stream is subscribed; `undefined` starts that job from `pending`. What it
   * throws, or a snapshot of another job, is that job's `'error'` update; the others go on.
   * @defaultValue every job starts from `pending`
   */
  resumeFrom?: ((jobId: string) => JobSnapshot | undefined) | undefined;
}

/**
 * The distinct, normalised ids of a list, in their first order.
 * @throws TypeError for something that is not an iterable of ids (a string is not a list), or an
 *   invalid id (naming its position).
 */
export function distinctJobIds(ids: Iterable<JobId>): readonly string[] {
  if (ids === null || typeof ids !== 'object' || typeof (ids as Partial<Iterable<JobId>>)[Symbol.iterator] !== 'function') {
    throw new TypeError('Invalid ids: expected an array (or another iterable) of job ids, such as [41, 42]');
  }
  const distinct = new Set<string>();
  let index = 0;
  for (const id of ids) {
    try {
      distinct.add(normalizeJobId(id));
    } catch (error) {
      throw new TypeError(`${(error as Error).message} (ids[${index}])`, { cause: error });
    }
    index += 1;
  }
  return [...distinct];
}

/**
 * Checks a `resumeFrom` function.
 * @throws TypeError when it is given and not a function.
 */
export function checkResumeFromFunction(resumeFrom: unknown): WatchJobsOptions['resumeFrom'] {
  if (resumeFrom !== undefined && typeof resumeFrom !== 'function') {
    throw new TypeError('Invalid resumeFrom: watchJobs$ takes a function (jobId) => stored snapshot or undefined');
  }
  return resumeFrom as WatchJobsOptions['resumeFrom'];
}

/**
 * The updates of several jobs, each watched by `observe`: the core of the standalone and the
 * client's `watchJobs$`. One job's error is its last update; the signal's abort ends them all.
 */
export function mergeJobUpdates(
  jobIds: readonly string[],
  resumeFrom: WatchJobsOptions['resumeFrom'],
  signal: AbortSignal | undefined,
  observe: (jobId: string, resumeFrom: JobSnapshot | undefined) => Observable<JobObservation>,
): Observable<JobUpdate> {
  const updatesOf = (jobId: string): Observable<JobUpdate> =>
    defer(() => {
      const resumed = resumeFrom?.(jobId);
      // Checks the stored snapshot (a TypeError for another job's) even when it is terminal.
      const observations = observe(jobId, resumed).pipe(map(({ snapshot, events }): JobUpdate => ({ type: 'observation', jobId, snapshot, events })));
      // A stored terminal snapshot means no request: it is the job's outcome, with no new events.
      const outcome = resumed && isTerminalJobStatus(resumed.job.status) ? of<JobUpdate>({ type: 'observation', jobId, snapshot: resumed, events: [] }) : EMPTY;
      return concat(observations, outcome);
    }).pipe(
      catchError((error: unknown) => {
        // Stopping the whole watch is not one job's outcome.
        if (signal?.aborted && error === signal.reason) throw error;
        return of<JobUpdate>({ type: 'error', jobId, error });
      }),
    );
  return from(jobIds).pipe(mergeMap(updatesOf), abortWith(signal));
}

/**
 * Watches several jobs at once and merges their updates into one stream, for pipelines: each
 * job's observations (`{ type: 'observation', jobId, snapshot, events }`, as
 * {@link jobObservations$} emits them), and, when a job's watch fails (not found, a schema error,
 * an illegal transition, its `timeoutMs`…), that job's error (`{ type: 'error', jobId, error }`):
 * the other jobs keep going. Completes when every job has ended. Cold.
 *
 * - Each job's updates end with exactly one outcome: a terminal snapshot, or an error. A job
 *   resumed from a stored terminal snapshot sends no request and emits that snapshot once, with
 *   no events (nothing happened since).
 * - Ids are normalised (`42` and `"42"` are the same job) and duplicates are dropped: each job is
 *   watched once, in the order first given. An empty list completes at once.
 * - `timeoutMs` is a deadline for each job alone (its `'error'`); `signal` stops every job: the
 *   stream errors with the signal's reason. Unsubscribing stops every poll.
 * - Updates of one job come in their order; updates of different jobs interleave as their
 *   answers arrive.
 *
 * @param ids - the job ids: an array or other iterable (a `Set`).
 * @param options - {@link WatchJobsOptions}: {@link WatchOptions} for every job (`transport` is
 *   required here; `createOrdoClient` supplies it: `client.watchJobs$(ids)`), and `resumeFrom` as a
 *   function of the job id.
 * @returns a cold `Observable<JobUpdate>`.
 * @throws TypeError at call time for ids that are not an iterable of valid job ids, or an invalid
 *   option. The stream itself errors only with the signal's reason.
 * @example
 * ```ts
 * watchJobs$([41, 42, 43], { transport }).subscribe((update) => {
 *   if (update.type === 'error') console.error(`job ${update.jobId}:`, update.error);
 *   else for (const event of update.events) console.log(update.jobId, event.from, '→', event.to);
 * });
 * ```
 * @see docs/node.md, "Many jobs".
 */
export function watchJobs$(ids: Iterable<JobId>, options: WatchJobsOptions): Observable<JobUpdate> {
  const jobIds = distinctJobIds(ids);
  if (options === null || typeof options !== 'object') resolveWatchOptions(options); // throws its TypeError
  const { resumeFrom, signal, ...watch } = options;
  checkResumeFromFunction(resumeFrom);
  resolveWatchOptions({ ...watch, signal }); // a bad option is a TypeError now, not one error per job
  return mergeJobUpdates(jobIds, resumeFrom, signal, (jobId, resumed) => jobObservations$(jobId, { ...watch, resumeFrom: resumed }));
}
