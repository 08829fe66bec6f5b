import { defer, finalize, lastValueFrom, map, mergeMap, Observable } from 'rxjs';
import type { JobEvent } from '../machine/jobEvent.js';
import { lifecycleStateOf, observeSnapshot } from '../machine/jobLifecycle.js';
import { normalizeJobId, type JobId } from '../schema/jobId.js';
import type { JobSnapshot } from '../schema/types.js';
import { createBatcher, defaultBatchOptions, maxBatchSize, type BatchOptions } from '../transport/batching.js';
import { createFetchTransport } from '../transport/createFetchTransport.js';
import { createRelayPush, type PushSource, type RelayClientOptions } from '../transport/relayPush.js';
import type { JobTransport, TokenProvider } from '../transport/types.js';
import { checkDuration, maxTimerDelayMs } from './duration.js';
import { getJob, type GetJobOptions } from './getJob.js';
import { submitJob, type SubmitJobOptions } from './submitJob.js';
import type { JobRequest } from '../transport/jobRequest.js';
import { jobObservations$, type JobObservation } from './jobObservations.js';
import { jobStatus$ } from './jobStatus.js';
import { createPollEngine } from './pollEngine.js';
import { checkOnSnapshot, settleJob, waitForJob, waitThrough, type WaitForJobOptions } from './waitForJob.js';
import { checkResumeFromFunction, distinctJobIds, mergeJobUpdates, type JobUpdate, type WatchJobsOptions } from './watchJobs.js';
import { resolveWatchOptions, type ResolvedWatchOptions, type WatchOptions } from './watchOptions.js';

/** Per-call options of the client's methods: {@link WatchOptions} without `transport`. */
export type ClientWatchOptions = Omit<WatchOptions, 'transport'>;

/** Per-call options of the client's `waitForJob`: {@link WaitForJobOptions} without `transport`. */
export type ClientWaitForJobOptions = Omit<WaitForJobOptions, 'transport'>;

/** Per-call options of the client's `watchJobs$`: {@link WatchJobsOptions} without `transport`. */
export type ClientWatchJobsOptions = Omit<WatchJobsOptions, 'transport'>;

/**
 * Options of {@link createOrdoClient}: where the server is (`baseUrl`, `token`, `fetch`) or a
 * ready `transport` instead of all three, how polls are shared and batched, and defaults for
 * every watch.
 */
export interface OrdoClientOptions extends Omit<ClientWatchOptions, 'resumeFrom'> {
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
  /**
   * While the client watches two or more jobs, polls that fall due close together go out as one
   * `GET /jobs/a,b,…` (at most 100 ids per request), when the transport can (`batch`). Jobs
   * batched together stay together (stable groups: a group's URL repeats, so an unchanged group
   * can be answered 304). Timing: {@link BatchOptions} (`windowMs`, `maxWaitMs`). Faults stay
   * with their job (a batch that fails with 400/404 or answers no array is sent again as singles;
   * a job missing from an answer, or whose batches failed twice, is asked alone). A server
   * without the batch route is detected (two such batches that every job then answered alone);
   * the client then sends single requests. `false` turns batching off.
   * @defaultValue `true`, with {@link defaultBatchOptions}
   */
  batch?: boolean | BatchOptions | undefined;
  /**
   * How long a job's terminal snapshot is replayed to new subscribers without a request, in
   * milliseconds; it is freed when this runs out (on the scheduler). `0` forgets it at once.
   * @defaultValue 60000
   */
  retainTerminalMs?: number | undefined;
  /**
   * The most terminal snapshots kept for `retainTerminalMs` at once: past it, the oldest are
   * forgotten first (a late subscriber to such a job costs one request again).
   * @defaultValue 1000
   */
  maxRetainedTerminal?: number | undefined;
  /**
   * An `ordo-status relay` that pushes each job's transitions (Server-Sent Events from
   * `GET {relay}/jobs/:id/events`): its URL, or {@link RelayClientOptions} (`url`, `token`,
   * reconnection, `maxStreams`). A pushed job is not polled; its snapshots go through the same
   * validation, distinctness and lifecycle as polled ones, so `jobStatus$`, `jobEvents$`,
   * `waitForJob` and `watchJobs$` give the same values, only sooner. While a job's stream is down
   * (the relay restarts, a proxy cuts it), the job is polled through `baseUrl` or `transport`,
   * and pushes resume from the last event received (`Last-Event-ID`). Without `baseUrl` and
   * `transport`, the relay's own `GET /jobs/:id` is the polling fallback and `token` is the
   * relay's. A watch with `resumeFrom` polls. See docs/relay.md, "Consumers".
   * @defaultValue none: every job is polled
   */
  relay?: string | URL | RelayClientOptions | undefined;
}

