import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lastValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrdoClient, jobTransitions, OrdoAuthError, OrdoNetworkError, OrdoNotFoundError, stepTransitions, type JobEvent } from 'ordo-status';
import { createRelay, type Relay } from 'ordo-status/relay';
import { startTestSimulator } from '../helpers/simulator.js';

const relayToken = 'relay-push-token-0123456789';
const running: Array<{ relay: Relay; server: Server }> = [];
afterEach(async () => {
  for (const { relay, server } of running.splice(0)) await stopRelay(relay, server);
});

async function stopRelay(relay: Relay, server: Server): Promise<void> {
  await relay.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

async function startRelay(ordoUrl: string, ordoToken: string, port = 0): Promise<{ url: string; relay: Relay; server: Server }> {
  const relay = createRelay({ baseUrl: ordoUrl, token: ordoToken, relayToken, intervalMs: 100 });
  const server = createServer((request, response) => relay.handle(request, response));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  running.push({ relay, server });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, relay, server };
}

/** The relay's own transition events of a job (what a consumer without this library reads). */
async function transitionsAt(relayUrl: string, id: number): Promise<unknown[]> {
  const text = await (await fetch(`${relayUrl}/jobs/${id}/events`, { headers: { Authorization: `Bearer ${relayToken}` } })).text();
  return text
    .split('\n\n')
    .filter((block) => block.includes('event: transition'))
    .map((block) => JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as unknown);
}

const withoutSnapshot = (events: readonly JobEvent[]) => events.map(({ snapshot: _snapshot, ...event }) => event);

/** Every job's and step's events chain from `pending` by legal moves, none twice. */
function expectCompleteLegalPath(events: readonly JobEvent[], terminal: string): void {
  const at = new Map<string, string>();
  for (const event of events) {
    const key = event.type === 'job' ? 'job' : event.stepId;
    expect(event.from).toBe(at.get(key) ?? 'pending');
    const table = event.type === 'job' ? jobTransitions : stepTransitions;
    expect((table.edges.get(event.from as never) as readonly string[]).includes(event.to)).toBe(true);
    at.set(key, event.to);
  }
  expect(at.get('job')).toBe(terminal);
}

/** Counts a fetch's requests by kind: event streams, and polls. */
function countingFetch(): { fetch: typeof globalThis.fetch; streams: number; polls: number; openedStreams: number } {
  const counts = {
    streams: 0,
    polls: 0,
    openedStreams: 0,
    fetch: (async (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.endsWith('/events')) counts.streams += 1;
      else counts.polls += 1;
      const response = await fetch(input, init);
      if (url.endsWith('/events') && response.ok) counts.openedStreams += 1;
      return response;
    }) as typeof globalThis.fetch,
  };
  return counts;
}

