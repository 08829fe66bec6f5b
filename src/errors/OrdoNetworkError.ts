import { OrdoError, type OrdoErrorOptions } from './OrdoError.js';

/**
 * No response arrived (code `NETWORK`): DNS failure, connection refused or reset, a body cut
 * off mid-way, or a transport that failed with an error of its own. `cause` holds the original.
 *
 * Source: design.md, "Errors".
 */
export class OrdoNetworkError extends OrdoError {
  override readonly name: string = 'OrdoNetworkError';
  readonly code = 'NETWORK' as const;
  /** The URL that was requested (without credentials), when known. */
  readonly url: string | undefined;

  constructor(message: string, options: OrdoErrorOptions & { url?: string | undefined } = {}) {
    super(message, options);
    this.url = options.url;
  }
}