/** The defaults of {@link OrdoClientOptions} that are not watch options (batching: {@link defaultBatchOptions}). */
export const defaultOrdoClientOptions = { retainTerminalMs: 60_000, maxRetainedTerminal: 1000 } as const;

/** A client bound to one Ordo server. Every method takes the job id and optional per-call options. */
export interface OrdoClient {
  /**
   * See {@link jobStatus$}. Shared: every subscriber to the same job (with the same polling
   * options) gets one poll; a late subscriber gets the latest snapshot at once, then the live
   * stream. `signal` and `timeoutMs` apply to each subscriber alone. A watch with `resumeFrom`
   * polls on its own (through the client's transport and batching), as the standalone
   * {@link jobStatus$} does: its lifecycle starts from the stored snapshot.
   */
  jobStatus$(id: JobId, options?: ClientWatchOptions): Observable<JobSnapshot>;
  /** See {@link jobEvents$}; shares the poll of {@link OrdoClient.jobStatus$}. */
  jobEvents$(id: JobId, options?: ClientWatchOptions): Observable<JobEvent>;
  /**
   * See {@link jobObservations$}: each distinct snapshot with the events it brought. Shares the
   * poll of {@link OrdoClient.jobStatus$}; each subscriber runs its own lifecycle, so a late one
   * gets the latest snapshot at once with the whole legal path from `pending` as its events.
   */
  jobObservations$(id: JobId, options?: ClientWatchOptions): Observable<JobObservation>;
  /**
   * See {@link watchJobs$}: several jobs in one stream, one job's error its own outcome. Each job
   * is watched as by {@link OrdoClient.jobObservations$} (shared polls, batched requests).
   */
  watchJobs$(ids: Iterable<JobId>, options?: ClientWatchJobsOptions): Observable<JobUpdate>;
  /** See {@link waitForJob} (with `onSnapshot`); shares the poll of {@link OrdoClient.jobStatus$}. */
  waitForJob(id: JobId, options?: ClientWaitForJobOptions): Promise<JobSnapshot>;
  /** One request, no polling. See {@link getJob}. */
  getJob(id: JobId, options?: Omit<GetJobOptions, 'transport'>): Promise<JobSnapshot>;
  /**
   * Submits a job (`POST {baseUrl}/jobs`) and resolves with its id, e.g. `"42"`, ready to watch.
   * Sent once, never retried (see {@link submitJob}); the client's `signal`, `requestTimeoutMs`
   * and `scheduler` are the defaults. Rejects with a `TypeError` when the client's transport has
   * no `submit`.
   */
  submitJob(request: JobRequest, options?: Omit<SubmitJobOptions, 'transport' | 'scheduler'>): Promise<string>;
  /** The transport the client uses (before batching). */
  readonly transport: JobTransport;
}

/** A small id for an object or function, to tell option values apart in a key. */
const identities = new WeakMap<object, number>();
let lastIdentity = 0;
function identity(value: unknown): string {
  if (value === undefined) return '-';
  if (typeof value !== 'object' && typeof value !== 'function') return String(value);
  let known = identities.get(value as object);
  if (known === undefined) {
    known = ++lastIdentity;
    identities.set(value as object, known);
  }
  return `#${known}`;
}

/**
 * Everything that shapes a poll: two watches with the same key share one poll. Callbacks
 * (`onRetry`), deadlines (`timeoutMs`) and signals belong to each subscriber and are not in it.
 */
