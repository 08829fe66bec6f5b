import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lastValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { OrdoNotFoundError } from 'ordo-status';
import { createRelay, relayObservations$, type Relay } from 'ordo-status/relay';
import { startTestSimulator } from '../helpers/simulator.js';

const relayToken = 'relay-push-token-0123456789';
let running: { relay: Relay; server: Server } | undefined;
afterEach(async () => {
  await running?.relay.close();
  running?.server.closeAllConnections();
  await new Promise((resolve) => running?.server.close(resolve) ?? resolve(undefined));
  running = undefined;
});

async function start(): Promise<{ relayUrl: string; id: number }> {
  const simulator = await startTestSimulator({ speed: 10 });
  const { id } = await simulator.submitJob();
  const relay = createRelay({ baseUrl: simulator.url, token: simulator.token, relayToken, intervalMs: 100 });
  const server = createServer((request, response) => relay.handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  running = { relay, server };
  return { relayUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, id };
}

/** The relay's own transition events of a job (what a consumer without this library reads). */
async function transitionsAt(relayUrl: string, id: number): Promise<unknown[]> {
  const text = await (await fetch(`${relayUrl}/jobs/${id}/events`, { headers: { Authorization: `Bearer ${relayToken}` } })).text();
  return text
    .split('\n\n')
    .filter((block) => block.includes('event: transition'))
    .map((block) => JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as unknown);
}

describe('relayObservations$: pushed observations with the library’s validation and lifecycle', () => {
  it('emits validated snapshots and the same transitions the relay computed, then completes after the terminal one', async () => {
    const { relayUrl, id } = await start();
    const observations = await lastValueFrom(relayObservations$(id, { relayUrl, token: relayToken }).pipe(toArray()));
    expect(observations.at(-1)!.snapshot.job.status).toBe('success');
    const events = observations.flatMap((observation) => observation.events.map(({ snapshot: _snapshot, ...event }) => event));
    expect(events).toEqual(await transitionsAt(relayUrl, id));
    // Every snapshot differs from the one before, as from a poll.
    for (let index = 1; index < observations.length; index += 1) expect(observations[index]!.snapshot).not.toBe(observations[index - 1]!.snapshot);
  });

  it('reconnects with Last-Event-ID after the stream breaks: nothing lost, nothing repeated', async () => {
    const { relayUrl, id } = await start();
    let connections = 0;
    let resumedFrom: string | null = null;
    // The first connection breaks once it has carried a snapshot event; the next one must resume.
    const breaking: typeof fetch = async (input, init) => {
      connections += 1;
      if (connections > 1) resumedFrom = new Headers(init?.headers).get('Last-Event-ID');
      const response = await fetch(input, init);
      if (connections > 1) return response;
      const reader = response.body!.getReader();
      const chunks: Uint8Array[] = [];
      let text = '';
      while (!text.includes('event: snapshot')) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        text += new TextDecoder().decode(value);
      }
      await reader.cancel();
      return new Response(new ReadableStream({ start: (controller) => (chunks.forEach((chunk) => controller.enqueue(chunk)), controller.close()) }), { headers: response.headers });
    };
    const observations = await lastValueFrom(relayObservations$(id, { relayUrl, token: relayToken, fetch: breaking, reconnectDelayMs: 50 }).pipe(toArray()));
    expect(connections).toBeGreaterThan(1);
    expect(resumedFrom).toMatch(/^\d+$/);
    const events = observations.flatMap((observation) => observation.events.map(({ snapshot: _snapshot, ...event }) => event));
    expect(events).toEqual(await transitionsAt(relayUrl, id));
  });

  it('fails with OrdoNotFoundError for a job Ordo does not have', async () => {
    const { relayUrl } = await start();
    await expect(lastValueFrom(relayObservations$(424242, { relayUrl, token: relayToken }))).rejects.toBeInstanceOf(OrdoNotFoundError);
  });
});
