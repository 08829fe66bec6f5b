import { lastValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { createOrdoClient } from 'ordo-status';
import { startTestSimulator } from '../helpers/simulator.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What a server sees, over real HTTP: one request per interval for any number of subscribers to
 * one job, and ⌈N/100⌉ requests per interval for N watched jobs.
 */
describe('requests a server sees', () => {
  it('one request per interval for 100 subscribers to one job, however they arrive', async () => {
    const seen: Array<{ at: number; url: string }> = [];
    const simulator = await startTestSimulator({ speed: 0.001, onRequest: (request) => seen.push({ at: Date.now(), url: request.url }) });
    const { id } = await simulator.submitJob();
    const intervalMs = 150;
    const ordo = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, intervalMs });
    const subscriptions = [];
    for (let index = 0; index < 100; index += 1) {
      subscriptions.push(ordo.jobStatus$(id).subscribe());
      if (index % 10 === 0) await sleep(37); // arriving over about one and a half intervals
    }
    const polls = () => seen.filter((request) => request.url === `/jobs/${id}`);
    await vi.waitFor(() => expect(polls().length).toBeGreaterThanOrEqual(10), { timeout: 30_000, interval: 20 });
    subscriptions.forEach((subscription) => subscription.unsubscribe());
    const requests = polls();
    // The first at once, then one per interval after each answer: never closer than the interval.
    const gaps = requests.slice(1).map((request, index) => request.at - requests[index]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(intervalMs - 5);
    const elapsed = requests.at(-1)!.at - requests[0]!.at;
    expect(requests.length).toBeLessThanOrEqual(Math.floor(elapsed / intervalMs) + 1);
  });

  it('⌈N/100⌉ requests per interval for N = 250 watched jobs: the same three groups every interval', async () => {
    const seen: string[][] = [];
    const simulator = await startTestSimulator({
      speed: 0.001,
      onRequest: (request) => {
        if (request.url.startsWith('/jobs/')) seen.push(request.url.slice('/jobs/'.length).split(','));
      },
    });
    const ids: number[] = [];
    for (let index = 0; index < 250; index += 1) ids.push((await simulator.submitJob()).id);
    const ordo = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, intervalMs: 300 });
    const subscriptions = ids.map((id) => ordo.jobStatus$(id).subscribe());
    // Invariants, not timing: however loaded the machine, jobs batched together stay together, so
    // every request is one of the same three groups (their URLs repeat, so an unchanged group can
    // be answered 304), which cover every job once.
    await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(6 * 3), { timeout: 30_000, interval: 20 });
    subscriptions.forEach((subscription) => subscription.unsubscribe());
    const groups = new Map<string, number>();
    for (const request of seen) groups.set(request.join(','), (groups.get(request.join(',')) ?? 0) + 1);
    expect([...groups.keys()].map((url) => url.split(',').length).sort((a, b) => b - a)).toEqual([100, 100, 50]);
    const covered = [...groups.keys()].flatMap((url) => url.split(','));
    expect(new Set(covered).size).toBe(250);
    expect(covered.sort()).toEqual(ids.map(String).sort());
    // Each group once per cycle: the counts differ by at most one (the last cycle may be cut short).
    const counts = [...groups.values()];
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it('a late subscriber to a finished job costs no request', async () => {
    let requests = 0;
    const simulator = await startTestSimulator({ speed: 1000, onRequest: () => (requests += 1) });
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
