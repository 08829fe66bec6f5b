import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Subscription } from 'rxjs';
import { createOrdoClient, isOrdoError, isTerminalJobStatus, normalizeJobId } from 'ordo-status';
import { eventsAfter, initialRelayedJob, relayedJobAfter, sseFrame, type RelayedJob, type RelayedJobAction, type RelayEvent } from './relayedJob.js';

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
  /** Time between an answer and the next upstream poll of a job, in milliseconds. @defaultValue 3000 */
  readonly intervalMs?: number | undefined;
  /** Events a job keeps for consumers that resume with `Last-Event-ID`. @defaultValue 10000 */
  readonly maxEventsPerJob?: number | undefined;
  /** A comment line on every idle event stream this often, in milliseconds, so proxies keep it open. @defaultValue 15000 */
  readonly heartbeatMs?: number | undefined;
  /** Bytes a consumer may have waiting unsent; past that it is disconnected and resumes by id. @defaultValue 1048576 */
  readonly maxBufferedBytes?: number | undefined;
  /** How long a job stays watched after its last consumer or request, in milliseconds. @defaultValue 60000 */
  readonly keepMs?: number | undefined;
  /** The fetch the upstream client uses. @defaultValue `globalThis.fetch` */
  readonly fetch?: typeof globalThis.fetch | undefined;
}

/** What a relay counts, for `GET /metrics`. */
export interface RelayMetrics {
  /** Jobs watched upstream now. */
  readonly jobsWatched: number;
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
  /** Stops every upstream watch and ends every event stream. */
  close(): void;
}

interface Consumer {
  readonly response: ServerResponse;
  lastSeq: number;
}

interface Entry {
  job: RelayedJob;
  readonly subscription: Subscription;
  readonly consumers: Set<Consumer>;
  /** Callers waiting for the first snapshot or failure (`GET /jobs/:id` before anything came). */
  readonly waiting: Array<() => void>;
  lastWantedAt: number;
}

const json = 'application/json; charset=utf-8';

/**
 * The relay: each job its consumers ask for is watched once upstream (one client engine, batched,
 * conditional requests), whatever the number of consumers, and served as Ordo serves it
 * (`GET /jobs/:id`, the batch route, ETag and 304) and as Server-Sent Events
 * (`GET /jobs/:id/events`). State is in memory.
 */
