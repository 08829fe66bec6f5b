import type { JobSnapshot } from '../schema/types.js';
import { OrdoError, type OrdoErrorOptions } from './OrdoError.js';

/** Where the time ran out. */
export type OrdoTimeoutScope = 'watch' | 'request';

/**
 * A deadline ran out (code `TIMEOUT`): the whole watch (`timeoutMs`, `scope: 'watch'`) or a single
 * request (`requestTimeoutMs`, `scope: 'request'`; retried like other transient failures).
 * Carries the last valid snapshot seen, so nothing observed is lost, and how many requests and
 * failed requests the watch had made.
 *
 * Source: docs/api.md, "Errors".
 */
export class OrdoTimeoutError extends OrdoError {
  override readonly name: string = 'OrdoTimeoutError';
  readonly code = 'TIMEOUT' as const;
  /** `'watch'` for `timeoutMs`, `'request'` for `requestTimeoutMs`. */
  readonly scope: OrdoTimeoutScope;
  /** The last validated snapshot before the deadline, or `null` when none arrived. */
  readonly lastSnapshot: JobSnapshot | null;
  /** The deadline that ran out, in milliseconds. */
  readonly timeoutMs: number;
  /** Requests started by the watch so far, this one included. */
  readonly requests: number;
  /** Requests of the watch that failed so far (retried or not). */
  readonly failures: number;

  constructor(
    message: string,
    options: OrdoErrorOptions & {
      lastSnapshot: JobSnapshot | null;
      timeoutMs: number;
      scope?: OrdoTimeoutScope;
      requests?: number;
      failures?: number;
    },
  ) {
    super(message, options);
    this.scope = options.scope ?? 'watch';
    this.lastSnapshot = options.lastSnapshot;
    this.timeoutMs = options.timeoutMs;
    this.requests = options.requests ?? 0;
    this.failures = options.failures ?? 0;
  }
}
