import { OrdoIllegalTransitionError } from '../errors/OrdoIllegalTransitionError.js';
import type { JobSnapshot, JobStep } from '../schema/types.js';
import type { JobStatus, StepStatus } from './statuses.js';
import { isTerminalJobStatus } from './terminal.js';
import type { JobEvent, StepTransitionEvent } from './jobEvent.js';
import { jobTransitions, stepTransitions } from './transitionTable.js';

/** Options of {@link createJobLifecycle}. */
export interface JobLifecycleOptions {
  /**
   * Start from a snapshot observed earlier (for example one stored before a restart) instead of
   * the machines' initial state: only changes after it become events.
   * @defaultValue start from `pending` for the job and every step
   */
  resumeFrom?: JobSnapshot | undefined;
}

/**
 * Tracks one job's lifecycle across snapshots and turns each snapshot into transition events.
 * Holds the last accepted snapshot, no actors.
 */
export interface JobLifecycle {
  /**
   * Compares a snapshot with the statuses seen so far and returns its transition events. A
   * change that skips states is expanded into the shortest legal path, with `inferred: true` on
   * each transition whose target was not observed. A change of `attempt` alone is no event.
   *
   * Order: job transitions into non-terminal states; then the step transitions in the order they
   * happened; then job transitions into terminal states. A transition into `running` happened at
   * the step's `startedAt`, into `success`, `failed` or `skipped` at its `finishedAt`. A
   * transition whose time is unknown (no timestamp, into `blocked`, an inferred one, or a
   * timestamp the step already had in the previous snapshot, which belongs to an earlier
   * attempt) takes the time of the next transition of the same step's path, so an inferred
   * transition comes just before the observed one it leads to; those still without a time come
   * after the timed ones; equal times keep the server's step order (sorted by step id). One
   * step's transitions always stay in path order. So `reproject running → success` (finished
   * 10:00:05) comes before `dem pending → running` (started 10:00:06), though `dem` sorts first.
   *
   * Atomic: when any change in the snapshot is illegal, nothing is recorded and the error is
   * thrown; the lifecycle stays where it was. A step missing from a later snapshot keeps its
   * last status (it is compared with that status if it reappears).
   *
   * @throws {@link OrdoIllegalTransitionError} for a change the machines cannot reach (any exit
   *   from a final state, any move backwards), naming the `subject` (`'job'` or the step id),
   *   `from` and `to`. The job is checked first, then the steps in the server's order.
   * @see docs/lifecycles.md, "Order of events within one snapshot"; docs/ordo-server.md,
   *   "Operational facts" (one poll can show a step finishing and its dependent starting).
   */
  observe(snapshot: JobSnapshot): readonly JobEvent[];
  /** The job's status as of the last accepted snapshot (`pending` before any). */
  readonly jobStatus: JobStatus;
  /** A step's status as of the last accepted snapshot (`pending` if never seen). */
  stepStatus(stepId: string): StepStatus;
}

function illegal(
  snapshot: JobSnapshot,
  subject: string,
  from: JobStatus | StepStatus,
  to: JobStatus | StepStatus,
  final: boolean,
): OrdoIllegalTransitionError {
  const who = subject === 'job' ? `job ${snapshot.job.id}` : `step "${subject}" of job ${snapshot.job.id}`;
  const why = final ? `${from} is final` : `${to} cannot be reached from ${from}`;
  return new OrdoIllegalTransitionError(`Illegal transition of ${who}: ${from} → ${to} (${why})`, {
    subject,
    from,
    to,
    snapshot,
    jobId: snapshot.job.id,
  });
}

/**
 * What a lifecycle has accepted so far: the last snapshot (its statuses are the lifecycle's
 * states), and the steps an earlier snapshot listed that the last one does not (they keep their
 * last status). A plain value: {@link observeSnapshot} returns a new one.
 */
export interface LifecycleState {
  /** The last accepted snapshot; `undefined` before any (every status is then `pending`). */
  readonly last: JobSnapshot | undefined;
  /** Steps seen before but missing from `last`, with their last status; `undefined` when none. */
  readonly gone: ReadonlyMap<string, StepStatus> | undefined;
}

/** The state of a lifecycle that starts from `snapshot`, or from `pending`. */
export function lifecycleStateOf(snapshot?: JobSnapshot): LifecycleState {
  return { last: snapshot, gone: undefined };
}

