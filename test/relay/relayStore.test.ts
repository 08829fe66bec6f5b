import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryRelayStore, memoryRelayState, type RelayStore, type StoredEvent } from '../../src/relay/relayStore.js';
import { createRedisRelayStore } from '../../src/relay/redisRelayStore.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis.stop();
});

/** Two instances sharing one store: two memory stores over one state, or two Redis clients of one server. */
const kinds: Array<[string, (prefix: string) => [RelayStore, RelayStore]]> = [
  ['memory', () => {
    const state = memoryRelayState();
    return [createMemoryRelayStore(state, { instanceId: 'a' }), createMemoryRelayStore(state, { instanceId: 'b' })];
  }],
  ['redis', (prefix) => [
    createRedisRelayStore({ url: redis.url, instanceId: 'a', keyPrefix: prefix, blockMs: 200 }),
    createRedisRelayStore({ url: redis.url, instanceId: 'b', keyPrefix: prefix, blockMs: 200 }),
  ]],
];

const latest = { body: '{"job":{"id":1,"status":"running"},"steps":[]}', etag: 'W/"x"' };
const event = (data: string) => ({ type: 'transition', data });
let test = 0;

describe.each(kinds)('a relay store (%s)', (_name, make) => {
  it('gives the poller lease to one instance at a time, and to another once it expires or is released', async () => {
    const [a, b] = make(`t${(test += 1)}:`);
    expect(await a.lease(300)).toBe(true);
    expect(await b.lease(300)).toBe(false);
    expect(await a.lease(300)).toBe(true); // renewed
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await b.lease(300)).toBe(true); // a's lease expired
    expect(await a.lease(300)).toBe(false);
    await b.release();
    expect(await a.lease(300)).toBe(true);
    await a.close();
    await b.close();
  });

  it('keeps the jobs any instance wants, by when they were last wanted, until forgotten or too old', async () => {
    const [a, b] = make(`t${(test += 1)}:`);
    await a.want(['1', '2'], 1000);
    await b.want(['2', '3'], 2000);
    await a.want(['2'], 1500); // never moves a job's time back
    expect((await b.wanted(0)).sort()).toEqual(['1', '2', '3']);
    expect((await a.wanted(1800)).sort()).toEqual(['2', '3']); // and job 1, last wanted at 1000, is dropped
    expect((await b.wanted(0)).sort()).toEqual(['2', '3']);
    await a.forget('2');
    expect((await b.wanted(0)).sort()).toEqual(['3']);
    await a.close();
    await b.close();
  });

  it('appends only for the holder: an instance that lost its lease cannot write behind the new one', async () => {
    const [a, b] = make(`t${(test += 1)}:`);
    expect(await a.lease(10_000)).toBe(true);
    const ids = await a.append('7', [event('{"n":1}'), event('{"n":2}')], latest);
    expect(ids).toHaveLength(2);
    await expect(b.append('7', [event('{"n":3}')], latest)).rejects.toThrow(/lease lost/);
    expect((await b.read('7', undefined)).map((each) => each.data)).toEqual(['{"n":1}', '{"n":2}']);
    expect((await b.read('7', ids[0])).map((each) => each.data)).toEqual(['{"n":2}']);
    expect(await b.latest('7')).toEqual(latest);
    expect(await b.latest('8')).toBeUndefined();
    await a.close();
    await b.close();
  });

  it('follows a job from an id: what is stored, then what any instance appends, never twice', async () => {
    const [a, b] = make(`t${(test += 1)}:`);
    await a.lease(10_000);
    const [first] = await a.append('9', [event('{"n":1}')], latest);
    await a.append('9', [event('{"n":2}')], latest);
    const seen: StoredEvent[] = [];
    const stop = b.follow('9', first, (events) => seen.push(...events));
    await a.append('9', [event('{"n":3}'), event('{"n":4}')], latest);
    for (let tries = 0; seen.length < 3 && tries < 100; tries += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    stop();
    expect(seen.map((each) => each.data)).toEqual(['{"n":2}', '{"n":3}', '{"n":4}']);
    expect(new Set(seen.map((each) => each.id)).size).toBe(3);
    await a.close();
    await b.close();
  });

  it("reads a client's id that names no event here (another relay's, or garbage) from the start, without stopping other followers", async () => {
    const [a, b] = make(`t${(test += 1)}:`);
    await a.lease(10_000);
    await a.append('11', [event('{"n":1}')], latest);
    await a.append('12', [event('{"m":1}')], latest);
    const strange: StoredEvent[] = [];
    const plain: StoredEvent[] = [];
    const stops = [
      ...['1-2-3', '--', '-1', '99999999999999999999999-1', 'x'].map((id) => b.follow('11', id, (events) => strange.push(...events))),
      b.follow('12', undefined, (events) => plain.push(...events)),
    ];
    await a.append('12', [event('{"m":2}')], latest);
    for (let tries = 0; (plain.length < 2 || strange.length < 5) && tries < 100; tries += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const stop of stops) stop();
    expect(plain.map((each) => each.data)).toEqual(['{"m":1}', '{"m":2}']);
    expect(strange.map((each) => each.data)).toEqual(Array.from({ length: 5 }, () => '{"n":1}'));
    await a.close();
    await b.close();
  });
});
