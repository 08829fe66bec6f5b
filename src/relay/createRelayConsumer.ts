import { Redis } from 'ioredis';

/** One event as a pipeline replica receives it from the relays' stream of all jobs. */
export interface RelayedEvent {
  /** The entry's id in the stream of all jobs (what is acknowledged). */
  readonly entryId: string;
  readonly jobId: string;
  /** The event's id in the job's own stream (the SSE id). */
  readonly id: string;
  /** `transition`, `snapshot`, `end` or `error`. */
  readonly type: string;
  /** The event's data: a transition (`JobEvent` without its snapshot), an Ordo body, the end, or an error. */
  readonly data: unknown;
}

/** Options of {@link createRelayConsumer}. */
export interface RelayConsumerOptions {
  /** The Redis the relays share, e.g. `redis://127.0.0.1:6379`. */
  readonly url: string;
  /** The consumer group: one per pipeline (every replica of it uses the same name). */
  readonly group: string;
  /** This replica's name within the group; unique per replica. */
  readonly consumer: string;
  /**
   * Handles one event. The event is acknowledged when the promise resolves; when it rejects (or
   * the replica dies first) the event stays pending and is handed again, to this replica or
   * another, after `claimIdleMs`.
   */
  readonly handle: (event: RelayedEvent) => Promise<void> | void;
  /** The relays' key prefix. @defaultValue `'ordo-relay:'` */
  readonly keyPrefix?: string;
  /** How long an event may stay unacknowledged before another replica takes it over, in milliseconds. @defaultValue 30000 */
  readonly claimIdleMs?: number;
  /** Where a new group starts: `'$'` (events from now on) or `'0'` (every event kept). @defaultValue `'$'` */
  readonly startAt?: '$' | '0';
  /** How long one blocking read waits, in milliseconds. @defaultValue 1000 */
  readonly blockMs?: number;
}

/** A running consumer: stop it to leave (its unacknowledged events go to the others after `claimIdleMs`). */
export interface RelayConsumer {
  stop(): Promise<void>;
}

type Entries = Array<[string, string[]]>;

function toEvent([entryId, fields]: [string, string[]]): RelayedEvent {
  const values = new Map<string, string>();
  for (let index = 0; index + 1 < fields.length; index += 2) values.set(fields[index]!, fields[index + 1]!);
  const data = values.get('data') ?? 'null';
  return { entryId, jobId: values.get('jobId') ?? '', id: values.get('id') ?? '', type: values.get('type') ?? '', data: JSON.parse(data) as unknown };
}

/**
 * Reads the relays' stream of all jobs (`<prefix>events`) as one replica of a pipeline, with a
 * Redis consumer group: across the group's replicas each event is handled once (`XREADGROUP`,
 * then `XACK` when `handle` resolves), and the events a replica took but did not acknowledge
 * (it crashed, or `handle` failed) are taken over by another after `claimIdleMs` (`XAUTOCLAIM`).
 * Events of one job reach `handle` in order within a replica; across replicas, two events of one
 * job may be handled at the same time. Source: the Redis documentation, "Redis Streams"
 * (consumer groups, XAUTOCLAIM).
 */
export async function createRelayConsumer(options: RelayConsumerOptions): Promise<RelayConsumer> {
  const stream = `${options.keyPrefix ?? 'ordo-relay:'}events`;
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const blockMs = options.blockMs ?? 1000;
  const redis = new Redis(options.url, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  try {
    await redis.xgroup('CREATE', stream, options.group, options.startAt ?? '$', 'MKSTREAM');
  } catch (error) {
    if (!String(error).includes('BUSYGROUP')) throw error;
  }
  let stopped = false;

  async function handleAll(entries: Entries): Promise<void> {
    for (const entry of entries) {
      if (stopped) return;
      const event = toEvent(entry);
      try {
        await options.handle(event);
      } catch {
        // Not acknowledged: handed again after claimIdleMs.
        continue;
      }
      await redis.xack(stream, options.group, event.entryId);
    }
  }

  const loop = (async () => {
    let lastClaim = 0;
    while (!stopped) {
      try {
        if (Date.now() - lastClaim >= Math.min(claimIdleMs, 5000)) {
          lastClaim = Date.now();
          // Events other replicas took and left unacknowledged for claimIdleMs.
          const [, claimed] = (await redis.xautoclaim(stream, options.group, options.consumer, claimIdleMs, '0', 'COUNT', 100)) as [string, Entries];
          await handleAll(claimed.filter(([, fields]) => fields !== null));
        }
        const answer = (await redis.xreadgroup('GROUP', options.group, options.consumer, 'COUNT', 100, 'BLOCK', blockMs, 'STREAMS', stream, '>')) as Array<[string, Entries]> | null;
        for (const [, entries] of answer ?? []) await handleAll(entries);
      } catch {
        if (!stopped) await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  })();

  return {
    async stop() {
      stopped = true;
      // The read in flight ends within blockMs; a handler that never settles is left behind (its
      // event stays pending, for another replica after claimIdleMs).
      await Promise.race([loop, new Promise((resolve) => setTimeout(resolve, blockMs + 100))]);
      redis.disconnect();
    },
  };
}
