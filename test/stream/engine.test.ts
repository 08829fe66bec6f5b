import { lastValueFrom, map, Observable, of, queueScheduler, Subscription, throwError, timer, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { createOrdoClient, OrdoNetworkError, parseJobSnapshot, type JobSnapshot, type JobTransport, type RetryInfo } from 'ordo-status';
import { jobBody, scriptedTransport } from 'ordo-status/testing';
import { server } from '../helpers/batchServer.js';
import { page } from '../helpers/visibility.js';

/**
 * A client's engine: one state record per watched job, stable batch groups, callbacks per
 * subscriber, no request while hidden, terminal snapshots freed on the scheduler. Virtual time.
 */
const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('stable batch groups', () => {
  it('polls the same groups every interval; a finished job changes its own group only; new jobs form a group of their own, merged into a partial one when they come due together (one request fewer)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ flush }) => {
      // Job 7 ends at its third poll; the others keep running.
      const { transport, calls } = server(scheduler, (id, n) => jobBody({ id, status: id === '7' && n >= 2 ? 'success' : 'running' }));
      const ordo = createOrdoClient({ transport, intervalMs: 10, batch: { windowMs: 2 } });
      const watches = new Subscription();
      for (let id = 1; id <= 250; id += 1) watches.add(ordo.jobStatus$(id).subscribe());
      // Ten new jobs at 50, while the others are waiting.
      scheduler.schedule(() => {
        for (let id = 1001; id <= 1010; id += 1) watches.add(ordo.jobStatus$(id).subscribe());
      }, 50);
      scheduler.schedule(() => watches.unsubscribe(), 100);
      flush();
      const cycles = new Map<number, string[]>();
      for (const call of calls) cycles.set(call.at, [...(cycles.get(call.at) ?? []), call.ids]);
      const [first, second, third, fourth] = [...cycles.values()];
      const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => String(from + index)).join(',');
      expect(first).toEqual([range(1, 100), range(101, 200), range(201, 250)]);
      expect(second).toEqual(first);
      // Job 7 answered success at the third poll and left: its group is one id shorter, the others are untouched.
      expect(third).toEqual(first);
      expect(fourth).toEqual([range(1, 100).replace(',7,', ','), range(101, 200), range(201, 250)]);
      // The new jobs went out together at 52, as a group of their own.
      expect(cycles.get(52)).toEqual([range(1001, 1010)]);
      // Due with the others from then on, 259 jobs: kept apart, the groups of 99, 100, 50 and 10
      // would make 4 requests where ⌈259/100⌉ = 3 do; the smallest kept group (50) takes the new
      // ones in, and the groups stay so.
      const later = calls.filter((call) => call.at > 52).map((call) => call.ids);
      expect(new Set(later)).toEqual(new Set([range(1, 100).replace(',7,', ','), range(101, 200), `${range(201, 250)},${range(1001, 1010)}`]));
      // After the cycle that merged them (the stable groups went first, the merged one after the quiet gap), three requests per cycle.
      const merged = calls.find((call) => call.ids === `${range(201, 250)},${range(1001, 1010)}`)!.at;
      const perCycle = new Map<number, number>();
      for (const call of calls.filter((each) => each.at > merged)) perCycle.set(call.at, (perCycle.get(call.at) ?? 0) + 1);
      expect(perCycle.size).toBeGreaterThanOrEqual(3);
      expect([...perCycle.values()]).toEqual([...perCycle.values()].map(() => 3));
    });
  });
});

