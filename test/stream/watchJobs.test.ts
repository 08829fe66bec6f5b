import { asyncScheduler, map, NEVER, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { createOrdoClient, isOrdoError, parseJobSnapshot, watchJobs$, type JobUpdate } from 'ordo-status';
import { jobBody, scriptedTransport } from 'ordo-status/testing';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** An update in a few characters: `1:running(2)` (status, number of events) or `2:!NOT_FOUND` (error code or message). */
const line = (update: JobUpdate): string =>
  update.type === 'error'
    ? `${update.jobId}:!${isOrdoError(update.error) ? update.error.code : (update.error as Error).message}`
    : `${update.jobId}:${update.snapshot.job.status}(${update.events.length})`;
const lines = (updates: Observable<JobUpdate>) => updates.pipe(map(line));

const running = (id: number) => jobBody({ id, status: 'running', steps: { s: 'running' } });
const success = (id: number) => jobBody({ id, status: 'success', steps: { s: 'success' } });
const failed = (id: number) => jobBody({ id, status: 'failed', steps: { s: 'failed' } });

// Polls every 10 frames: requests at 0, 10, 20. A group `(abc)` takes 5 frames, so the next
// frame written is 10 after `5ms`.
describe('watchJobs$', () => {
  it('reports one job’s error as its outcome while the others go on, and completes when every job has ended', () => {
    testScheduler().run(({ expectObservable, flush }) => {
      // Job 2 is unknown to the server (404); 1 succeeds at 10, 3 fails at 20.
      const transport = scriptedTransport({ 1: [running(1), success(1)], 3: [running(3), running(3), failed(3)] });
      expectObservable(lines(watchJobs$([1, 2, 3], { transport, intervalMs: 10 }))).toBe('(abc) 5ms d 9ms (e|)', {
        a: '1:running(2)',
        b: '2:!NOT_FOUND',
        c: '3:running(2)',
        d: '1:success(2)',
        e: '3:failed(2)',
      });
      flush();
      expect([transport.requestCount(1), transport.requestCount(2), transport.requestCount(3)]).toEqual([2, 1, 3]); // a 404 is not retried
    });
  });

  it('hands over the error itself, with its job id', () => {
    testScheduler().run(({ expectObservable }) => {
      const transport = scriptedTransport({ 1: [success(1)] });
      expectObservable(watchJobs$(['7', 1], { transport })).toBe('(ab|)', {
        a: { type: 'error', jobId: '7', error: expect.objectContaining({ name: 'OrdoNotFoundError', status: 404, jobId: '7' }) },
        b: expect.objectContaining({ type: 'observation', jobId: '1', snapshot: expect.objectContaining({ job: expect.objectContaining({ status: 'success' }) }) }),
      });
    });
  });

  it('ends a job at its own timeoutMs; the others finish', () => {
    testScheduler().run(({ expectObservable }) => {
      const transport = scriptedTransport({ 1: [running(1), success(1)], 2: [running(2), NEVER] });
      expectObservable(lines(watchJobs$([1, 2], { transport, intervalMs: 10, timeoutMs: 15 }))).toBe('(ab) 6ms c 4ms (d|)', {
        a: '1:running(2)',
        b: '2:running(2)',
        c: '1:success(2)',
        d: '2:!TIMEOUT',
      });
    });
  });

  it('watches each job once: ids are normalised and duplicates dropped', () => {
    testScheduler().run(({ expectObservable, flush }) => {
      const transport = scriptedTransport({ 1: [success(1)], 2: [success(2)] });
      expectObservable(lines(watchJobs$(new Set<string | number>([2, '1', 1, '2']), { transport }))).toBe('(ab|)', { a: '2:success(4)', b: '1:success(4)' });
      flush();
      expect(transport.requests.map((request) => request.jobId)).toEqual(['2', '1']);
    });
  });

  it('completes at once for no ids', () => {
    testScheduler().run(({ expectObservable }) => {
      expectObservable(watchJobs$([], { transport: scriptedTransport({}) })).toBe('|');
    });
  });

  it('stops every poll when unsubscribed, aborting the requests in flight', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const slow = (id: number) => cold('--a|', { a: running(id) });
      const transport = scriptedTransport({ 1: [slow(1), slow(1)], 2: [slow(2), slow(2)] });
      expectObservable(lines(watchJobs$([1, 2], { transport, intervalMs: 10 })), '^-------------!').toBe('--(ab)', { a: '1:running(2)', b: '2:running(2)' });
      flush();
      // Second requests at 12, in flight at 14: aborted; nothing after.
      expect(transport.requests.map((request) => [request.jobId, request.at, request.signal.aborted])).toEqual([
        ['1', 0, false],
        ['2', 0, false],
        ['1', 12, true],
        ['2', 12, true],
      ]);
      expect(transport.inFlight).toBe(0);
    });
  });

  it('errors with the signal’s reason when it aborts: stopping is no job’s outcome', () => {
    testScheduler().run(({ expectObservable, flush }) => {
      const transport = scriptedTransport({ 1: [running(1)], 2: [running(2)] });
      const controller = new AbortController();
      const reason = new Error('stopped');
      asyncScheduler.schedule(() => controller.abort(reason), 25);
      expectObservable(lines(watchJobs$([1, 2], { transport, intervalMs: 10, signal: controller.signal }))).toBe('(ab) 21ms #', { a: '1:running(2)', b: '2:running(2)' }, reason);
      flush();
      expect(transport.requests).toHaveLength(6); // at 0, 10 and 20, for each job
    });
  });

  it('resumes each job from what resumeFrom says: a stored terminal snapshot is its outcome with no request, a throw is its error', () => {
    testScheduler().run(({ expectObservable, flush }) => {
      const transport = scriptedTransport({ 1: [success(1)], 3: [running(3), success(3)] });
      const stored = new Map([
        ['1', parseJobSnapshot(success(1))],
        ['3', parseJobSnapshot(running(3))],
      ]);
      const resumeFrom = (jobId: string) => {
        if (jobId === '2') throw new Error('bad state entry');
        return stored.get(jobId);
      };
      // 3's first answer equals its stored snapshot: nothing until 10, then only what happened after.
      expectObservable(lines(watchJobs$([1, 2, 3, 4], { transport, intervalMs: 10, resumeFrom }))).toBe('(abc) 5ms (d|)', {
        a: '1:success(0)',
        b: '2:!bad state entry',
        c: '4:!NOT_FOUND',
        d: '3:success(2)',
      });
      flush();
      expect(transport.requests.map((request) => request.jobId)).toEqual(['3', '4', '3']);
    });
  });

  it('reports a stored snapshot of another job as that job’s error', () => {
    testScheduler().run(({ expectObservable }) => {
      const transport = scriptedTransport({ 2: [success(2)] });
      expectObservable(lines(watchJobs$([1, 2], { transport, resumeFrom: () => parseJobSnapshot(success(2)) }))).toBe('(ab|)', {
        a: '1:!Invalid resumeFrom: it is a snapshot of job 2, not of job 1',
        b: '2:success(0)',
      });
    });
  });

  it('throws a TypeError at call time for ids that are no list of job ids, or an invalid option', () => {
    const transport = scriptedTransport({});
    expect(() => watchJobs$('12' as never, { transport })).toThrow(/Invalid ids: expected an array/);
    expect(() => watchJobs$(42 as never, { transport })).toThrow(TypeError);
    expect(() => watchJobs$([1, 'abc'], { transport })).toThrow(/Invalid job id "abc".*\(ids\[1\]\)/);
    expect(() => watchJobs$([1], { transport, intervalMs: 0 })).toThrow(TypeError);
    expect(() => watchJobs$([1], { transport, resumeFrom: parseJobSnapshot(success(1)) as never })).toThrow(/watchJobs\$ takes a function/);
    expect(() => watchJobs$([1], null as never)).toThrow(/Watch options are required/);
  });
});

