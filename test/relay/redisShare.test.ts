import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatorRequest } from 'ordo-status/testing';
import { createRedisRelayStore, type Relay } from 'ordo-status/relay';
import { startTestRedis } from '../helpers/redis.js';
import { startTestRelay } from '../helpers/relay.js';
import { startTestSimulator } from '../helpers/simulator.js';

const relayToken = 'relay-share-token-0123456789';
let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

describe('three relays on one Redis', () => {
  it('share 200 jobs and 1,000 SSE consumers: one instance polls, with ⌈200/100⌉ = 2 batch requests per interval, before and after a take-over', async () => {
    const redis = await startTestRedis();
    cleanups.push(() => redis.stop());
    const requests: SimulatorRequest[] = [];
    // A manual clock: the jobs stay running, so every cycle asks for all 200.
    const simulator = await startTestSimulator({ now: () => Date.parse('2026-12-01T12:00:00Z'), onRequest: (request) => requests.push(request) });
    const ids: number[] = [];
    for (let index = 0; index < 200; index += 1) ids.push((await simulator.submitJob()).id);
    const intervalMs = 400;
    const relays: Array<{ relay: Relay; url: string; said: string[] }> = [];
    for (const name of ['a', 'b', 'c']) {
      const store = createRedisRelayStore({ url: redis.url, instanceId: name, blockMs: 200 });
      const said: string[] = [];
      const { relay, url, close } = await startTestRelay({ baseUrl: simulator.url, token: simulator.token, relayToken, store, intervalMs, leaseMs: 1500, log: (line) => said.push(line) });
      cleanups.push(close); // before Redis stops (cleanups run last first)
      relays.push({ relay, url, said });
    }
    const controller = new AbortController();
    cleanups.push(async () => controller.abort());
    // Consumers arrive in waves, on every instance, each job on several.
    for (let wave = 0; wave < 5; wave += 1) {
      const opened = await Promise.all(
        Array.from({ length: 200 }, (_, index) => {
          const { url } = relays[(wave + index) % 3]!;
          return fetch(`${url}/jobs/${ids[(wave * 37 + index) % 200]}/events`, { headers: { Authorization: `Bearer ${relayToken}` }, signal: controller.signal });
        }),
      );
      expect(opened.every((response) => response.status === 200)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    const total = () => relays.reduce((sum, { relay }) => sum + relay.metrics().consumers, 0);
    const polled = () => relays.map(({ relay }) => relay.metrics().jobsPolled);
    while (total() < 1000 || !polled().includes(200)) await new Promise((resolve) => setTimeout(resolve, 50));
    // One instance polls all 200; the others none.
    expect(polled().sort()).toEqual([0, 0, 200]);
    /** The batch requests the simulator sees in 5 intervals, a few intervals from now. */
    const expectTwoFullGroups = async () => {
      await new Promise((resolve) => setTimeout(resolve, 3 * intervalMs));
      const before = requests.length;
      await new Promise((resolve) => setTimeout(resolve, 5 * intervalMs));
      const window = requests.slice(before).filter((request) => request.method === 'GET');
      const byUrl = new Map<string, number>();
      for (const request of window) byUrl.set(request.url, (byUrl.get(request.url) ?? 0) + 1);
      const groups = [...byUrl.keys()].map((url) => /\/jobs\/([\d,]+)$/.exec(url)![1]!.split(','));
      expect(groups.map((group) => group.length)).toEqual([100, 100]);
      expect(groups.flat().sort()).toEqual(ids.map(String).sort());
      const [a, b] = [...byUrl.values()] as [number, number];
      expect(Math.abs(a - b)).toBeLessThanOrEqual(1);
      expect(a).toBeGreaterThanOrEqual(2);
    };
    await expectTwoFullGroups();
    // Every instance serves its consumers.
    expect(relays.map(({ relay }) => relay.metrics().consumers).sort()).toEqual([333, 333, 334]);
    // The poller stops; another instance takes over, resuming every job from the store, and polls
    // them in the same two batches (not one request per job).
    const poller = relays.find(({ relay }) => relay.metrics().jobsPolled === 200)!;
    expect(poller.said).toContain('poller lease taken: this instance polls every wanted job');
    const others = relays.filter((each) => each !== poller);
    const theirConsumers = others.map(({ relay }) => relay.metrics().consumers);
    await poller.relay.close();
    while (!others.some(({ relay }) => relay.metrics().jobsPolled === 200)) await new Promise((resolve) => setTimeout(resolve, 50));
    await expectTwoFullGroups();
    expect(others.find(({ relay }) => relay.metrics().jobsPolled === 200)!.said).toContain('poller lease taken: this instance polls every wanted job');
    expect(others.map(({ relay }) => relay.metrics().consumers)).toEqual(theirConsumers);
  }, 60_000);
});
