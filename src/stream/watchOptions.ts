import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { jobStatuses, stepStatuses } from '../machine/statuses.js';
import { checkStatusAliases, type StatusAliases } from '../schema/statusAliases.js';
import type { JobSnapshot, JobStep } from '../schema/types.js';
import type { JobTransport } from '../transport/types.js';
import { checkDuration } from './duration.js';
import { resolveRetryOptions, type RetryInfo, type RetryOptions } from './retryPolicy.js';
import type { VisibilitySource } from './visibility.js';

/**
 * Options of `jobStatus$`, `jobEvents$` and `waitForJob`. All durations are milliseconds.
 *
 * Source: docs/api.md, "Streams".
 */
export interface WatchOptions {
  /** Fetches one job status body. `createOrdoClient` supplies one built on `fetch`. */
  transport: JobTransport;
  /**
   * Time from one answer to the next request, in milliseconds: a number, or a function of the
   * poll so far, called after each good answer (for example, to slow down while nothing changes:
   * `({ unchangedPolls }) => Math.min(30_000, 3000 * 2 ** unchangedPolls)`). The next request
   * starts one interval after the previous answer arrived, so requests never overlap and a slow
   * answer is never cancelled. At most 2,147,483,647 (larger timers fire at once in Node).
   * @defaultValue 3000 (the server documentation recommends polling every 3–5 s)
   */
  intervalMs?: number | IntervalFunction | undefined;
  /**
   * The RxJS scheduler for polling and deadlines: pass a `TestScheduler` (or use
   * `TestScheduler.run`) to test in virtual time.
   * @defaultValue `asyncScheduler`
   */
  scheduler?: SchedulerLike | undefined;
  /**
   * Stops the watch: the request in flight is aborted and the stream errors (the promise
   * rejects) with the signal's `reason`. Already aborted: no request is made.
   */
  signal?: AbortSignal | undefined;
  /**
   * Deadline for the whole watch in milliseconds, counted from subscription; running out is an
   * `OrdoTimeoutError` carrying the last snapshot.
   * @defaultValue no deadline
   */
  timeoutMs?: number | undefined;
  /**
   * Deadline for each request in milliseconds: a server that does not answer in time has its
   * request aborted; the failure is an `OrdoTimeoutError` (scope `'request'`), retried like
   * other transient failures.
   * @defaultValue 30000
   */
  requestTimeoutMs?: number | undefined;
  /**
   * How transient failures (network errors, request timeouts, and the HTTP statuses of
   * `retry.statusCodes`) are retried: within `maxElapsedMs` of the first failure of a run, at most `maxRetries` in
   * a row; a number is `maxRetries`; `0` turns retrying off. Backoff, `Retry-After`
   * and polling all run on `scheduler`.
   * @defaultValue `defaultRetryOptions` (exported by `ordo-status`): for 5 minutes from the first failure of a run, 1 s doubling to 30 s, jitter 0.5, `Retry-After` up to 5 min, the statuses of `defaultRetryOptions.statusCodes`
   */
  retry?: number | RetryOptions | undefined;
  /**
   * Called before each retry with the attempt, the delay before it, and the failure. An error
   * it throws is ignored: a failing logger must not end a watch.
   */
  onRetry?: ((info: RetryInfo) => void) | undefined;
  /**
   * What a snapshot that moves backwards does (a lagging replica or cache): `'error'` ends the
   * watch with `OrdoIllegalTransitionError`; `'skip'` drops it without emitting anything, counts
   * it as a transient failure and keeps polling.
   * @defaultValue 'error'
   */
  onIllegalTransition?: 'error' | 'skip' | undefined;
  /**
   * What polling does while the page is hidden (a background tab): `'pause'` sends no request
   * until the page is shown again, then one at once (not a burst: never sooner than one interval
   * after the last answer); `{ intervalMs }` polls at that slower interval and at once when
   * shown; `'poll'` ignores visibility. Visibility is checked when the wait ends, so a page hidden
   * at any moment of the interval sends nothing while hidden. Without a page (Node, server-side
   * rendering) nothing changes. Only the wait after a good answer is affected, not the retry
   * policy's.
   * @defaultValue 'pause'
   */
  whenHidden?: 'pause' | 'poll' | { intervalMs: number } | undefined;
  /**
   * Where page visibility comes from.
   * @defaultValue the page's `document` (`visibilityState`, `visibilitychange`), looked up when a watch starts, never at import
   */
  visibility?: VisibilitySource | undefined;
  /**
   * Resume from a snapshot stored earlier (before a restart; see `jobSnapshotFromJSON`): the
   * job's lifecycle starts from it instead of from `pending`, and it counts as already seen, so
   * only changes after it are emitted: a first answer equal to it emits nothing, and
   * `jobEvents$` emits only the transitions since (inferred where polls were missed). A stored
   * terminal snapshot ends the watch at once with no request (`waitForJob` settles with it). An
   * answer that goes backwards from it is an illegal transition (see `onIllegalTransition`).
   * @defaultValue start from `pending`
   */
  resumeFrom?: JobSnapshot | undefined;
  /**
   * A 404 within this many milliseconds after the watch started is retried (with the backoff,
   * and whatever `retry` says, `0` included): a job just submitted may not be visible yet
   * (replicas, caches). After it, a 404 ends the watch.
   * @defaultValue 0
   */
  notFoundGraceMs?: number | undefined;
  /**
   * A deployment's own status words and the statuses they mean, e.g. `{ completed: 'success' }`
   * for a deployment whose finalizer writes `completed`. A word maps onto a job's status when its
   * target is a job status, onto a step's when it is a step status (`completed: 'success'`: both;
   * `waiting: 'blocked'`: steps only). Mapped before validation: snapshots and events carry the
   * mapped status, `snapshot.raw` the body as received. A word neither known nor mapped stays an
   * `OrdoSchemaError` that names this option. See {@link StatusAliases}.
   * @throws TypeError (at call time) when it is not an object, a word is empty or already a
   *   status, or a target is not a job or step status.
   * @defaultValue no words mapped
   */
  statusAliases?: StatusAliases | undefined;
}