/** The steps of `previous` that `next` no longer lists, added to the ones gone before; the ones `next` lists again leave. */
function goneAfter(state: LifecycleState, next: JobSnapshot): ReadonlyMap<string, StepStatus> | undefined {
  const previous = state.last?.steps ?? [];
  const sameIds = previous.length === next.steps.length && previous.every((step, index) => step.stepId === next.steps[index]?.stepId);
  if (sameIds && state.gone === undefined) return undefined;
  const listed = new Set(next.steps.map((step) => step.stepId));
  const gone = new Map<string, StepStatus>();
  for (const [stepId, status] of state.gone ?? []) if (!listed.has(stepId)) gone.set(stepId, status);
  for (const step of previous) if (!listed.has(step.stepId)) gone.set(step.stepId, step.status);
  return gone.size === 0 ? undefined : gone;
}

/**
 * Which timestamp of a step dates an observed transition into each status: `startedAt` for
 * `running`, `finishedAt` for the final statuses, none for `pending` and `blocked` (the server
 * records no time for them). Exhaustive, so a new step status must say which it has.
 *
 * Source: docs/ordo-server.md, "The job body" (`started_at`, `finished_at`).
 */
const timestampOfTransitionInto: Readonly<Record<StepStatus, 'startedAt' | 'finishedAt' | undefined>> = {
  pending: undefined,
  running: 'startedAt',
  blocked: undefined,
  success: 'finishedAt',
  failed: 'finishedAt',
  skipped: 'finishedAt',
};

/**
 * When a step's observed change into `step.status` happened, in milliseconds since the epoch, or
 * `Infinity` when unknown: no timestamp for that status, none sent, or the same one the step
 * already carried in the previous snapshot (an earlier attempt's: on a retry the server keeps
 * `started_at` until the new attempt writes its own).
 */
function observedAt(step: JobStep, previous: JobStep | undefined): number {
  const field = timestampOfTransitionInto[step.status];
  const time = field === undefined ? null : step[field];
  if (time === null) return Infinity;
  const ms = time.getTime();
  if (!Number.isFinite(ms)) return Infinity;
  return previous !== undefined && previous[field as 'startedAt' | 'finishedAt']?.getTime() === ms ? Infinity : ms;
}

/**
 * Puts the step transitions of one snapshot in the order they happened: stable-sorts the changed
 * steps' paths (each kept whole, in path order) by their time. `keys[i]` is the time of the
 * `i`-th changed step (in server order) and `starts[i]` the index of its first event.
 */
function inTimeOrder(events: StepTransitionEvent[], keys: readonly number[], starts: readonly number[]): StepTransitionEvent[] {
  let sorted = true;
  for (let index = 1; index < keys.length && sorted; index += 1) sorted = (keys[index - 1] as number) <= (keys[index] as number);
  if (sorted) return events;
  const order = keys.map((_, index) => index);
  // Array.prototype.sort is stable: equal times (and unknown ones, all Infinity) keep server order.
  order.sort((a, b) => {
    const left = keys[a] as number;
    const right = keys[b] as number;
    return left < right ? -1 : left > right ? 1 : 0;
  });
  const result: StepTransitionEvent[] = [];
  for (const group of order) {
    const end = group + 1 < starts.length ? (starts[group + 1] as number) : events.length;
    for (let at = starts[group] as number; at < end; at += 1) result.push(events[at] as StepTransitionEvent);
  }
  return result;
}

/**
 * The pure core of {@link JobLifecycle.observe}: the transition events from `state` to
 * `snapshot`, and the state after it. The previous statuses are read from the previous snapshot
 * (by position when the steps are in the same order, as the server sends them), so a lifecycle
 * holds nothing but that snapshot.
 *
 * Events come in the order of {@link JobLifecycle.observe}: job transitions into non-terminal
 * states, the step transitions in the order they happened, then job transitions into terminal
 * states. A snapshot with one changed step (or none) costs no sort and no extra array.
 *
 * @throws {@link OrdoIllegalTransitionError} as {@link JobLifecycle.observe}; `state` is unchanged.
 */
