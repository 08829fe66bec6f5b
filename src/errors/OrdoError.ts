/**
 * The discriminant of every error this library raises: `error.code`.
 *
 * Source: docs/api.md, "Errors".
 */
export type OrdoErrorCode =
  | 'HTTP'
  | 'AUTH'
  | 'NOT_FOUND'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'SCHEMA'
  | 'ILLEGAL_TRANSITION'
  | 'JOB_FAILED';

/** Options every {@link OrdoError} accepts. */
export interface OrdoErrorOptions {
  /** The error that caused this one (a `fetch` failure, a parse error). */
  cause?: unknown;
  /** The job the failure is about, as a string id, when there is one. */
  jobId?: string | undefined;
}

/**
 * Marks every ordo-status error, so {@link isOrdoError} recognises errors from another copy of
 * the library (the ESM and the CommonJS builds loaded side by side).
 */
const brand = Symbol.for('ordo-status.error');

/**
 * Base class of every error raised by ordo-status.
 *
 * `name` equals the class name (set explicitly, so it survives minification) and `code` is a
 * string discriminant, so both `instanceof` and `switch (error.code)` work. Context lives in
 * readonly fields, never packed into `message`; no field and no message ever holds the token.
 *
 * @example
 * ```ts
 * jobStatus$(42).subscribe({ error: (e) => { if (e instanceof OrdoError) console.log(e.code) } })
 * ```
 */
export abstract class OrdoError extends Error {
  abstract override readonly name: string;
  abstract readonly code: OrdoErrorCode;
  /** The job the failure is about, or `undefined` when it concerns no single job. */
  readonly jobId: string | undefined;

  constructor(message: string, options: OrdoErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.jobId = options.jobId;
    Object.defineProperty(this, brand, { value: true });
  }
}

/**
 * True when `value` is an error raised by ordo-status (any subclass of {@link OrdoError}), also
 * when it comes from another copy of the library (ESM and CommonJS builds side by side), where
 * `instanceof` cannot tell.
 */
export function isOrdoError(value: unknown): value is OrdoError {
  return value instanceof OrdoError || (typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true);
}
