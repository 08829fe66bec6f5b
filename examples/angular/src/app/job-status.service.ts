import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { catchError, throwError, type Observable } from 'rxjs';
import { createOrdoClient, errorFromResponse, type JobEvent, type JobSnapshot, type JobTransport } from 'ordo-status';

/** Where the same-origin proxy forwards to the Ordo server (it adds the token on its side). */
export const ordoBasePath = '/ordo';

/** Angular's HttpClient errors as ordo-status errors, so the retry policy can tell them apart. */
function toOrdoError(error: unknown, url: string, jobId: string): unknown {
  if (!(error instanceof HttpErrorResponse)) return error;
  return errorFromResponse({
    status: error.status,
    statusText: error.statusText,
    url,
    body: error.error,
    contentType: error.headers.get('Content-Type'),
    retryAfter: error.headers.get('Retry-After'),
    jobId,
    cause: error,
  });
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
    return this.http.get<unknown>(url).pipe(catchError((error: unknown) => throwError(() => toOrdoError(error, url, id))));
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