/** What an interval function is told after each good answer. */
export interface IntervalContext {
  /** Good answers in a row whose content did not change (0 right after a change). */
  readonly unchangedPolls: number;
  /** The latest snapshot, or `undefined` before the first. */
  readonly snapshot: JobSnapshot | undefined;
}

/** Computes the wait before the next request, in milliseconds. */
export type IntervalFunction = (context: IntervalContext) => number;

/** The defaults of {@link WatchOptions}. */
export const defaultWatchOptions = {
  intervalMs: 3000,
  scheduler: asyncScheduler as SchedulerLike,
  timeoutMs: undefined as number | undefined,
  requestTimeoutMs: 30_000,
  onIllegalTransition: 'error' as 'error' | 'skip',
  notFoundGraceMs: 0,
  whenHidden: 'pause' as const,
} as const;

/** {@link WatchOptions} with the defaults filled in. */
export interface ResolvedWatchOptions {
  readonly transport: JobTransport;
  readonly intervalMs: number | IntervalFunction;
  readonly scheduler: SchedulerLike;
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number | undefined;
  readonly requestTimeoutMs: number;
  readonly retry: Readonly<Required<RetryOptions>>;
  readonly onRetry: ((info: RetryInfo) => void) | undefined;
  readonly onIllegalTransition: 'error' | 'skip';
  readonly notFoundGraceMs: number;
  readonly whenHidden: 'pause' | 'poll' | { intervalMs: number };
  readonly visibility: VisibilitySource | undefined;
  readonly resumeFrom: JobSnapshot | undefined;
  /** Checked and frozen; `undefined` when nothing is mapped. */
  readonly statusAliases: StatusAliases | undefined;
}

const isDateOrNull = (value: unknown): boolean => value === null || value instanceof Date;

