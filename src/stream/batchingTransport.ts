import { from, Observable, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import { OrdoNotFoundError } from '../errors/OrdoNotFoundError.js';
import type { JobTransport } from '../transport/types.js';
import { bodyInput } from './requestJob.js';

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
  /** The longest a due poll waits for others, in milliseconds (twice this when held back to fill a batch). */
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

/** A job whose last batched requests failed this many times in a row is asked alone, so one bad id cannot sink the others. */
const soloAfterBatchFailures = 2;

/** Batch answers that failed while every job of them then answered alone: after this many in a row, the server has no batch route. */
const failedBatchesBeforeGivingUp = 2;

/**
 * Wraps a transport that has `batch`: requests that fall due close together (no gap longer than
 * `windowMs`, and within `maxWaitMs` of the first) are sent as one `GET /jobs/a,b,…` (at most
 * `maxBatchSize` ids per request), and each element goes back to its own job: `{"found": false}`
 * is an {@link OrdoNotFoundError} for that job alone.
 *
 * Faults stay with the jobs they belong to:
 * - a batch that fails with 400 or 404, or answers something else than an array (a server without
 *   the route answers `/jobs/1,2` as job 1, since it reads ids with `parseInt`), is sent again at
 *   once as single requests; when those all succeed, twice in a row, the server has no batch
 *   route and every later request is single;
 * - a job missing from the answer is asked alone;
 * - a job whose batches failed twice in a row (any error: a 500 may come from one id the server
 *   cannot read) is asked alone until it succeeds, so it cannot sink the others.
 * Cancelling one job's request drops only its share; the batch request is aborted when no job
 * waits for it any more.
 */
export function createBatchingTransport(transport: JobTransport, options: BatchingOptions): JobTransport {
  const batchOf = transport.batch;
  if (!batchOf) return transport;
  let supported = true;
  let failedBatches = 0;
  const batchFailures = new Map<string, number>();
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
  const deliver = (entry: Entry, body: unknown) => {
    if (entry.settled) return;
    settle(entry);
    batchFailures.delete(entry.id);
    entry.subscriber.next(body);
    entry.subscriber.complete();
  };
  const fail = (entry: Entry, error: unknown) => {
    if (entry.settled) return;
    settle(entry);
    entry.subscriber.error(error);
  };

  /** One job, one request. `onAnswer` hears whether it got a body. */
  function single(entry: Entry, onAnswer?: (ok: boolean) => void): void {
    if (entry.settled) return;
    const controller = new AbortController();
    const batch: Batch = { controller, subscription: undefined, waiting: 1 };
    entry.batch = batch;
    let answer;
    try {
      answer = from(bodyInput(transport(entry.id, { signal: controller.signal })));
    } catch (error) {
      onAnswer?.(false);
      fail(entry, error);
      return;
    }
    batch.subscription = answer.subscribe({
      next: (body) => {
        onAnswer?.(true);
        deliver(entry, body);
      },
      error: (error: unknown) => {
        onAnswer?.(false);
        fail(entry, error);
      },
      complete: () => fail(entry, new TypeError(`The transport completed without a body for job ${entry.id}`)),
    });
  }

  /**
   * The batch route failed or answered no array: ask every job alone now; when they all get an
   * answer (the fault was not theirs), count it against the route.
   */
  function retryAlone(entries: readonly Entry[]): void {
    const waiting = entries.filter((entry) => !entry.settled);
    let pending = waiting.length;
    let allAnswered = true;
    for (const entry of waiting) {
      entry.batch = undefined;
      single(entry, (ok) => {
        allAnswered &&= ok;
        pending -= 1;
        if (pending === 0 && allAnswered && ++failedBatches >= failedBatchesBeforeGivingUp) supported = false;
      });
    }
  }

  function send(ids: readonly string[], entries: readonly Entry[]): void {
    const controller = new AbortController();
    const batch: Batch = { controller, subscription: undefined, waiting: entries.length };
    for (const entry of entries) entry.batch = batch;
    let answered = false;
    const route = (received: unknown) => {
      answered = true;
      let answer = received;
      if (typeof answer === 'string') {
        try {
          answer = JSON.parse(answer);
        } catch {
          answer = undefined;
        }
      }
      if (!Array.isArray(answer)) return retryAlone(entries);
      failedBatches = 0;
      const elements = new Map<string, unknown>();
      for (const element of answer) {
        const key = (element as { id?: unknown } | null)?.id;
        if (key !== undefined && key !== null && !elements.has(String(key))) elements.set(String(key), element);
      }
      for (const entry of entries) {
        if (entry.settled) continue;
        const element = elements.get(entry.id);
        if (element === undefined || element === null || typeof element !== 'object') {
          // Left out of the answer: ask it alone.
          entry.batch = undefined;
          single(entry);
        } else if ((element as { found?: unknown }).found === false) {
          fail(
            entry,
            new OrdoNotFoundError(`Job ${entry.id} not found (the batch answered {"found": false})`, {
              status: 404,
              url: `/jobs/${ids.join(',')}`,
              jobId: entry.id,
              bodyExcerpt: JSON.stringify(element),
            }),
          );
        } else deliver(entry, bodyOf(element));
      }
    };
    let answer;
    try {
      answer = from(bodyInput(batchOf!(ids, { signal: controller.signal })));
    } catch {
      return retryAlone(entries);
    }
    batch.subscription = answer.subscribe({
      next: route,
      error: (error: unknown) => {
        const status = (error as { status?: unknown }).status;
        if (status === 400 || status === 404) return retryAlone(entries);
        for (const entry of entries) {
          if (entry.settled) continue;
          batchFailures.set(entry.id, (batchFailures.get(entry.id) ?? 0) + 1);
          fail(entry, error);
        }
      },
      complete: () => {
        if (!answered) retryAlone(entries);
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
    if (!supported) return entries.forEach((entry) => single(entry));
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
      if (chunk.length === 1) chunkEntries.forEach((entry) => single(entry));
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
    if (!supported || !options.shouldBatch() || (batchFailures.get(id) ?? 0) >= soloAfterBatchFailures) return transport(id, context);
    return new Observable<unknown>((subscriber) => {
      const entry: Entry = { id, subscriber, batch: undefined, settled: false };
      const now = options.scheduler.now();
      if (queue.length === 0) {
        firstDueAt = now;
        heldBack = false;
      }
      lastDueAt = now;
      queue.push(entry);
      flushing ??= options.scheduler.schedule(flush, Math.min(options.windowMs, options.maxWaitMs));
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
  batching.track = (id) => {
    const release = transport.track?.(id);
    return () => {
      batchFailures.delete(id);
      release?.();
    };
  };
  return batching;
}
