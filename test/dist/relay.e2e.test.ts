import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatorRequest } from 'ordo-status/testing';
import { runCli, startCli, type RunningCli } from '../helpers/cli.js';
import { closedPort } from '../helpers/testServer.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';
import { expectLegalPath } from '../helpers/relay.js';
import { startTestSimulator } from '../helpers/simulator.js';

const relayToken = 'relay-e2e-token-0123456789abcdef';
let relays: RunningCli[] = [];
let redis: TestRedis | undefined;
afterEach(async () => {
  for (const relay of relays) relay.child.kill('SIGKILL');
  relays = [];
  await redis?.stop();
  redis = undefined;
});

interface Frame {
  readonly id: string;
  readonly event: string;
  readonly data: string;
}

/** Starts `ordo-status relay` on a free port and returns its URL. */
async function startRelay(simulator: { url: string; token: string }, redisUrl: string): Promise<{ url: string; relay: RunningCli }> {
  const relay = startCli(['relay', '--base-url', simulator.url, '--redis', redisUrl, '--port', '0', '--interval', '100ms', '--lease', '600ms'], {
    ORDO_TOKEN: simulator.token,
    ORDO_RELAY_TOKEN: relayToken,
  });
  relays.push(relay);
  const banner = await relay.waitForOutput(/Press Ctrl-C to stop/);
  return { url: /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)![1]!, relay };
}

/**
 * A consumer that reads a job's events to the end, and when its relay goes away reconnects to
 * the next live one with `Last-Event-ID`, as an EventSource does.
 */
async function consume(urls: () => string[], jobId: number, start: number): Promise<Frame[]> {
  const frames: Frame[] = [];
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const live = urls();
    const url = live[(start + attempt) % live.length]!;
    const last = frames.at(-1)?.id;
    try {
      const response = await fetch(`${url}/jobs/${jobId}/events`, {
        headers: { Authorization: `Bearer ${relayToken}`, ...(last ? { 'Last-Event-ID': last } : {}) },
      });
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const fields = new Map(buffer.slice(0, end).split('\n').filter((line) => !line.startsWith(':') && line.includes(': ')).map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)] as const));
          buffer = buffer.slice(end + 2);
          if (!fields.has('event')) continue;
          frames.push({ id: fields.get('id')!, event: fields.get('event')!, data: fields.get('data')! });
          if (fields.get('event') === 'end') return frames;
        }
      }
    } catch {
      // The relay went away: the next one.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no end after 50 connections; got ${frames.length} events`);
}

describe('ordo-status relay --redis: three instances sharing the work', () => {
  it('keeps every consumer’s path complete and legal, no id twice, through a kill -9 of the instance that polls the job', async () => {
    redis = await startTestRedis();
    const requests: SimulatorRequest[] = [];
    const simulator = await startTestSimulator({ speed: 2, onRequest: (request) => requests.push(request) });
    const { id } = await simulator.submitJob();
    const started = await Promise.all([0, 1, 2].map(() => startRelay(simulator, redis!.url)));
    const alive = new Set(started.map(({ url }) => url));
    const consumers = Array.from({ length: 30 }, (_, index) => consume(() => [...alive], id, index));
    // Once the job runs, find the instance that polls it (it holds the lease) and kill it.
    let killed = false;
    for (let tries = 0; tries < 100 && !killed; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const { url, relay } of started) {
        const metrics = (await (await fetch(`${url}/metrics`, { headers: { Authorization: `Bearer ${relayToken}` } })).json()) as { jobsPolled: number; eventsSent: number };
        if (metrics.jobsPolled === 1 && metrics.eventsSent > 30) {
          alive.delete(url);
          relay.child.kill('SIGKILL');
          killed = true;
          break;
        }
      }
    }
    expect(killed).toBe(true);
    const paths = await Promise.all(consumers);
    // Another instance took the job over: only the lease holder polls upstream.
    const upstream = await Promise.all(
      [...alive].map(async (url) => ((await (await fetch(`${url}/metrics`, { headers: { Authorization: `Bearer ${relayToken}` } })).json()) as { upstreamRequests: number }).upstreamRequests),
    );
    expect(upstream.some((count) => count > 0)).toBe(true);
    for (const frames of paths) {
      const ids = frames.map((frame) => frame.id);
      expect(new Set(ids).size).toBe(ids.length);
      const last = expectLegalPath(frames);
      expect(last.get('job')).toBe('success');
      expect(frames.at(-1)!.event).toBe('end');
      expect(frames).toEqual(paths[0]);
    }
  });
});

describe('ordo-status relay: what it says at a terminal', () => {
  it('refuses a --redis value that is no Redis URL (exit 2), before listening', async () => {
    for (const value of ['notaurl', 'http://127.0.0.1:6379']) {
      const result = await runCli(['relay', '--base-url', 'http://127.0.0.1:1', '--port', '0', '--redis', value], { ORDO_RELAY_TOKEN: relayToken });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`--redis ${JSON.stringify(value)}: expected a Redis URL such as redis://127.0.0.1:6379`);
      expect(result.stdout).toBe('');
    }
  });

  it('warns when the Ordo token is empty, and logs with the time when its Redis cannot be reached', async () => {
    const port = await closedPort();
    const relay = startCli(['relay', '--base-url', 'http://127.0.0.1:1', '--port', '0', '--redis', `redis://127.0.0.1:${port}`], { ORDO_RELAY_TOKEN: relayToken });
    relays.push(relay);
    await relay.waitForOutput(/Press Ctrl-C to stop/);
    const stderr = await relay.waitForError(/store unavailable: /);
    expect(stderr).toContain('ordo-status: $ORDO_TOKEN is empty: the relay sends no token upstream');
    expect(stderr).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z store unavailable: .+; retrying$/m);
  });
});
