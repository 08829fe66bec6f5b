import { OrdoIllegalTransitionError } from '../errors/OrdoIllegalTransitionError.js';
import { isTerminalJobStatus, type JobSnapshot, type JobStatus, type StepStatus } from '../schema/types.js';
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
 * Holds one status per step (a `Map`), no actors.
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
 * Creates the lifecycle tracker behind `jobStatus$` and `jobEvents$`, for use with snapshots
 * from any source (your own polling, a webhook, a message queue).
 *
 * The legal moves come from {@link jobMachine} and {@link stepMachine} (through a table derived
 * from them once), so a first look at a finished 10,000-step job costs lookups, not actors.
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
  let jobStatus: JobStatus = jobTransitions.initial;
  const steps = new Map<string, StepStatus>();
  if (options.resumeFrom) {
    jobStatus = options.resumeFrom.job.status;
    for (const step of options.resumeFrom.steps) steps.set(step.stepId, step.status);
  }

  function observe(snapshot: JobSnapshot): readonly JobEvent[] {
    const jobId = snapshot.job.id;
    const jobTo = snapshot.job.status;
    const jobPath = jobTransitions.path(jobStatus, jobTo);
    if (!jobPath) throw illegal(snapshot, 'job', jobStatus, jobTo, jobTransitions.final.has(jobStatus));

    const stepEvents: StepTransitionEvent[] = [];
    let changed: Array<readonly [string, StepStatus]> | undefined;
    for (const step of snapshot.steps) {
      const from = steps.get(step.stepId) ?? stepTransitions.initial;
      const to = step.status;
      if (from === to) continue;
      const path = stepTransitions.path(from, to);
      if (!path) throw illegal(snapshot, step.stepId, from, to, stepTransitions.final.has(from));
      for (let index = 1; index < path.length; index += 1) {
        stepEvents.push({
          type: 'step',
          jobId,
          stepId: step.stepId,
          stepType: step.stepType,
          from: path[index - 1] as StepStatus,
          to: path[index] as StepStatus,
          inferred: index < path.length - 1,
          attempt: step.attempt,
          snapshot,
        });
      }
      (changed ??= []).push([step.stepId, to]);
    }

    // Everything is legal: commit, then order the events.
    jobStatus = jobTo;
    if (changed) for (const [stepId, to] of changed) steps.set(stepId, to);
    if (jobPath.length === 1) return stepEvents;
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
    return events;
  }

  return {
    observe,
    get jobStatus() {
      return jobStatus;
    },
    stepStatus: (stepId) => steps.get(stepId) ?? stepTransitions.initial,
  };
}
