import { Redis } from 'ioredis';
import type { RelayStore, StoredEvent, StoredLatest } from './relayStore.js';

/** Options of {@link createRedisRelayStore}. */
export interface RedisRelayStoreOptions {
  /** The Redis URL, e.g. `redis://127.0.0.1:6379`. */
  readonly url: string;
  /** This instance's name in leases; unique per instance. */
  readonly instanceId: string;
  /** The prefix of every key. @defaultValue `'ordo-relay:'` */
  readonly keyPrefix?: string;
  /** Events kept per job's stream (`XADD … MAXLEN ~`). @defaultValue 10000 */
  readonly maxEventsPerJob?: number;
  /** Events kept in the stream of all jobs (`<prefix>events`), which pipelines read with a consumer group. @defaultValue 1000000 */
  readonly maxEvents?: number;
  /** How long an ended job's stream and latest body are kept after `forget` (`PEXPIRE`), in milliseconds. @defaultValue 3600000 (1 h) */
  readonly retainEndedMs?: number;
  /** How long one blocking read waits before the set of followed jobs is read again, in milliseconds. @defaultValue 1000 */
  readonly blockMs?: number;
}

/**
 * Keys (with the default prefix):
 * - `ordo-relay:poller`: the instance that polls every wanted job (a string with a TTL);
 * - `ordo-relay:wanted`: a Sorted Set of job ids, scored by when an instance last wanted them;
 * - `ordo-relay:events:<jobId>`: the job's events, a Stream of `type`, `data` entries;
 * - `ordo-relay:latest:<jobId>`: a Hash of `body` and `etag`;
 *   (both expire `retainEndedMs` after the job ended);
 * - `ordo-relay:events`: every job's events in one Stream (`jobId`, `id` (the job stream's id),
 *   `type`, `data`), for pipelines that read it with a consumer group ({@link createRelayConsumer}).
 */
const leaseScript = `
local holder = redis.call('GET', KEYS[1])
if (not holder) or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

/**
 * XADD each event to the job's stream and to the stream of all jobs (for pipelines' consumer
 * groups), and HSET the latest (unless ARGV[3] is empty), only while ARGV[1] holds the lease
 * (KEYS[1]). ARGV[6] is the job id, ARGV[7] the bound of the all-jobs stream.
 */
const appendScript = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('lease lost') end
local ids = {}
local count = tonumber(ARGV[5])
for index = 0, count - 1 do
  local kind = ARGV[8 + index * 2]
  local data = ARGV[9 + index * 2]
  ids[#ids + 1] = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'type', kind, 'data', data)
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[7], '*', 'jobId', ARGV[6], 'id', ids[#ids], 'type', kind, 'data', data)
end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[3], 'body', ARGV[3], 'etag', ARGV[4]) end
return ids`;

function toEvents(entries: Array<[string, string[]]>): StoredEvent[] {
  return entries.map(([id, fields]) => {
    const values = new Map<string, string>();
    for (let index = 0; index + 1 < fields.length; index += 2) values.set(fields[index]!, fields[index + 1]!);
    return { id, type: values.get('type') ?? '', data: values.get('data') ?? '' };
  });
}

/**
 * A {@link RelayStore} in Redis (ioredis): the poller lease with `SET … PX` renewed by a script
 * that checks the holder, the wanted jobs in a Sorted Set, events in one Stream per job (ids are
 * Redis stream ids, the same on every instance), the latest body in a Hash; an append is refused
 * to an instance that lost the lease.
 * Followers share one blocking connection (`XREAD BLOCK`).
 */
