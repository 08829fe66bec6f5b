import { lifecycleStateOf, observeSnapshot, type LifecycleState } from '../machine/jobLifecycle.js';
import { jsonEqual } from '../schema/jsonEqual.js';
import { parseJobSnapshot } from '../schema/parseJobSnapshot.js';
import type { JobSnapshot } from '../schema/types.js';
import { checkDuration } from './duration.js';
import { toOrdoError } from '../errors/toOrdoError.js';
import { decideRetry, type RetryDecision, type RetryInfo } from './retryPolicy.js';
import type { JobObservation } from './jobObservations.js';
import type { ResolvedWatchOptions } from './watchOptions.js';

/**
 * The state of one job's poll: one plain record, changed only by {@link acceptAnswer},
 * {@link recordFailure} and {@link recordRequest}. Both ways of polling keep one: the standalone
 * `jobStatus$` (an RxJS pipeline per watch) and a client's engine (one record per watched job).
 */
export interface PollState {
  readonly jobId: string;
  /** Scheduler time when the watch started: `notFoundGraceMs` counts from it. */
  readonly startedAt: number;
  /** The lifecycle so far; `lifecycle.last` is the last accepted snapshot. */
  lifecycle: LifecycleState;
  /** Good answers in a row whose content did not change (0 right after a change). */
  unchangedPolls: number;
  /** Failed requests in a row (0 after a good answer). */
  failures: number;
  /** Scheduler time of the first of those failures; `undefined` when there is none. */
  failingSince: number | undefined;
  /** Requests sent, in all. */
  requests: number;
  /** Failed requests, in all. */
  totalFailures: number;
}

/** A new poll's state; with `resumeFrom`, its lifecycle starts from that snapshot (it counts as seen). */
export function createPollState(jobId: string, now: number, resumeFrom?: JobSnapshot): PollState {
  return { jobId, startedAt: now, lifecycle: lifecycleStateOf(resumeFrom), unchangedPolls: 0, failures: 0, failingSince: undefined, requests: 0, totalFailures: 0 };
}

/** A request goes out. */
export function recordRequest(state: PollState): void {
  state.requests += 1;
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
 * A good answer. The transport hands back the previous body itself when nothing changed (a 304,
 * the same ETag, a byte-identical body): no parsing, no validation. Otherwise the body is parsed
 * against the previous snapshot (only what changed is validated and built again); when every part
 * came out the same, a last comparison of the whole body (unknown fields included) says whether
 * anything changed at all. A changed snapshot is checked by the lifecycle.
 *
 * @param settings - the watch's options the parse needs (`statusAliases`).
 * @returns the new snapshot and its events, or `undefined` when the content did not change.
 * @throws {@link OrdoSchemaError} for a bad body, {@link OrdoIllegalTransitionError} for an
 *   illegal change; then the answer was no good one and the state is unchanged.
 */
export function acceptAnswer(state: PollState, body: unknown, settings: Pick<ResolvedWatchOptions, 'statusAliases'>): JobObservation | undefined {
  const previous = state.lifecycle.last;
  const snapshot =
    previous !== undefined && body === previous.raw ? undefined : parseJobSnapshot(body, { jobId: state.jobId, previous, statusAliases: settings.statusAliases });
  if (snapshot === undefined || (previous !== undefined && sameParts(previous, snapshot) && jsonEqual(previous.raw, snapshot.raw))) {
    state.failures = 0;
    state.failingSince = undefined;
    state.unchangedPolls += 1;
    return undefined;
  }
  const { state: lifecycle, events } = observeSnapshot(state.lifecycle, snapshot);
  state.lifecycle = lifecycle;
  state.failures = 0;
  state.failingSince = undefined;
  state.unchangedPolls = 0;
  return { snapshot, events };
}

/**
 * A failed request (or an answer {@link acceptAnswer} refused): counts it and asks the retry
 * policy ({@link decideRetry}) whether to retry, and when.
 */
export function recordFailure(state: PollState, caught: unknown, now: number, settings: ResolvedWatchOptions, random?: () => number): RetryDecision {
  const error = toOrdoError(caught, state.jobId);
  state.totalFailures += 1;
  state.failures += 1;
  state.failingSince ??= now;
  return decideRetry({
    error,
    attempt: state.failures,
    elapsedMs: now - state.failingSince,
    sinceStartMs: now - state.startedAt,
    retry: settings.retry,
    notFoundGraceMs: settings.notFoundGraceMs,
    onIllegalTransition: settings.onIllegalTransition,
    random,
  });
}

/**
 * The wait after a good answer: `intervalMs`, or what the interval function says.
 * @throws TypeError when the interval function returns no valid duration.
 */
export function pollInterval(state: PollState, settings: ResolvedWatchOptions): number {
  const { intervalMs } = settings;
  if (typeof intervalMs === 'number') return intervalMs;
  const next = intervalMs({ unchangedPolls: state.unchangedPolls, snapshot: state.lifecycle.last });
  checkDuration('intervalMs() result', next);
  return next;
}

/** Tells an `onRetry` callback; what it throws is ignored (a failing logger must not end a watch that can carry on). */
export function tellRetry(onRetry: ((info: RetryInfo) => void) | undefined, info: RetryInfo): void {
  try {
    onRetry?.(info);
  } catch {
    // Nothing to do: the watch goes on.
  }
}

/** Counts a poll keeps, for the errors that report them. */
export interface PollStats {
  requests: number;
  failures: number;
  last: JobSnapshot | undefined;
}

/** The counts of a poll state, for the errors that report them. */
export function pollStats(state: PollState): PollStats {
  return { requests: state.requests, failures: state.totalFailures, last: state.lifecycle.last };
}

