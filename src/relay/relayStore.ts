/**
 * Where a relay keeps what it shares: who polls each job (a lease), each job's events (a log
 * with ids that any instance serves alike) and its latest Ordo body. In memory for one process
 * ({@link createMemoryRelayStore}); in Redis for several (`createRedisRelayStore`).
 *
 * Keys and the sharing rules: docs/relay.md.
 */

/** One stored event: its id (opaque; ordered within a job), its SSE event type and its data (one-line JSON). */
export interface StoredEvent {
  readonly id: string;
  readonly type: string;
  readonly data: string;
}

/** The latest Ordo body of a job and its weak ETag. */
export interface StoredLatest {
  readonly body: string;
  readonly etag: string;
}

/** What a relay instance needs of the place it shares state through. */
export interface RelayStore {
  /**
   * Takes the lease to poll `jobId`, or renews it when this instance holds it, for `ttlMs`
   * milliseconds. Resolves `true` when this instance holds it afterwards.
   */
  lease(jobId: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up, when this instance holds it. */
  release(jobId: string): Promise<void>;
  /**
   * Appends events and sets the latest body (when given), at once, only while this instance holds the lease
   * (a paused instance whose lease was taken over cannot write behind the new holder).
   * @returns the new events' ids, in order.
   * @throws Error `lease lost` when another instance holds the lease (or none does).
   */
  append(jobId: string, events: readonly Omit<StoredEvent, 'id'>[], latest: StoredLatest | undefined): Promise<string[]>;
  /** The events after `afterId` (exclusive; `undefined`: from the oldest kept), oldest first. */
  read(jobId: string, afterId: string | undefined): Promise<StoredEvent[]>;
  /** The latest body, `undefined` before the first. */
  latest(jobId: string): Promise<StoredLatest | undefined>;
  /**
   * Calls `listener` with every event after `afterId` (exclusive; `undefined`: from the oldest
   * kept): those already stored, then each batch any instance appends, until the returned
   * function is called. Never the same event twice.
   */
  follow(jobId: string, afterId: string | undefined, listener: (events: readonly StoredEvent[]) => void): () => void;
  /** Closes connections. */
  close(): Promise<void>;
}

/** Options of {@link createMemoryRelayStore}. */
export interface MemoryRelayStoreOptions {
  /** This instance's name in leases. @defaultValue `'memory'` */
  readonly instanceId?: string;
  /** Events kept per job. @defaultValue 10000 */
  readonly maxEventsPerJob?: number;
  /** The clock of lease expiry, milliseconds since the epoch. @defaultValue `Date.now` */
  readonly now?: () => number;
}

interface MemoryJob {
  holder: string | undefined;
  leaseUntil: number;
  events: StoredEvent[];
  nextSeq: number;
  latest: StoredLatest | undefined;
  readonly listeners: Set<{ after: number; listener: (events: readonly StoredEvent[]) => void }>;
}

/** Shared state of memory stores: instances made over the same `shared` map see one another (tests). */
export type MemoryRelayState = Map<string, MemoryJob>;

/** A new, empty state for {@link createMemoryRelayStore}. */
export function memoryRelayState(): MemoryRelayState {
  return new Map();
}

/**
 * A {@link RelayStore} in memory: event ids are `1`, `2`, `3`… per job. Stores made over the same
 * `state` behave like instances sharing one Redis (for tests of the sharing rules).
 */
export function createMemoryRelayStore(state: MemoryRelayState = memoryRelayState(), options: MemoryRelayStoreOptions = {}): RelayStore {
  const me = options.instanceId ?? 'memory';
  const maxEvents = options.maxEventsPerJob ?? 10_000;
  const now = options.now ?? Date.now;
  const jobOf = (jobId: string): MemoryJob => {
    let job = state.get(jobId);
    if (!job) {
      job = { holder: undefined, leaseUntil: 0, events: [], nextSeq: 1, latest: undefined, listeners: new Set() };
      state.set(jobId, job);
    }
    return job;
  };
  const holds = (job: MemoryJob) => job.holder === me && job.leaseUntil > now();
  return {
    lease(jobId, ttlMs) {
      const job = jobOf(jobId);
      if (job.holder === undefined || job.holder === me || job.leaseUntil <= now()) {
        job.holder = me;
        job.leaseUntil = now() + ttlMs;
      }
      return Promise.resolve(holds(job));
    },
    release(jobId) {
      const job = jobOf(jobId);
      if (job.holder === me) job.holder = undefined;
      return Promise.resolve();
    },
    append(jobId, events, latest) {
      const job = jobOf(jobId);
      if (!holds(job)) return Promise.reject(new Error('lease lost'));
      const added = events.map((event) => ({ id: String(job.nextSeq++), ...event }));
      job.events.push(...added);
      if (job.events.length > maxEvents) job.events.splice(0, job.events.length - maxEvents);
      if (latest) job.latest = latest;
      for (const each of job.listeners) {
        const fresh = added.filter((event) => Number(event.id) > each.after);
        if (fresh.length > 0) {
          each.after = Number(fresh.at(-1)!.id);
          each.listener(fresh);
        }
      }
      return Promise.resolve(added.map((event) => event.id));
    },
    read(jobId, afterId) {
      const after = afterId === undefined ? 0 : Number(afterId);
      return Promise.resolve(jobOf(jobId).events.filter((event) => Number(event.id) > after));
    },
    latest(jobId) {
      return Promise.resolve(jobOf(jobId).latest);
    },
    follow(jobId, afterId, listener) {
      const job = jobOf(jobId);
      const entry = { after: afterId === undefined ? 0 : Number(afterId), listener };
      // What is stored already comes first (here at once), then each append.
      const stored = job.events.filter((event) => Number(event.id) > entry.after);
      if (stored.length > 0) {
        entry.after = Number(stored.at(-1)!.id);
        listener(stored);
      }
      job.listeners.add(entry);
      return () => job.listeners.delete(entry);
    },
    close() {
      return Promise.resolve();
    },
  };
}