export function createRedisRelayStore(options: RedisRelayStoreOptions): RelayStore {
  const prefix = options.keyPrefix ?? 'ordo-relay:';
  const maxEvents = options.maxEventsPerJob ?? 10_000;
  const blockMs = options.blockMs ?? 1000;
  const retainEndedMs = options.retainEndedMs ?? 3_600_000;
  const maxAllEvents = options.maxEvents ?? 1_000_000;
  const redis = new Redis(options.url, { lazyConnect: false, maxRetriesPerRequest: 2 });
  const reader = new Redis(options.url, { lazyConnect: false, maxRetriesPerRequest: null });
  // ioredis reconnects by itself; a lost connection shows in the calls that fail (a lease not
  // renewed, an append refused), so its error events need no listener's attention.
  for (const connection of [redis, reader]) connection.on('error', () => undefined);
  const key = {
    poller: `${prefix}poller`,
    wanted: `${prefix}wanted`,
    events: (jobId: string) => `${prefix}events:${jobId}`,
    latest: (jobId: string) => `${prefix}latest:${jobId}`,
    all: `${prefix}events`,
  };
  /** `ready`: the follower's first read (what is stored already) has been delivered; the loop hands it nothing before. */
  /**
   * The reads a consumer waits on (`latest`, `read`) fail at once while Redis is away, so the relay
   * answers 503 now instead of after the client's reconnection attempts (seconds).
   * @throws Error when the connection is not ready.
   */
  const connected = (): void => {
    // Away once it was there (not while it first connects, which takes milliseconds).
    if (redis.status === 'reconnecting' || redis.status === 'close' || redis.status === 'end') throw new Error(`Redis is not connected (${redis.status})`);
  };
  const followers = new Map<string, Set<{ after: string; ready: boolean; listener: (events: readonly StoredEvent[]) => void }>>();
  let closed = false;
  let reading = false;

  async function readLoop(): Promise<void> {
    if (reading) return;
    reading = true;
    try {
      while (!closed && followers.size > 0) {
        // Each job is read from the oldest position any of its followers needs.
        const jobs = [...followers.keys()];
        const from = jobs.map((jobId) => {
          const positions = [...followers.get(jobId)!].map((each) => each.after);
          return positions.sort(compareIds)[0] ?? '0';
        });
        let answer: Array<[string, Array<[string, string[]]>]> | null;
        try {
          answer = await reader.xread('BLOCK', blockMs, 'STREAMS', ...jobs.map(key.events), ...from);
        } catch {
          // Redis is away (restarting): ioredis reconnects; try again a little later, not in a tight loop.
          await new Promise((resolve) => setTimeout(resolve, Math.min(blockMs, 250)));
          continue;
        }
        for (const [streamKey, entries] of answer ?? []) {
          const jobId = streamKey.slice(key.events('').length);
          const events = toEvents(entries);
          for (const each of followers.get(jobId) ?? []) {
            if (!each.ready) continue;
            const fresh = events.filter((event) => compareIds(event.id, each.after) > 0);
            if (fresh.length === 0) continue;
            each.after = fresh.at(-1)!.id;
            each.listener(fresh);
          }
        }
      }
    } finally {
      reading = false;
    }
  }

  return {
    async lease(ttlMs) {
      return (await redis.eval(leaseScript, 1, key.poller, options.instanceId, String(ttlMs))) === 1;
    },
    async release() {
      await redis.eval(releaseScript, 1, key.poller, options.instanceId);
    },
    async want(jobIds, atMs) {
      if (jobIds.length === 0) return;
      // GT: a score only moves forward (Redis 6.2+).
      await redis.zadd(key.wanted, 'GT', ...jobIds.flatMap((jobId) => [atMs, jobId]));
    },
    async wanted(sinceMs) {
      const [, [error, jobIds]] = (await redis.multi().zremrangebyscore(key.wanted, '-inf', `(${sinceMs}`).zrangebyscore(key.wanted, sinceMs, '+inf').exec()) as [unknown, [Error | null, string[]]];
      if (error) throw error;
      return jobIds;
    },
    async forget(jobId, retainMs = retainEndedMs) {
      const ttl = Math.max(1, Math.round(retainMs));
      await redis.multi().zrem(key.wanted, jobId).pexpire(key.events(jobId), ttl).pexpire(key.latest(jobId), ttl).exec();
    },
    async append(jobId, events, latest: StoredLatest | undefined) {
      const args = events.flatMap((event) => [event.type, event.data]);
      return (await redis.eval(
        appendScript,
        4,
        key.poller,
        key.events(jobId),
        key.latest(jobId),
        key.all,
        options.instanceId,
        String(maxEvents),
        latest?.body ?? '',
        latest?.etag ?? '',
        String(events.length),
        jobId,
        String(maxAllEvents),
        ...args,
      )) as string[];
    },
    async read(jobId, afterId) {
      connected();
      const after = streamId(afterId);
      return toEvents((await redis.xrange(key.events(jobId), after === '0' ? '-' : `(${after}`, '+')));
    },
    async latest(jobId) {
      connected();
      const fields = await redis.hgetall(key.latest(jobId));
      return fields['body'] === undefined ? undefined : { body: fields['body'], etag: fields['etag'] ?? '' };
    },
    follow(jobId, afterId, listener) {
      const entry = { after: streamId(afterId), ready: false, listener };
      let set = followers.get(jobId);
      if (!set) followers.set(jobId, (set = new Set()));
      set.add(entry);
      // What is stored already, at once (the loop may be blocked for blockMs on other streams);
      // later events come from the loop, which reads from the oldest position of any follower.
      const first = (): void => {
        redis.xrange(key.events(jobId), entry.after === '0' ? '-' : `(${entry.after}`, '+').then(
          (entries) => {
            if (!set.has(entry)) return;
            const stored = toEvents(entries);
            entry.ready = true;
            if (stored.length === 0) return;
            entry.after = stored.at(-1)!.id;
            listener(stored);
          },
          // Redis is away: the loop waits for it too; try the first read again.
          () => void (set.has(entry) && !closed && setTimeout(first, Math.min(blockMs, 250))),
        );
      };
      first();
      void readLoop();
      return () => {
        set.delete(entry);
        if (set.size === 0) followers.delete(jobId);
      };
    },
    async close() {
      closed = true;
      reader.disconnect();
      await redis.quit().catch(() => undefined);
    },
  };
}

/**
 * A client's `Last-Event-ID` as a position in a job's stream: a full Redis stream id
 * (`<ms>-<seq>`), else `'0'` (from the start): an id of a memory relay, or anything else a client
 * sends, must not break the reads of the other streams.
 */
function streamId(id: string | undefined): string {
  return id !== undefined && /^\d{1,15}-\d{1,15}$/.test(id) ? id : '0';
}

/** Orders Redis stream ids (`<ms>-<seq>`); `'0'` is before every id. */
function compareIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split('-').map(BigInt) as [bigint, bigint | undefined];
  const [bMs, bSeq] = b.split('-').map(BigInt) as [bigint, bigint | undefined];
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  const left = aSeq ?? 0n;
  const right = bSeq ?? 0n;
  return left === right ? 0 : left < right ? -1 : 1;
}