describe('callbacks belong to each subscriber', () => {
  it('jobEvents$ with onRetry, waitForJob with another and jobStatus$ without share one poll; each onRetry hears every retry', async () => {
    const scheduler = testScheduler();
    let settled: string | undefined;
    scheduler.run(({ cold, flush }) => {
      const transport = scriptedTransport({
        1: [
          cold('-a|', { a: jobBody({ status: 'running' }) }),
          cold('-#', undefined, new OrdoNetworkError('reset')),
          cold('-a|', { a: jobBody({ status: 'running' }) }),
          cold('-a|', { a: jobBody({ status: 'success' }) }),
        ],
      });
      const ordo = createOrdoClient({ transport, intervalMs: 10, retry: { baseDelayMs: 3, jitter: 0 } });
      const heard: Array<[string, number, number]> = [];
      const events: string[] = [];
      ordo.jobEvents$(1, { onRetry: (info: RetryInfo) => heard.push(['events', info.attempt, info.delayMs]) }).subscribe((event) => events.push(`${event.from}→${event.to}`));
      void ordo.waitForJob(1, { onRetry: (info) => heard.push(['wait', info.attempt, info.delayMs]) }).then((snapshot) => (settled = snapshot.job.status));
      const statuses: string[] = [];
      ordo.jobStatus$(1).subscribe((snapshot) => statuses.push(snapshot.job.status));
      flush();
      // One poll: answered at 1; the request at 11 fails at 12, retried after 3; 15 answers the
      // same body (not emitted); 25 answers success.
      expect(transport.requests.map((request) => request.at)).toEqual([0, 11, 15, 26]);
      expect(heard).toEqual([
        ['events', 1, 3],
        ['wait', 1, 3],
      ]);
      expect(events).toEqual(['pending→running', 'running→success']);
      expect(statuses).toEqual(['running', 'success']);
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(settled).toBe('success');
  });
});

describe('a hidden page', () => {
  it('sends no request while hidden, whenever in the interval the page was hidden; one when shown again', () => {
    const scheduler = testScheduler();
    scheduler.run(({ flush }) => {
      const { source: visibility, listeners, set } = page();
      const { transport, calls } = server(scheduler, (id) => jobBody({ id, status: 'running' }));
      const ordo = createOrdoClient({ transport, intervalMs: 10, batch: { windowMs: 2 }, visibility });
      const watches = [1, 2].map((id) => ordo.jobStatus$(id).subscribe());
      scheduler.schedule(() => set(true), 15); // in the middle of the wait for the poll due at 22
      scheduler.schedule(() => set(false), 70);
      scheduler.schedule(() => watches.forEach((watch) => watch.unsubscribe()), 95);
      flush();
      expect(calls.map((call) => [call.at, call.ids])).toEqual([
        [2, '1,2'],
        [14, '1,2'],
        // nothing from 15 to 70
        [72, '1,2'],
        [84, '1,2'],
      ]);
      expect(listeners.size).toBe(0);
    });
  });
});

describe('snapshots are immutable', () => {
  it('freezes raw, deeply: a subscriber cannot change what another, or a late one, receives', async () => {
    const ordo = createOrdoClient({ transport: () => [jobBody({ status: 'success', steps: { a: 'success' } })] });
    const first = await ordo.waitForJob(1);
    expect(Object.isFrozen(first.raw)).toBe(true);
    const raw = first.raw as { job: { status: string }; steps: Array<{ status: string }> };
    expect(() => (raw.job.status = 'failed')).toThrow(TypeError);
    expect(() => raw.steps.push({ status: 'x' })).toThrow(TypeError);
    expect(() => (raw.steps[0]!.status = 'failed')).toThrow(TypeError);
    const late = await ordo.waitForJob(1); // the retained terminal snapshot
    expect(late).toBe(first);
    expect((late.raw as typeof raw).job.status).toBe('success');
  });

  it('an answer parsed against the previous one shares its unchanged parts, frozen already', () => {
    const scheduler = testScheduler();
    scheduler.run(({ flush }) => {
      const transport = scriptedTransport({
        1: [jobBody({ status: 'running', steps: { a: 'success', b: 'running' } }), jobBody({ status: 'running', steps: { a: 'success', b: 'success' } })],
      });
      const ordo = createOrdoClient({ transport, intervalMs: 5 });
      const seen: JobSnapshot[] = [];
      const watch = ordo.jobStatus$(1).subscribe((snapshot) => seen.push(snapshot));
      scheduler.schedule(() => watch.unsubscribe(), 20);
      flush();
      const [one, two] = seen.map((snapshot) => snapshot.raw as { steps: object[] });
      expect(two!.steps[0]).toBe(one!.steps[0]); // step a did not change: the same frozen object
      expect(two!.steps[1]).not.toBe(one!.steps[1]);
      expect(Object.isFrozen(two!.steps[1])).toBe(true);
    });
  });
});

describe('terminal snapshots', () => {
  it('are freed on the scheduler when retainTerminalMs runs out, with no other watch running', () => {
    const scheduler = testScheduler();
    scheduler.run(({ flush }) => {
      const transport = scriptedTransport({ 1: () => timer(1).pipe(map(() => jobBody({ status: 'success' }))) });
      const ordo = createOrdoClient({ transport, retainTerminalMs: 50 });
      ordo.jobStatus$(1).subscribe();
      flush();
      // Finished at 1; the snapshot is dropped by its own timer at 51, the last thing scheduled.
      expect(scheduler.now()).toBe(51);
      expect(scheduler.actions).toHaveLength(0);
      ordo.jobStatus$(1).subscribe();
      expect(transport.requestCount(1)).toBe(1);
      flush();
      expect(transport.requestCount(1)).toBe(2); // forgotten: a new subscriber polls again
    });
  });

  it('are capped by maxRetainedTerminal, the oldest forgotten first', async () => {
    const transport = scriptedTransport(Object.fromEntries([1, 2, 3].map((id) => [id, [jobBody({ id, status: 'success' })]])));
    const ordo = createOrdoClient({ transport, maxRetainedTerminal: 2 });
    for (const id of [1, 2, 3]) await ordo.waitForJob(id);
    expect(transport.requests).toHaveLength(3);
    await ordo.waitForJob(3);
    await ordo.waitForJob(2);
    expect(transport.requests).toHaveLength(3); // kept
    await ordo.waitForJob(1);
    expect(transport.requests).toHaveLength(4); // the oldest was forgotten
    expect(() => createOrdoClient({ transport: () => [], maxRetainedTerminal: -1 })).toThrow('Invalid maxRetainedTerminal -1');
  });
});

describe('a server down for minutes', () => {
  const outage = (scheduler: TestScheduler, downFrom: number, downForMs: number) => {
    const transport = scriptedTransport({
      1: () => {
        const now = scheduler.now();
        if (now >= downFrom && now < downFrom + downForMs) return new OrdoNetworkError('connect ECONNREFUSED');
        return jobBody({ status: now >= downFrom + downForMs + 10_000 ? 'success' : 'running' });
      },
    });
    return { transport, at: () => transport.requests.map((request) => request.at) };
  };

  it('rides out two minutes of refused connections with the default retry policy', () => {
    const scheduler = testScheduler();
    scheduler.run(({ flush }) => {
      const { transport, at } = outage(scheduler, 5000, 120_000);
      const ordo = createOrdoClient({ transport });
      const retries: RetryInfo[] = [];
      const statuses: string[] = [];
      let outcome: string | undefined;
      ordo.jobStatus$(1, { onRetry: (info) => retries.push(info) }).subscribe({
        next: (snapshot) => statuses.push(snapshot.job.status),
        error: (error: Error) => (outcome = error.message),
        complete: () => (outcome = 'complete'),
      });
      flush();
      expect(outcome).toBe('complete');
      expect(statuses).toEqual(['running', 'success']);
      // Backoff from 1 s (jittered down to half) doubling to 30 s, for two minutes.
      expect(retries.length).toBeGreaterThanOrEqual(7);
      expect(retries.every((info) => info.elapsedMs < 120_000 && info.delayMs <= 30_000)).toBe(true);
      expect(at().filter((time) => time >= 5000 && time < 125_000).length).toBe(retries.length);
    });
  });

  it('gives up after maxElapsedMs (5 minutes) of failures, with the last error', () => {
    const scheduler = testScheduler();
    scheduler.run(({ flush }) => {
      const { transport, at } = outage(scheduler, 0, 3_600_000);
      const ordo = createOrdoClient({ transport, retry: { jitter: 0 } });
      let failure: { error: unknown; at: number } | undefined;
      ordo.jobStatus$(1).subscribe({ error: (error) => (failure = { error, at: scheduler.now() }) });
      flush();
      expect(failure?.error).toBeInstanceOf(OrdoNetworkError);
      // 1, 2, 4, 8, 16 s, then every 30 s: the last try at 5 minutes exactly, then no more.
      expect(failure?.at).toBe(300_000);
      expect(at().slice(0, 7)).toEqual([0, 1000, 3000, 7000, 15_000, 31_000, 61_000]);
      expect(at().at(-1)).toBe(300_000);
    });
  });
});

describe('the engine keeps the contract of the streams', () => {
  it('a late jobEvents$ subscriber gets the whole legal path from pending, over the same poll', async () => {
    const transport = scriptedTransport({ 1: [jobBody({ status: 'success', steps: { a: 'success', b: 'skipped' } })] });
    const ordo = createOrdoClient({ transport });
    await ordo.waitForJob(1);
    const events = await lastValueFrom(ordo.jobEvents$(1).pipe(toArray()));
    expect(events.map((event) => `${event.type === 'step' ? event.stepId : 'job'}:${event.from}→${event.to}${event.inferred ? '?' : ''}`)).toEqual([
      'job:pending→running?',
      'a:pending→running?',
      'a:running→success',
      'b:pending→skipped',
      'job:running→success',
    ]);
    expect(transport.requestCount(1)).toBe(1);
  });
});

describe('found by a bad-input pass', () => {
  it('a watch on a scheduler of its own asks alone, so it runs in that (virtual) time, batch route or not', () => {
    const scheduler = testScheduler();
    scheduler.run(({ flush }) => {
      const { transport, calls } = server(scheduler, (id) => jobBody({ id, status: 'success' }));
      const ordo = createOrdoClient({ transport }); // the client's scheduler is asyncScheduler
      const done: string[] = [];
      for (const id of [1, 2]) ordo.jobStatus$(id, { scheduler: new TestScheduler(() => undefined) }).subscribe();
      for (const id of [3, 4]) ordo.jobStatus$(id, { scheduler }).subscribe({ complete: () => done.push(String(id)) });
      flush();
      expect(done).toEqual(['3', '4']);
      expect(calls.filter((call) => call.ids === '3' || call.ids === '4').map((call) => call.at)).toEqual([0, 0]);
    });
  });

  it('a scheduler and a transport that both answer at once still reach the first subscriber', async () => {
    const ordo = createOrdoClient({ transport: () => [jobBody({ status: 'success' })], scheduler: queueScheduler });
    const seen: string[] = [];
    ordo.jobStatus$(1).subscribe({ next: (snapshot) => seen.push(snapshot.job.status), complete: () => seen.push('complete') });
    expect(seen).toEqual(['success', 'complete']);
    const failing = createOrdoClient({ transport: () => [{ job: { id: 1, status: 'paused' }, steps: [] }], scheduler: queueScheduler });
    await expect(failing.waitForJob(1)).rejects.toMatchObject({ name: 'OrdoSchemaError' });
  });

  it('ends an Observable transport’s subscription after its first value, alone or batched', async () => {
    let live = 0;
    const answer = (value: unknown) =>
      new Observable<unknown>((subscriber) => {
        live += 1;
        const emit = setTimeout(() => subscriber.next(value), 1); // and never completes
        return () => {
          live -= 1;
          clearTimeout(emit);
        };
      });
    const transport: JobTransport = (id) => answer(jobBody({ id, status: 'success' }));
    transport.batch = (ids) => answer(ids.map((id) => ({ id: Number(id), found: true, ...jobBody({ id, status: 'success' }) })));
    const ordo = createOrdoClient({ transport });
    await ordo.waitForJob(1);
    await Promise.all([ordo.waitForJob(2), ordo.waitForJob(3)]);
    expect(live).toBe(0);
  });

  it('freezes a body holding a typed array (never from JSON) without failing', async () => {
    const ordo = createOrdoClient({ transport: () => [{ ...jobBody({ status: 'success' }), extra: new Uint8Array([1, 2]) }] });
    const snapshot = await ordo.waitForJob(1);
    expect(Object.isFrozen(snapshot.raw)).toBe(true);
  });
});

describe('an outage of the whole server', () => {
  it('keeps the batch groups: no job is asked alone, and after it the same three groups poll again', () => {
    const scheduler = testScheduler();
    scheduler.run(({ flush }) => {
      const calls: Array<{ at: number; ids: string }> = [];
      const down = (at: number) => at >= 20 && at < 5000;
      const transport: JobTransport = (id) => {
        calls.push({ at: scheduler.now(), ids: id });
        return down(scheduler.now()) ? throwError(() => new OrdoNetworkError('connect ECONNREFUSED')) : of(jobBody({ id, status: 'running' }));
      };
      transport.batch = (ids) => {
        calls.push({ at: scheduler.now(), ids: ids.join(',') });
        if (down(scheduler.now())) return throwError(() => new OrdoNetworkError('connect ECONNREFUSED', { systemCode: 'ECONNREFUSED' }));
        return of(ids.map((id) => ({ id: Number(id), found: true, ...jobBody({ id, status: 'running' }) })));
      };
      // Default retry policy (jittered backoff); 503s from a gateway behave the same (see the batcher).
      const ordo = createOrdoClient({ transport, intervalMs: 10, batch: { windowMs: 2 } });
      const watches = new Subscription();
      for (let id = 1; id <= 250; id += 1) watches.add(ordo.jobStatus$(id).subscribe());
      scheduler.schedule(() => watches.unsubscribe(), 40_000);
      flush();
      const groups = new Set(calls.filter((call) => call.at < 20).map((call) => call.ids));
      expect([...groups].map((ids) => ids.split(',').length)).toEqual([100, 100, 50]);
      // Never a job alone, during the outage or after it; only the same three groups.
      expect(calls.every((call) => groups.has(call.ids))).toBe(true);
      const during = calls.filter((call) => down(call.at)).length;
      expect(during / 3).toBeLessThanOrEqual(12); // a handful of backoff retries per group in 5 s, not 250 jobs a time
      const after = calls.filter((call) => call.at >= 5000);
      expect(new Set(after.map((call) => call.ids))).toEqual(groups);
    });
  });
});

describe('batch requests in flight', () => {
  it('are at most batch.maxInFlight at once; the others wait for a place, in order', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const calls: Array<{ at: number; size: number }> = [];
      const transport: JobTransport = (id) => of(jobBody({ id, status: 'running' }));
      transport.batch = (ids) => {
        calls.push({ at: scheduler.now(), size: ids.length });
        return cold('-----a|', { a: ids.map((id) => ({ id: Number(id), found: true, ...jobBody({ id, status: 'running' }) })) });
      };
      const ordo = createOrdoClient({ transport, intervalMs: 1000, batch: { windowMs: 2, maxInFlight: 2 } });
      const watches = new Subscription();
      for (let id = 1; id <= 450; id += 1) watches.add(ordo.jobStatus$(id).subscribe());
      scheduler.schedule(() => watches.unsubscribe(), 100);
      flush();
      // Five batches: two at 2, the next two as those answer (7), the last at 12.
      expect(calls).toEqual([
        { at: 2, size: 100 },
        { at: 2, size: 100 },
        { at: 7, size: 100 },
        { at: 7, size: 100 },
        { at: 12, size: 50 },
      ]);
      expect(() => createOrdoClient({ transport, batch: { maxInFlight: 0 } })).toThrow('Invalid batch.maxInFlight 0');
    });
  });
});

describe('watches resumed from a stored snapshot', () => {
  it('are batched like the others: three resumed jobs go out as one GET /jobs/a,b,c per interval', () => {
    const scheduler = testScheduler();
    scheduler.run(({ flush }) => {
      const { transport, calls } = server(scheduler, (id) => jobBody({ id, status: 'running', steps: { dem: 'running' } }));
      const ordo = createOrdoClient({ transport, intervalMs: 10, batch: { windowMs: 2 } });
      const watches = new Subscription();
      const resumeFrom = (id: number): JobSnapshot => parseJobSnapshot(jobBody({ id, status: 'running', steps: { dem: 'pending' } }));
      watches.add(ordo.watchJobs$([1, 2, 3], { resumeFrom: (jobId) => resumeFrom(Number(jobId)) }).subscribe());
      scheduler.schedule(() => watches.unsubscribe(), 35);
      flush();
      expect(calls.map((call) => call.ids)).toEqual(['1,2,3', '1,2,3', '1,2,3']);
    });
  });
});
