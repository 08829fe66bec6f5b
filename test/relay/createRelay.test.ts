import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseJobSnapshot } from 'ordo-status';
import type { SimulatorRequest } from 'ordo-status/testing';
import { createRelay, type RelayOptions } from 'ordo-status/relay';
import { expectLegalPath, startTestRelay, type TestRelay } from '../helpers/relay.js';
import { startTestSimulator } from '../helpers/simulator.js';

const relayToken = 'relay-token-for-tests-0123456789';
let running: TestRelay | undefined;

async function startRelay(options: RelayOptions): Promise<string> {
  running = await startTestRelay(options);
  return running.url;
}

interface Frame {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

/** Reads a Server-Sent Events stream to its end (or until `stopAfter` frames), parsing its frames. */
async function readEvents(url: string, headers: Record<string, string> = {}, stopAfter = Number.POSITIVE_INFINITY): Promise<Frame[]> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { Authorization: `Bearer ${relayToken}`, ...headers }, signal: controller.signal });
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  const frames: Frame[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = new Map<string, string>();
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(': ');
          if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 2));
        }
        if (!fields.has('event')) continue;
        frames.push({ id: fields.get('id'), event: fields.get('event')!, data: fields.get('data') ?? '' });
        if (frames.length >= stopAfter) {
          controller.abort();
          return frames;
        }
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  }
  return frames;
}