const keySuffixes = new WeakMap<ResolvedWatchOptions, string>();
function pollKey(jobId: string, settings: ResolvedWatchOptions): string {
  let suffix = keySuffixes.get(settings);
  if (suffix === undefined) {
    suffix = pollOptionsKey(settings);
    keySuffixes.set(settings, suffix);
  }
  return `${jobId}|${suffix}`;
}

function pollOptionsKey(settings: ResolvedWatchOptions): string {
  return [
    identity(settings.intervalMs),
    settings.requestTimeoutMs,
    settings.notFoundGraceMs,
    settings.onIllegalTransition,
    JSON.stringify(settings.retry),
    identity(settings.scheduler),
    typeof settings.whenHidden === 'object' ? settings.whenHidden.intervalMs : settings.whenHidden,
    identity(settings.visibility),
    // By content (a frozen copy per watch): watches that map the same words share a poll.
    settings.statusAliases === undefined ? '' : JSON.stringify(settings.statusAliases),
  ].join('|');
}

/**
 * Creates a client for one Ordo server: one poll per job whatever the number of subscribers,
 * batched requests over `GET /jobs/a,b,…` while it watches several jobs, and conditional
 * requests (`If-None-Match`) with the fetch transport.
 *
 * @param options - `baseUrl` + `token` (+ `fetch`, `maxResponseBytes`), or `transport`;
 *   `batch`, `retainTerminalMs`; and default `intervalMs`, `scheduler`, `timeoutMs`, `signal`,
 *   `retry`… for every watch (per-call options win; an `undefined` one keeps the default).
 * @returns an {@link OrdoClient}.
 * @throws TypeError when neither `baseUrl` nor `transport` is given, when both are, or when an
 *   option is invalid (see {@link createFetchTransport} and {@link WatchOptions}).
 * @example
 * ```ts
 * const ordo = createOrdoClient({ baseUrl: 'https://gw.example.com/ordo', token: process.env.ORDO_TOKEN });
 * ordo.jobStatus$(42).subscribe((s) => console.log(s.job.status, Math.round(s.progress.fraction * 100) + '%'));
 * ```
 * @see docs/api.md, "Streams".
 */
