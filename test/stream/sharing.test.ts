import { map, NEVER, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { createOrdoClient, type JobSnapshot } from 'ordo-status';
import { jobBody, scriptedTransport, type ScriptedTransport } from 'ordo-status/testing';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const statusOf = (snapshots: Observable<JobSnapshot>) => snapshots.pipe(map((snapshot) => `${snapshot.job.status}:${snapshot.steps[0]?.status ?? ''}`));

/** When each request to the transport started. */
const startedAt = (transport: ScriptedTransport) => transport.requests.map((request) => request.at);

describe('one poll per job within a client', () => {
  it('serves every subscriber from one request per interval, and replays the latest snapshot to late ones', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const answers = [
        cold('-a|', { a: jobBody({ status: 'running', steps: { s: 'pending' } }) }),
        cold('-a|', { a: jobBody({ status: 'running', steps: { s: 'running' } }) }),
        cold('-a|', { a: jobBody({ status: 'running', steps: { s: 'running' } }) }),
        cold('-a|', { a: jobBody({ status: 'success', steps: { s: 'success' } }) }),
      ];
      const transport = scriptedTransport({ 1: answers });
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
      expect(startedAt(transport)).toEqual([0, 5, 10, 15]);
    });
  });

  it('stops when the last subscriber leaves, aborting the request in flight; a new subscriber starts again at once', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const transport = scriptedTransport({
        1: [
          cold('-a|', { a: jobBody({ status: 'running' }) }),
          cold('------a|', { a: jobBody({ status: 'running' }) }),
          cold('-a|', { a: jobBody({ status: 'running' }) }),
          NEVER, // the request at 9 gets no answer before the subscriber leaves
        ],
      });
      const ordo = createOrdoClient({ transport, intervalMs: 2 });
      expectObservable(statusOf(ordo.jobStatus$(1)), '^---!').toBe('-a--', { a: 'running:' });
      expectObservable(statusOf(ordo.jobStatus$(1)), '--^-!').toBe('--a-', { a: 'running:' });
      expectObservable(statusOf(ordo.jobStatus$(1)), '------^---!').toBe('-------a--', { a: 'running:' });
      flush();
      // The second request (started at 3) was aborted at 4; the new subscriber at 6 polls at once,
      // and leaving at 10 aborts its second request (started at 9).
      expect(transport.requests.map((request) => [request.at, request.signal.aborted])).toEqual([
        [0, false],
        [3, true],
        [6, false],
        [9, true],
      ]);
    });
  });

  it('replays a finished job’s terminal snapshot without a request for retainTerminalMs, then polls again', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const transport = scriptedTransport({ 1: [cold('-a|', { a: jobBody({ status: 'success' }) }), cold('-a|', { a: jobBody({ status: 'success' }) })] });
      const ordo = createOrdoClient({ transport, retainTerminalMs: 10 });
      expectObservable(statusOf(ordo.jobStatus$(1))).toBe('-(a|)', { a: 'success:' });
      expectObservable(statusOf(ordo.jobStatus$(1)), '-----^').toBe('-----(a|)', { a: 'success:' });
      expectObservable(statusOf(ordo.jobStatus$(1)), '------------^').toBe('-------------(a|)', { a: 'success:' });
      flush();
      expect(startedAt(transport)).toEqual([0, 12]);
    });
  });

  it('shares the poll between jobStatus$, jobEvents$ and waitForJob, and gives a late jobEvents$ subscriber the whole path', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const transport = scriptedTransport({
        1: [
          cold('-a|', { a: jobBody({ status: 'running', steps: { s: 'running' } }) }),
          cold('-a|', { a: jobBody({ status: 'success', steps: { s: 'success' } }) }),
        ],
      });
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
      expect(transport.requests).toHaveLength(2);
    });
  });

  it('applies timeoutMs and signal to each subscriber alone', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const transport = scriptedTransport({ 1: [cold('-a|', { a: jobBody({ status: 'running' }) }), cold('------a|', { a: jobBody({ status: 'success' }) })] });
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
    testScheduler().run(({ cold, flush }) => {
      const transport = scriptedTransport({ 1: [cold('-a|', { a: jobBody({ status: 'success' }) }), cold('-a|', { a: jobBody({ status: 'success' }) })] });
      const ordo = createOrdoClient({ transport, intervalMs: 2 });
      ordo.jobStatus$(1).subscribe();
      ordo.jobStatus$(1, { intervalMs: 5 }).subscribe();
      flush();
      expect(transport.requests).toHaveLength(2);
    });
  });
});
