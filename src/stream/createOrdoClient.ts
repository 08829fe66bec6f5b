import type { Observable } from 'rxjs';
import type { JobEvent } from '../machine/jobEvent.js';
import type { JobId } from '../schema/jobId.js';
import type { JobSnapshot } from '../schema/types.js';
import { createFetchTransport } from '../transport/createFetchTransport.js';
import type { JobTransport, TokenProvider } from '../transport/types.js';
import { getJob, type GetJobOptions } from './getJob.js';
import { jobEvents$ } from './jobEvents.js';
import { jobStatus$ } from './jobStatus.js';
import { waitForJob } from './waitForJob.js';
import { resolveWatchOptions, type WatchOptions } from './watchOptions.js';

/** Per-call options of the client's methods: {@link WatchOptions} without `transport`. */
export type ClientWatchOptions = Omit<WatchOptions, 'transport'>;

/**
 * Options of {@link createOrdoClient}: where the server is (`baseUrl`, `token`, `fetch`) or a
 * ready `transport` instead of all three, plus defaults for every watch.
 */
export interface OrdoClientOptions extends ClientWatchOptions {
  /**
   * The server's base URL, with or without a path prefix (`https://host/ordo`) and trailing
   * slash. Required unless `transport` is given.
   */
  baseUrl?: string | URL | undefined;
  /** Bearer token: a string or a (sync or async) function. Never shown in errors or output. */
  token?: TokenProvider | undefined;
  /** @defaultValue `globalThis.fetch` */
  fetch?: typeof globalThis.fetch | undefined;
  /** The largest response body read, in bytes. @defaultValue 10485760 (10 MiB) */
  maxResponseBytes?: number | undefined;
  /** A transport to use instead of `baseUrl`, `token` and `fetch` (Angular `HttpClient`, marble tests). */
  transport?: JobTransport | undefined;
}

/** A client bound to one Ordo server. Every method takes the job id and optional per-call options. */
export interface OrdoClient {
  /** See {@link jobStatus$}. */
  jobStatus$(id: JobId, options?: ClientWatchOptions): Observable<JobSnapshot>;
  /** See {@link jobEvents$}. */
  jobEvents$(id: JobId, options?: ClientWatchOptions): Observable<JobEvent>;
  /** See {@link waitForJob}. */
  waitForJob(id: JobId, options?: ClientWatchOptions): Promise<JobSnapshot>;
  /** One request, no polling. See {@link getJob}. */
  getJob(id: JobId, options?: Omit<GetJobOptions, 'transport'>): Promise<JobSnapshot>;
  /** The transport the client uses. */
  readonly transport: JobTransport;
}

/**
 * Creates a client for one Ordo server.
 *
 * @param options - `baseUrl` + `token` (+ `fetch`), or `transport`; and default
 *   `intervalMs`, `scheduler`, `timeoutMs`, `signal` for every watch (per-call options win).
 * @returns an {@link OrdoClient}.
 * @throws TypeError when neither `baseUrl` nor `transport` is given, when both are, or when an
 *   option is invalid (see {@link createFetchTransport} and {@link WatchOptions}).
 * @example
 * ```ts
 * const ordo = createOrdoClient({ baseUrl: 'https://gw.example.com/ordo', token: process.env.ORDO_TOKEN });
 * ordo.jobStatus$(42).subscribe((s) => console.log(s.job.status, Math.round(s.progress.fraction * 100) + '%'));
 * ```
 * @see design.md, "Streams".
 */
export function createOrdoClient(options: OrdoClientOptions): OrdoClient {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('createOrdoClient needs options: { baseUrl, token } or { transport }');
  }
  const { baseUrl, token, fetch, maxResponseBytes, transport: given, ...defaults } = options;
  if (given !== undefined && (baseUrl !== undefined || token !== undefined || fetch !== undefined || maxResponseBytes !== undefined)) {
    throw new TypeError('Pass either transport, or baseUrl with token, fetch and maxResponseBytes, not both');
  }
  let transport: JobTransport;
  if (given !== undefined) transport = given;
  else if (baseUrl !== undefined) transport = createFetchTransport({ baseUrl, token, fetch, maxResponseBytes });
  else throw new TypeError('createOrdoClient needs a baseUrl (e.g. "https://ordo.example.com") or a transport');
  // Check the defaults now, so a bad interval fails at creation rather than at the first watch.
  resolveWatchOptions({ ...defaults, transport });

  // A per-call option left `undefined` keeps the client's default (a spread would erase it).
  const defined = <T extends object>(values: T | undefined): Partial<T> =>
    Object.fromEntries(Object.entries(values ?? {}).filter(([, value]) => value !== undefined)) as Partial<T>;
  const watch = (callOptions: ClientWatchOptions | undefined): WatchOptions => ({ ...defaults, ...defined(callOptions), transport });
  return {
    transport,
    jobStatus$: (id, callOptions) => jobStatus$(id, watch(callOptions)),
    jobEvents$: (id, callOptions) => jobEvents$(id, watch(callOptions)),
    waitForJob: (id, callOptions) => waitForJob(id, watch(callOptions)),
    getJob: (id, callOptions) =>
      getJob(id, {
        transport,
        signal: callOptions?.signal ?? defaults.signal,
        requestTimeoutMs: callOptions?.requestTimeoutMs ?? defaults.requestTimeoutMs,
        scheduler: callOptions?.scheduler ?? defaults.scheduler,
      }),
  };
}
