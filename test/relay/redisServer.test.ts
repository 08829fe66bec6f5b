import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let redis: TestRedis | undefined;
afterEach(async () => {
  await redis?.stop();
  redis = undefined;
});

describe('the real redis-server the relay tests use', () => {
  it('starts on a free port, keeps a stream, and comes back empty after a restart (no persistence)', async () => {
    redis = await startTestRedis();
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    const id = await client.xadd('ordo-relay:test', '*', 'type', 'transition', 'data', '{}');
    expect(id).toMatch(/^\d+-\d+$/);
    expect(await client.xrange('ordo-relay:test', '-', '+')).toEqual([[id, ['type', 'transition', 'data', '{}']]]);
    client.disconnect();
    await redis.kill();
    await redis.restart();
    const again = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await again.connect();
    expect(await again.xlen('ordo-relay:test')).toBe(0);
    again.disconnect();
  });
});