describe('the relay (in memory)', () => {
  it('polls a job once for 50 consumers and gives each the complete legal path, ids <epoch>-1, -2, -3…, the terminal snapshot, then the end', async () => {
    const requests: SimulatorRequest[] = [];
    const simulator = await startTestSimulator({ speed: 20, onRequest: (request) => requests.push(request) });
    const { id } = await simulator.submitJob();
    const relayUrl = await startRelay({ baseUrl: simulator.url, token: simulator.token, relayToken, intervalMs: 100 });
    const streams = await Promise.all(Array.from({ length: 50 }, () => readEvents(`${relayUrl}/jobs/${id}/events`)));
    for (const frames of streams) {
      expect(frames.map((frame) => Number(/^\d+-(\d+)$/.exec(frame.id!)?.[1]))).toEqual(frames.map((_, index) => index + 1));
      expect(frames.at(-1)!.event).toBe('end');
      expect(JSON.parse(frames.at(-1)!.data)).toEqual({ jobId: String(id), status: 'success' });
      const final = frames.at(-2)!;
      expect(final.event).toBe('snapshot');
      expect(parseJobSnapshot(JSON.parse(final.data), { jobId: id }).job.status).toBe('success');
      expect(expectLegalPath(frames).get('job')).toBe('success');
      expect(frames).toEqual(streams[0]);
    }
    // Upstream load against the number of consumers: see the 1,000-consumer test below.
    expect(requests.filter((request) => request.method === 'GET').length).toBeGreaterThan(0);
    expect(running!.relay.metrics()).toMatchObject({ consumers: 0, jobsWanted: 1, eventsSent: 50 * streams[0]!.length });
  });

  it('serves 1,000 consumers of 200 jobs with ⌈200/100⌉ = 2 batch requests per interval: two full groups, whatever the number of consumers', async () => {
    const requests: SimulatorRequest[] = [];
    // A manual clock: the jobs stay running, so every cycle asks for all 200.
    const simulator = await startTestSimulator({ now: () => Date.parse('2026-12-01T12:00:00Z'), onRequest: (request) => requests.push(request) });
    const ids: number[] = [];
    for (let index = 0; index < 200; index += 1) ids.push((await simulator.submitJob()).id);
    const intervalMs = 400;
    const relayUrl = await startRelay({ baseUrl: simulator.url, token: simulator.token, relayToken, intervalMs });
    const controller = new AbortController();
    // Consumers arrive in waves, so the jobs start polling over several rounds and form partial
    // groups first; the relay must merge them.
    const opened: Response[] = [];
    for (let wave = 0; wave < 5; wave += 1) {
      opened.push(
        ...(await Promise.all(
          Array.from({ length: 200 }, (_, index) =>
            fetch(`${relayUrl}/jobs/${ids[(wave * 37 + index) % 200]}/events`, { headers: { Authorization: `Bearer ${relayToken}` }, signal: controller.signal }),
          ),
        )),
      );
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    expect(opened.every((response) => response.status === 200)).toBe(true);
    while (running!.relay.metrics().consumers < 1000 || running!.relay.metrics().jobsPolled < 200) await new Promise((resolve) => setTimeout(resolve, 50));
    // A few intervals for the partial groups to merge, then a window of several intervals.
    await new Promise((resolve) => setTimeout(resolve, 3 * intervalMs));
    const before = requests.length;
    await new Promise((resolve) => setTimeout(resolve, 5 * intervalMs));
    const window = requests.slice(before).filter((request) => request.method === 'GET');
    controller.abort();
    // Two groups of 100 that split the 200 jobs, and nothing else: no single request, no partial
    // batch; both asked for the same number of times (±1 at the window's edges).
    const byUrl = new Map<string, number>();
    for (const request of window) byUrl.set(request.url, (byUrl.get(request.url) ?? 0) + 1);
    const groups = [...byUrl.keys()].map((url) => /\/jobs\/([\d,]+)$/.exec(url)![1]!.split(','));
    expect(groups.map((group) => group.length)).toEqual([100, 100]);
    expect(groups.flat().sort()).toEqual(ids.map(String).sort());
    const [a, b] = [...byUrl.values()] as [number, number];
    expect(Math.abs(a - b)).toBeLessThanOrEqual(1);
    expect(a).toBeGreaterThanOrEqual(2);
    expect(running!.relay.metrics()).toMatchObject({ jobsWanted: 200, jobsPolled: 200, consumers: 1000 });
  });

  it('resumes after Last-Event-ID with nothing lost and nothing repeated', async () => {
    const simulator = await startTestSimulator({ speed: 10 });
    const { id } = await simulator.submitJob();
    const relayUrl = await startRelay({ baseUrl: simulator.url, token: simulator.token, relayToken, intervalMs: 100 });
    const first = await readEvents(`${relayUrl}/jobs/${id}/events`, {}, 3);
    expect(first.map((frame) => frame.id?.replace(/^\d+-/, ''))).toEqual(['1', '2', '3']);
    const rest = await readEvents(`${relayUrl}/jobs/${id}/events`, { 'Last-Event-ID': first[2]!.id! });
    const whole = await readEvents(`${relayUrl}/jobs/${id}/events`);
    expect([...first, ...rest]).toEqual(whole);
    expect(whole.at(-1)!.event).toBe('end');
    // An id of another relay process (this one restarted, its memory is new) names nothing here: from the start.
    expect(await readEvents(`${relayUrl}/jobs/${id}/events`, { 'Last-Event-ID': '1-3' })).toEqual(whole);
  });

  it('answers GET /jobs/:id with the Ordo body, an ETag and 304; the batch route in request order', async () => {
    const simulator = await startTestSimulator({ speed: 20 });
    const { id } = await simulator.submitJob();
    const relayUrl = await startRelay({ baseUrl: simulator.url, token: simulator.token, relayToken, intervalMs: 100 });
    await readEvents(`${relayUrl}/jobs/${id}/events`);
    const auth = { Authorization: `Bearer ${relayToken}` };
    const response = await fetch(`${relayUrl}/jobs/${id}`, { headers: auth });
    expect(response.status).toBe(200);
    const etag = response.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"/);
    const snapshot = parseJobSnapshot(await response.json(), { jobId: id });
    expect(snapshot.job.status).toBe('success');
    const again = await fetch(`${relayUrl}/jobs/${id}`, { headers: { ...auth, 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const batch = await fetch(`${relayUrl}/jobs/999,${id}`, { headers: auth });
    const elements = (await batch.json()) as Array<{ id: number; found: boolean; job?: { status: string } }>;
    expect(elements.map(({ id: each, found }) => ({ id: each, found }))).toEqual([
      { id: 999, found: false },
      { id, found: true },
    ]);
    expect(elements[1]!.job!.status).toBe('success');
  });

  it('asks consumers for its own token (a header, or access_token for EventSource), never Ordo’s', async () => {
    const simulator = await startTestSimulator({ speed: 20 });
    const { id } = await simulator.submitJob();
    const relayUrl = await startRelay({ baseUrl: simulator.url, token: simulator.token, relayToken, intervalMs: 100 });
    expect((await fetch(`${relayUrl}/health`)).status).toBe(200);
    expect((await fetch(`${relayUrl}/jobs/${id}`)).status).toBe(401);
    expect((await fetch(`${relayUrl}/jobs/${id}`, { headers: { Authorization: `Bearer ${simulator.token}` } })).status).toBe(401);
    expect((await fetch(`${relayUrl}/jobs/${id}?access_token=${relayToken}`)).status).toBe(200);
    const viaQuery = await readEvents(`${relayUrl}/jobs/${id}/events?access_token=${relayToken}`, { Authorization: '' });
    expect(viaQuery.at(-1)!.event).toBe('end');
    const metrics = await (await fetch(`${relayUrl}/metrics`, { headers: { Authorization: `Bearer ${relayToken}` } })).json();
    expect(JSON.stringify(metrics)).not.toContain(simulator.token);
  });

  it('answers a job Ordo does not have with 404, and its event stream with an error event', async () => {
    const simulator = await startTestSimulator({ speed: 20 });
    const relayUrl = await startRelay({ baseUrl: simulator.url, token: simulator.token, relayToken, intervalMs: 100 });
    const response = await fetch(`${relayUrl}/jobs/424242`, { headers: { Authorization: `Bearer ${relayToken}` } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'Job not found' });
    const frames = await readEvents(`${relayUrl}/jobs/424242/events`);
    expect(frames).toEqual([{ id: expect.stringMatching(/^\d+-1$/), event: 'error', data: '{"status":404,"error":"Job not found"}' }]);
    expect((await fetch(`${relayUrl}/jobs/abc`, { headers: { Authorization: `Bearer ${relayToken}` } })).status).toBe(400);
  });
  it('refuses invalid options at creation with the option named', () => {
    const base = { baseUrl: 'http://127.0.0.1:1', relayToken };
    expect(() => createRelay({ ...base, intervalMs: 0 })).toThrow(/Invalid intervalMs 0/);
    expect(() => createRelay({ ...base, leaseMs: Number.NaN })).toThrow(/Invalid leaseMs NaN/);
    expect(() => createRelay({ ...base, heartbeatMs: -5 })).toThrow(/Invalid heartbeatMs -5/);
    expect(() => createRelay({ ...base, keepMs: '60s' as never })).toThrow(/Invalid keepMs 60s/);
    expect(() => createRelay({ ...base, maxBufferedBytes: 1.5 })).toThrow(/Invalid maxBufferedBytes 1.5/);
  });
  it('answers 504 when the Ordo server gives no first answer in time (a single job, and a batch with it)', async () => {
    // An upstream that accepts connections and never answers.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const upstream = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const relayUrl = await startRelay({ baseUrl: upstream, token: 'ordo-token', relayToken, answerTimeoutMs: 200 });
      const auth = { Authorization: `Bearer ${relayToken}` };
      const single = await fetch(`${relayUrl}/jobs/7`, { headers: auth });
      expect(single.status).toBe(504);
      expect(await single.json()).toEqual({ error: 'No answer from the Ordo server for job 7 within 200 ms' });
      const batch = await fetch(`${relayUrl}/jobs/7,8`, { headers: auth });
      expect(batch.status).toBe(504);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('answers malformed requests with 400 and stays up: a request line no URL parser takes, a bad percent-encoding', async () => {
    const relayUrl = await startRelay({ baseUrl: 'http://127.0.0.1:1', relayToken });
    const { port } = new URL(relayUrl);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    const auth = { Authorization: `bearer ${relayToken}` }; // the scheme is case-insensitive
    expect((await fetch(`${relayUrl}/jobs/%E0%A4%A`, { headers: auth })).status).toBe(400);
    expect((await fetch(`${relayUrl}/jobs/%ff/events`, { headers: auth })).status).toBe(400);
    expect((await fetch(`${relayUrl}/health`)).status).toBe(200);
  });

  it('answers 204 to a consumer that resumes after the end (an EventSource reconnecting), and 503 past maxJobs', async () => {
    const simulator = await startTestSimulator({ speed: 20 });
    const { id } = await simulator.submitJob();
    const relayUrl = await startRelay({ baseUrl: simulator.url, token: simulator.token, relayToken, intervalMs: 100, maxJobs: 2 });
    const whole = await readEvents(`${relayUrl}/jobs/${id}/events`);
    expect(whole.at(-1)!.event).toBe('end');
    const again = await fetch(`${relayUrl}/jobs/${id}/events`, { headers: { Authorization: `Bearer ${relayToken}`, 'Last-Event-ID': whole.at(-1)!.id! } });
    expect(again.status).toBe(204);
    expect((await fetch(`${relayUrl}/jobs/${id + 1}`, { headers: { Authorization: `Bearer ${relayToken}` } })).status).toBe(404);
    const third = await fetch(`${relayUrl}/jobs/${id + 2}`, { headers: { Authorization: `Bearer ${relayToken}` } });
    expect(third.status).toBe(503);
    expect(await third.json()).toEqual({ error: 'This relay already watches 2 jobs; try again later' });
  });

  it('tells consumers what failed upstream, not where (the URL and its query stay in the log); a failure is forgotten a few seconds later', async () => {
    const simulator = await startTestSimulator({ speed: 20 });
    const said: string[] = [];
    // A wrong Ordo token: upstream answers 401; the base URL carries a gateway key in its query.
    const relayUrl = await startRelay({ baseUrl: `${simulator.url}/?apikey=GATEWAY-KEY-42`, token: 'wrong-token', relayToken, intervalMs: 100, keepMs: 400, log: (line) => said.push(line) });
    const { id } = await simulator.submitJob();
    const frames = await readEvents(`${relayUrl}/jobs/${id}/events`);
    expect(frames).toEqual([{ id: expect.stringMatching(/^\d+-1$/), event: 'error', data: '{"status":502,"error":"upstream: AUTH (HTTP 401)"}' }]);
    expect(said.some((line) => line.startsWith(`job ${id}: `) && line.includes('401'))).toBe(true);
    // The failure is the job's outcome for min(5 s, keepMs), then a new consumer gets a fresh poll (and its failure).
    await new Promise((resolve) => setTimeout(resolve, 600));
    const later = await readEvents(`${relayUrl}/jobs/${id}/events`);
    expect(later.map((frame) => frame.event)).toEqual(['error']);
    expect(later[0]!.id).not.toBe(frames[0]!.id);
  });
});