describe('createOrdoClient({ relay }): transitions pushed by a relay', () => {
  it('with only a relay: one event stream per job and no poll; the events are those the relay computed; jobStatus$ and waitForJob agree', async () => {
    const simulator = await startTestSimulator({ speed: 10 });
    const { id } = await simulator.submitJob();
    const { url } = await startRelay(simulator.url, simulator.token);
    const counted = countingFetch();
    const client = createOrdoClient({ relay: url, token: relayToken, fetch: counted.fetch });
    const [events, snapshots, settled] = await Promise.all([
      lastValueFrom(client.jobEvents$(id).pipe(toArray())),
      lastValueFrom(client.jobStatus$(id).pipe(toArray())),
      client.waitForJob(id),
    ]);
    expect(withoutSnapshot(events)).toEqual(await transitionsAt(url, id));
    expectCompleteLegalPath(events, 'success');
    expect(snapshots.at(-1)!.job.status).toBe('success');
    expect(settled).toBe(snapshots.at(-1));
    // Three subscribers of one job share one stream; nothing was polled.
    expect(counted.streams).toBe(1);
    expect(counted.polls).toBe(0);
  });

  it('reconnects with Last-Event-ID after the stream breaks: nothing lost, nothing repeated', async () => {
    const simulator = await startTestSimulator({ speed: 10 });
    const { id } = await simulator.submitJob();
    const { url } = await startRelay(simulator.url, simulator.token);
    let connections = 0;
    let resumedFrom: string | null = null;
    // The first connection breaks once it has carried a snapshot event; the next one must resume.
    const breaking: typeof fetch = async (input, init) => {
      const events = String(input).endsWith('/events');
      if (events) connections += 1;
      if (events && connections > 1) resumedFrom = new Headers(init?.headers).get('Last-Event-ID');
      const response = await fetch(input, init);
      if (!events || connections > 1) return response;
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
    const client = createOrdoClient({ relay: { url, token: relayToken, reconnectDelayMs: 50 }, fetch: breaking });
    const events = await lastValueFrom(client.jobEvents$(id).pipe(toArray()));
    expect(connections).toBeGreaterThan(1);
    expect(resumedFrom).toMatch(/^\d+-\d+$/);
    expect(withoutSnapshot(events)).toEqual(await transitionsAt(url, id));
  });

  it('polls Ordo while the relay is down and goes back to pushes when it is up again: one complete legal path', async () => {
    // Slow enough that the job outlives the relay's absence.
    const simulator = await startTestSimulator({ speed: 2 });
    const { id } = await simulator.submitJob();
    const first = await startRelay(simulator.url, simulator.token);
    const port = Number(new URL(first.url).port);
    const counted = countingFetch();
    const client = createOrdoClient({
      baseUrl: simulator.url,
      token: simulator.token,
      relay: { url: first.url, token: relayToken, reconnectDelayMs: 100, maxReconnectDelayMs: 200 },
      intervalMs: 100,
      fetch: counted.fetch,
    });
    const seen: JobEvent[] = [];
    const done = lastValueFrom(client.jobEvents$(id).pipe(toArray()));
    const subscription = client.jobEvents$(id).subscribe((event) => seen.push(event));
    // The relay goes away after the job started running, and comes back on the same port once
    // the client has polled Ordo.
    await until(() => seen.some((event) => event.type === 'job' && event.to === 'running'));
    running.splice(running.indexOf(first), 1);
    await stopRelay(first.relay, first.server);
    await until(() => counted.polls >= 2);
    const openedBefore = counted.openedStreams;
    await startRelay(simulator.url, simulator.token, port);
    await until(() => counted.openedStreams > openedBefore);
    const pollsAtReconnect = counted.polls;
    const events = await done;
    // Pushed again: at most the one poll that was already under way.
    expect(counted.polls - pollsAtReconnect).toBeLessThanOrEqual(1);
    subscription.unsubscribe();
    expectCompleteLegalPath(events, 'success');
    // The stream was opened again after the restart.
    expect(counted.openedStreams).toBeGreaterThan(openedBefore);
  }, 60_000);

  it('a job the relay cannot find is polled from then on: OrdoNotFoundError as from a poll', async () => {
    const simulator = await startTestSimulator({ speed: 10 });
    const { url } = await startRelay(simulator.url, simulator.token);
    const client = createOrdoClient({ relay: url, token: relayToken });
    await expect(client.waitForJob(424242)).rejects.toBeInstanceOf(OrdoNotFoundError);
  });

  it('a wrong relay token ends the watch with OrdoAuthError (not a silent fallback to polling)', async () => {
    const simulator = await startTestSimulator({ speed: 10 });
    const { id } = await simulator.submitJob();
    const { url } = await startRelay(simulator.url, simulator.token);
    const client = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, relay: { url, token: 'not-the-relay-token' } });
    const failure = await client.waitForJob(id).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OrdoAuthError);
    expect((failure as OrdoAuthError).status).toBe(401);
    expect(String((failure as Error).message)).toContain('/events');
  });

  it('a relay URL that serves no event streams ends the watch with a clear, non-retryable error', async () => {
    const simulator = await startTestSimulator({ speed: 10 });
    const { id } = await simulator.submitJob();
    // The simulator is no relay: its /jobs/:id/events is a 404.
    const client = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, relay: { url: simulator.url, token: simulator.token } });
    const failure = await client.waitForJob(id).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OrdoNetworkError);
    expect((failure as OrdoNetworkError).retryable).toBe(false);
    expect((failure as Error).message).toMatch(/serves no event streams/);
  });

  it('refuses invalid relay options at creation', () => {
    expect(() => createOrdoClient({ relay: 42 as never })).toThrow(/Invalid relay/);
    expect(() => createOrdoClient({ relay: 'ftp://relay' })).toThrow(/Invalid relay URL.*http: or https:/);
    expect(() => createOrdoClient({ relay: 'not a url' })).toThrow(/^Invalid relay URL "not a url"/);
    expect(() => createOrdoClient({ relay: { url: undefined as never } })).toThrow(/Invalid relay: expected/);
    expect(() => createOrdoClient({ relay: { url: 'http://relay', token: 'line\nbreak' } })).toThrow(/Invalid relay token: it holds a line break/);
    expect(() => createOrdoClient({ relay: { url: 'http://relay', reconnectDelayMs: -1 } })).toThrow(/relay.reconnectDelayMs/);
    expect(() => createOrdoClient({ relay: { url: 'http://relay', maxStreams: 1.5 } })).toThrow(/relay.maxStreams/);
    expect(() => createOrdoClient({ relay: { url: 'http://relay', reconnectDelayMs: 5000, maxReconnectDelayMs: 1000 } })).toThrow(/maxReconnectDelayMs/);
  });
});

