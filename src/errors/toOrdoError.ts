import { OrdoError } from './OrdoError.js';
import { OrdoNetworkError } from './OrdoNetworkError.js';

/** `String(value)` that cannot throw (a null-prototype object, a throwing `toString`). */
function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Keeps errors of this library as they are; wraps anything else in an {@link OrdoNetworkError}. */
export function toOrdoError(error: unknown, jobId: string): OrdoError {
  if (error instanceof OrdoError) return error;
  const message = error instanceof Error ? error.message : safeString(error);
  return new OrdoNetworkError(`The transport failed for job ${jobId}: ${message}`, { cause: error, jobId });
}
