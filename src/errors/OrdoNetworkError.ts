import { OrdoError, type OrdoErrorOptions } from './OrdoError.js';

/**
 * No response arrived (code `NETWORK`): DNS failure, connection refused or reset, a body cut
 * off mid-way, or a transport that failed with an error of its own. `cause` holds the original.
 * Retried by the watch's retry policy unless `retryable` is `false`.
 *
 * Source: design.md, "Errors".
 */
export class OrdoNetworkError extends OrdoError {
  override readonly name: string = 'OrdoNetworkError';
  readonly code = 'NETWORK' as const;
  /** The URL that was requested (without credentials), when known. */
  readonly url: string | undefined;
  /**
   * `false` when sending again cannot help: the request could not be built (a token a header
   * cannot carry, a token function that returned something else than a string).
   */
  readonly retryable: boolean;

  constructor(message: string, options: OrdoErrorOptions & { url?: string | undefined; retryable?: boolean } = {}) {
    super(message, options);
    this.url = options.url;
    this.retryable = options.retryable ?? true;
  }
}