/** True for a value shaped like a {@link JobSnapshot} (a stored one must go through `jobSnapshotFromJSON` first). */
function isSnapshot(value: unknown): value is JobSnapshot {
  const snapshot = value as Partial<JobSnapshot> | null;
  return (
    typeof snapshot === 'object' &&
    snapshot !== null &&
    typeof snapshot.job?.id === 'string' &&
    (jobStatuses as readonly unknown[]).includes(snapshot.job.status) &&
    Array.isArray(snapshot.steps) &&
    [snapshot.job.createdAt, snapshot.job.startedAt, snapshot.job.finishedAt].every(isDateOrNull) &&
    (snapshot.steps as ReadonlyArray<Partial<JobStep> | null>).every(
      (step) =>
        typeof step?.stepId === 'string' && (stepStatuses as readonly unknown[]).includes(step.status) && isDateOrNull(step.startedAt) && isDateOrNull(step.finishedAt),
    ) &&
    snapshot.raw !== undefined
  );
}

/**
 * A watch's `resumeFrom`, checked against the job watched.
 * @throws TypeError when it is a snapshot of another job.
 */
export function resumeSnapshotFor(jobId: string, settings: ResolvedWatchOptions): JobSnapshot | undefined {
  const snapshot = settings.resumeFrom;
  if (snapshot !== undefined && snapshot.job.id !== jobId) {
    throw new TypeError(`Invalid resumeFrom: it is a snapshot of job ${snapshot.job.id}, not of job ${jobId}`);
  }
  return snapshot;
}

/** Checks watch options and fills in the defaults. @throws TypeError for an invalid option. */
export function resolveWatchOptions(options: WatchOptions): ResolvedWatchOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('Watch options are required: at least { transport }');
  if (typeof options.transport !== 'function') {
    throw new TypeError('Invalid transport: expected a function (id, { signal }) => ObservableInput of the body');
  }
  if (typeof options.intervalMs !== 'function') checkDuration('intervalMs', options.intervalMs);
  checkDuration('timeoutMs', options.timeoutMs);
  checkDuration('requestTimeoutMs', options.requestTimeoutMs);
  if (options.notFoundGraceMs !== undefined && options.notFoundGraceMs !== 0) checkDuration('notFoundGraceMs', options.notFoundGraceMs);
  if (options.onRetry !== undefined && typeof options.onRetry !== 'function') throw new TypeError('Invalid onRetry: expected a function');
  const whenHidden = options.whenHidden ?? 'pause';
  if (whenHidden !== 'pause' && whenHidden !== 'poll') {
    if (whenHidden === null || typeof whenHidden !== 'object' || whenHidden.intervalMs === undefined) {
      throw new TypeError(`Invalid whenHidden ${JSON.stringify(whenHidden)}: expected 'pause', 'poll' or { intervalMs }`);
    }
    checkDuration('whenHidden.intervalMs', whenHidden.intervalMs);
  }
  if (options.visibility !== undefined && (typeof options.visibility?.isHidden !== 'function' || typeof options.visibility?.onChange !== 'function')) {
    throw new TypeError('Invalid visibility: expected { isHidden(), onChange(listener) }');
  }
  if (options.resumeFrom !== undefined && !isSnapshot(options.resumeFrom)) {
    throw new TypeError('Invalid resumeFrom: expected a JobSnapshot (restore a stored one with jobSnapshotFromJSON)');
  }
  if (options.onIllegalTransition !== undefined && options.onIllegalTransition !== 'error' && options.onIllegalTransition !== 'skip') {
    throw new TypeError(`Invalid onIllegalTransition ${JSON.stringify(options.onIllegalTransition)}: expected 'error' or 'skip'`);
  }
  if (options.signal !== undefined && !(typeof options.signal === 'object' && options.signal !== null && 'aborted' in options.signal)) {
    throw new TypeError('Invalid signal: expected an AbortSignal');
  }
  return {
    transport: options.transport,
    intervalMs: options.intervalMs ?? defaultWatchOptions.intervalMs,
    scheduler: options.scheduler ?? defaultWatchOptions.scheduler,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    requestTimeoutMs: options.requestTimeoutMs ?? defaultWatchOptions.requestTimeoutMs,
    retry: resolveRetryOptions(options.retry),
    onRetry: options.onRetry,
    onIllegalTransition: options.onIllegalTransition ?? defaultWatchOptions.onIllegalTransition,
    notFoundGraceMs: options.notFoundGraceMs ?? defaultWatchOptions.notFoundGraceMs,
    whenHidden,
    visibility: options.visibility,
    resumeFrom: options.resumeFrom,
    statusAliases: checkStatusAliases(options.statusAliases),
  };
}
