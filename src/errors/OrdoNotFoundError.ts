import { OrdoHttpError } from './OrdoHttpError.js';

/**
 * The server has no such job (code `NOT_FOUND`): HTTP 404 `{"error":"Job not found"}`, or a
 * batch element `{"found": false}`.
 *
 * Source: docs/ordo-server.md, "Routes".
 */
export class OrdoNotFoundError extends OrdoHttpError {
  override readonly name: string = 'OrdoNotFoundError';
  override readonly code = 'NOT_FOUND' as const;
}
