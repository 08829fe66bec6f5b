import { from, Observable } from 'rxjs';
import { OrdoError } from '../errors/OrdoError.js';
import { OrdoNetworkError } from '../errors/OrdoNetworkError.js';
import type { JobTransport } from '../transport/types.js';

/** Keeps errors of this library as they are; wraps anything else in an {@link OrdoNetworkError}. */
export function toOrdoError(error: unknown, jobId: string): OrdoError {
  if (error instanceof OrdoError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new OrdoNetworkError(`The transport failed for job ${jobId}: ${message}`, { cause: error, jobId });
}

/**
 * One request through a transport, as a cold observable: emits the body once and completes.
 * Unsubscribing before the answer aborts the request (the transport's signal fires); after the
 * answer nothing is aborted. A transport that completes without a value, throws, or returns
 * something that is not an `ObservableInput` errors with an {@link OrdoNetworkError}.
 */
export function requestJob(transport: JobTransport, jobId: string): Observable<unknown> {
  return new Observable<unknown>((subscriber) => {
    const controller = new AbortController();
    let settled = false;
    let subscription;
    try {
      subscription = from(transport(jobId, { signal: controller.signal })).subscribe({
        next: (body) => {
          if (settled) return;
          settled = true;
          subscriber.next(body);
          subscriber.complete();
        },
        error: (error: unknown) => {
          settled = true;
          subscriber.error(toOrdoError(error, jobId));
        },
        complete: () => {
          if (settled) return;
          settled = true;
          subscriber.error(new OrdoNetworkError(`The transport completed without a body for job ${jobId}`, { jobId }));
        },
      });
    } catch (error) {
      settled = true;
      subscriber.error(toOrdoError(error, jobId));
      return undefined;
    }
    return () => {
      subscription.unsubscribe();
      if (!settled) controller.abort();
    };
  });
}
