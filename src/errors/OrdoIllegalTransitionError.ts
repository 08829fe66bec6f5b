import type { JobStatus, StepStatus } from '../machine/statuses.js';
import type { JobSnapshot } from '../schema/types.js';
import { OrdoError, type OrdoErrorOptions } from './OrdoError.js';

/**
 * A snapshot moved a job or a step in a way its lifecycle machine does not allow (code
 * `ILLEGAL_TRANSITION`): any exit from a terminal state, or a move backwards such as
 * `running → pending`. Nothing of that snapshot was emitted.
 *
 * Source: docs/lifecycles.md.
 */
export class OrdoIllegalTransitionError extends OrdoError {
  override readonly name: string = 'OrdoIllegalTransitionError';
  readonly code = 'ILLEGAL_TRANSITION' as const;
  /** `'job'` for the job itself, otherwise the step id. */
  readonly subject: string;
  /** The last legal status seen. */
  readonly from: JobStatus | StepStatus;
  /** The status the snapshot reported. */
  readonly to: JobStatus | StepStatus;
  /** The rejected snapshot. */
  readonly snapshot: JobSnapshot;

  constructor(
    message: string,
    options: OrdoErrorOptions & {
      subject: string;
      from: JobStatus | StepStatus;
      to: JobStatus | StepStatus;
      snapshot: JobSnapshot;
    },
  ) {
    super(message, options);
    this.subject = options.subject;
    this.from = options.from;
    this.to = options.to;
    this.snapshot = options.snapshot;
  }
}
