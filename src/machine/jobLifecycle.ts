import { OrdoIllegalTransitionError } from '../errors/OrdoIllegalTransitionError.js';
import type { JobSnapshot } from '../schema/types.js';
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
   * Compares a snapshot with the statuses seen so far and returns its transition events, in
   * order (job transitions into non-terminal states, step transitions in the server's step
   * order, then job transitions into terminal states). A change that skips states is expanded
   * into the shortest legal path, with `inferred: true` on each transition whose target was not
   * observed. A change of `attempt` alone is no event.
   *
   * Atomic: when any change in the snapshot is illegal, nothing is recorded and the error is
   * thrown; the lifecycle stays where it was. A step missing from a later snapshot keeps its
   * last status (it is compared with that status if it reappears).
   *
   * @throws {@link OrdoIllegalTransitionError} for a change the machines cannot reach (any exit
   *   from a final state, any move backwards), naming the `subject` (`'job'` or the step id),
   *   `from` and `to`. The job is checked first, then the steps in order.
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
 * The pure core of {@link JobLifecycle.observe}: the transition events from `state` to
 * `snapshot`, and the state after it. The previous statuses are read from the previous snapshot
 * (by position when the steps are in the same order, as the server sends them), so a lifecycle
 * holds nothing but that snapshot.
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
  let byId: Map<string, StepStatus> | undefined;
  /** A step's last status: the previous snapshot's step at the same position, else looked up by id. */
  const statusBefore = (stepId: string, index: number): StepStatus => {
    const same = before[index];
    if (same !== undefined && same.stepId === stepId) return same.status;
    if (byId === undefined) {
      byId = new Map(state.gone);
      for (const step of before) byId.set(step.stepId, step.status);
    }
    return byId.get(stepId) ?? stepTransitions.initial;
  };

  const stepEvents: StepTransitionEvent[] = [];
  snapshot.steps.forEach((step, index) => {
    const from = statusBefore(step.stepId, index);
    const to = step.status;
    if (from === to) return;
    const path = stepTransitions.path(from, to);
    if (!path) throw illegal(snapshot, step.stepId, from, to, stepTransitions.final.has(from));
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
  if (jobPath.length === 1) return { state: next, events: stepEvents };
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
  for (const event of stepEvents) events.push(event);
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
 * @param options - `resumeFrom`: a snapshot to start from instead of `pending`.
 * @returns a {@link JobLifecycle}.
 * @example
 * ```ts
 * const lifecycle = createJobLifecycle();
 * for (const event of lifecycle.observe(parseJobSnapshot(body))) console.log(event.from, '→', event.to);
 * ```
 * @see design.md, "Lifecycles (the machines)".
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
