import { getEventListeners } from 'node:events';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import {
  createOrdoClient,
  getJob,
  jobStatus$,
  OrdoJobFailedError,
  OrdoNotFoundError,
  OrdoTimeoutError,
  stepTransitions,
  jobTransitions,
  waitForJob,
  type JobTransport,
} from 'ordo-status';
import { jobBody } from 'ordo-status/testing';
import { trackTimers } from '../helpers/timers.js';
import { startTestServer } from '../helpers/testServer.js';
import { startTestSimulator } from '../helpers/simulator.js';


const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

describe('createOrdoClient against the simulator over HTTP', () => {
  it('waitForJob resolves with the terminal snapshot of a job that succeeded', async () => {
    const requests: string[] = [];
    const simulator = await startTestSimulator({ speed: 20, onRequest: (request) => requests.push(request.url) });
    const { id } = await simulator.submitJob();
    const client = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, intervalMs: 50 });
    const snapshot = await client.waitForJob(id);
    expect(snapshot.job.status).toBe('success');
    expect(snapshot.progress).toEqual({ fraction: 1, completedSteps: 5, totalSteps: 5 });
    expect(snapshot.outputs.every((output) => output.deliveredAt instanceof Date)).toBe(true);
    expect(new Set(requests)).toEqual(new Set([`/jobs/${id}`]));
  });

  it('waitForJob rejects with OrdoJobFailedError for failed and partial jobs', async () => {
    const simulator = await startTestSimulator({ speed: 20 });
    const client = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, intervalMs: 50 });
    const failed = await simulator.submitJob(undefined, { scenario: 'failed' });
    const partial = await simulator.submitJob(undefined, { scenario: 'partial' });
    const failure = await client.waitForJob(failed.id).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OrdoJobFailedError);
    expect(failure).toMatchObject({ code: 'JOB_FAILED', jobId: String(failed.id), snapshot: { job: { status: 'failed' } } });
    expect((failure as Error).message).toMatch(/^Job 1 ended failed \(failed step: dem\): Step "dem" failed: /);
    const partly = await client.waitForJob(partial.id).catch((error: unknown) => error);
    expect(partly).toMatchObject({ code: 'JOB_FAILED', snapshot: { job: { status: 'partial' } } });
    expect((partly as Error).message).toMatch(/^Job 2 ended partial \(failed step: contours\)/);
  });

  it('jobEvents$ over HTTP gives a legal path ending at the terminal status', async () => {
    const simulator = await startTestSimulator({ speed: 20, scenario: 'retry' });
    const { id } = await simulator.submitJob();
    const client = createOrdoClient({ baseUrl: `${simulator.url}/`, token: async () => simulator.token });
    const events = await lastValueFrom(client.jobEvents$(id, { intervalMs: 20 }).pipe(toArray()));
    const job = events.filter((event) => event.type === 'job');
    expect(job.map((event) => event.to)).toEqual(['running', 'success']);
    const byStep = new Map<string, string[]>();
    for (const event of events) {
      if (event.type !== 'step') continue;
      const path = byStep.get(event.stepId) ?? ['pending'];
      expect(path.at(-1)).toBe(event.from);
      expect(stepTransitions.edges.get(event.from)).toContain(event.to);
      path.push(event.to);
      byStep.set(event.stepId, path);
    }
    expect(byStep.get('dem')).toEqual(['pending', 'running', 'blocked', 'running', 'success']);
    expect(events.find((event) => event.type === 'step' && event.stepId === 'dem' && event.from === 'blocked')).toMatchObject({ attempt: 2 });
    expect(jobTransitions.final.has(job.at(-1)!.to)).toBe(true);
  });

  it('getJob makes exactly one request and validates the answer', async () => {
    let count = 0;
    const simulator = await startTestSimulator({ onRequest: () => (count += 1) });
    const { id } = await simulator.submitJob();
    const client = createOrdoClient({ baseUrl: simulator.url, token: simulator.token });
    const snapshot = await client.getJob(id);
    expect(snapshot.job).toMatchObject({ id: String(id), status: 'pending' });
    expect(count).toBe(1);
    await expect(client.getJob(999)).rejects.toBeInstanceOf(OrdoNotFoundError);
    expect(count).toBe(2);
  });

  it('times out the whole watch with OrdoTimeoutError and the last snapshot', async () => {
    const simulator = await startTestSimulator({ speed: 0.01 });
    const { id } = await simulator.submitJob();
    const client = createOrdoClient({ baseUrl: simulator.url, token: simulator.token });
    const error = await client.waitForJob(id, { intervalMs: 20, timeoutMs: 150 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OrdoTimeoutError);
    expect((error as OrdoTimeoutError).lastSnapshot?.job.status).toBe('pending');
    await settle();
  });
});

