import { firstValueFrom, type Observable, type SchedulerLike } from 'rxjs';
import { OrdoError } from '../errors/OrdoError.js';
import { OrdoNetworkError } from '../errors/OrdoNetworkError.js';
import { OrdoTimeoutError } from '../errors/OrdoTimeoutError.js';
import { parseSubmittedJob } from '../schema/submittedJob.js';
import { checkJobRequest, type JobRequest } from '../transport/jobRequest.js';
import type { JobTransport } from '../transport/types.js';
import { abortWith } from './abortWith.js';
import { checkDuration } from './duration.js';
import { oneAnswer } from './oneAnswer.js';
import { defaultWatchOptions } from './watchOptions.js';

/** Options of {@link submitJob}. */
export interface SubmitJobOptions {
  /** The transport whose `submit` sends the request ({@link createFetchTransport} has one). */
  transport: JobTransport;
  /**
   * Aborts the request; the promise rejects with the signal's reason. An abort after the request
   * was sent does not undo it: the job may have been created.
   */
  signal?: AbortSignal | undefined;
  /**
   * No answer within this many milliseconds aborts the request and rejects with an
   * {@link OrdoTimeoutError} (`scope: 'request'`) whose message says the job may have been
   * created.
   * @defaultValue 30000 (`defaultWatchOptions.requestTimeoutMs`)
   */
  requestTimeoutMs?: number | undefined;
  /** The clock of `requestTimeoutMs`. @defaultValue `asyncScheduler` */
  scheduler?: SchedulerLike | undefined;
}

const maybeCreated = 'the job may have been created: check before submitting again';

/** Keeps errors of this library; wraps a custom transport's own error, which says nothing about whether the request was sent. */
function submitError(error: unknown): unknown {
  if (error instanceof OrdoError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new OrdoNetworkError(`The transport's submit failed (${message}); ${maybeCreated}`, { cause: error, retryable: false });
}

/** One `transport.submit` call as a cold observable: its first value, a timeout, and an abort on unsubscribe before the answer. */
function submission(submit: NonNullable<JobTransport['submit']>, request: JobRequest, timeoutMs: number, scheduler: SchedulerLike): Observable<unknown> {
  return oneAnswer((context) => submit(request, context), {
    timeoutMs,
    scheduler,
    timeoutError: () =>
      new OrdoTimeoutError(`No answer to POST /jobs within ${timeoutMs} ms; ${maybeCreated}`, { lastSnapshot: null, timeoutMs, scope: 'request', requests: 1, failures: 1 }),
    failure: submitError,
    empty: () => new OrdoNetworkError(`The transport's submit completed without an answer; ${maybeCreated}`, { retryable: false }),
  });
}

/**
 * Submits a job: `POST {baseUrl}/jobs` with `request` as its JSON body, through the transport's
 * `submit`. Resolves with the new job's id as the server answered it (`201 {"id": 42}` → `"42"`),
 * ready for {@link jobStatus$} or {@link waitForJob}.
 *
 * Never sent twice: a submission is not idempotent (the server has no idempotency key), so a
 * failure after the request may have reached the server must not create a second job behind the
 * caller's back. Nothing is retried, not even a 503 or a refused connection; instead the error
 * says which it was. An {@link OrdoNetworkError} with `retryable: true` failed before anything
 * was sent (connection refused, DNS, unreachable host: no job was created, calling again is
 * safe); with `retryable: false`, and an {@link OrdoTimeoutError}, the job may have been
 * created. A 4xx answer created nothing (the server checks the token and the body first); a
 * gateway's 502 or 504 may come after the server behind it created the job.
 *
 * @param request - the `POST /jobs` body: `recipe_id` or `recipe: { name, version, definition? }`,
 *   plus `inputs`, `outputs`, `params` (see {@link JobRequest}).
 * @param options - `transport` (required, with `submit`), `signal`, `requestTimeoutMs`, `scheduler`.
 * @returns the new job's id, a string.
 * @throws (rejects with) `TypeError` when `request` is not a job request (not an object, neither
 *   or both of `recipe_id` and `recipe`, `recipe_id` not a positive integer, `recipe` without a
 *   name or version, not JSON), when the transport has no `submit`, or for an invalid option;
 *   {@link OrdoAuthError} (401/403), {@link OrdoHttpError} (400 with the server's reason for a
 *   request it refuses, 5xx…), {@link OrdoNetworkError}, {@link OrdoTimeoutError}
 *   (`requestTimeoutMs`), {@link OrdoSchemaError} (a 2xx answer that is not `{"id": <positive
 *   integer>}`: `issues`, `bodyExcerpt`), or the signal's reason.
 * @example
 * ```ts
 * const id = await submitJob({ recipe_id: 3, inputs, outputs, params }, { transport: createFetchTransport({ baseUrl, token }) });
 * ```
 * @see docs/ordo-server.md, "Submitting a job".
 */
export async function submitJob(request: JobRequest, options: SubmitJobOptions): Promise<string> {
  if (options === null || typeof options !== 'object' || typeof options.transport !== 'function') {
    throw new TypeError('submitJob needs options with a transport (e.g. createFetchTransport({ baseUrl, token }))');
  }
  // What is checked is what is sent: the request as JSON writes it.
  const body = checkJobRequest(request, 'submitJob');
  const { submit } = options.transport;
  if (typeof submit !== 'function') {
    throw new TypeError('submitJob: this transport cannot submit jobs (it has no submit method); use createFetchTransport, or give yours a submit(request, { signal })');
  }
  checkDuration('requestTimeoutMs', options.requestTimeoutMs);
  const answer = submission(
    submit.bind(options.transport),
    body,
    options.requestTimeoutMs ?? defaultWatchOptions.requestTimeoutMs,
    options.scheduler ?? defaultWatchOptions.scheduler,
  );
  return parseSubmittedJob(await firstValueFrom(answer.pipe(abortWith(options.signal))));
}
