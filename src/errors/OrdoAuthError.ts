import { OrdoHttpError } from './OrdoHttpError.js';

/**
 * The server refused the credentials (code `AUTH`): HTTP 401 (missing, malformed or invalid
 * Bearer token) or 403. The token itself is never part of the error.
 *
 * Source: docs/ordo-server.md, "Routes" (`401 {"error":"Invalid token"}`).
 */
export class OrdoAuthError extends OrdoHttpError {
  override readonly name: string = 'OrdoAuthError';
  override readonly code = 'AUTH' as const;
}
