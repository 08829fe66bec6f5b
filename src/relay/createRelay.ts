import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Subscription } from 'rxjs';
import { createJobLifecycle, createOrdoClient, isOrdoError, isTerminalJobStatus, normalizeJobId, parseJobSnapshot, type JobObservation } from 'ordo-status';
import { ordoBodyText, weakEtag } from './ordoBody.js';
import { sseFrame } from './sse.js';
import { createMemoryRelayStore, type RelayStore, type StoredEvent, type StoredLatest } from './relayStore.js';

/** Options of {@link createRelay}. */
export interface RelayOptions {
  /** The Ordo server's base URL (with its path prefix). */
  readonly baseUrl: string | URL;
  /** The Ordo token: sent upstream only, never to consumers. */
  readonly token?: string | (() => string | Promise<string>) | undefined;
  /**
   * The token consumers send to the relay (`Authorization: Bearer …`, or `?access_token=…` for
   * `EventSource`, which cannot set headers). `undefined`: no token is asked (loopback tests only).
   */
  readonly relayToken?: string | undefined;
  /** Where the relay shares leases, events and latest bodies. @defaultValue a memory store (one process) */
  readonly store?: RelayStore | undefined;
  /** How long the poller lease lasts, in milliseconds; renewed every third of it while held. @defaultValue 6000 */
  readonly leaseMs?: number | undefined;
  /**
   * How often each job is polled upstream, in milliseconds. Every job is polled on the same beat
   * (the wall clock's multiples of the interval), however its consumers arrived, so one beat's
   * polls go out together in ⌈jobs/100⌉ batch requests. @defaultValue 3000
   */
  readonly intervalMs?: number | undefined;
  /** A comment line on every idle event stream this often, in milliseconds, so proxies keep it open. @defaultValue 15000 */
  readonly heartbeatMs?: number | undefined;
  /** Bytes a consumer may have waiting unsent; past that it is disconnected and resumes by id. @defaultValue 1048576 */
  readonly maxBufferedBytes?: number | undefined;
  /** How long a job stays watched after its last consumer or request, in milliseconds. @defaultValue 60000 */
  readonly keepMs?: number | undefined;
  /**
   * How long `GET /jobs/:id` waits for the first snapshot of a job nobody watched yet, in
   * milliseconds; then it answers `504` (`{"error":"…"}`), and the job stays watched. @defaultValue 30000
   */
  readonly answerTimeoutMs?: number | undefined;
  /**
   * The most jobs this instance is asked for at once; a request or stream for one more answers
   * `503` until some are let go, so one consumer cannot make the relay track unbounded ids.
   * @defaultValue 10000
   */
  readonly maxJobs?: number | undefined;
  /** The fetch the upstream client uses. @defaultValue `globalThis.fetch` */
  readonly fetch?: typeof globalThis.fetch | undefined;
  /**
   * Where the relay says what happens to it, one line each: the poller lease taken or lost, the
   * store away and back, a job's upstream failure. The CLI writes them to stderr with the time.
   * @defaultValue nothing is said
   */
  readonly log?: ((line: string) => void) | undefined;
}

/** What a relay counts, for `GET /metrics`. */
export interface RelayMetrics {
  /** Jobs this instance is asked for (by consumers or requests) now. */
  readonly jobsWanted: number;
  /** Jobs this instance polls upstream now (it holds the poller lease). */
  readonly jobsPolled: number;
  /** Open event streams. */
  readonly consumers: number;
  /** Requests sent to the Ordo server so far. */
  readonly upstreamRequests: number;
  /** Event frames written to consumers so far. */
  readonly eventsSent: number;
  /** Consumers disconnected for not reading fast enough. */
  readonly slowConsumersDropped: number;
}

/** A relay: an HTTP request handler (for `node:http`'s `createServer`) and its state. */
export interface Relay {
  /** Answers one HTTP request. */
  handle(request: IncomingMessage, response: ServerResponse): void;
  metrics(): RelayMetrics;
  /** Stops polling, gives up leases, ends every event stream. */
  close(): Promise<void>;
}

/** A job this instance is asked for: by how many open event streams, and when last. */
interface Wanted {
  consumers: number;
  lastWantedAt: number;
}

