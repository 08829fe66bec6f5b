import type { ObservableInput } from 'rxjs';
import type { JobRequest } from './jobRequest.js';

/** What a transport receives besides the job id. */
export interface JobTransportContext {
  /** Aborted when the watch no longer needs this answer (unsubscribe, deadline, caller's signal). */
  readonly signal: AbortSignal;
}

/**
 * Fetches one job status body: `GET {baseUrl}/jobs/:id`. Returns anything RxJS accepts as an
 * `ObservableInput` (a `Promise`, an `Observable`…) whose first value is the body: the parsed
 * JSON, or its text. Only the first value is used.
 *
 * Failures should be the errors of this library ({@link OrdoHttpError} and its subclasses,
 * {@link OrdoNetworkError}, {@link OrdoSchemaError}); any other error is wrapped in an
 * {@link OrdoNetworkError} whose `cause` is the original.
 *
 * Implementations: {@link createFetchTransport} (used by `createOrdoClient`), an Angular
 * `HttpClient` wrapper, or a marble-test transport returning cold observables.
 *
 * @see docs/api.md, "Streams".
 */
export interface JobTransport {
  /**
   * A body handed over belongs to ordo-status from then on: it is frozen, deeply, and becomes
   * `snapshot.raw` (parts equal to the previous answer's are replaced by those). A changed answer
   * must be a new object; an unchanged one may be the previous object itself.
   */
  (id: string, context: JobTransportContext): ObservableInput<unknown>;
  /**
   * Optional. Called when a watch of `id` starts; the transport may keep what it needs for
   * conditional requests until the returned function is called (when the watch ends). An answer
   * that says nothing changed should then be the previous body object itself: the watch skips it
   * by identity, without parsing.
   */
  track?: ((id: string) => () => void) | undefined;
  /**
   * Optional. Fetches several jobs in one request (`GET /jobs/a,b,c`): the server's array, one
   * element per id in request order, `{"id", "found": false}` for an unknown job. A server
   * without the route answers 400 or 404, and the client falls back to single requests.
   */
  batch?: ((ids: readonly string[], context: JobTransportContext) => ObservableInput<unknown>) | undefined;
  /**
   * Optional. Submits a job: `POST {baseUrl}/jobs` with the request as its JSON body. The first
   * value is the server's answer, parsed (or its text): `{"id": n}` from a real server (201);
   * `submitJob` validates it. A non-2xx answer should fail with the errors of this library, as
   * for `GET` ({@link ordo-status!errorFromResponse | errorFromResponse} maps another client's failure). Called once per
   * submission and never again for it: whether to send again is the caller's decision, since a
   * request that reached the server may have created the job. Without it, `submitJob` rejects
   * with a `TypeError`.
   */
  submit?: ((request: JobRequest, context: JobTransportContext) => ObservableInput<unknown>) | undefined;
}

/** What a token function receives. */
export interface TokenContext {
  /**
   * `true` when the server refused the current token (HTTP 401) and a fresh one is wanted; the
   * request is then sent once more with it. `false` otherwise.
   */
  readonly refresh: boolean;
}

/**
 * The Bearer token: a string, or a function returning one (sync or async) that is called before
 * every request, so a short-lived token can be renewed. An empty string sends no
 * `Authorization` header.
 */
export type TokenProvider = string | ((context: TokenContext) => string | Promise<string>);
