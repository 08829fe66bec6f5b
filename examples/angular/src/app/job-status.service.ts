import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { catchError, throwError, type Observable } from 'rxjs';
import {
  createOrdoClient,
  OrdoAuthError,
  OrdoHttpError,
  OrdoNetworkError,
  OrdoNotFoundError,
  type JobEvent,
  type JobSnapshot,
  type JobTransport,
} from 'ordo-status';

/** Where the same-origin proxy forwards to the Ordo server (it adds the token on its side). */
export const ordoBasePath = '/ordo';

/** Angular's HttpClient errors as ordo-status errors, so the retry policy can tell them apart. */
function toOrdoError(error: unknown, url: string): Error {
  if (!(error instanceof HttpErrorResponse)) return error instanceof Error ? error : new Error(String(error));
  if (error.status === 0) return new OrdoNetworkError(`GET ${url} failed without a response`, { url, cause: error });
  const retryAfter = error.headers.get('Retry-After');
  const options = {
    status: error.status,
    url,
    retryAfterMs: retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : null,
    bodyExcerpt: typeof error.error === 'string' ? error.error.slice(0, 200) : JSON.stringify(error.error ?? '').slice(0, 200),
  };
  const message = `GET ${url} answered ${error.status} ${error.statusText}`;
  if (error.status === 401 || error.status === 403) return new OrdoAuthError(message, options);
  if (error.status === 404) return new OrdoNotFoundError(message, options);
  return new OrdoHttpError(message, options);
}

/**
 * The app's one ordo-status client, on Angular's HttpClient: interceptors apply, and
 * HttpTestingController can answer its requests in unit tests. Every binding of the same job
 * shares one poll; unsubscribing (the async pipe, toSignal) cancels the HttpClient request.
 */
@Injectable({ providedIn: 'root' })
export class JobStatusService {
  private readonly http = inject(HttpClient);

  private readonly transport: JobTransport = (id) => {
    const url = `${ordoBasePath}/jobs/${encodeURIComponent(id)}`;
    return this.http.get<unknown>(url).pipe(catchError((error: unknown) => throwError(() => toOrdoError(error, url))));
  };

  /** The poll interval: `?interval=500` in the page's URL, for demos and the end-to-end test. */
  private readonly intervalMs = Number(new URLSearchParams(globalThis.location?.search ?? '').get('interval')) || 3000;

  private readonly ordo = createOrdoClient({ transport: this.transport, intervalMs: this.intervalMs });

  status$(id: string): Observable<JobSnapshot> {
    return this.ordo.jobStatus$(id);
  }

  events$(id: string): Observable<JobEvent> {
    return this.ordo.jobEvents$(id);
  }
}