const json = 'application/json; charset=utf-8';

/** A path segment percent-decoded; `undefined` for none, or one that is no valid UTF-8 (`%E0%A4%A`). */
function decoded(segment: string | undefined): string | undefined {
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * The relay: the jobs its consumers ask for (on any instance) are polled by one instance, the
 * holder of the poller lease in the store, with one client (batched: ⌈jobs/100⌉ requests per
 * interval), and served by every instance, as Ordo serves it (`GET /jobs/:id`, the batch
 * route, ETag and 304) and as Server-Sent Events (`GET /jobs/:id/events`, ids from the store's
 * log, `Last-Event-ID`). A new holder resumes the lifecycle from the stored latest snapshot, so a
 * take-over repeats and loses no transition.
 */
export function createRelay(options: RelayOptions): Relay {
  for (const name of ['intervalMs', 'leaseMs', 'heartbeatMs', 'keepMs', 'answerTimeoutMs'] as const) {
    const value = options[name];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > 2_147_483_647)) {
      throw new TypeError(`Invalid ${name} ${String(value)}: expected milliseconds, 1 to 2147483647`);
    }
  }
  if (options.maxJobs !== undefined && !(Number.isSafeInteger(options.maxJobs) && options.maxJobs > 0)) {
    throw new TypeError(`Invalid maxJobs ${String(options.maxJobs)}: expected a whole number of jobs, 1 or more`);
  }
  if (options.maxBufferedBytes !== undefined && !(Number.isSafeInteger(options.maxBufferedBytes) && options.maxBufferedBytes > 0)) {
    throw new TypeError(`Invalid maxBufferedBytes ${String(options.maxBufferedBytes)}: expected a whole number of bytes, 1 or more`);
  }
  const store = options.store ?? createMemoryRelayStore(undefined, { instanceId: randomUUID() });
  const leaseMs = options.leaseMs ?? 6000;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxBufferedBytes = options.maxBufferedBytes ?? 1_048_576;
  const keepMs = options.keepMs ?? 60_000;
  const answerTimeoutMs = options.answerTimeoutMs ?? 30_000;
  const maxJobs = options.maxJobs ?? 10_000;
  const counts = { upstreamRequests: 0, eventsSent: 0, slowConsumersDropped: 0 };
  const upstreamFetch = options.fetch ?? globalThis.fetch;
  const intervalMs = options.intervalMs ?? 3000;
  const client = createOrdoClient({
    baseUrl: options.baseUrl,
    token: options.token,
    // Every job comes due on the same beat (multiples of the interval on the wall clock), however
    // its consumers arrived: one flush holds them all, cut into ⌈jobs/100⌉ batches. An answer
    // that comes less than half an interval before a beat waits for the next one: a job is never
    // polled twice in one interval.
    intervalMs: () => {
      const wait = intervalMs - (Date.now() % intervalMs);
      return wait < intervalMs / 2 ? wait + intervalMs : wait;
    },
    fetch: (input, init) => {
      counts.upstreamRequests += 1;
      return upstreamFetch(input, init);
    },
  });
  const wanted = new Map<string, Wanted>();
  const streams = new Set<ServerResponse>();
  const expected = options.relayToken === undefined ? undefined : Buffer.from(options.relayToken);
  const digest = (bytes: Buffer): Buffer => createHash('sha256').update(bytes).digest();
  const expectedDigest = expected === undefined ? undefined : digest(expected);
  let closed = false;

  /** Thrown by {@link want} past `maxJobs`: answered 503. */
  class TooManyJobs extends Error {}

  function want(jobId: string): Wanted {
    let job = wanted.get(jobId);
    if (!job) {
      if (wanted.size >= maxJobs) throw new TooManyJobs(`This relay already watches ${maxJobs} jobs; try again later`);
      job = { consumers: 0, lastWantedAt: Date.now() };
      wanted.set(jobId, job);
      void tick();
    }
    job.lastWantedAt = Date.now();
    return job;
  }

  /** The jobs this instance polls (it holds the poller lease), and the ones it saw end. */
  const polled = new Map<string, Subscription>();
  /**
   * Jobs this instance saw end, and when: not polled again while the store forgets them. Kept for
   * `keepMs` only, so the map stays small and a job asked for after its stored events expired is
   * polled once more.
   */
  const ended = new Map<string, number>();
  /** How long a failed job's error stays its outcome (not polled, its error event kept), in milliseconds. */
  const failureHoldMs = Math.min(5000, keepMs);
  /** Marks a job ended for `keepMs`, or for `holdMs` (a failure): the entry is dated so that it expires then. */
  const markEnded = (jobId: string, holdMs = keepMs): void => {
    ended.delete(jobId);
    ended.set(jobId, Date.now() - (keepMs - holdMs));
  };
  let ticking = false;
  let again = false;
  const log = (line: string): void => {
    try {
      options.log?.(line);
    } catch {
      // A failing logger must not stop the relay.
    }
  };
  /** Whether this instance holds the poller lease, as of the last renewal. */
  let held = false;
  let storeAway = false;
  const storeFailed = (error: unknown): void => {
    if (storeAway) return;
    storeAway = true;
    log(`store unavailable: ${error instanceof Error ? error.message : String(error)}; retrying`);
  };
  const storeBack = (): void => {
    if (!storeAway) return;
    storeAway = false;
    log('store available again');
  };

  /**
   * Takes or renews the poller lease, on a timer of its own (every third of the lease), so a slow
   * round of the store's other calls never lets it lapse.
   */
  async function renew(): Promise<void> {
    let now: boolean;
    try {
      now = await store.lease(leaseMs);
      storeBack();
    } catch (error) {
      storeFailed(error);
      now = false;
    }
    if (closed) return;
    if (now !== held) {
      held = now;
      log(now ? 'poller lease taken: this instance polls every wanted job' : 'poller lease lost: another instance polls');
      if (!now) stopAll();
    }
    void tick();
  }

  /**
   * One round, one at a time: tell the store which jobs this instance wants; take or renew the
   * poller lease; while held, poll every job some instance wants (resuming each from the stored
   * latest snapshot), and stop the others; without it, poll nothing.
   */
  async function tick(): Promise<void> {
    if (ticking) {
      again = true;
      return;
    }
    ticking = true;
    try {
      do {
        again = false;
        await round();
      } while (again && !closed);
    } catch (error) {
      // The store is away (Redis restarting): the next round tries again.
      storeFailed(error);
    } finally {
      ticking = false;
    }
  }

  async function round(): Promise<void> {
    const now = Date.now();
    for (const [jobId, job] of wanted) if (job.consumers === 0 && now - job.lastWantedAt > keepMs) wanted.delete(jobId);
    for (const [jobId, at] of ended) if (now - at > keepMs) ended.delete(jobId);
    await store.want([...wanted.keys()], now);
    storeBack();
    if (!held || closed) {
      stopAll();
      return;
    }
    const jobs = new Set(await store.wanted(now - keepMs));
    for (const [jobId, subscription] of polled) {
      if (!jobs.has(jobId)) {
        // Nobody wants it any more: its events go after retainEndedMs, like an ended job's.
        subscription.unsubscribe();
        polled.delete(jobId);
        void store.forget(jobId).catch(() => undefined);
      }
    }
    const fresh = [...jobs].filter((jobId) => !polled.has(jobId) && !(now - (ended.get(jobId) ?? -Infinity) <= keepMs));
    // Every new job's resume point first, then all their watches at once: jobs that start
    // together come due together, so the client polls them in the same batches.
    const latest = await Promise.all(fresh.map((jobId) => store.latest(jobId)));
    if (closed) return;
    fresh.forEach((jobId, index) => startPolling(jobId, latest[index]));
  }

  function stopAll(): void {
    for (const subscription of polled.values()) subscription.unsubscribe();
    polled.clear();
  }

  /**
   * Polls a job through the client's shared, batched poll, and computes its transitions with a
   * lifecycle that starts from `latest`, what the store has: a new poller (a take-over) emits only
   * what came after, and its jobs stay in the same batches as the others.
   */
  function startPolling(jobId: string, latest: StoredLatest | undefined): void {
    const resumeFrom = latest ? parseJobSnapshot(JSON.parse(latest.body), { jobId }) : undefined;
    if (polled.has(jobId)) return;
    if (resumeFrom && isTerminalJobStatus(resumeFrom.job.status)) {
      markEnded(jobId);
      void store.forget(jobId).catch(() => undefined);
      return;
    }
    const lifecycle = createJobLifecycle(resumeFrom ? { resumeFrom } : {});
    let lastBody = latest?.body;
    const failed = (error: unknown): void => {
      const status = isOrdoError(error) && error.code === 'NOT_FOUND' ? 404 : 502;
      // Consumers learn what failed, not where: the upstream URL (its host, a gateway key in its
      // query) stays in the relay's log.
      const upstreamStatus = (error as { status?: unknown } | null)?.status;
      const message =
        status === 404
          ? 'Job not found'
          : `upstream: ${isOrdoError(error) ? error.code : 'failure'}${typeof upstreamStatus === 'number' ? ` (HTTP ${upstreamStatus})` : ''}`;
      log(`job ${jobId}: ${error instanceof Error ? error.message : String(error)}`);
      polled.get(jobId)?.unsubscribe();
      polled.delete(jobId);
      // Not polled again, and its log dropped, for a few seconds only: a consumer who asks later
      // gets a fresh poll, not this failure again.
      markEnded(jobId, failureHoldMs);
      void store
        .append(jobId, [{ type: 'error', data: JSON.stringify({ status, error: message }) }], undefined)
        .then(() => store.forget(jobId, failureHoldMs))
        .catch(() => undefined);
    };
    polled.set(
      jobId,
      client.jobStatus$(jobId).subscribe({
        next: (snapshot) => {
          const body = ordoBodyText(snapshot.raw);
          if (body === lastBody) return; // what the store has already (the first answer after a take-over)
          let events;
          try {
            events = lifecycle.observe(snapshot);
          } catch (error) {
            return failed(error);
          }
          lastBody = body;
          void publish(jobId, { snapshot, events }, body);
        },
        error: (error: unknown) => {
          polled.delete(jobId);
          failed(error);
        },
      }),
    );
  }

  /** Appends an observation's transitions, its snapshot and (when terminal) the end, in one write. */
  async function publish(jobId: string, observation: JobObservation, body: string): Promise<void> {
    const terminal = isTerminalJobStatus(observation.snapshot.job.status);
    const events = observation.events.map(({ snapshot: _snapshot, ...event }) => ({ type: 'transition', data: JSON.stringify(event) }));
    events.push({ type: 'snapshot', data: body });
    if (terminal) events.push({ type: 'end', data: JSON.stringify({ jobId, status: observation.snapshot.job.status }) });
    try {
      await store.append(jobId, events, { body, etag: weakEtag(body) });
      if (terminal) {
        markEnded(jobId);
        polled.get(jobId)?.unsubscribe();
        polled.delete(jobId);
        await store.forget(jobId);
      }
    } catch (error) {
      // The lease was lost (this instance paused past it), or the store is away: the poller (this
      // instance or another) goes on from what the store has.
      if (held) log(`job ${jobId}: not stored (${error instanceof Error ? error.message : String(error)}); polling again from the store`);
      held = false;
      stopAll();
    }
  }

  // The lease is renewed every third of its life; the wanted list and the polls follow.
  const ticker = setInterval(() => void renew(), Math.max(50, Math.floor(leaseMs / 3)));
  ticker.unref();
  void renew();

  const heartbeat = setInterval(() => {
    for (const stream of streams) stream.write(': heartbeat\n\n');
  }, heartbeatMs);
  heartbeat.unref();

  function authorized(request: IncomingMessage, url: URL): boolean {
    if (expected === undefined) return true;
    const header = request.headers.authorization;
    // The scheme is case-insensitive (RFC 9110, 11.1); the header wins over the query parameter.
    const given = header !== undefined && /^bearer /i.test(header) ? header.slice(7) : url.searchParams.get('access_token');
    if (given === null || given === undefined) return false;
    // Digests of equal length: the comparison takes the same time whatever the token's length.
    return timingSafeEqual(digest(Buffer.from(given)), expectedDigest!);
  }

  function answer(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    response.writeHead(status, { 'Content-Type': json, 'Content-Length': Buffer.byteLength(body), ...headers });
    response.end(body);
  }

  /** The job's latest body once there is one, or its failure: follows the log until a snapshot or an error. */
  async function settled(jobId: string): Promise<{ body: string; etag: string } | { status: number; error: string }> {
    want(jobId);
    const latest = await store.latest(jobId);
    if (latest) return latest;
    return new Promise((resolve) => {
      let found = false;
      let stop: (() => void) | undefined = undefined;
      const timeout = setTimeout(() => {
        if (found) return;
        found = true;
        stop?.();
        resolve({ status: 504, error: `No answer from the Ordo server for job ${jobId} within ${answerTimeoutMs} ms` });
      }, answerTimeoutMs);
      timeout.unref();
      stop = store.follow(jobId, undefined, (events) => {
        const last = [...events].reverse().find((event) => event.type === 'snapshot' || event.type === 'error');
        if (!last || found) return;
        found = true;
        clearTimeout(timeout);
        stop?.();
        if (last.type === 'error') {
          const { status, error } = JSON.parse(last.data) as { status: number; error: string };
          resolve({ status, error });
        } else resolve({ body: last.data, etag: weakEtag(last.data) });
      });
      if (found) stop();
    });
  }

  async function getJobs(request: IncomingMessage, response: ServerResponse, list: string): Promise<void> {
    let ids: string[];
    try {
      ids = list.split(',').map((part) => normalizeJobId(part));
    } catch {
      answer(response, 400, JSON.stringify({ error: 'Invalid job ID' }));
      return;
    }
    if (ids.length > 100) {
      answer(response, 400, JSON.stringify({ error: 'Too many job IDs (max 100)' }));
      return;
    }
    const jobs = await Promise.all(ids.map((id) => settled(id)));
    if (ids.length === 1) {
      const job = jobs[0]!;
      if ('status' in job) return answer(response, job.status, JSON.stringify({ error: job.error }));
      if (request.headers['if-none-match'] === job.etag) {
        response.writeHead(304, { ETag: job.etag });
        response.end();
        return;
      }
      return answer(response, 200, job.body, { ETag: job.etag });
    }
    // A job that failed otherwise than "not found" fails the batch, as the server's route would.
    const failed = jobs.find((job): job is { status: number; error: string } => 'status' in job && job.status !== 404);
    if (failed) return answer(response, failed.status, JSON.stringify({ error: failed.error }));
    const elements = jobs.map((job, index) => ('status' in job ? `{"id":${ids[index]},"found":false}` : `{"id":${ids[index]},"found":true,${job.body.slice(1)}`));
    answer(response, 200, `[${elements.join(',')}]`);
  }

  function events(request: IncomingMessage, response: ServerResponse, id: string): void {
    let jobId: string;
    try {
      jobId = normalizeJobId(id);
    } catch {
      answer(response, 400, JSON.stringify({ error: 'Invalid job ID' }));
      return;
    }
    let job: Wanted;
    try {
      job = want(jobId);
    } catch (error) {
      if (error instanceof TooManyJobs) return answer(response, 503, JSON.stringify({ error: error.message }), { 'Retry-After': '10' });
      throw error;
    }
    job.consumers += 1;
    const header = request.headers['last-event-id'];
    const lastId = typeof header === 'string' && /^[\d-]{1,64}$/.test(header) ? header : undefined;
    if (lastId === undefined) return stream(request, response, jobId, job, undefined);
    // A consumer that resumes after the end (an EventSource reconnects by itself once the stream
    // closed) is told there is nothing more: 204 stops an EventSource's reconnection.
    void Promise.all([store.latest(jobId), store.read(jobId, lastId)]).then(
      ([latest, after]) => {
        if (after.length === 0 && latest !== undefined && isTerminalJobStatus(parseJobSnapshot(JSON.parse(latest.body), { jobId }).job.status)) {
          job.consumers -= 1;
          job.lastWantedAt = Date.now();
          response.writeHead(204);
          response.end();
          return;
        }
        stream(request, response, jobId, job, lastId);
      },
      (error: unknown) => {
        job.consumers -= 1;
        storeFailed(error);
        answer(response, 503, JSON.stringify({ error: 'The relay cannot reach its store; try again shortly' }), { 'Retry-After': '1' });
      },
    );
  }

  /** The job's events after `lastId` (all without it), then each new one, until the end. */
  function stream(request: IncomingMessage, response: ServerResponse, jobId: string, job: Wanted, lastId: string | undefined): void {
    if (request.destroyed || response.destroyed) {
      // Gone while the store was asked.
      job.consumers -= 1;
      job.lastWantedAt = Date.now();
      return;
    }
    response.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    response.write('retry: 3000\n\n');
    streams.add(response);
    let done = false;
    // The store may deliver what it has at once, inside `follow`: `stop` is set after it returns.
    let stop: (() => void) | undefined = undefined;
    const finish = (destroy: boolean) => {
      if (done) return;
      done = true;
      stop?.();
      streams.delete(response);
      job.consumers -= 1;
      job.lastWantedAt = Date.now();
      if (destroy) response.destroy();
      else response.end();
    };
    stop = store.follow(jobId, lastId, (batch: readonly StoredEvent[]) => {
      if (done) return;
      // A live change (a transition or two and a snapshot) goes out in one write; a replay frame
      // by frame (the frames are shared by every stream of the job), stopping at the buffer bound.
      let text = '';
      for (const event of batch) {
        const frame = sseFrame(event);
        counts.eventsSent += 1;
        if (batch.length <= 4) text += frame;
        else response.write(frame);
        if (event.type === 'end' || event.type === 'error') {
          if (text) response.write(text);
          return finish(false);
        }
        if (response.writableLength > maxBufferedBytes) break;
      }
      if (text) response.write(text);
      if (response.writableLength > maxBufferedBytes) {
        counts.slowConsumersDropped += 1;
        finish(true);
      }
    });
    if (done) stop();
    request.on('close', () => finish(false));
  }

  return {
    handle(request, response) {
      let url: URL;
      try {
        url = new URL(request.url ?? '/', 'http://relay.invalid');
      } catch {
        return answer(response, 400, '{"error":"Invalid request URL"}');
      }
      if (request.method === 'GET' && url.pathname === '/health') return answer(response, 200, '{"status":"ok"}');
      if (!authorized(request, url)) return answer(response, 401, '{"error":"Invalid token"}', { 'WWW-Authenticate': 'Bearer' });
      if (request.method === 'GET' && url.pathname === '/metrics') return answer(response, 200, JSON.stringify(this.metrics()));
      const eventsRoute = /^\/jobs\/([^/]+)\/events$/.exec(url.pathname);
      const jobsRoute = /^\/jobs\/([^/]+)$/.exec(url.pathname);
      const segment = decoded((eventsRoute ?? jobsRoute)?.[1]);
      if ((eventsRoute || jobsRoute) && segment === undefined) return answer(response, 400, JSON.stringify({ error: 'Invalid job ID' }));
      if (request.method === 'GET' && eventsRoute) return events(request, response, segment!);
      if (request.method === 'GET' && jobsRoute) {
        return void getJobs(request, response, segment!).catch((error: unknown) => {
          if (response.headersSent) return void response.destroy();
          if (error instanceof TooManyJobs) return answer(response, 503, JSON.stringify({ error: error.message }), { 'Retry-After': '10' });
          // The store is away (Redis restarting): say so, and stay up.
          storeFailed(error);
          answer(response, 503, JSON.stringify({ error: 'The relay cannot reach its store; try again shortly' }), { 'Retry-After': '1' });
        });
      }
      answer(response, 404, '{"error":"Not found"}');
    },
    metrics: () => ({
      jobsWanted: wanted.size,
      jobsPolled: polled.size,
      consumers: streams.size,
      ...counts,
    }),
    async close() {
      closed = true;
      clearInterval(ticker);
      clearInterval(heartbeat);
      for (const stream of streams) stream.end();
      streams.clear();
      stopAll();
      await store.release().catch(() => undefined);
      wanted.clear();
    },
  };
}
