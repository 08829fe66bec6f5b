import type { JobSnapshot } from '../schema/types.js';
import { OrdoError, type OrdoErrorOptions } from './OrdoError.js';

/**
 * A deadline ran out (code `TIMEOUT`): the whole watch (`timeoutMs`) or a single request.
 * Carries the last valid snapshot seen, so nothing observed is lost.
 *
 * Source: design.md, "Errors".
 */
export class OrdoTimeoutError extends OrdoError {
  override readonly name: string = 'OrdoTimeoutError';
  readonly code = 'TIMEOUT' as const;
  /** The last validated snapshot before the deadline, or `null` when none arrived. */
  readonly lastSnapshot: JobSnapshot | null;
  /** The deadline that ran out, in milliseconds. */
  readonly timeoutMs: number;

  constructor(
    message: string,
    options: OrdoErrorOptions & { lastSnapshot: JobSnapshot | null; timeoutMs: number },
  ) {
    super(message, options);
    this.lastSnapshot = options.lastSnapshot;
    this.timeoutMs = options.timeoutMs;
  }
}