describe('createOrdoClient({ relay }) against relays that misbehave', () => {
  /** A "relay" on loopback whose event route answers as `handle` says; its URLs and headers are noted. */
  async function badRelay(handle: (request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) => void) {
    const seen: Array<{ url: string; authorization: string | undefined }> = [];
    const server = createServer((request, response) => {
      seen.push({ url: request.url ?? '', authorization: request.headers.authorization });
      handle(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    running.push({ relay: { close: async () => undefined, handle: () => undefined, metrics: () => ({}) as never }, server });
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
  }

  it('redacts the relay token from a refusal that quotes it', async () => {
    const { url } = await badRelay((request, response) => {
      response.writeHead(401, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ error: `bad token ${request.headers.authorization}` }));
    });
    const client = createOrdoClient({ relay: { url, token: 'RELAY-SECRET-0123456789' } });
    const failure = (await client.waitForJob(7).catch((error: unknown) => error)) as Error;
    expect(failure).toBeInstanceOf(OrdoAuthError);
    expect(failure.message).toContain('[redacted]');
    expect(failure.message).not.toContain('RELAY-SECRET-0123456789');
  });

  it('drops a stream that sends more than 1 MiB without ending an event, and polls meanwhile', async () => {
    const simulator = await startTestSimulator({ speed: 10 });
    const { id } = await simulator.submitJob();
    const chunk = 'x'.repeat(65_536);
    const { url, seen } = await badRelay((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/event-stream' });
      const timer = setInterval(() => response.write(chunk), 1);
      response.on('close', () => clearInterval(timer));
    });
    const client = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, intervalMs: 100, relay: { url, reconnectDelayMs: 60_000 } });
    const done = await client.waitForJob(id);
    expect(done.job.status).toBe('success');
    expect(seen.length).toBe(1); // dropped, and not connected again within the job
  });

  it("polls a job whose stream ends with 'end' but brought no snapshot", async () => {
    const simulator = await startTestSimulator({ speed: 10 });
    const { id } = await simulator.submitJob();
    const { url } = await badRelay((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/event-stream' });
      response.end('id: 1\nevent: end\ndata: {}\n\n');
    });
    const client = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, intervalMs: 100, relay: { url } });
    expect((await client.waitForJob(id)).job.status).toBe('success');
  });

  it('ends the watch when the relay token function fails (no silent fallback), and keeps the relay URL\'s query before /events', async () => {
    const { url, seen } = await badRelay((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/event-stream' });
    });
    const client = createOrdoClient({
      baseUrl: 'http://127.0.0.1:1',
      relay: {
        url: `${url}/?tenant=a`,
        token: () => {
          throw new Error('vault unreachable');
        },
      },
    });
    const failure = (await client.waitForJob(7).catch((error: unknown) => error)) as OrdoNetworkError;
    expect(failure).toBeInstanceOf(OrdoNetworkError);
    expect(failure.retryable).toBe(false);
    expect(failure.message).toContain('The relay token function failed');
    expect(failure.message).toContain('vault unreachable');
    expect(seen).toEqual([]);
    const withQuery = createOrdoClient({ baseUrl: 'http://127.0.0.1:1', relay: { url: `${url}/?tenant=a`, token: 'relay-token-0123456789' }, timeoutMs: 300 });
    await withQuery.waitForJob(7).catch(() => undefined);
    expect(seen[0]!.url).toBe('/jobs/7/events?tenant=a');
  });
});

/** Waits until `condition` holds, checking every 20 ms (no deadline of its own: the test's timeout is it). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}
