import { map, of, Subscription, throwError, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { createOrdoClient, OrdoHttpError, OrdoNotFoundError, type JobSnapshot, type JobTransport } from 'ordo-status';
import { jobBody, scriptedTransport } from 'ordo-status/testing';
import { server } from '../helpers/batchServer.js';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const statusOf = (snapshots: Observable<JobSnapshot>) => snapshots.pipe(map((snapshot) => snapshot.job.status));

const lifecycle = (id: string, n: number) => jobBody({ id, status: n < 2 ? 'running' : 'success' });

describe('batched polling within a client', () => {
  it('sends the polls of several jobs that fall due together as one request, each element to its job', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, flush }) => {
      const { transport, calls } = server(scheduler, lifecycle);
      const ordo = createOrdoClient({ transport, intervalMs: 10, batch: { windowMs: 2 } });
      // Due at 0, sent at 2 (the window); answers at 2, 14 (unchanged) and 26.
      expectObservable(statusOf(ordo.jobStatus$(1))).toBe('--a-----------------------(b|)', { a: 'running', b: 'success' });
      expectObservable(statusOf(ordo.jobStatus$(2))).toBe('--a-----------------------(b|)', { a: 'running', b: 'success' });
      flush();
      expect(calls.map((call) => [call.at, call.ids])).toEqual([
        [2, '1,2'],
        [14, '1,2'],
        [26, '1,2'],
      ]);
    });
  });

  it('splits 250 jobs into requests of at most 100 ids: ⌈N/100⌉ requests per interval', () => {
    const scheduler = testScheduler();
    scheduler.run(({ flush }) => {
      const { transport, calls } = server(scheduler, lifecycle);
      const ordo = createOrdoClient({ transport, intervalMs: 10, batch: { windowMs: 2 } });
      for (let id = 1; id <= 250; id += 1) ordo.jobStatus$(id).subscribe();
      flush();
      expect(calls.map((call) => [call.at, call.ids.split(',').length])).toEqual([
        [2, 100],
        [2, 100],
        [2, 50],
        [14, 100],
        [14, 100],
        [14, 50],
        [26, 100],
        [26, 100],
        [26, 50],
      ]);
      expect(new Set(calls.slice(0, 3).flatMap((call) => call.ids.split(','))).size).toBe(250);
    });
  });

  it('gives {"found": false} to its job alone as OrdoNotFoundError, and one job’s bad body to it alone', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const paused = (id: string) => ({ ...lifecycle(id, 0), job: { ...lifecycle(id, 0).job, status: 'paused' } }); // no such status
      const { transport } = server(scheduler, (id, n) => (id === '2' ? 'missing' : id === '3' ? paused(id) : lifecycle(id, n)));
      const ordo = createOrdoClient({ transport, intervalMs: 10, batch: { windowMs: 2 } });
      // Alone after the others failed at 2, job 1 polls at once: 12 (unchanged), 22.
      expectObservable(statusOf(ordo.jobStatus$(1))).toBe('--a-------------------(b|)', { a: 'running', b: 'success' });
      expectObservable(ordo.jobStatus$(2)).toBe(
        '--#',
        undefined,
        expect.objectContaining({ name: 'OrdoNotFoundError', code: 'NOT_FOUND', jobId: '2', status: 404 }),
      );
      expectObservable(ordo.jobStatus$(3)).toBe('--#', undefined, expect.objectContaining({ name: 'OrdoSchemaError', jobId: '3' }));
    });
  });

  it('falls back to single requests for good on a server without the batch route', () => {
    for (const noRoute of [
      () => throwError(() => new OrdoNotFoundError('no route', { status: 404, url: '/jobs/1,2' })),
      // A server without the route reads /jobs/1,2 as job 1 (parseInt): one job, not an array.
      () => of(jobBody({ id: 1, status: 'running' })),
    ]) {
      const scheduler = testScheduler();
      scheduler.run(({ expectObservable, flush }) => {
        const { transport, calls } = server(scheduler, lifecycle, { batchAnswer: noRoute });
        const ordo = createOrdoClient({ transport, intervalMs: 10, batch: { windowMs: 2 } });
        expectObservable(statusOf(ordo.jobStatus$(1))).toBe('--a---------------------(b|)', { a: 'running', b: 'success' });
        expectObservable(statusOf(ordo.jobStatus$(2))).toBe('--a---------------------(b|)', { a: 'running', b: 'success' });
        flush();
        // Each failed batch is sent again as singles at once; after two in a row that the jobs
        // answered alone, no more batches, and no more window.
        expect(calls.map((call) => [call.at, call.ids])).toEqual([
          [2, '1,2'],
          [2, '1'],
          [2, '2'],
          [14, '1,2'],
          [14, '1'],
          [14, '2'],
          [24, '1'],
          [24, '2'],
        ]);
      });
    }
  });

  it('keeps batching when a batch fails because of one bad id, and fails that job alone', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, flush }) => {
      // The server refuses any batch holding id 13 (400), and answers 404 for it alone.
      const { transport, calls } = server(scheduler, (id, n) => (id === '13' ? 'missing' : lifecycle(id, n)), {
        batchAnswer: (ids) => (ids.includes('13') ? throwError(() => new OrdoHttpError('400', { status: 400, url: '/jobs' })) : undefined),
      });
      const single = transport;
      const wrapped: JobTransport = Object.assign(
        (id: string, context: { signal: AbortSignal }) =>
          id === '13' ? throwError(() => new OrdoNotFoundError('404', { status: 404, url: '/jobs/13' })) : single(id, context),
        { batch: transport.batch },
      );
      const ordo = createOrdoClient({ transport: wrapped, intervalMs: 10, batch: { windowMs: 2 } });
      expectObservable(ordo.jobStatus$(13)).toBe('--#', undefined, expect.objectContaining({ name: 'OrdoNotFoundError', status: 404 }));
      expectObservable(statusOf(ordo.jobStatus$(1))).toBe('--a-----------------------(b|)', { a: 'running', b: 'success' });
      expectObservable(statusOf(ordo.jobStatus$(2))).toBe('--a-----------------------(b|)', { a: 'running', b: 'success' });
      flush();
      expect(calls.map((call) => [call.at, call.ids])).toEqual([
        [2, '13,1,2'],
        [2, '1'],
        [2, '2'],
        [14, '1,2'],
        [26, '1,2'],
      ]);
    });
  });

  it('asks a job alone when its batches keep failing, so a poison id cannot sink the others', () => {
    const scheduler = testScheduler();
    scheduler.run(({ flush }) => {
      // Any batch holding id 9 fails with 500 (an id the server cannot read); alone, 9 fails too.
      const { transport, calls } = server(scheduler, lifecycle, {
        batchAnswer: (ids) => (ids.includes('9') ? throwError(() => new OrdoHttpError('500', { status: 500, url: '/jobs' })) : undefined),
      });
      const wrapped: JobTransport = Object.assign(
        (id: string, context: { signal: AbortSignal }) =>
          id === '9' ? throwError(() => new OrdoHttpError('500', { status: 500, url: '/jobs/9' })) : transport(id, context),
        { batch: transport.batch },
      );
      const ordo = createOrdoClient({ transport: wrapped, intervalMs: 10, batch: { windowMs: 2 }, retry: { maxRetries: 3, baseDelayMs: 1, jitter: 0 } });
      ordo.jobStatus$(9).subscribe({ error: () => undefined });
      const statuses: Array<[number, string]> = [];
      ordo.jobStatus$(1).subscribe((snapshot) => statuses.push([scheduler.now(), snapshot.job.status]));
      flush();
      // Two failed batches (at 2 and 5); then each is asked alone: 1 answers at 7 (9's own
      // requests, failing, are not logged here) and keeps polling alone once 9 has given up.
      expect(calls.map((call) => [call.at, call.ids])).toEqual([
        [2, '9,1'],
        [5, '9,1'],
        [7, '1'],
        [17, '1'],
        [27, '1'],
      ]);
      expect(statuses).toEqual([
        [7, 'running'],
        [27, 'success'],
      ]);
    });
  });

  it('asks a job left out of the batch answer alone', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, flush }) => {
      const { transport, calls } = server(scheduler, lifecycle, {
        batchAnswer: (ids) => (ids.includes('2') ? of([{ id: 1, found: true, ...jobBody({ id: 1, status: 'running' }) }]) : undefined),
      });
      const ordo = createOrdoClient({ transport, intervalMs: 100, batch: { windowMs: 2 } });
      expectObservable(statusOf(ordo.jobStatus$(1)), '^---!').toBe('--a-', { a: 'running' });
      expectObservable(statusOf(ordo.jobStatus$(2)), '^---!').toBe('--a-', { a: 'running' });
      flush();
      expect(calls.map((call) => [call.at, call.ids])).toEqual([
        [2, '1,2'],
        [2, '2'],
      ]);
    });
  });

  it('retries a failed batch for every job, each under its own policy', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, flush }) => {
      let failed = false;
      const { transport, calls } = server(scheduler, lifecycle, {
        batchAnswer: () => {
          if (failed) return undefined;
          failed = true;
          return throwError(() => new OrdoHttpError('503', { status: 503, url: '/jobs/1,2', retryAfterMs: 5 }));
        },
      });
      const ordo = createOrdoClient({ transport, intervalMs: 10, batch: { windowMs: 2 } });
      expectObservable(statusOf(ordo.jobStatus$(1))).toBe('---------a-----------------------(b|)', { a: 'running', b: 'success' });
      expectObservable(statusOf(ordo.jobStatus$(2))).toBe('---------a-----------------------(b|)', { a: 'running', b: 'success' });
      flush();
      // Failed at 2; Retry-After 5 → due at 7, sent at 9 with the window.
      expect(calls.map((call) => call.at)).toEqual([2, 9, 21, 33]);
    });
  });

  it('drops one job’s share when it leaves, and aborts the batch when no job waits for it', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, flush }) => {
      const { transport, calls } = server(scheduler, lifecycle, { latencyMs: 5 });
      const ordo = createOrdoClient({ transport, intervalMs: 10, batch: { windowMs: 2 } });
      expectObservable(statusOf(ordo.jobStatus$(1)), '^---!').toBe('----');
      expectObservable(statusOf(ordo.jobStatus$(2)), '^---------!').toBe('-------a---', { a: 'running' });
      expectObservable(statusOf(ordo.jobStatus$(3)), '^-----!').toBe('------');
      // Another client whose jobs both leave before the answer.
      const other = createOrdoClient({ transport, intervalMs: 10, batch: { windowMs: 2 } });
      expectObservable(statusOf(other.jobStatus$(11)), '^---!').toBe('----');
      expectObservable(statusOf(other.jobStatus$(12)), '^----!').toBe('-----');
      flush();
      // One batch at 2 for three jobs; jobs 1 and 3 left before its answer at 7, job 2 got it.
      const [first, second] = calls.filter((call) => call.at === 2);
      expect(first).toMatchObject({ ids: '1,2,3' });
      expect(first!.signal.aborted).toBe(false);
      expect(second).toMatchObject({ ids: '11,12' });
      expect(second!.signal.aborted).toBe(true);
    });
  });

  it('sends a lone job at once, without waiting for the window', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, flush }) => {
      const { transport, calls } = server(scheduler, lifecycle);
      const ordo = createOrdoClient({ transport, intervalMs: 10, batch: { windowMs: 2 } });
      expectObservable(statusOf(ordo.jobStatus$(1))).toBe('a-------------------(b|)', { a: 'running', b: 'success' });
      flush();
      expect(calls.map((call) => [call.at, call.ids])).toEqual([
        [0, '1'],
        [10, '1'],
        [20, '1'],
      ]);
    });
  });

  it('does not batch when batch is false', () => {
    const scheduler = testScheduler();
    scheduler.run(({ flush }) => {
      const { transport, calls } = server(scheduler, lifecycle);
      const ordo = createOrdoClient({ transport, intervalMs: 10, batch: false });
      ordo.jobStatus$(1).subscribe();
      ordo.jobStatus$(2).subscribe();
      flush();
      expect(calls.every((call) => !call.ids.includes(','))).toBe(true);
      expect(calls).toHaveLength(6);
    });
  });
});

