import { getEventListeners } from 'node:events';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrdoClient, type WatchOptions } from 'ordo-status';
import type { SimulatorFault } from 'ordo-status/testing';
import { startTestSimulator } from '../helpers/simulator.js';
import { trackTimers } from '../helpers/timers.js';

/**
 * After a watch completes, errors or is unsubscribed, on every path: no timer, no socket and no
 * abort listener is left, and no promise rejection goes unhandled. A finished job's terminal
 * snapshot is kept for `retainTerminalMs` (100 ms here) and freed by a timer of its own when that
 * runs out: once it has, nothing is left either.
 */
const retainTerminalMs = 100;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => void process.on('unhandledRejection', onUnhandled));
afterAll(() => void process.off('unhandledRejection', onUnhandled));

const kinds = (...wanted: string[]) => process.getActiveResourcesInfo().filter((kind) => wanted.includes(kind)).length;

const settle = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));

interface Path {
  readonly name: string;
  readonly faults?: readonly SimulatorFault[];
  readonly options?: Partial<WatchOptions>;
  readonly scenarioSpeed?: number;
  /** Unsubscribe after this many ms instead of waiting for the end. */
  readonly unsubscribeAfterMs?: number;
  /** Abort the caller's signal after this many ms. */
  readonly abortAfterMs?: number;
  readonly outcome: 'complete' | 'error' | 'unsubscribed';
}

const retry = { maxRetries: 2, baseDelayMs: 5, jitter: 0 };
const paths: Path[] = [
  { name: 'completes', outcome: 'complete', scenarioSpeed: 50 },
  { name: 'completes through retried faults', outcome: 'complete', scenarioSpeed: 50, faults: [{ kind: 'status', status: 503 }, { kind: 'reset' }] },
  { name: 'completes through a truncated body and a regression it skips', outcome: 'complete', scenarioSpeed: 50, faults: [{ kind: 'truncate' }], options: { onIllegalTransition: 'skip' } },
  { name: 'errors at once (404)', outcome: 'error', faults: [{ kind: 'status', status: 404 }] },
  { name: 'errors after the retries run out', outcome: 'error', faults: Array.from({ length: 3 }, () => ({ kind: 'html', status: 502 }) as const) },
  { name: 'errors after request timeouts', outcome: 'error', faults: [{ kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' }], options: { requestTimeoutMs: 30 } },
  { name: 'errors at the whole-watch deadline', outcome: 'error', options: { timeoutMs: 80 } },
  { name: 'errors at an illegal transition', outcome: 'error', scenarioSpeed: 50, faults: [{ kind: 'invalid' }] },
  { name: 'unsubscribed mid-request', outcome: 'unsubscribed', faults: [{ kind: 'hang' }], unsubscribeAfterMs: 40 },
  { name: 'unsubscribed during a retry wait', outcome: 'unsubscribed', faults: [{ kind: 'status', status: 503, retryAfter: '3600' }], options: { retry: { ...retry, maxRetryAfterMs: 60_000 } }, unsubscribeAfterMs: 40 },
  { name: 'unsubscribed between polls', outcome: 'unsubscribed', options: { intervalMs: 60_000 }, unsubscribeAfterMs: 40 },
  { name: 'stopped by the caller’s signal', outcome: 'error', faults: [{ kind: 'hang' }], abortAfterMs: 40 },
];

describe('no leaks', () => {
  it.each(paths)('$name', async (path) => {
    await settle();
    const before = { sockets: kinds('TCPSocketWrap', 'TCPServerWrap') };
    const timers = trackTimers();
    const simulator = await startTestSimulator({ speed: path.scenarioSpeed ?? 0.001 });
    const { id } = await simulator.submitJob();
    if (path.faults) simulator.injectFaults(id, path.faults);
    const controller = new AbortController();
    const client = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, intervalMs: 5, retry, retainTerminalMs, ...path.options, signal: controller.signal });

    let outcome: string | undefined;
    const subscription = client.jobEvents$(id).subscribe({ error: () => (outcome = 'error'), complete: () => (outcome = 'complete') });
    if (path.unsubscribeAfterMs !== undefined) {
      await settle(path.unsubscribeAfterMs);
      subscription.unsubscribe();
      outcome ??= 'unsubscribed';
    }
    if (path.abortAfterMs !== undefined) {
      await settle(path.abortAfterMs);
      controller.abort(new Error('caller stopped'));
    }
    for (let waited = 0; outcome === undefined && waited < 5000; waited += 10) await settle(10);
    expect(outcome).toBe(path.outcome);

    // Nothing of the watch is left: no abort listener on the caller's signal, no timer.
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await simulator.close();
    await settle(retainTerminalMs + 50);
    timers.stop();
    expect(timers.alive()).toEqual([]);
    expect(kinds('TCPSocketWrap', 'TCPServerWrap')).toBe(before.sockets);
    expect(unhandled).toEqual([]);
  });

  it('a thousand watches of finished jobs leave nothing behind', async () => {
    const timers = trackTimers();
    const simulator = await startTestSimulator({ speed: 1000 });
    const ids: number[] = [];
    for (let index = 0; index < 50; index += 1) ids.push((await simulator.submitJob()).id);
    await settle(100);
    const client = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, retainTerminalMs });
    const watches = Array.from({ length: 1000 }, (_, index) => lastValueFrom(client.jobStatus$(ids[index % ids.length]!).pipe(toArray())));
    const results = await Promise.all(watches);
    expect(results.every((snapshots) => snapshots.length === 1 && snapshots[0]!.job.status === 'success')).toBe(true);
    await simulator.close();
    await settle(retainTerminalMs + 50);
    timers.stop();
    expect(timers.alive()).toEqual([]);
    expect(unhandled).toEqual([]);
  });
});

describe('a signal shared by many watches', () => {
  it('holds one abort listener while they run and none after', async () => {
    const controller = new AbortController();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const { jobStatus$ } = await import('ordo-status');
      const subscriptions = Array.from({ length: 50 }, (_, index) =>
        jobStatus$(index + 1, { transport: () => new Promise(() => {}), signal: controller.signal }).subscribe({ error: () => {} }),
      );
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
      subscriptions.slice(0, 49).forEach((subscription) => subscription.unsubscribe());
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
      subscriptions[49]!.unsubscribe();
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      await settle();
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
