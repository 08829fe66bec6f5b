import type { JobSnapshot } from '../schema/types.js';
import type { JobStatus, StepStatus } from './statuses.js';

/**
 * A change of the job's own status, e.g. `running → success`.
 *
 * `inferred` is `true` when the target status was not itself observed but lies on the shortest
 * legal path between two observed statuses (a poll missed it).
 */
export interface JobTransitionEvent {
  readonly type: 'job';
  readonly jobId: string;
  readonly from: JobStatus;
  readonly to: JobStatus;
  readonly inferred: boolean;
  /** The snapshot in which the change was observed. */
  readonly snapshot: JobSnapshot;
}

/**
 * A change of one step's status, e.g. `running → blocked`. `attempt` is the step's attempt in
 * the snapshot where the change was observed.
 */
export interface StepTransitionEvent {
  readonly type: 'step';
  readonly jobId: string;
  readonly stepId: string;
  readonly stepType: string;
  readonly from: StepStatus;
  readonly to: StepStatus;
  readonly inferred: boolean;
  readonly attempt: number;
  /** The snapshot in which the change was observed. */
  readonly snapshot: JobSnapshot;
}

/**
 * A transition event, as emitted by `jobEvents$`. Within one snapshot the order is: job
 * transitions into non-terminal states, then step transitions in the order they happened (into
 * `running` at the step's `startedAt`, into `success` / `failed` / `skipped` at its `finishedAt`;
 * an inferred transition just before the observed one it leads to; transitions of unknown time,
 * such as into `blocked`, after the timed ones; ties in the server's step order; one step's
 * transitions always in path order), then job transitions into terminal states.
 *
 * Source: docs/lifecycles.md, "Order of events within one snapshot".
 */
export type JobEvent = JobTransitionEvent | StepTransitionEvent;
