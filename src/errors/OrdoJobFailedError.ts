import type { JobSnapshot } from '../schema/types.js';
import { OrdoError, type OrdoErrorOptions } from './OrdoError.js';

/**
 * `waitForJob` saw the job end `failed` or `partial` (code `JOB_FAILED`). The terminal snapshot
 * is attached: `snapshot.job.error` has the server's message and each failed step its own.
 *
 * Source: docs/api.md, "Streams" (`waitForJob`).
 */
export class OrdoJobFailedError extends OrdoError {
  override readonly name: string = 'OrdoJobFailedError';
  readonly code = 'JOB_FAILED' as const;
  /** The terminal snapshot (`snapshot.job.status` is `'failed'` or `'partial'`). */
  readonly snapshot: JobSnapshot;

  constructor(message: string, options: OrdoErrorOptions & { snapshot: JobSnapshot }) {
    super(message, options);
    this.snapshot = options.snapshot;
  }
}