export function createRelay(options: RelayOptions): Relay {
  const maxEvents = options.maxEventsPerJob ?? 10_000;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxBufferedBytes = options.maxBufferedBytes ?? 1_048_576;
  const keepMs = options.keepMs ?? 60_000;
  const counts = { upstreamRequests: 0, eventsSent: 0, slowConsumersDropped: 0 };
  const upstreamFetch = options.fetch ?? globalThis.fetch;
  const client = createOrdoClient({
    baseUrl: options.baseUrl,
    token: options.token,
    intervalMs: options.intervalMs ?? 3000,
    fetch: (input, init) => {
      counts.upstreamRequests += 1;
      return upstreamFetch(input, init);
    },
  });
  const entries = new Map<string, Entry>();
  const expected = options.relayToken === undefined ? undefined : Buffer.from(options.relayToken);

  function dispatch(entry: Entry, action: RelayedJobAction): void {
    const before = entry.job.nextSeq;
    entry.job = relayedJobAfter(entry.job, action, maxEvents);
    for (const resolve of entry.waiting.splice(0)) resolve();
    const added = entry.job.events.filter((event) => event.seq >= before);
    for (const consumer of entry.consumers) send(entry, consumer, added);
    if (action.type === 'failed') for (const consumer of [...entry.consumers]) endWithFailure(entry, consumer);
  }

  function watch(jobId: string): Entry {
    const known = entries.get(jobId);
    if (known) {
      known.lastWantedAt = Date.now();
      return known;
    }
    const entry: Entry = { job: initialRelayedJob(jobId), subscription: undefined as never, consumers: new Set(), waiting: [], lastWantedAt: Date.now() };
    entries.set(jobId, entry);
    (entry as { subscription: Subscription }).subscription = client.jobObservations$(jobId).subscribe({
      next: (observation) => dispatch(entry, { type: 'observed', observation, terminal: isTerminalJobStatus(observation.snapshot.job.status) }),
      error: (error: unknown) => {
        const status = isOrdoError(error) && error.code === 'NOT_FOUND' ? 404 : 502;
        const message = status === 404 ? 'Job not found' : `upstream: ${error instanceof Error ? error.message : String(error)}`;
        dispatch(entry, { type: 'failed', status, body: JSON.stringify({ error: message }) });
      },
    });
    return entry;
  }

  function send(entry: Entry, consumer: Consumer, events: readonly RelayEvent[]): void {
    for (const event of events) {
      if (event.seq <= consumer.lastSeq) continue;
      consumer.response.write(sseFrame(event));
      consumer.lastSeq = event.seq;
      counts.eventsSent += 1;
    }
    if (consumer.response.writableLength > maxBufferedBytes) {
      counts.slowConsumersDropped += 1;
      close(entry, consumer, true);
      return;
    }
    if (entry.job.ended) close(entry, consumer, false);
  }

  function close(entry: Entry, consumer: Consumer, destroy: boolean): void {
    entry.consumers.delete(consumer);
    entry.lastWantedAt = Date.now();
    if (destroy) consumer.response.destroy();
    else consumer.response.end();
  }

  function endWithFailure(entry: Entry, consumer: Consumer): void {
    consumer.response.write(`event: error\ndata: ${entry.job.failure?.body ?? '{}'}\n\n`);
    close(entry, consumer, false);
  }

  // Jobs nobody wants any more stop being watched; failed ones are forgotten, to be tried again.
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const [jobId, entry] of entries) {
      if (entry.consumers.size === 0 && (now - entry.lastWantedAt > keepMs || entry.job.failure)) {
        entry.subscription.unsubscribe();
        entries.delete(jobId);
      }
    }
  }, Math.max(1000, Math.min(keepMs, 30_000)));
  sweeper.unref();

  const heartbeat = setInterval(() => {
    for (const entry of entries.values()) for (const consumer of entry.consumers) consumer.response.write(': heartbeat\n\n');
  }, heartbeatMs);
  heartbeat.unref();

  function authorized(request: IncomingMessage, url: URL): boolean {
    if (expected === undefined) return true;
    const header = request.headers.authorization;
    const given = header?.startsWith('Bearer ') ? header.slice(7) : url.searchParams.get('access_token');
    if (given === null || given === undefined) return false;
    const bytes = Buffer.from(given);
    return bytes.length === expected.length && timingSafeEqual(bytes, expected);
  }

  function answer(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    response.writeHead(status, { 'Content-Type': json, 'Content-Length': Buffer.byteLength(body), ...headers });
    response.end(body);
  }

  /** The entry once it has a snapshot or a failure. */
  function settled(entry: Entry): Promise<Entry> {
    if (entry.job.body !== undefined || entry.job.failure !== undefined) return Promise.resolve(entry);
    return new Promise((resolve) => entry.waiting.push(() => resolve(entry)));
  }

  async function getJobs(request: IncomingMessage, response: ServerResponse, list: string): Promise<void> {
    const parts = list.split(',');
    let ids: string[];
    try {
      ids = parts.map((part) => normalizeJobId(part));
    } catch {
      answer(response, 400, JSON.stringify({ error: 'Invalid job ID' }));
      return;
    }
    if (ids.length > 100) {
      answer(response, 400, JSON.stringify({ error: 'Too many job IDs (max 100)' }));
      return;
    }
    const jobs = await Promise.all(ids.map((id) => settled(watch(id))));
    if (ids.length === 1) {
      const { job } = jobs[0]!;
      if (job.body === undefined) {
        answer(response, job.failure?.status ?? 502, job.failure?.body ?? '{}');
        return;
      }
      if (request.headers['if-none-match'] === job.etag) {
        response.writeHead(304, { ETag: job.etag! });
        response.end();
        return;
      }
      answer(response, 200, job.body, { ETag: job.etag! });
      return;
    }
    const elements = jobs.map(({ job }) =>
      job.body === undefined ? `{"id":${job.jobId},"found":false}` : `{"id":${job.jobId},"found":true,${job.body.slice(1)}`,
    );
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
    const entry = watch(jobId);
    const header = request.headers['last-event-id'];
    const lastSeq = typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : 0;
    response.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    response.write('retry: 3000\n\n');
    const consumer: Consumer = { response, lastSeq };
    entry.consumers.add(consumer);
    request.on('close', () => {
      if (entry.consumers.has(consumer)) close(entry, consumer, false);
    });
    if (entry.job.failure) {
      endWithFailure(entry, consumer);
      return;
    }
    send(entry, consumer, eventsAfter(entry.job, lastSeq).events);
  }

  return {
    handle(request, response) {
      const url = new URL(request.url ?? '/', 'http://relay.invalid');
      if (request.method === 'GET' && url.pathname === '/health') return answer(response, 200, '{"status":"ok"}');
      if (!authorized(request, url)) return answer(response, 401, '{"error":"Invalid token"}', { 'WWW-Authenticate': 'Bearer' });
      if (request.method === 'GET' && url.pathname === '/metrics') return answer(response, 200, JSON.stringify(this.metrics()));
      const eventsRoute = /^\/jobs\/([^/]+)\/events$/.exec(url.pathname);
      if (request.method === 'GET' && eventsRoute) return events(request, response, decodeURIComponent(eventsRoute[1]!));
      const jobsRoute = /^\/jobs\/([^/]+)$/.exec(url.pathname);
      if (request.method === 'GET' && jobsRoute) return void getJobs(request, response, decodeURIComponent(jobsRoute[1]!));
      answer(response, 404, '{"error":"Not found"}');
    },
    metrics: () => ({
      jobsWatched: entries.size,
      consumers: [...entries.values()].reduce((sum, entry) => sum + entry.consumers.size, 0),
      ...counts,
    }),
    close() {
      clearInterval(sweeper);
      clearInterval(heartbeat);
      for (const entry of entries.values()) {
        entry.subscription.unsubscribe();
        for (const consumer of [...entry.consumers]) close(entry, consumer, false);
      }
      entries.clear();
    },
  };
}