describe('when a batch closes', () => {
  it('after a quiet gap of windowMs, or maxWaitMs after the first poll came due', () => {
    const scheduler = testScheduler();
    scheduler.run(({ flush }) => {
      const { transport, calls } = server(scheduler, (id) => jobBody({ id, status: 'running' }));
      const ordo = createOrdoClient({ transport, intervalMs: 10_000, batch: { windowMs: 20, maxWaitMs: 100 } });
      const watches = new Subscription();
      // Due at 0, 15 and 30: no gap reaches 20 until 50.
      for (const [id, at] of [[1, 0], [2, 15], [3, 30]] as const) scheduler.schedule(() => watches.add(ordo.jobStatus$(id).subscribe()), at);
      // Due every 10 frames from 200 to 490, never quiet: at 300 (maxWaitMs) the 10 due polls are
      // held back once, to fill up; at 400 they go, full batch or not.
      for (let index = 0; index < 30; index += 1) scheduler.schedule(() => watches.add(ordo.jobStatus$(100 + index).subscribe()), 200 + 10 * index);
      scheduler.schedule(() => watches.unsubscribe(), 1000);
      flush();
      expect(calls.map((call) => [call.at, call.ids])).toEqual([
        [0, '1'], // alone when it came due: sent at once (its next poll is due much later)
        [50, '2,3'],
        [400, '100,101,102,103,104,105,106,107,108,109,110,111,112,113,114,115,116,117,118,119'],
        [510, '120,121,122,123,124,125,126,127,128,129'], // due 400 (just after that) to 490, then quiet at 510
      ]);
    });
  });
});

