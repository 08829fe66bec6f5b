import { afterEach, describe, expect, it } from 'vitest';
import { createRedisRelayStore, type RelayStore } from 'ordo-status/relay';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';
import { expectLegalPath, startTestRelay } from '../helpers/relay.js';
import { startTestSimulator } from '../helpers/simulator.js';

const relayToken = 'relay-restart-token-0123456789';
let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function startRelay(baseUrl: string, token: string, redis: TestRedis, name: string): Promise<string> {
  const store: RelayStore = createRedisRelayStore({ url: redis.url, instanceId: name, blockMs: 200 });
  const started = await startTestRelay({ baseUrl, token, relayToken, store, intervalMs: 100, leaseMs: 600 });
  cleanups.push(started.close); // before Redis stops (cleanups run last first)
  return started.url;
}

/** Reads a job's events to `end`, reconnecting with Last-Event-ID when the stream breaks. */
async function consume(url: string, jobId: number): Promise<Array<{ id: string; event: string; data: string }>> {
  const frames: Array<{ id: string; event: string; data: string }> = [];
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const last = frames.at(-1)?.id;
    try {
      const response = await fetch(`${url}/jobs/${jobId}/events`, { headers: { Authorization: `Bearer ${relayToken}`, ...(last ? { 'Last-Event-ID': last } : {}) } });
      const text = await response.text();
      for (const block of text.split('\n\n')) {
        const fields = new Map(block.split('\n').filter((line) => line.includes(': ') && !line.startsWith(':')).map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)] as const));
        if (!fields.has('event')) continue;
        frames.push({ id: fields.get('id')!, event: fields.get('event')!, data: fields.get('data')! });
        if (fields.get('event') === 'end') return frames;
      }
    } catch {
      // The stream broke: again.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no end; got ${frames.length} events`);
}

describe('relays on Redis when Redis restarts', () => {
  it('recover: the job goes on and every consumer’s path stays complete and legal, no id twice', async () => {
    const redis = await startTestRedis({ persistent: true });
    cleanups.push(() => redis.stop());
    const simulator = await startTestSimulator({ speed: 2 });
    const { id } = await simulator.submitJob();
    const urls = [await startRelay(simulator.url, simulator.token, redis, 'a'), await startRelay(simulator.url, simulator.token, redis, 'b')];
    const consumers = Array.from({ length: 10 }, (_, index) => consume(urls[index % 2]!, id));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await redis.kill();
    await new Promise((resolve) => setTimeout(resolve, 700));
    await redis.restart();
    const paths = await Promise.all(consumers);
    for (const frames of paths) {
      expect(new Set(frames.map((frame) => frame.id)).size).toBe(frames.length);
      const last = expectLegalPath(frames);
      expect(last.get('job')).toBe('success');
      expect(frames.at(-1)!.event).toBe('end');
    }
  });
  it('answer 503 to GET /jobs/:id while Redis is away, and stay up (the process keeps serving, and says why in its log)', async () => {
    const redis = await startTestRedis();
    cleanups.push(() => redis.stop());
    const simulator = await startTestSimulator({ speed: 2 });
    const { id } = await simulator.submitJob();
    const said: string[] = [];
    const store: RelayStore = createRedisRelayStore({ url: redis.url, instanceId: 'away', blockMs: 200 });
    const { url, close } = await startTestRelay({ baseUrl: simulator.url, token: simulator.token, relayToken, store, intervalMs: 100, leaseMs: 600, log: (line) => said.push(line) });
    cleanups.push(close);
    const auth = { Authorization: `Bearer ${relayToken}` };
    expect((await fetch(`${url}/jobs/${id}`, { headers: auth })).status).toBe(200);
    await redis.kill();
    const away = await fetch(`${url}/jobs/${id + 1}`, { headers: auth });
    expect(away.status).toBe(503);
    expect(await away.json()).toEqual({ error: 'The relay cannot reach its store; try again shortly' });
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(said.some((line) => line.startsWith('store unavailable: '))).toBe(true);
    await redis.restart();
    while ((await fetch(`${url}/jobs/${id}`, { headers: auth })).status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(said).toContain('store available again');
  }, 60_000);
});
