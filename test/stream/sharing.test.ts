import { defer, map, NEVER, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { createOrdoClient, type JobSnapshot, type JobTransport } from 'ordo-status';
import { body } from '../helpers/bodies.js';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const statusOf = (snapshots: Observable<JobSnapshot>) => snapshots.pipe(map((snapshot) => `${snapshot.job.status}:${snapshot.steps[0]?.status ?? ''}`));

/** A transport for one job whose n-th request gets the n-th answer; it logs when each request starts and whether it was aborted. */
function scripted(scheduler: { now(): number }, answers: ReadonlyArray<Observable<unknown>>) {
  const log: Array<{ at: number; signal: AbortSignal }> = [];
  const transport: JobTransport = (_id, { signal }) => {
    const answer = answers[log.length] ?? NEVER;
    log.push({ at: scheduler.now(), signal });
    return defer(() => answer);
  };
  return { transport, log };
}

describe('one poll per job within a client', () => {
  it('serves every subscriber from one request per interval, and replays the latest snapshot to late ones', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, flush }) => {
      const answers = [
        cold('-a|', { a: body('running', { s: 'pending' }) }),
        cold('-a|', { a: body('running', { s: 'running' }) }),
        cold('-a|', { a: body('running', { s: 'running' }) }),
        cold('-a|', { a: body('success', { s: 'success' }) }),
      ];
      const { transport, log } = scripted(scheduler, answers);
      const ordo = createOrdoClient({ transport, intervalMs: 4 });
      const values = { p: 'running:pending', r: 'running:running', s: 'success:success' };
      // Answers at 1 (p), 6 (r), 11 (r again: not emitted) and 16 (s). A subscriber arriving at
      // frame k gets the latest snapshot at once (none before 1), then the live ones.
      const expected = (k: number) => {
        const events: Array<[number, string]> = k === 0 ? [[1, 'p'], [6, 'r']] : k < 6 ? [[k, 'p'], [6, 'r']] : [[k, 'r']];
        let marble = '';
        for (const [frame, token] of events) marble += '-'.repeat(frame - marble.length) + token;
        return `${marble}${'-'.repeat(16 - marble.length)}(s|)`;
      };
      const arrivals = [0, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15];
      for (let index = 0; index < 100; index += 1) {
        const k = arrivals[index % arrivals.length]!;
        expectObservable(statusOf(ordo.jobStatus$(index % 2 === 0 ? 1 : '1')), `${'-'.repeat(k)}^`).toBe(expected(k), values);
      }
      flush();
      // Answers at 1, 6, 11 and 16: requests at 0, 5, 10 and 15, whatever the number of subscribers.
      expect(log.map((entry) => entry.at)).toEqual([0, 5, 10, 15]);
    });
  });

  it('stops when the last subscriber leaves, aborting the request in flight; a new subscriber starts again at once', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, flush }) => {
      const { transport, log } = scripted(scheduler, [
        cold('-a|', { a: body('running') }),
        cold('------a|', { a: body('running') }),
        cold('-a|', { a: body('running') }),
      ]);
      const ordo = createOrdoClient({ transport, intervalMs: 2 });
      expectObservable(statusOf(ordo.jobStatus$(1)), '^---!').toBe('-a--', { a: 'running:' });
      expectObservable(statusOf(ordo.jobStatus$(1)), '--^-!').toBe('--a-', { a: 'running:' });
      expectObservable(statusOf(ordo.jobStatus$(1)), '------^---!').toBe('-------a--', { a: 'running:' });
      flush();
      // The second request (started at 3) was aborted at 4; the new subscriber at 6 polls at once,
      // and leaving at 10 aborts its second request (started at 9).
      expect(log.map((entry) => [entry.at, entry.signal.aborted])).toEqual([
        [0, false],
        [3, true],
        [6, false],
        [9, true],
      ]);
    });
  });

  it('replays a finished job’s terminal snapshot without a request for retainTerminalMs, then polls again', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, flush }) => {
      const { transport, log } = scripted(scheduler, [cold('-a|', { a: body('success') }), cold('-a|', { a: body('success') })]);
      const ordo = createOrdoClient({ transport, retainTerminalMs: 10 });
      expectObservable(statusOf(ordo.jobStatus$(1))).toBe('-(a|)', { a: 'success:' });
      expectObservable(statusOf(ordo.jobStatus$(1)), '-----^').toBe('-----(a|)', { a: 'success:' });
      expectObservable(statusOf(ordo.jobStatus$(1)), '------------^').toBe('-------------(a|)', { a: 'success:' });
      flush();
      expect(log.map((entry) => entry.at)).toEqual([0, 12]);
    });
  });

  it('shares the poll between jobStatus$, jobEvents$ and waitForJob, and gives a late jobEvents$ subscriber the whole path', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, flush }) => {
      const { transport, log } = scripted(scheduler, [
        cold('-a|', { a: body('running', { s: 'running' }) }),
        cold('-a|', { a: body('success', { s: 'success' }) }),
      ]);
      const ordo = createOrdoClient({ transport, intervalMs: 6 });
      expectObservable(statusOf(ordo.jobStatus$(1))).toBe('-a------(b|)', { a: 'running:running', b: 'success:success' });
      const events = ordo.jobEvents$(1).pipe(map((event) => `${event.type === 'job' ? 'job' : event.stepId}:${event.from}>${event.to}${event.inferred ? '*' : ''}`));
      expectObservable(events, '--^').toBe('--(ab)--(cd|)', {
        a: 'job:pending>running',
        b: 's:pending>running',
        c: 's:running>success',
        d: 'job:running>success',
      });
      flush();
      expect(log).toHaveLength(2);
    });
  });

  it('applies timeoutMs and signal to each subscriber alone', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const { transport } = scripted(scheduler, [cold('-a|', { a: body('running') }), cold('------a|', { a: body('success') })]);
      const ordo = createOrdoClient({ transport, intervalMs: 2 });
      expectObservable(statusOf(ordo.jobStatus$(1, { timeoutMs: 4 }))).toBe(
        '-a--#',
        { a: 'running:' },
        expect.objectContaining({ name: 'OrdoTimeoutError', scope: 'watch', requests: 2, lastSnapshot: expect.objectContaining({}) }),
      );
      expectObservable(statusOf(ordo.jobStatus$(1))).toBe('-a-------(b|)', { a: 'running:', b: 'success:' });
    });
  });

  it('keeps polls with different polling options apart', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const { transport, log } = scripted(scheduler, [cold('-a|', { a: body('success') }), cold('-a|', { a: body('success') })]);
      const ordo = createOrdoClient({ transport, intervalMs: 2 });
      ordo.jobStatus$(1).subscribe();
      ordo.jobStatus$(1, { intervalMs: 5 }).subscribe();
      flush();
      expect(log).toHaveLength(2);
    });
  });
});
