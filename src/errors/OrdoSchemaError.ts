import { OrdoError, type OrdoErrorOptions } from './OrdoError.js';

/**
 * One problem found in a response body.
 *
 * `path` is written the way you would reach the value in code (`steps[2].status`; empty for the
 * body itself); `received` is the offending value itself (`undefined` when the key is missing).
 */
export interface OrdoSchemaIssue {
  /** Where the problem is, e.g. `"job.status"` or `"steps[2].started_at"`; `""` for the whole body. */
  readonly path: string;
  /** What was expected, e.g. `expected one of "pending", "running", …; received "paused"`. */
  readonly message: string;
  /** The value found at `path` (`undefined` when missing). */
  readonly received: unknown;
}

/**
 * A body that is not JSON, or JSON that does not match the job status contract (code `SCHEMA`).
 *
 * Source: docs/api.md, "Snapshots" and "Errors"; docs/ordo-server.md, "The job body".
 */
export class OrdoSchemaError extends OrdoError {
  override readonly name: string = 'OrdoSchemaError';
  readonly code = 'SCHEMA' as const;
  /** Every problem found, in body order. */
  readonly issues: readonly OrdoSchemaIssue[];
  /** The first characters of the body (at most 200). */
  readonly bodyExcerpt: string;
  /** The response's `Content-Type`, when the body came over HTTP. */
  readonly contentType: string | undefined;

  constructor(
    message: string,
    options: OrdoErrorOptions & {
      issues: readonly OrdoSchemaIssue[];
      bodyExcerpt?: string;
      contentType?: string | undefined;
    },
  ) {
    super(message, options);
    this.issues = options.issues;
    this.bodyExcerpt = options.bodyExcerpt ?? '';
    this.contentType = options.contentType;
  }
}