export function observeSnapshot(state: LifecycleState, snapshot: JobSnapshot): { readonly state: LifecycleState; readonly events: readonly JobEvent[] } {
  const previous = state.last;
  if (snapshot === previous) return { state, events: [] };
  const jobId = snapshot.job.id;
  const jobFrom = previous?.job.status ?? jobTransitions.initial;
  const jobTo = snapshot.job.status;
  const jobPath = jobTransitions.path(jobFrom, jobTo);
  if (!jobPath) throw illegal(snapshot, 'job', jobFrom, jobTo, jobTransitions.final.has(jobFrom));

  const before = previous?.steps ?? [];
  let byId: Map<string, JobStep> | undefined;
  /** A step as the previous snapshot showed it: the step at the same position, else looked up by id. */
  const stepBefore = (stepId: string, index: number): JobStep | undefined => {
    const same = before[index];
    if (same !== undefined && same.stepId === stepId) return same;
    byId ??= new Map(before.map((step) => [step.stepId, step]));
    return byId.get(stepId);
  };

  const stepEvents: StepTransitionEvent[] = [];
  // The time of each changed step's path and where its events start; kept only from the second
  // changed step on (one change needs no order).
  let firstKey = 0;
  let keys: number[] | undefined;
  let starts: number[] | undefined;
  let changed = 0;
  snapshot.steps.forEach((step, index) => {
    const last = stepBefore(step.stepId, index);
    const from = last?.status ?? state.gone?.get(step.stepId) ?? stepTransitions.initial;
    const to = step.status;
    if (from === to) return;
    const path = stepTransitions.path(from, to);
    if (!path) throw illegal(snapshot, step.stepId, from, to, stepTransitions.final.has(from));
    // Only the path's last transition was observed; the inferred ones before it lead to it and
    // take its time, so one key dates the whole path and its order can never be broken.
    const key = observedAt(step, last);
    if (changed === 0) firstKey = key;
    else if (keys === undefined || starts === undefined) {
      keys = [firstKey, key];
      starts = [0, stepEvents.length];
    } else {
      keys.push(key);
      starts.push(stepEvents.length);
    }
    changed += 1;
    for (let at = 1; at < path.length; at += 1) {
      stepEvents.push({
        type: 'step',
        jobId,
        stepId: step.stepId,
        stepType: step.stepType,
        from: path[at - 1] as StepStatus,
        to: path[at] as StepStatus,
        inferred: at < path.length - 1,
        attempt: step.attempt,
        snapshot,
      });
    }
  });

  // Everything is legal: the new state, then the events in order.
  const next: LifecycleState = { last: snapshot, gone: goneAfter(state, snapshot) };
  const stepsInOrder = keys === undefined || starts === undefined ? stepEvents : inTimeOrder(stepEvents, keys, starts);
  if (jobPath.length === 1) return { state: next, events: stepsInOrder };
  const events: JobEvent[] = [];
  const terminal: JobEvent[] = [];
  for (let index = 1; index < jobPath.length; index += 1) {
    const to = jobPath[index] as JobStatus;
    const event: JobEvent = {
      type: 'job',
      jobId,
      from: jobPath[index - 1] as JobStatus,
      to,
      inferred: index < jobPath.length - 1,
      snapshot,
    };
    (isTerminalJobStatus(to) ? terminal : events).push(event);
  }
  for (const event of stepsInOrder) events.push(event);
  for (const event of terminal) events.push(event);
  return { state: next, events };
}

/**
 * Creates the lifecycle tracker behind `jobStatus$` and `jobEvents$`, for use with snapshots
 * from any source (your own polling, a webhook, a message queue).
 *
 * The legal moves come from {@link jobMachine} and {@link stepMachine} (through a table derived
 * from them once), so a first look at a finished 10,000-step job costs lookups, not actors. It
 * keeps only the last accepted snapshot (and the ids of steps that vanished from it).
 *
 * Each snapshot's events come in the order they happened: job transitions into non-terminal
 * states, the step transitions by their time (the step's `startedAt` / `finishedAt`; an inferred
 * one just before the observed one it leads to; unknown times last; ties in the server's step
 * order), then job transitions into terminal states. See {@link JobLifecycle.observe}.
 *
 * @param options - `resumeFrom`: a snapshot to start from instead of `pending`.
 * @returns a {@link JobLifecycle}.
 * @example
 * ```ts
 * const lifecycle = createJobLifecycle();
 * for (const event of lifecycle.observe(parseJobSnapshot(body))) console.log(event.from, '→', event.to);
 * ```
 * @see docs/lifecycles.md, "Polling sees samples: inference" and "Order of events within one snapshot".
 */
export function createJobLifecycle(options: JobLifecycleOptions = {}): JobLifecycle {
  let state = lifecycleStateOf(options.resumeFrom);
  return {
    observe(snapshot) {
      const result = observeSnapshot(state, snapshot);
      state = result.state;
      return result.events;
    },
    get jobStatus() {
      return state.last?.job.status ?? jobTransitions.initial;
    },
    stepStatus: (stepId) => state.last?.steps.find((step) => step.stepId === stepId)?.status ?? state.gone?.get(stepId) ?? stepTransitions.initial,
  };
}
