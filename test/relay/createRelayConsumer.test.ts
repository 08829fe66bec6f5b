import { afterEach, describe, expect, it } from 'vitest';
import { createRedisRelayStore, createRelayConsumer, type RelayConsumer, type RelayedEvent } from 'ordo-status/relay';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let redis: TestRedis | undefined;
const consumers: RelayConsumer[] = [];
afterEach(async () => {
  for (const consumer of consumers.splice(0)) await consumer.stop();
  await redis?.stop();
  redis = undefined;
});

const latest = { body: '{"job":{"id":1,"status":"running"},"steps":[]}', etag: 'W/"x"' };

describe('createRelayConsumer: pipeline replicas on one consumer group', () => {
  it('hands each event to one replica, and a crashed replica’s unacknowledged events to another', async () => {
    redis = await startTestRedis();
    const store = createRedisRelayStore({ url: redis.url, instanceId: 'relay' });
    const handled: Array<{ replica: string; event: RelayedEvent }> = [];
    const replica = async (name: string, crash = false) => {
      const consumer = await createRelayConsumer({
        url: redis!.url,
        group: 'pipeline',
        consumer: name,
        claimIdleMs: 300,
        blockMs: 100,
        startAt: '0',
        handle: (event) => {
          // The crashing replica takes events but never acknowledges them (it "dies" mid-handling).
          if (crash) return new Promise<void>(() => undefined);
          handled.push({ replica: name, event });
        },
      });
      consumers.push(consumer);
      return consumer;
    };
    await store.lease(60_000);
    await replica('crashing', true);
    await store.append('1', [{ type: 'transition', data: '{"n":1}' }], latest);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The crashing replica holds event n:1 now; two healthy ones join.
    await replica('a');
    await replica('b');
    for (let n = 2; n <= 20; n += 1) await store.append(n % 2 === 0 ? '1' : '2', [{ type: 'transition', data: JSON.stringify({ n }) }], latest);
    for (let tries = 0; handled.length < 20 && tries < 100; tries += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    const numbers = handled.map(({ event }) => (event.data as { n: number }).n).sort((x, y) => x - y);
    // Every event handled once by a healthy replica, n:1 after it was taken over from the crashed one.
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    expect(handled.find(({ event }) => (event.data as { n: number }).n === 1)!.replica).not.toBe('crashing');
    expect(new Set(handled.map(({ replica: name }) => name))).toEqual(new Set(['a', 'b']));
    expect(handled.every(({ event }) => ['1', '2'].includes(event.jobId) && /^\d+-\d+$/.test(event.id))).toBe(true);
    await store.close();
  });
});