export function createOrdoClient(options: OrdoClientOptions): OrdoClient {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('createOrdoClient needs options: { baseUrl, token } or { transport }');
  }
  const { baseUrl: givenBaseUrl, token, fetch, maxResponseBytes, transport: given, batch, retainTerminalMs, maxRetainedTerminal, relay, ...defaults } = options;
  if (relay !== undefined && typeof relay !== 'string' && !(relay instanceof URL) && (relay === null || typeof relay !== 'object' || relay.url === undefined)) {
    throw new TypeError('Invalid relay: expected the relay\'s URL ("http://relay.internal:8788") or { url, token }');
  }
  const relayOptions: RelayClientOptions | undefined = relay === undefined ? undefined : typeof relay === 'string' || relay instanceof URL ? { url: relay } : relay;
  // Only a relay: it is the polling fallback too, and the token is its own.
  const relayOnly = relayOptions !== undefined && givenBaseUrl === undefined && given === undefined;
  const baseUrl = relayOnly ? relayOptions.url : givenBaseUrl;
  const relayToken = relayOnly ? (relayOptions.token ?? token) : relayOptions?.token;
  if (given !== undefined && (baseUrl !== undefined || token !== undefined || fetch !== undefined || maxResponseBytes !== undefined)) {
    throw new TypeError('Pass either transport, or baseUrl with token, fetch and maxResponseBytes, not both');
  }
  if ((defaults as ClientWatchOptions).resumeFrom !== undefined) {
    throw new TypeError('resumeFrom belongs to one watch: pass it to jobEvents$ / jobStatus$ / waitForJob, not to createOrdoClient');
  }
  // The relay first: an error in its options names the relay, not the baseUrl it stands in for.
  const push: PushSource | undefined = relayOptions === undefined ? undefined : createRelayPush({ ...relayOptions, token: relayToken }, fetch);
  let transport: JobTransport;
  if (given !== undefined) transport = given;
  else if (baseUrl !== undefined) transport = createFetchTransport({ baseUrl, token: relayOnly ? relayToken : token, fetch, maxResponseBytes });
  else throw new TypeError('createOrdoClient needs a baseUrl (e.g. "https://ordo.example.com") or a transport');
  // Check the defaults now, so a bad interval fails at creation rather than at the first watch.
  const clientSettings = resolveWatchOptions({ ...defaults, transport });
  if (batch !== undefined && typeof batch !== 'boolean' && (batch === null || typeof batch !== 'object')) {
    throw new TypeError('Invalid batch: expected true, false or { windowMs, maxWaitMs, maxInFlight }');
  }
  const windowMs = (typeof batch === 'object' ? batch.windowMs : undefined) ?? defaultBatchOptions.windowMs;
  const maxWaitMs = (typeof batch === 'object' ? batch.maxWaitMs : undefined) ?? Math.max(windowMs, defaultBatchOptions.maxWaitMs);
  checkDuration('batch.windowMs', windowMs);
  checkDuration('batch.maxWaitMs', maxWaitMs);
  const maxInFlight = (typeof batch === 'object' ? batch.maxInFlight : undefined) ?? defaultBatchOptions.maxInFlight;
  if (!Number.isSafeInteger(maxInFlight) || maxInFlight < 1) {
    throw new TypeError(`Invalid batch.maxInFlight ${String(maxInFlight)}: expected a whole number of requests, 1 or more`);
  }
  const retainMs = retainTerminalMs ?? defaultOrdoClientOptions.retainTerminalMs;
  if (typeof retainMs !== 'number' || !(retainMs >= 0 && retainMs <= maxTimerDelayMs)) {
    throw new TypeError(`Invalid retainTerminalMs ${String(retainMs)}: expected milliseconds, 0 (forget at once) to ${maxTimerDelayMs}`);
  }
  const maxRetained = maxRetainedTerminal ?? defaultOrdoClientOptions.maxRetainedTerminal;
  if (!Number.isSafeInteger(maxRetained) || maxRetained < 0) {
    throw new TypeError(`Invalid maxRetainedTerminal ${String(maxRetained)}: expected a whole number of snapshots, 0 or more`);
  }

  const batcher = createBatcher(transport, {
    scheduler: clientSettings.scheduler,
    windowMs,
    maxWaitMs,
    maxInFlight,
    maxBatchSize,
    // Watches resumed from a stored snapshot poll through the batcher too, outside the engine: they count.
    shouldBatch: () => batch !== false && engine.size + resumedWatches >= 2,
    retryStatusCodes: clientSettings.retry.statusCodes,
  });
  const engine = createPollEngine({ batcher, scheduler: clientSettings.scheduler, retainTerminalMs: retainMs, maxRetainedTerminal: maxRetained, push });

  // A per-call option left `undefined` keeps the client's default (a spread would erase it).
  const defined = <T extends object>(values: T | undefined): Partial<T> =>
    Object.fromEntries(Object.entries(values ?? {}).filter(([, value]) => value !== undefined)) as Partial<T>;
  const optionsFor = (callOptions: ClientWatchOptions | undefined): WatchOptions => ({ ...defaults, ...defined(callOptions), transport: batcher.transport });
  /** The client's own settings, resolved once: most calls pass no options. */
  let plainSettings: ResolvedWatchOptions | undefined;
  const settingsFor = (callOptions: ClientWatchOptions | undefined): ResolvedWatchOptions =>
    callOptions === undefined ? (plainSettings ??= resolveWatchOptions(optionsFor(undefined))) : resolveWatchOptions(optionsFor(callOptions));

  /** One subscriber of the shared poll of a job: its own deadline, signal and callbacks. */
  function snapshotsFor(id: JobId, callOptions: ClientWatchOptions | undefined): Observable<JobSnapshot> {
    const jobId = normalizeJobId(id);
    const settings = settingsFor(callOptions);
    const key = pollKey(jobId, settings);
    return new Observable<JobSnapshot>((subscriber) => engine.watch(jobId, key, settings, subscriber));
  }

  /**
   * A watch resuming from a stored snapshot runs on its own, exactly as the standalone streams
   * (its lifecycle starts from that snapshot, and a stale answer is skipped or an error by its
   * own retry budget), through the client's transport and batching; the shared poll of the job
   * starts from `pending` for whoever subscribes to it.
   */
  const resumed = (callOptions: ClientWatchOptions | undefined): WatchOptions | undefined =>
    callOptions?.resumeFrom === undefined ? undefined : optionsFor(callOptions);
  /** Resumed watches running now: with the engine's jobs, they decide whether to batch. */
  let resumedWatches = 0;
  const countedObservable = <T>(source: Observable<T>): Observable<T> =>
    defer(() => {
      resumedWatches += 1;
      return source.pipe(finalize(() => (resumedWatches -= 1)));
    });
  const countedPromise = async <T>(run: () => Promise<T>): Promise<T> => {
    resumedWatches += 1;
    try {
      return await run();
    } finally {
      resumedWatches -= 1;
    }
  };

  /**
   * A job's observations. Each subscriber runs its own lifecycle over the shared snapshots, so a
   * late one still gets the complete legal path from `pending`.
   */
  function observationsFor(id: JobId, callOptions?: ClientWatchOptions): Observable<JobObservation> {
    const options = resumed(callOptions);
    if (options) return countedObservable(jobObservations$(id, options));
    const snapshots = snapshotsFor(id, callOptions);
    return defer(() => {
      let lifecycle = lifecycleStateOf();
      return snapshots.pipe(
        map((snapshot): JobObservation => {
          const observed = observeSnapshot(lifecycle, snapshot);
          lifecycle = observed.state;
          return { snapshot, events: observed.events };
        }),
      );
    });
  }

  return {
    transport,
    jobStatus$: (id, callOptions) => {
      const options = resumed(callOptions);
      return options ? countedObservable(jobStatus$(id, options)) : snapshotsFor(id, callOptions);
    },
    jobEvents$: (id, callOptions) => observationsFor(id, callOptions).pipe(mergeMap((observation) => observation.events)),
    jobObservations$: observationsFor,
    watchJobs$: (ids, callOptions) => {
      const jobIds = distinctJobIds(ids);
      const { resumeFrom, ...watch } = callOptions ?? {};
      checkResumeFromFunction(resumeFrom);
      const signal = settingsFor(watch).signal; // the call's, or the client's default
      return mergeJobUpdates(jobIds, resumeFrom, signal, (jobId, resumedFrom) => observationsFor(jobId, { ...watch, resumeFrom: resumedFrom }));
    },
    waitForJob: async (id, callOptions) => {
      const { onSnapshot, ...watch } = callOptions ?? {};
      const options = resumed(watch);
      checkOnSnapshot(onSnapshot);
      if (options) return countedPromise(() => waitForJob(id, { ...options, onSnapshot }));
      // Without a callback, no lifecycle of its own is needed: the shared poll checked each snapshot.
      if (onSnapshot === undefined) return settleJob(await lastValueFrom(snapshotsFor(id, watch)));
      return waitThrough(observationsFor(id, watch), undefined, onSnapshot);
    },
    getJob: (id, callOptions) => {
      const settings = settingsFor(callOptions);
      return getJob(id, {
        transport,
        signal: settings.signal,
        requestTimeoutMs: settings.requestTimeoutMs,
        scheduler: settings.scheduler,
        statusAliases: settings.statusAliases,
      });
    },
    // The transport itself, not the batcher: a submission is one request of its own.
    submitJob: (request, callOptions) =>
      submitJob(request, {
        transport,
        signal: callOptions?.signal ?? clientSettings.signal,
        requestTimeoutMs: callOptions?.requestTimeoutMs ?? clientSettings.requestTimeoutMs,
        scheduler: clientSettings.scheduler,
      }),
  };
}
