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

/**
 * What a relay instance needs of the place it shares state through. One instance at a time, the
 * holder of the poller lease, polls every job any instance wants (so its client batches them all:
 * ⌈jobs/100⌉ requests per interval, whatever the number of instances and consumers); every
 * instance serves from the log.
 */
export interface RelayStore {
  /**
   * Takes the poller lease, or renews it when this instance holds it, for `ttlMs` milliseconds.
   * Resolves `true` when this instance holds it afterwards.
   */
  lease(ttlMs: number): Promise<boolean>;
  /** Gives the poller lease up, when this instance holds it. */
  release(): Promise<void>;
  /** Notes that this instance wants these jobs polled, at `atMs` (milliseconds since the epoch). */
  want(jobIds: readonly string[], atMs: number): Promise<void>;
  /** The jobs some instance wanted at or after `sinceMs` (older entries are dropped). */
  wanted(sinceMs: number): Promise<string[]>;
  /**
   * Takes a job off the wanted list (it ended, failed, or nobody wants it any more); its events and
   * latest body go `retainMs` later (default: the store's `retainEndedMs`).
   */
  forget(jobId: string, retainMs?: number): Promise<void>;
  /**
   * Appends events and sets the latest body (when given), at once, only while this instance holds
   * the poller lease (a paused instance whose lease was taken over cannot write behind the new one).
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
  /** This instance's name in the poller lease. @defaultValue `'memory'` */
  readonly instanceId?: string;
  /** Events kept per job. @defaultValue 10000 */
  readonly maxEventsPerJob?: number;
  /** The clock of the lease's expiry, milliseconds since the epoch. @defaultValue `Date.now` */
  readonly now?: () => number;
  /** How long an ended job's events and latest body are kept after `forget`, in milliseconds. @defaultValue 3600000 (1 h) */
  readonly retainEndedMs?: number;
}

interface MemoryJob {
  events: StoredEvent[];
  latest: StoredLatest | undefined;
  readonly listeners: Set<{ after: number; listener: (events: readonly StoredEvent[]) => void }>;
}

/**
 * Shared state of memory stores: instances made over the same state see one another (tests of
 * the sharing rules). Opaque: make one with {@link memoryRelayState}.
 */
export interface MemoryRelayState {
  /** @internal */
  readonly jobs: Map<string, MemoryJob>;
  /** @internal */
  readonly wanted: Map<string, number>;
  /** @internal Forgotten jobs and when their events go, in the order they were forgotten. */
  readonly expiring: Map<string, number>;
  /** @internal */
  poller: { holder: string | undefined; until: number };
  /** @internal The next event's sequence number, for every job: ids never repeat within a state, even for a job dropped and asked for again. */
  nextSeq: number;
  /**
   * @internal The first part of every event id (`<epoch>-<seq>`): the state's creation time. An
   * id of another state (a relay that restarted) names no event here, and is read from the start.
   */
  readonly epoch: string;
}

/** A new, empty state for {@link createMemoryRelayStore}. */
export function memoryRelayState(): MemoryRelayState {
  return { jobs: new Map(), wanted: new Map(), expiring: new Map(), poller: { holder: undefined, until: 0 }, nextSeq: 1, epoch: String(Date.now()) };
}

/**
 * A {@link RelayStore} in memory: event ids are `<epoch>-1`, `<epoch>-2`… (one sequence for all jobs), where
 * `<epoch>` is when the state was made, so an id from before a restart names no event and the
 * stream is read from the start; an ended job is dropped `retainEndedMs` after `forget`. Stores made over the same
 * `state` behave like instances sharing one Redis (for tests of the sharing rules).
 */
export function createMemoryRelayStore(state: MemoryRelayState = memoryRelayState(), options: MemoryRelayStoreOptions = {}): RelayStore {
  const me = options.instanceId ?? 'memory';
  const maxEvents = options.maxEventsPerJob ?? 10_000;
  const now = options.now ?? Date.now;
  const retainEndedMs = options.retainEndedMs ?? 3_600_000;
  const prefix = `${state.epoch}-`;
  /** The sequence number of an id of this state; 0 (from the start) for none or another state's. */
  const seqOf = (id: string | undefined): number => (id !== undefined && id.startsWith(prefix) ? Number(id.slice(prefix.length)) || 0 : 0);
  const seq = (event: StoredEvent): number => Number(event.id.slice(prefix.length));
  const prune = (): void => {
    for (const [jobId, at] of state.expiring) {
      if (at > now()) break;
      state.expiring.delete(jobId);
      if (!state.wanted.has(jobId) && state.jobs.get(jobId)?.listeners.size === 0) state.jobs.delete(jobId);
    }
  };
  const jobOf = (jobId: string): MemoryJob => {
    let job = state.jobs.get(jobId);
    // Forgotten and expired, with no one following it: dropped now rather than at the next prune.
    const expiresAt = state.expiring.get(jobId);
    if (job && expiresAt !== undefined && expiresAt <= now() && job.listeners.size === 0) {
      state.expiring.delete(jobId);
      state.jobs.delete(jobId);
      job = undefined;
    }
    if (!job) {
      prune();
      job = { events: [], latest: undefined, listeners: new Set() };
      state.jobs.set(jobId, job);
    }
    return job;
  };
  const holds = () => state.poller.holder === me && state.poller.until > now();
  return {
    lease(ttlMs) {
      const { poller } = state;
      if (poller.holder === undefined || poller.holder === me || poller.until <= now()) {
        poller.holder = me;
        poller.until = now() + ttlMs;
      }
      return Promise.resolve(holds());
    },
    release() {
      if (state.poller.holder === me) state.poller.holder = undefined;
      return Promise.resolve();
    },
    want(jobIds, atMs) {
      for (const jobId of jobIds) state.wanted.set(jobId, Math.max(atMs, state.wanted.get(jobId) ?? 0));
      return Promise.resolve();
    },
    wanted(sinceMs) {
      for (const [jobId, at] of state.wanted) if (at < sinceMs) state.wanted.delete(jobId);
      return Promise.resolve([...state.wanted.keys()]);
    },
    forget(jobId, retainMs = retainEndedMs) {
      state.wanted.delete(jobId);
      state.expiring.delete(jobId);
      state.expiring.set(jobId, now() + retainMs);
      prune();
      return Promise.resolve();
    },
    append(jobId, events, latest) {
      const job = jobOf(jobId);
      if (!holds()) return Promise.reject(new Error('lease lost'));
      const added = events.map((event) => ({ id: `${prefix}${state.nextSeq++}`, ...event }));
      job.events.push(...added);
      if (job.events.length > maxEvents) job.events.splice(0, job.events.length - maxEvents);
      if (latest) job.latest = latest;
      for (const each of job.listeners) {
        const fresh = added.filter((event) => seq(event) > each.after);
        if (fresh.length > 0) {
          each.after = seq(fresh.at(-1)!);
          each.listener(fresh);
        }
      }
      return Promise.resolve(added.map((event) => event.id));
    },
    read(jobId, afterId) {
      const after = seqOf(afterId);
      return Promise.resolve(jobOf(jobId).events.filter((event) => seq(event) > after));
    },
    latest(jobId) {
      return Promise.resolve(jobOf(jobId).latest);
    },
    follow(jobId, afterId, listener) {
      const job = jobOf(jobId);
      const entry = { after: seqOf(afterId), listener };
      // What is stored already comes first (here at once), then each append.
      const stored = job.events.filter((event) => seq(event) > entry.after);
      if (stored.length > 0) {
        entry.after = seq(stored.at(-1)!);
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
