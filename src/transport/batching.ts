import { from, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { OrdoNotFoundError } from '../errors/OrdoNotFoundError.js';
import { bodyInput } from './bodyInput.js';
import type { JobTransport } from './types.js';

/**
 * How a client gathers the polls of several jobs into `GET /jobs/a,b,…` requests. All times are
 * milliseconds.
 *
 * Source: docs/ordo-server.md, "Routes" (the batch route, at most 100 ids).
 */
export interface BatchOptions {
  /**
   * The quiet gap that closes a batch: the polls due go out once no further poll has come due for
   * this long (polls answered together come due again together), or `maxWaitMs` after the first
   * came due.
   * @defaultValue 20
   */
  windowMs?: number | undefined;
  /**
   * The longest a due poll waits for others (twice this when held back once to fill a batch).
   * @defaultValue 100, or `windowMs` when that is longer
   */
  maxWaitMs?: number | undefined;
  /**
   * The most batch requests in flight at once; more wait for a place (in the order they were
   * sent). A first cycle of 100,000 watches is 1,000 batches: sent all at once, their answers
   * (hundreds of MB of JSON) would all be in memory together, and the garbage collector would take
   * longer than the parsing (25 s against 17 s for that first cycle, see docs/benchmarks.md).
   * High enough not to slow a steady state: 1,000 groups every 3 s answered in 100 ms each need
   * about 33. Single requests are not counted.
   * @defaultValue 64
   */
  maxInFlight?: number | undefined;
}

/** The defaults of {@link BatchOptions}. */
export const defaultBatchOptions: Readonly<{ windowMs: number; maxWaitMs: number; maxInFlight: number }> = Object.freeze({
  windowMs: 20,
  maxWaitMs: 100,
  maxInFlight: 64,
});

/** The real server's most ids in one `GET /jobs/a,b,…` (docs/ordo-server.md, "Routes"). */
export const maxBatchSize = 100;

/**
 * Who waits for one job's answer: told once, `answer` or `fail`. `at` is when the answer came (on
 * the batcher's scheduler), the same for every job of one batch, so they come due again together.
 */
export interface BatchTarget {
  answer(body: unknown, at: number): void;
  /** The same error object, and `at`, for every job of a batch that failed as a whole. */
  fail(error: unknown, at: number): void;
}

/** What {@link createBatcher} needs besides the transport. */
export interface BatcherSettings {
  /** See {@link BatchOptions.windowMs}. */
  readonly windowMs: number;
  /** See {@link BatchOptions.maxWaitMs}. */
  readonly maxWaitMs: number;
  /** See {@link BatchOptions.maxInFlight}. */
  readonly maxInFlight: number;
  /** The clock of the window. */
  readonly scheduler: SchedulerLike;
  /** The server's limit of ids per request. */
  readonly maxBatchSize: number;
  /** Whether batching is worth it right now (the client watches two or more jobs). */
  readonly shouldBatch: () => boolean;
  /** The transient HTTP statuses of the client's retry policy (`RetryOptions.statusCodes`). */
  readonly retryStatusCodes: readonly number[];
}

/** Gathers job requests into batch requests. */
export interface Batcher {
  /**
   * Asks for one job's body; `target` hears the answer once. Sent at once when batching is off
   * (no batch route, one job, a job whose batches keep failing) or `alone` is true, else at the
   * next flush.
   * @returns a function that cancels it: only this job's share is dropped; a batch request no job
   *   waits for any more is aborted.
   */
  request(id: string, target: BatchTarget, alone?: boolean): () => void;
  /**
   * The job is watched: its batch group is remembered until the returned function is called (and
   * the transport's `track` is told).
   */
  track(id: string): () => void;
  /** The same as a {@link JobTransport}, for watches that run their own RxJS pipeline. */
  readonly transport: JobTransport;
}

/** A set of jobs polled by one request. Its id order is kept, so its URL (and ETag) repeats. */
interface Group {
  readonly ids: readonly string[];
  /** Creation order, to sort the members of small groups the same way every time. */
  readonly seq: number;
}

interface Member {
  readonly group: Group;
  readonly index: number;
}

interface Entry {
  readonly id: string;
  readonly target: BatchTarget;
  request: InFlight | undefined;
  settled: boolean;
}

interface InFlight {
  /** Made when the transport first reads `signal` (an AbortController costs microseconds). */
  controller: AbortController | undefined;
  subscription: Subscription | undefined;
  waiting: number;
  /** Frees its place among the batch requests in flight (see {@link BatchOptions.maxInFlight}). */
  finish?: (() => void) | undefined;
}



/** The transport's context for a request: its `signal` is made on first use. */
function contextOf(request: InFlight): { readonly signal: AbortSignal } {
  return {
    get signal() {
      return (request.controller ??= new AbortController()).signal;
    },
  };
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

/** A job whose last batched requests failed this many times in a row is asked alone, so one bad id cannot sink the others. */
const soloAfterBatchFailures = 2;

/** Batch answers that failed while every job of them then answered alone: after this many in a row, the server has no batch route. */
const failedBatchesBeforeGivingUp = 2;

/**
 * Gathers the requests of a client's jobs into `GET /jobs/a,b,…` (at most `maxBatchSize` ids per
 * request) when the transport has `batch`, and routes each element back to its job:
 * `{"found": false}` is an {@link OrdoNotFoundError} for that job alone.
 *
 * **Stable groups.** Jobs batched together stay together: a group's ids keep their order, so its
 * URL repeats and a server that sends ETags can answer an unchanged group with 304. A group that
 * is at least half full is sent as it is (without the members that are not due: one that left
 * changes one group only); the jobs of smaller groups and new jobs are pooled, in a fixed order,
 * and cut into new groups. Kept groups never cost a request: when they would make more than
 * ⌈due jobs / 100⌉ requests, the smallest join the pool (so groups that formed apart, as jobs
 * arrived one by one, merge into full ones).
 *
 * **Timing.** A due request waits `windowMs` for others. Then the stable groups go; the rest
 * waits on for a quiet gap of `windowMs` with no other coming due, or `maxWaitMs` after the
 * first. Cut short by `maxWaitMs` while requests keep coming, only the full batches of the rest
 * go; what is left waits once more to fill up (no request waits longer than twice `maxWaitMs`).
 *
 * **Faults stay with their jobs.**
 * - A batch that fails with 400 or 404, or answers something else than an array (a server
 *   without the route reads `/jobs/1,2` as job 1, since it reads ids with `parseInt`), is sent
 *   again at once as single requests; when those all succeed, twice in a row, the server has no
 *   batch route and every later request is single.
 * - A job missing from the answer is asked alone.
 * - A job whose batches failed twice in a row with an error one id may cause (a 500 from an id
 *   the server cannot read) is asked alone until it succeeds, so it cannot sink the others. A
 *   failure of the whole server (no answer, or a transient status of the retry policy other
 *   than 500) does not count: after an outage the groups are as they were.
 */
export function createBatcher(transport: JobTransport, settings: BatcherSettings): Batcher {
  const batchOf = transport.batch;
  let supported = batchOf !== undefined;
  let failedBatches = 0;
  const batchFailures = new Map<string, number>();
  /** Watched jobs (how many watches each) and their batch group. */
  const tracked = new Map<string, number>();
  const membership = new Map<string, Member>();
  let groupSeq = 0;
  let queue: Entry[] = [];
  let flushing: Subscription | undefined;
  let firstDueAt = 0;
  let lastDueAt = 0;
  /** The queue holds requests already held back once: they go out at the next flush, full batch or not. */
  let heldBack = false;

  const settle = (entry: Entry) => {
    entry.settled = true;
    if (entry.request) entry.request.waiting -= 1;
  };
  const deliver = (entry: Entry, body: unknown, at = settings.scheduler.now()) => {
    if (entry.settled) return;
    settle(entry);
    batchFailures.delete(entry.id);
    entry.target.answer(body, at);
  };
  const fail = (entry: Entry, error: unknown, at = settings.scheduler.now()) => {
    if (entry.settled) return;
    settle(entry);
    entry.target.fail(error, at);
  };

  /** One job, one request. `onAnswer` hears whether it got a body. */
  function single(entry: Entry, onAnswer?: (ok: boolean) => void): void {
    if (entry.settled) return;
    const request: InFlight = { controller: undefined, subscription: undefined, waiting: 1 };
    entry.request = request;
    let answer;
    try {
      answer = from(bodyInput(transport(entry.id, contextOf(request))));
    } catch (error) {
      onAnswer?.(false);
      fail(entry, error);
      return;
    }
    let answered = false;
    const subscription = answer.subscribe({
      next: (body) => {
        if (answered) return;
        answered = true;
        // Only the first value is used: the transport's subscription ends with it.
        request.subscription?.unsubscribe();
        onAnswer?.(true);
        deliver(entry, body);
      },
      error: (error: unknown) => {
        onAnswer?.(false);
        fail(entry, error);
      },
      complete: () => {
        if (!entry.settled) fail(entry, new TypeError(`The transport completed without a body for job ${entry.id}`));
      },
    });
    if (entry.settled || answered) subscription.unsubscribe();
    else request.subscription = subscription;
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
      entry.request = undefined;
      single(entry, (ok) => {
        allAnswered &&= ok;
        pending -= 1;
        if (pending === 0 && allAnswered && ++failedBatches >= failedBatchesBeforeGivingUp) supported = false;
      });
    }
  }

  /** The element of `answer` for each id: by position when the server kept the order (it does), else by id. */
  function elementsOf(answer: readonly unknown[]): (id: string, index: number) => unknown {
    let byId: Map<string, unknown> | undefined;
    return (id, index) => {
      const element = answer[index] as { id?: unknown } | null | undefined;
      if (element !== null && typeof element === 'object' && element.id !== undefined && element.id !== null && String(element.id) === id) return element;
      if (!byId) {
        byId = new Map();
        for (const each of answer) {
          const key = (each as { id?: unknown } | null)?.id;
          if (key !== undefined && key !== null && !byId.has(String(key))) byId.set(String(key), each);
        }
      }
      return byId.get(id);
    };
  }

  function send(ids: readonly string[], byId: ReadonlyMap<string, Entry[]>): void {
    const entries = ids.flatMap((id) => byId.get(id) as Entry[]);
    const request: InFlight = { controller: undefined, subscription: undefined, waiting: entries.length };
    for (const entry of entries) entry.request = request;
    let answered = false;
    const route = (received: unknown) => {
      if (answered) return;
      answered = true;
      // Only the first value is used: the transport's subscription ends with it.
      request.subscription?.unsubscribe();
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
      const at = settings.scheduler.now();
      const elementOf = elementsOf(answer);
      ids.forEach((id, index) => {
        const element = elementOf(id, index);
        for (const entry of byId.get(id) as Entry[]) {
          if (entry.settled) continue;
          if (element === undefined || element === null || typeof element !== 'object') {
            // Left out of the answer: ask it alone.
            entry.request = undefined;
            single(entry);
          } else if ((element as { found?: unknown }).found === false) {
            fail(
              entry,
              new OrdoNotFoundError(`Job ${id} not found (the batch answered {"found": false})`, {
                status: 404,
                url: `/jobs/${ids.join(',')}`,
                jobId: id,
                bodyExcerpt: JSON.stringify(element),
              }),
            );
          } else deliver(entry, bodyOf(element), at);
        }
      });
    };
    const start = () => {
      // Every job left while it waited for a place: nothing to send.
      if (request.waiting === 0) return startNext();
      batchesInFlight += 1;
      let finished = false;
      request.finish = () => {
        if (finished) return;
        finished = true;
        batchesInFlight -= 1;
        startNext();
      };
      try {
        subscribeBatch();
      } finally {
        if (answered) request.finish();
      }
    };
    if (batchesInFlight < settings.maxInFlight) start();
    else waitingBatches.push(start);

    /** Sends the batch request and routes its answer (or its failure) to each job. */
    function subscribeBatch(): void {
      let answer;
      try {
        answer = from(bodyInput(batchOf!(ids, contextOf(request))));
      } catch {
        answered = true;
        return retryAlone(entries);
      }
      const subscription = answer.subscribe({
        next: (received) => {
          route(received);
          request.finish?.();
        },
        error: (error: unknown) => {
          request.finish?.();
          const status = (error as { status?: unknown } | null)?.status;
          if (status === 400 || status === 404) return retryAlone(entries);
          // A failure one id may cause (a 500 from an id the server cannot read) counts against
          // each job of the batch; one of the whole server (no answer, or another transient
          // status of the retry policy: an outage, a restart, a gateway) does not, or an outage
          // would turn every batch into single requests just as the server comes back.
          const serverWide = typeof status !== 'number' || (status !== 500 && settings.retryStatusCodes.includes(status));
          const at = settings.scheduler.now();
          for (const entry of entries) {
            if (entry.settled) continue;
            if (!serverWide) batchFailures.set(entry.id, (batchFailures.get(entry.id) ?? 0) + 1);
            fail(entry, error, at);
          }
        },
        complete: () => {
          request.finish?.();
          if (!answered) retryAlone(entries);
        },
      });
      if (request.waiting === 0 || answered) subscription.unsubscribe();
      else request.subscription = subscription;
    }
  }

  let batchesInFlight = 0;
  const waitingBatches: Array<() => void> = [];
  function startNext(): void {
    while (batchesInFlight < settings.maxInFlight && waitingBatches.length > 0) (waitingBatches.shift() as () => void)();
  }

  /** Remembers `ids` as one group (unless they are that group already). */
  function remember(ids: readonly string[], group: Group | undefined): void {
    if (group && group.ids.length === ids.length) return;
    const created: Group = { ids, seq: (groupSeq += 1) };
    ids.forEach((id, index) => {
      if (tracked.has(id)) membership.set(id, { group: created, index });
    });
  }

  function flush(): void {
    // Requests still coming due one after another (answers that arrived a little apart): the
    // stable groups go now (they have all their members: nothing to wait for); the rest waits for
    // the quiet gap, but no longer than maxWaitMs after the first.
    const now = settings.scheduler.now();
    const quietAt = lastDueAt + settings.windowMs;
    const deadline = firstDueAt + settings.maxWaitMs;
    const waiting = quietAt > now && deadline > now;
    flushing = undefined;
    const entries = queue.filter((entry) => !entry.settled);
    queue = [];
    if (!supported) {
      if (!waiting) return entries.forEach((entry) => single(entry));
      queue = entries;
      flushing = settings.scheduler.schedule(flush, Math.min(quietAt, deadline) - now);
      return;
    }
    const byId = new Map<string, Entry[]>();
    for (const entry of entries) {
      const same = byId.get(entry.id);
      if (same) same.push(entry);
      else byId.set(entry.id, [entry]);
    }
    // Groups at least half full go as they are; the rest is pooled in a fixed order (small
    // groups by age and position, then new jobs in the order they came due).
    const present = new Map<Group, string[]>();
    const fresh: string[] = [];
    for (const id of byId.keys()) {
      const group = membership.get(id)?.group;
      if (!group) fresh.push(id);
      else {
        const ids = present.get(group);
        if (ids) ids.push(id);
        else present.set(group, [id]);
      }
    }
    /** A group's members that are due, in the group's order: the group's own list when all are (every cycle, at scale). */
    const inOrder = (group: Group, ids: string[]): readonly string[] =>
      ids.length === group.ids.length ? group.ids : ids.sort((a, b) => (membership.get(a) as Member).index - (membership.get(b) as Member).index);
    let stable: Array<{ group: Group; ids: readonly string[] }> = [];
    const pooledGroups: Array<{ group: Group; ids: string[] }> = [];
    for (const [group, ids] of present) {
      if (ids.length * 2 >= settings.maxBatchSize) stable.push({ group, ids: inOrder(group, ids) });
      else pooledGroups.push({ group, ids });
    }
    // Kept groups must not cost requests: while they make more than ⌈due/maxBatchSize⌉, the
    // smallest go back to the pool (groups that formed apart, as jobs came one by one, merge).
    const requestsFor = (kept: number, pooledCount: number) => kept + Math.ceil(pooledCount / settings.maxBatchSize);
    let pooledCount = pooledGroups.reduce((sum, { ids }) => sum + ids.length, 0) + fresh.length;
    const least = Math.ceil(byId.size / settings.maxBatchSize);
    if (requestsFor(stable.length, pooledCount) > least) {
      stable.sort((a, b) => a.ids.length - b.ids.length || a.group.seq - b.group.seq);
      while (stable.length > 0 && requestsFor(stable.length, pooledCount) > least) {
        const { group, ids } = stable.shift() as { group: Group; ids: readonly string[] };
        pooledGroups.push({ group, ids: [...ids] });
        pooledCount += ids.length;
      }
      stable = [...stable];
    }
    pooledGroups.sort((a, b) => a.group.seq - b.group.seq);
    const pooled = [...pooledGroups.flatMap(({ group, ids }) => inOrder(group, ids)), ...fresh];

    for (const { group, ids } of stable) {
      if (ids.length === 1) (byId.get(ids[0] as string) as Entry[]).forEach((entry) => single(entry));
      else {
        remember(ids, group);
        send(ids, byId);
      }
    }
    if (waiting) {
      queue = pooled.flatMap((id) => byId.get(id) as Entry[]);
        if (queue.length > 0) flushing = settings.scheduler.schedule(flush, Math.min(quietAt, deadline) - now);
      return;
    }
    // Cut short by maxWaitMs while requests keep coming: send the full batches only; the rest
    // waits once more (for the quiet gap, or another maxWaitMs), so it can fill up instead of
    // going out half empty.
    const holdBack = quietAt > now && !heldBack;
    const full = holdBack ? pooled.length - (pooled.length % settings.maxBatchSize) : pooled.length;
    heldBack = false;
    for (let start = 0; start < full; start += settings.maxBatchSize) {
      const chunk = pooled.slice(start, start + settings.maxBatchSize);
      if (chunk.length === 1) (byId.get(chunk[0] as string) as Entry[]).forEach((entry) => single(entry));
      else {
        const group = membership.get(chunk[0] as string)?.group;
        remember(chunk, group && group.ids.every((id, index) => chunk[index] === id) ? group : undefined);
        send(chunk, byId);
      }
    }
    const rest = pooled.slice(full).flatMap((id) => byId.get(id) as Entry[]);
    if (rest.length > 0) {
      queue = rest;
      heldBack = true;
      firstDueAt = now;
      flushing = settings.scheduler.schedule(flush, Math.max(1, Math.min(quietAt, now + settings.maxWaitMs) - now));
    }
  }

  function request(id: string, target: BatchTarget, alone = false): () => void {
    const entry: Entry = { id, target, request: undefined, settled: false };
    if (alone || !supported || !settings.shouldBatch() || (batchFailures.get(id) ?? 0) >= soloAfterBatchFailures) {
      single(entry);
    } else {
      const now = settings.scheduler.now();
      if (queue.length === 0) {
        firstDueAt = now;
        heldBack = false;
      }
      lastDueAt = now;
      queue.push(entry);
      flushing ??= settings.scheduler.schedule(flush, Math.min(settings.windowMs, settings.maxWaitMs));
    }
    return () => {
      if (entry.settled) return;
      const inFlight = entry.request;
      settle(entry);
      if (!inFlight) {
        queue = queue.filter((queued) => queued !== entry);
        if (queue.length === 0) {
          flushing?.unsubscribe();
          flushing = undefined;
        }
      } else if (inFlight.waiting === 0) {
        inFlight.subscription?.unsubscribe();
        inFlight.controller?.abort();
        inFlight.finish?.();
      }
    };
  }

  function track(id: string): () => void {
    const release = transport.track?.(id);
    tracked.set(id, (tracked.get(id) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (tracked.get(id) ?? 1) - 1;
      if (left > 0) tracked.set(id, left);
      else {
        tracked.delete(id);
        membership.delete(id);
        batchFailures.delete(id);
      }
      release?.();
    };
  }

  const asTransport: JobTransport = (id) =>
    new Observable<unknown>((subscriber) =>
      request(id, {
        answer: (body) => {
          subscriber.next(body);
          subscriber.complete();
        },
        fail: (error) => subscriber.error(error),
      }),
    );
  asTransport.track = track;
  return { request, track, transport: batchOf ? asTransport : transport };
}