describe('no leaks', () => {
  it('unsubscribing mid-request aborts it and leaves no timer', async () => {
    let closed = 0;
    const server = await startTestServer((req) => req.socket.on('close', () => (closed += 1))); // never answers
    const tracked = trackTimers();
    const subscription = createOrdoClient({ baseUrl: server.url }).jobStatus$(1).subscribe();
    // Until the request is in flight (a busy machine takes longer than any fixed sleep).
    await vi.waitFor(() => {
      expect(server.requests).toHaveLength(1);
      expect(tracked.alive()).toHaveLength(1); // the request's deadline
    });
    subscription.unsubscribe();
    await settle();
    tracked.stop();
    expect(closed).toBe(1);
    expect(tracked.alive()).toEqual([]);
  });

  it('unsubscribing between polls leaves no timer and sends nothing more', async () => {
    const server = await startTestServer((_req, res) => res.json(jobBody({ status: 'running' })));
    const tracked = trackTimers();
    let answered = false;
    const subscription = createOrdoClient({ baseUrl: server.url, intervalMs: 60_000 })
      .jobStatus$(1)
      .subscribe(() => (answered = true));
    // Until the first answer is in and only the wait for the next poll is left (destroyed timers
    // are reported a little later, later still on a busy machine).
    await vi.waitFor(() => {
      expect(answered).toBe(true);
      expect(tracked.alive()).toHaveLength(1); // the wait for the next poll
    });
    subscription.unsubscribe();
    await settle(); // async_hooks reports destroyed timers a little later
    tracked.stop();
    expect(tracked.alive()).toEqual([]);
    await settle();
    expect(server.requests).toHaveLength(1);
  });

  it('completing and erroring leave no timer and no abort listener', async () => {
    const signals: AbortSignal[] = [];
    const userSignal = new AbortController().signal;
    const tracked = trackTimers();
    const finished: JobTransport = (_id, { signal }) => {
      signals.push(signal);
      return Promise.resolve(jobBody({ status: 'success' }));
    };
    await waitForJob(1, { transport: finished, signal: userSignal, timeoutMs: 60_000 });
    const broken: JobTransport = () => Promise.reject(new Error('boom'));
    await expect(waitForJob(1, { transport: broken, signal: userSignal, timeoutMs: 60_000, retry: 0 })).rejects.toThrow('boom');
    await settle();
    tracked.stop();
    expect(tracked.alive()).toEqual([]);
    expect(signals[0]!.aborted).toBe(false);
    expect(getEventListeners(userSignal, 'abort')).toHaveLength(0);
  });

  it('waitForJob and getJob reject with the signal’s reason', async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const pending = waitForJob(1, { transport: () => new Promise(() => {}), signal: controller.signal });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await expect(getJob(1, { transport: () => [jobBody({ status: 'running' })], signal: controller.signal })).rejects.toBe(reason);
  });
});

describe('createOrdoClient options', () => {
  it('needs a baseUrl or a transport, not both', () => {
    expect(() => createOrdoClient({})).toThrow('createOrdoClient needs a baseUrl');
    expect(() => createOrdoClient({ baseUrl: 'https://x', transport: () => [] })).toThrow('either transport');
    expect(() => createOrdoClient({ baseUrl: 'https://x', intervalMs: -1 })).toThrow('Invalid intervalMs -1');
    expect(() => createOrdoClient(null as never)).toThrow(TypeError);
  });

  it('applies client defaults, overridden per call', async () => {
    const ids: string[] = [];
    const transport: JobTransport = (id) => {
      ids.push(id);
      return [jobBody({ id, status: 'success' })];
    };
    const client = createOrdoClient({ transport, intervalMs: 5 });
    expect(client.transport).toBe(transport);
    expect((await firstValueFrom(client.jobStatus$(3))).job.id).toBe('3');
    expect((await client.getJob('4')).job.id).toBe('4');
    expect(await lastValueFrom(jobStatus$('5', { transport }).pipe(toArray()))).toHaveLength(1);
    expect(ids).toEqual(['3', '4', '5']);
  });
});