describe('an interval that is a function', () => {
  it('is asked after each good answer, with the count of unchanged answers', () => {
    testScheduler().run(({ flush }) => {
      const running = jobBody({ status: 'running' });
      const transport = scriptedTransport({ 1: [running, running, running, running, running, jobBody({ status: 'success' })] });
      const seen: number[] = [];
      const ordo = createOrdoClient({
        transport,
        intervalMs: ({ unchangedPolls, snapshot }) => {
          seen.push(unchangedPolls);
          expect(snapshot?.job.status).toBe('running');
          return 2 * 2 ** unchangedPolls;
        },
      });
      ordo.jobStatus$(1).subscribe();
      flush();
      expect(seen).toEqual([0, 1, 2, 3, 4]);
      expect(transport.requests.map((request) => request.at)).toEqual([0, 2, 6, 14, 30, 62]);
    });
  });

  it('ends the watch with a TypeError when it returns something that is no duration', async () => {
    const ordo = createOrdoClient({ transport: () => [jobBody({ status: 'running' })], intervalMs: () => -1 });
    const error = await new Promise((resolve) => ordo.jobStatus$(1).subscribe({ error: resolve }));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain('Invalid intervalMs() result -1');
  });
});

describe('text answers through batching', () => {
  it('takes a string body from a transport with a batch route, alone or batched', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const text: JobTransport = Object.assign((id: string) => JSON.stringify(jobBody({ id, status: 'success' })), {
        batch: (ids: readonly string[]) => JSON.stringify(ids.map((id) => ({ id: Number(id), found: true, ...jobBody({ id, status: 'success' }) }))),
      });
      const ordo = createOrdoClient({ transport: text, batch: { windowMs: 2 } });
      expectObservable(statusOf(ordo.jobStatus$(1))).toBe('--(a|)', { a: 'success' });
      expectObservable(statusOf(ordo.jobStatus$(2))).toBe('--(a|)', { a: 'success' });
    });
  });
});
