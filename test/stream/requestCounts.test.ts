import { lastValueFrom, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOrdoClient } from 'ordo-status';
import { startOrdoSimulator, type OrdoSimulator } from 'ordo-status/testing';

/**
 * What a server sees, over real HTTP: one request per interval for any number of subscribers to
 * one job, and ⌈N/100⌉ requests per interval for N watched jobs.
 */
let simulator: OrdoSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('requests a server sees', () => {
  it('one request per interval for 100 subscribers to one job, however they arrive', async () => {
    const seen: Array<{ at: number; url: string }> = [];
    simulator = await startOrdoSimulator({ speed: 0.001, onRequest: (request) => seen.push({ at: Date.now(), url: request.url }) });
    const { id } = await simulator.submitJob();
    const intervalMs = 150;
    const ordo = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, intervalMs });
    const subscriptions = [];
    for (let index = 0; index < 100; index += 1) {
      subscriptions.push(ordo.jobStatus$(id).subscribe());
      if (index % 10 === 0) await sleep(37); // arriving over about one and a half intervals
    }
    await sleep(intervalMs * 10);
    subscriptions.forEach((subscription) => subscription.unsubscribe());
    const requests = seen.filter((request) => request.url === `/jobs/${id}`);
    // The first at once, then one per interval after each answer: never closer than the interval.
    const gaps = requests.slice(1).map((request, index) => request.at - requests[index]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(intervalMs - 5);
    const elapsed = requests.at(-1)!.at - requests[0]!.at;
    expect(requests.length).toBeLessThanOrEqual(Math.floor(elapsed / intervalMs) + 1);
    expect(requests.length).toBeGreaterThanOrEqual(10);
  });

  it('⌈N/100⌉ requests per interval for N = 250 watched jobs', async () => {
    const seen: Array<{ at: number; ids: string[] }> = [];
    simulator = await startOrdoSimulator({
      speed: 0.001,
      onRequest: (request) => seen.push({ at: Date.now(), ids: request.url.replace('/jobs/', '').split(',') }),
    });
    const ids: number[] = [];
    for (let index = 0; index < 250; index += 1) ids.push((await simulator.submitJob()).id);
    const intervalMs = 300;
    const ordo = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, intervalMs });
    // Group the requests into cycles (a cycle's requests go out together, cycles are an interval apart).
    const cyclesOf = (requests: typeof seen) => {
      const grouped: Array<Array<{ at: number; ids: string[] }>> = [];
      for (const request of requests) {
        const cycle = grouped.at(-1);
        if (cycle && request.at - cycle[0]!.at < intervalMs / 2) cycle.push(request);
        else grouped.push([request]);
      }
      return grouped;
    };
    const subscriptions = ids.map((id) => ordo.jobStatus$(id).subscribe());
    // Until a sixth cycle has begun (a loaded machine stretches cycles; it cannot merge them), so
    // the first five are complete; the sixth may be cut short by the unsubscription.
    await vi.waitFor(() => expect(cyclesOf(seen).length).toBeGreaterThanOrEqual(6), { timeout: 30_000, interval: 20 });
    subscriptions.forEach((subscription) => subscription.unsubscribe());
    const cycles = cyclesOf(seen).slice(0, 5);
    // The first cycle is exact: every watch subscribed at once. Later polls follow their own
    // answers, so on a loaded machine a cycle's jobs can come due across two batch windows and
    // go out in one more request; never more, never a job twice, never a job left out.
    expect(cycles[0]!.map((request) => request.ids.length).sort((a, b) => b - a)).toEqual([100, 100, 50]);
    for (const cycle of cycles) {
      const ids = cycle.flatMap((request) => request.ids);
      expect(ids.length).toBe(250);
      expect(new Set(ids).size).toBe(250);
      expect(cycle.length).toBeLessThanOrEqual(4);
      expect(Math.max(...cycle.map((request) => request.ids.length))).toBeLessThanOrEqual(100);
    }
    const exact = cycles.filter((cycle) => cycle.length === 3).length;
    expect(exact).toBeGreaterThanOrEqual(Math.ceil(cycles.length / 2));
  });

  it('a late subscriber to a finished job costs no request', async () => {
    let requests = 0;
    simulator = await startOrdoSimulator({ speed: 1000, onRequest: () => (requests += 1) });
    const { id } = await simulator.submitJob();
    await sleep(100);
    const ordo = createOrdoClient({ baseUrl: simulator.url, token: simulator.token });
    const first = await lastValueFrom(ordo.jobStatus$(id).pipe(toArray()));
    expect(first.map((snapshot) => snapshot.job.status)).toEqual(['success']);
    const again = await lastValueFrom(ordo.jobEvents$(id).pipe(take(100), toArray()));
    expect(again.at(-1)).toMatchObject({ type: 'job', to: 'success' });
    expect(requests).toBe(1);
  });
});
