import { from, Observable, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import { OrdoHttpError } from '../errors/OrdoHttpError.js';
import { OrdoNotFoundError } from '../errors/OrdoNotFoundError.js';
import { OrdoSchemaError } from '../errors/OrdoSchemaError.js';
import type { JobTransport } from '../transport/types.js';

/** Options of {@link createBatchingTransport}. */
export interface BatchingOptions {
  /** The clock of the window. */
  readonly scheduler: SchedulerLike;
  /**
   * The quiet gap that closes a batch, in milliseconds: the batch goes out once no further poll
   * has come due for this long (polls answered together come due again together, give or take
   * the server's answer times), or `maxWaitMs` after its first poll came due.
   */
  readonly windowMs: number;
  /** The longest a due poll waits for others, in milliseconds. */
  readonly maxWaitMs: number;
  /** The server's limit of ids per batch request. */
  readonly maxBatchSize: number;
  /** Whether batching is worth it right now (the client watches two or more jobs). */
  readonly shouldBatch: () => boolean;
}

interface Entry {
  readonly id: string;
  readonly subscriber: Subscriber<unknown>;
  batch: Batch | undefined;
  settled: boolean;
}

interface Batch {
  readonly controller: AbortController;
  subscription: Subscription | undefined;
  waiting: number;
}

/**
 * A batch element without its `id` and `found` keys: the same body as `GET /jobs/:id` sends, so a
 * job's snapshots do not differ by those keys when it moves between batched and single requests.
 * Memoised per element, so an unchanged batch (a 304) gives the very same objects again.
 */
const bodies = new WeakMap<object, unknown>();
function bodyOf(element: object): unknown {
  let stripped = bodies.get(element);
  if (stripped === undefined) {
    const { id: _id, found: _found, ...rest } = element as Record<string, unknown>;
    stripped = rest;
    bodies.set(element, stripped);
  }
  return stripped;
}

/** The real server's most ids in one `GET /jobs/a,b,…`. */
export const maxBatchSize = 100;

/**
 * Wraps a transport that has `batch`: requests that fall due close together (no gap longer than
 * `windowMs`, and within `maxWaitMs` of the first) are sent as one `GET /jobs/a,b,…` (at most
 * `maxBatchSize` ids per request), and each element goes back to its
 * own job: `{"found": false}` is an {@link OrdoNotFoundError} for that job alone. A server that
 * answers the batch route with 400 or 404 has none: the batch is sent again as single requests,
 * and every later request is single. Cancelling one job's request drops only its share; the batch
 * request is aborted when no job waits for it any more.
 */
export function createBatchingTransport(transport: JobTransport, options: BatchingOptions): JobTransport {
  const batchOf = transport.batch;
  if (!batchOf) return transport;
  let supported = true;
  let queue: Entry[] = [];
  let flushing: Subscription | undefined;
  let firstDueAt = 0;
  let lastDueAt = 0;
  /** The queue holds polls already held back once: they go out at the next flush, full batch or not. */
  let heldBack = false;

  const settle = (entry: Entry) => {
    entry.settled = true;
    if (entry.batch) entry.batch.waiting -= 1;
  };

  /** One job, one request: forwards the transport's answer to the entry. */
  function single(entry: Entry): void {
    if (entry.settled) return;
    const controller = new AbortController();
    const batch: Batch = { controller, subscription: undefined, waiting: 1 };
    entry.batch = batch;
    let answer;
    try {
      answer = from(transport(entry.id, { signal: controller.signal }));
    } catch (error) {
      settle(entry);
      entry.subscriber.error(error);
      return;
    }
    batch.subscription = answer.subscribe({
      next: (body) => {
        if (entry.settled) return;
        settle(entry);
        entry.subscriber.next(body);
        entry.subscriber.complete();
      },
      error: (error: unknown) => {
        if (entry.settled) return;
        settle(entry);
        entry.subscriber.error(error);
      },
      complete: () => {
        if (entry.settled) return;
        settle(entry);
        entry.subscriber.complete();
      },
    });
  }

  function send(ids: readonly string[], entries: readonly Entry[]): void {
    const controller = new AbortController();
    const batch: Batch = { controller, subscription: undefined, waiting: entries.length };
    for (const entry of entries) entry.batch = batch;
    const route = (answer: unknown) => {
      if (!Array.isArray(answer)) return entries.forEach(single);
      const elements = new Map<string, unknown>();
      for (const element of answer) {
        const key = (element as { id?: unknown } | null)?.id;
        if (key !== undefined && key !== null && !elements.has(String(key))) elements.set(String(key), element);
      }
      for (const entry of entries) {
        if (entry.settled) continue;
        settle(entry);
        const element = elements.get(entry.id);
        if (element === undefined) {
          entry.subscriber.error(
            new OrdoSchemaError(`The batch answer has no element for job ${entry.id}`, {
              issues: [{ path: '', message: `no element with id ${entry.id}`, received: undefined }],
              jobId: entry.id,
            }),
          );
        } else if ((element as { found?: unknown }).found === false) {
          entry.subscriber.error(
            new OrdoNotFoundError(`Job ${entry.id} not found (the batch answered {"found": false})`, {
              status: 404,
              url: `/jobs/${ids.join(',')}`,
              jobId: entry.id,
              bodyExcerpt: JSON.stringify(element),
            }),
          );
        } else {
          entry.subscriber.next(typeof element === 'object' && element !== null ? bodyOf(element) : element);
          entry.subscriber.complete();
        }
      }
    };
    let answer;
    try {
      answer = from(batchOf!(ids, { signal: controller.signal }));
    } catch (error) {
      for (const entry of entries) {
        settle(entry);
        entry.subscriber.error(error);
      }
      return;
    }
    batch.subscription = answer.subscribe({
      next: route,
      error: (error: unknown) => {
        if (error instanceof OrdoHttpError && (error.status === 400 || error.status === 404)) {
          // No batch route on this server: single requests from now on, starting with these.
          supported = false;
          for (const entry of entries) {
            if (entry.batch === batch) entry.batch = undefined;
            single(entry);
          }
          return;
        }
        for (const entry of entries) {
          if (entry.settled) continue;
          settle(entry);
          entry.subscriber.error(error);
        }
      },
    });
  }

  function flush(): void {
    // Polls still coming due one after another (answers that arrived a little apart): wait for
    // the quiet gap, but no longer than maxWaitMs after the first.
    const now = options.scheduler.now();
    const quietAt = lastDueAt + options.windowMs;
    const deadline = firstDueAt + options.maxWaitMs;
    if (quietAt > now && deadline > now) {
      flushing = options.scheduler.schedule(flush, Math.min(quietAt, deadline) - now);
      return;
    }
    flushing = undefined;
    const entries = queue.filter((entry) => !entry.settled);
    queue = [];
    if (!supported) return entries.forEach(single);
    const byId = new Map<string, Entry[]>();
    for (const entry of entries) byId.set(entry.id, [...(byId.get(entry.id) ?? []), entry]);
    const ids = [...byId.keys()];
    // Cut short by maxWaitMs while polls keep coming: send the full batches only; the rest waits
    // once more (for the quiet gap, or another maxWaitMs), so it can fill up instead of going out
    // half empty. No poll waits longer than twice maxWaitMs.
    const holdBack = quietAt > now && !heldBack;
    const full = holdBack ? ids.length - (ids.length % options.maxBatchSize) : ids.length;
    heldBack = false;
    for (let start = 0; start < full; start += options.maxBatchSize) {
      const chunk = ids.slice(start, start + options.maxBatchSize);
      const chunkEntries = chunk.flatMap((id) => byId.get(id) as Entry[]);
      if (chunk.length === 1) chunkEntries.forEach(single);
      else send(chunk, chunkEntries);
    }
    const rest = ids.slice(full).flatMap((id) => byId.get(id) as Entry[]);
    if (rest.length > 0) {
      queue = rest;
      heldBack = true;
      firstDueAt = now;
      flushing = options.scheduler.schedule(flush, Math.max(1, Math.min(quietAt, now + options.maxWaitMs) - now));
    }
  }

  const batching: JobTransport = (id, context) => {
    if (!supported || !options.shouldBatch()) return transport(id, context);
    return new Observable<unknown>((subscriber) => {
      const entry: Entry = { id, subscriber, batch: undefined, settled: false };
      const now = options.scheduler.now();
      if (queue.length === 0) {
        firstDueAt = now;
        heldBack = false;
      }
      lastDueAt = now;
      queue.push(entry);
      flushing ??= options.scheduler.schedule(flush, options.windowMs);
      return () => {
        if (entry.settled) return;
        const batch = entry.batch;
        settle(entry);
        if (!batch) {
          queue = queue.filter((queued) => queued !== entry);
          if (queue.length === 0) {
            flushing?.unsubscribe();
            flushing = undefined;
          }
        } else if (batch.waiting === 0) {
          batch.subscription?.unsubscribe();
          batch.controller.abort();
        }
      };
    });
  };
  batching.track = transport.track;
  return batching;
}
