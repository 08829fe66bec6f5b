import { asyncScheduler, defer, finalize, from, isObservable, of, throwError, type Observable, type SchedulerLike } from 'rxjs';
import { errorFromResponse, normalizeJobId, OrdoNetworkError, type JobId, type JobTransport, type JobTransportContext } from 'ordo-status';

/**
 * What a {@link scriptedTransport} answers for one job: a list consumed one entry per request,
 * or a function of the request's number (0 for the first) returning one answer. An answer is an
 * `Observable` (subscribed when the library subscribes to the request, e.g. a marble
 * `cold('--a|')`, whose `subscriptions` then show when the request ran), a `Promise` (its
 * value), an `Error` (the request fails with it), or anything else: the body, answered at once
 * (text is one body, as from any transport).
 */
export type JobScript = readonly unknown[] | ((request: number, context: JobTransportContext) => unknown);

/** One request a {@link scriptedTransport} received. */
export interface ScriptedRequest {
  /** The job id, normalised to a string. */
  readonly jobId: string;
  /** The scheduler's clock when it arrived: milliseconds, or frames inside `TestScheduler.run`. */
  readonly at: number;
  /**
   * The request's `AbortSignal`, as the library passed it: `aborted` once the library gave the
   * request up (unsubscribed, timed out, the watch's signal aborted), and read at any time after,
   * e.g. `transport.requests[1].signal.aborted`.
   */
  readonly signal: AbortSignal;
}

/** A {@link JobTransport} that answers from a script and logs what it was asked. */
export interface ScriptedTransport extends JobTransport {
  /** Every request, in order (a copy). */
  readonly requests: readonly ScriptedRequest[];
  /** How many requests job `id` received. */
  requestCount(id: JobId): number;
  /**
   * How many requests are in flight now, over all jobs: answers subscribed to and not yet
   * ended (completed, failed or unsubscribed). `0` before the first request and after the last
   * answer.
   */
  readonly inFlight: number;
  /**
   * The most requests that were ever in flight at once, over all jobs (`0` before the first):
   * `1` for a watch that never sends a request before the previous one ended.
   */
  readonly maxInFlight: number;
}

/** Options of {@link scriptedTransport}. */
export interface ScriptedTransportOptions {
  /** The clock of `requests[].at`; default `asyncScheduler` (virtual inside `TestScheduler.run`). */
  readonly scheduler?: SchedulerLike;
}

/**
 * A transport for tests that answers each job from a script, so a marble test can say what the
 * server sends and when:
 *
 * ```ts
 * const transport = scriptedTransport({
 *   7: [jobBody({ id: 7, status: 'running' }), cold('--a|', { a: jobBody({ id: 7, status: 'success' }) })],
 * });
 * ```
 *
 * A list's entries are used one per request; once it is used up, its last entry answers every
 * further request, as a server keeps answering with a job that did not change. A job the script
 * does not name is answered the way the server answers an unknown job: an `OrdoNotFoundError`
 * (404, `{"error": "job not found"}`). To end a list differently, end it with that answer:
 * `NEVER` for a server that stops answering, an `Error` for one that fails from then on.
 *
 * Each request is logged in `requests` (job id, time, signal) when it arrives, and counted in
 * `inFlight` while its answer is subscribed to.
 *
 * A script function that throws fails that request with a non-retryable `OrdoNetworkError`
 * naming the job (a mistake in the test, not a flaky network).
 *
 * @throws TypeError when the script is not a plain object of lists and functions, a list is
 *   empty, a key is not a valid job id, or `scheduler` is not a scheduler.
 */
export function scriptedTransport(
  script: Readonly<Record<string, JobScript>>,
  options: ScriptedTransportOptions = {},
): ScriptedTransport {
  const prototype: unknown = script !== null && typeof script === 'object' ? Object.getPrototypeOf(script) : undefined;
  if (prototype !== Object.prototype && prototype !== null) {
    throw new TypeError('Invalid script: expected an object mapping job ids to lists of answers or functions');
  }
  const scripts = new Map<string, JobScript>();
  for (const [key, entry] of Object.entries(script)) {
    const id = normalizeJobId(key);
    if (typeof entry !== 'function' && !Array.isArray(entry)) {
      throw new TypeError(`Invalid script for job ${id}: expected a list of answers or a function of the request number`);
    }
    if (Array.isArray(entry) && entry.length === 0) throw new TypeError(`Invalid script for job ${id}: the list of answers is empty`);
    scripts.set(id, entry);
  }
  const scheduler = options?.scheduler ?? asyncScheduler;
  if (typeof scheduler?.now !== 'function') throw new TypeError('Invalid scheduler: expected an RxJS SchedulerLike');
  const requests: ScriptedRequest[] = [];
  const counts = new Map<string, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  /** The answer, counted in flight from its subscription to its end. */
  const counted = (answer: Observable<unknown>): Observable<unknown> =>
    defer(() => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return answer.pipe(finalize(() => (inFlight -= 1)));
    });

  const transport = ((id: string, context: JobTransportContext): Observable<unknown> => {
    const jobId = normalizeJobId(id);
    const request = counts.get(jobId) ?? 0;
    counts.set(jobId, request + 1);
    requests.push({ jobId, at: scheduler.now(), signal: context?.signal });
    return counted(answerTo(jobId, request, context));
  }) as ScriptedTransport;

  /** The scripted answer to job `jobId`'s request number `request`. */
  function answerTo(jobId: string, request: number, context: JobTransportContext): Observable<unknown> {
    const entry = scripts.get(jobId);
    if (entry === undefined) {
      const url = `/jobs/${encodeURIComponent(jobId)}`;
      return throwError(() => errorFromResponse({ status: 404, statusText: 'Not Found', url, body: { error: 'job not found' }, jobId }));
    }
    if (typeof entry !== 'function') return answerOf(entry[Math.min(request, entry.length - 1)]);
    try {
      return answerOf(entry(request, context));
    } catch (cause) {
      // A mistake in the test's script: fail at once, not as a network error to retry.
      return throwError(() => new OrdoNetworkError(`The script for job ${jobId} threw: ${String((cause as Error)?.message ?? cause)}`, { jobId, cause, retryable: false }));
    }
  }
  Object.defineProperty(transport, 'requests', { get: () => [...requests], enumerable: true });
  Object.defineProperty(transport, 'requestCount', { value: (id: JobId) => counts.get(normalizeJobId(id)) ?? 0, enumerable: true });
  Object.defineProperty(transport, 'inFlight', { get: () => inFlight, enumerable: true });
  Object.defineProperty(transport, 'maxInFlight', { get: () => maxInFlight, enumerable: true });
  return transport;
}

/** One scripted answer as the transport's result. */
function answerOf(answer: unknown): Observable<unknown> {
  if (isObservable(answer)) return answer;
  if (answer instanceof Promise) return from(answer);
  if (answer instanceof Error) return throwError(() => answer);
  return of(answer);
}