describe('client.watchJobs$', () => {
  it('shares each job’s poll with the client’s other watches, and reports a 404 as that job’s outcome', () => {
    testScheduler().run(({ expectObservable, flush }) => {
      const transport = scriptedTransport({ 1: [running(1), success(1)], 3: [running(3), running(3), failed(3)] });
      const ordo = createOrdoClient({ transport, intervalMs: 10, batch: false });
      expectObservable(lines(ordo.watchJobs$([1, 2, 3]))).toBe('(abc) 5ms d 9ms (e|)', {
        a: '1:running(2)',
        b: '2:!NOT_FOUND',
        c: '3:running(2)',
        d: '1:success(2)',
        e: '3:failed(2)',
      });
      // Another watch of job 1 at the same time: no request of its own.
      expectObservable(ordo.jobStatus$(1).pipe(map((snapshot) => snapshot.job.status))).toBe('a 9ms (b|)', { a: 'running', b: 'success' });
      flush();
      expect([transport.requestCount(1), transport.requestCount(2), transport.requestCount(3)]).toEqual([2, 1, 3]);
    });
  });

  it('checks ids and options at call time; the client’s signal stops every job', () => {
    testScheduler().run(({ expectObservable }) => {
      const controller = new AbortController();
      const reason = new Error('client closed');
      const transport = scriptedTransport({ 1: [running(1)], 2: [running(2)] });
      const ordo = createOrdoClient({ transport, intervalMs: 10, batch: false, signal: controller.signal });
      expect(() => ordo.watchJobs$([0])).toThrow(/Invalid job id 0/);
      expect(() => ordo.watchJobs$([1], { timeoutMs: -5 })).toThrow(TypeError);
      asyncScheduler.schedule(() => controller.abort(reason), 15);
      expectObservable(lines(ordo.watchJobs$([1, 2]))).toBe('(ab) 11ms #', { a: '1:running(2)', b: '2:running(2)' }, reason);
    });
  });

  it('resumes from stored snapshots as the standalone one does', () => {
    testScheduler().run(({ expectObservable, flush }) => {
      const transport = scriptedTransport({ 1: [success(1)], 2: [running(2), success(2)] });
      const ordo = createOrdoClient({ transport, intervalMs: 10, batch: false });
      const resumeFrom = (jobId: string) => (jobId === '1' ? parseJobSnapshot(success(1)) : undefined);
      expectObservable(lines(ordo.watchJobs$([1, 2], { resumeFrom }))).toBe('(ab) 6ms (c|)', { a: '1:success(0)', b: '2:running(2)', c: '2:success(2)' });
      flush();
      expect(transport.requestCount(1)).toBe(0);
    });
  });
});
