import { map, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it, vi } from 'vitest';
import {
  jobEvents$,
  jobStatus$,
  OrdoHttpError,
  OrdoNetworkError,
  type JobSnapshot,
  type JobTransport,
} from 'ordo-status';
import { jobBody, scriptedTransport, type ScriptedTransport } from 'ordo-status/testing';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const statusOf = (snapshots: Observable<JobSnapshot>) => snapshots.pipe(map((snapshot) => snapshot.job.status));

const ids = (transport: ScriptedTransport) => transport.requests.map((request) => request.jobId);
const aborted = (transport: ScriptedTransport) => transport.requests.map((request) => request.signal.aborted);

describe('jobStatus$ in virtual time', () => {
  it('polls at once, then one interval after each answer, and completes right after the terminal snapshot', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const answers = [
        cold('-a|', { a: jobBody({ status: 'pending' }) }),
        cold('-b|', { b: jobBody({ status: 'running' }) }),
        cold('-c|', { c: jobBody({ status: 'success' }) }),
      ];
      const transport = scriptedTransport({ 1: answers });
      expectObservable(statusOf(jobStatus$(1, { transport, intervalMs: 3 }))).toBe('-a---b---(c|)', {
        a: 'pending',
        b: 'running',
        c: 'success',
      });
      expectSubscriptions(answers[0]!.subscriptions).toBe('^!');
      expectSubscriptions(answers[1]!.subscriptions).toBe('----^!');
      expectSubscriptions(answers[2]!.subscriptions).toBe('--------^!');
      return () => expect(ids(transport)).toEqual(['1', '1', '1']);
    });
  });

  it('costs exactly one request for a job already terminal at the first poll', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const transport = scriptedTransport({ 7: [cold('--a|', { a: jobBody({ id: 7, status: 'failed', steps: { x: 'failed' } }) })] });
      expectObservable(statusOf(jobStatus$('7', { transport, intervalMs: 1 }))).toBe('--(a|)', { a: 'failed' });
      flush();
      expect(ids(transport)).toEqual(['7']);
    });
  });

  it('never cancels a slow answer: the next request starts one interval after it, never overlapping', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      const answers = [
        cold('-----a|', { a: jobBody({ status: 'pending' }) }),
        cold('-----b|', { b: jobBody({ status: 'running' }) }),
        cold('-----c|', { c: jobBody({ status: 'success' }) }),
      ];
      const transport = scriptedTransport({ 1: answers });
      // Answers take 5 frames, the interval is 3: requests at 0, 8 and 16.
      expectObservable(statusOf(jobStatus$(1, { transport, intervalMs: 3 }))).toBe('-----a-------b-------(c|)', {
        a: 'pending',
        b: 'running',
        c: 'success',
      });
      expectSubscriptions(answers[0]!.subscriptions).toBe('^----!');
      expectSubscriptions(answers[1]!.subscriptions).toBe('--------^----!');
      expectSubscriptions(answers[2]!.subscriptions).toBe('----------------^----!');
      flush();
      expect(transport.maxInFlight).toBe(1);
      expect(aborted(transport).some(Boolean)).toBe(false);
    });
  });

  it('emits only snapshots whose content changed', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const transport = scriptedTransport({
        1: [
          cold('-a|', { a: jobBody({ status: 'running', steps: { s: 'running' } }) }),
          cold('-a|', { a: jobBody({ status: 'running', steps: { s: 'running' } }) }),
          cold('-a|', { a: { ...jobBody({ status: 'running', steps: { s: 'running' } }), note: 'changed' } }),
          cold('-a|', { a: jobBody({ status: 'success', steps: { s: 'success' } }) }),
        ],
      });
      expectObservable(statusOf(jobStatus$(1, { transport, intervalMs: 2 }))).toBe('-a-----b--(c|)', {
        a: 'running',
        b: 'running',
        c: 'success',
      });
    });
  });

  it('aborts the request in flight when unsubscribed', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      const answer = cold('-----a|', { a: jobBody({ status: 'running' }) });
      const transport = scriptedTransport({ 1: [answer] });
      expectObservable(jobStatus$(1, { transport, intervalMs: 3 }), '^--!').toBe('---');
      expectSubscriptions(answer.subscriptions).toBe('^--!');
      flush();
      expect(aborted(transport)).toEqual([true]);
    });
  });

  it('cancels the wait between polls when unsubscribed, without aborting a finished request', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const transport = scriptedTransport({ 1: [cold('-a|', { a: jobBody({ status: 'running' }) })] });
      expectObservable(statusOf(jobStatus$(1, { transport, intervalMs: 10 })), '^----!').toBe('-a---', { a: 'running' });
      flush();
      expect(ids(transport)).toHaveLength(1);
      expect(aborted(transport)[0]).toBe(false);
    });
  });

  it('makes no request when the signal is already aborted', () => {
    testScheduler().run(({ expectObservable, flush }) => {
      const transport = scriptedTransport({});
      const controller = new AbortController();
      const reason = new Error('stop');
      controller.abort(reason);
      expectObservable(jobStatus$(1, { transport, signal: controller.signal })).toBe('#', undefined, reason);
      flush();
      expect(ids(transport)).toEqual([]);
    });
  });

  it('errors with the reason and aborts the request when the signal aborts mid-request', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, flush }) => {
      const transport = scriptedTransport({ 1: [cold('-a|', { a: jobBody({ status: 'running' }) }), cold('-----b|', { b: jobBody({ status: 'running' }) })] });
      const controller = new AbortController();
      const reason = new Error('user cancelled');
      scheduler.schedule(() => controller.abort(reason), 6);
      expectObservable(statusOf(jobStatus$(1, { transport, intervalMs: 3, signal: controller.signal }))).toBe(
        '-a----#',
        { a: 'running' },
        reason,
      );
      flush();
      expect(aborted(transport)[1]).toBe(true);
    });
  });

  it('with retries off, ends with the transport’s typed error and polls no more', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const failure = new OrdoHttpError('GET /jobs/1 answered 503', { status: 503, url: 'http://x/jobs/1' });
      const transport = scriptedTransport({ 1: [cold('-a|', { a: jobBody({ status: 'running' }) }), cold('--#', undefined, failure)] });
      // Answer at 1, next request at 4, failure 2 frames later.
      expectObservable(statusOf(jobStatus$(1, { transport, intervalMs: 3, retry: 0 }))).toBe('-a----#', { a: 'running' }, failure);
      flush();
      expect(ids(transport)).toHaveLength(2);
    });
  });

  it('wraps an error that is not an OrdoError in an OrdoNetworkError with the cause', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const cause = new TypeError('socket hang up');
      const transport = scriptedTransport({ 1: [cold('-#', undefined, cause)] });
      expectObservable(jobStatus$(1, { transport, retry: 0 })).toBe(
        '-#',
        undefined,
        expect.objectContaining({ name: 'OrdoNetworkError', code: 'NETWORK', cause, jobId: '1' }),
      );
    });
  });

  it('errors when the transport completes without a body', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const transport = scriptedTransport({ 1: [cold('--|')] });
      expectObservable(jobStatus$(1, { transport, retry: 0 })).toBe('--#', undefined, expect.any(OrdoNetworkError));
    });
  });

  it('errors at the first invalid body with an OrdoSchemaError', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const running = jobBody({ status: 'running' });
      const paused = { ...running, job: { ...running.job, status: 'paused' } }; // no such status
      const transport = scriptedTransport({ 1: [cold('-a|', { a: running }), cold('-a|', { a: paused })] });
      expectObservable(statusOf(jobStatus$(1, { transport, intervalMs: 2 }))).toBe(
        '-a--#',
        { a: 'running' },
        expect.objectContaining({ name: 'OrdoSchemaError', issues: [expect.objectContaining({ path: 'job.status', received: 'paused' })] }),
      );
    });
  });

  it('rejects a body for another job', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // The real server answers /jobs/8abc with job 8: a body for another id is never taken as the asked job.
      const transport = scriptedTransport({ 3: [cold('-a|', { a: jobBody({ id: 8, status: 'running' }) })] });
      expectObservable(jobStatus$(3, { transport })).toBe(
        '-#',
        undefined,
        expect.objectContaining({ name: 'OrdoSchemaError', jobId: '3', issues: [expect.objectContaining({ path: 'job.id', received: 8 })] }),
      );
    });
  });

  it('does not emit an illegal snapshot and errors with OrdoIllegalTransitionError', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const transport = scriptedTransport({
        1: [cold('-a|', { a: jobBody({ status: 'running', steps: { s: 'success' } }) }), cold('-b|', { b: jobBody({ status: 'running', steps: { s: 'running' } }) })],
      });
      expectObservable(statusOf(jobStatus$(1, { transport, intervalMs: 2 }))).toBe(
        '-a--#',
        { a: 'running' },
        expect.objectContaining({ code: 'ILLEGAL_TRANSITION', subject: 's', from: 'success', to: 'running' }),
      );
    });
  });

  it('times out the whole watch with the last snapshot', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const answers = Array.from({ length: 5 }, (_, index) => cold('-a|', { a: jobBody({ status: 'running', steps: { s: index < 1 ? 'pending' : 'running' } }) }));
      const transport = scriptedTransport({ 1: answers });
      expectObservable(statusOf(jobStatus$(1, { transport, intervalMs: 3, timeoutMs: 10 }))).toBe(
        '-a---b----#',
        { a: 'running', b: 'running' },
        expect.objectContaining({
          name: 'OrdoTimeoutError',
          code: 'TIMEOUT',
          timeoutMs: 10,
          message: 'Job 1 did not finish within 10 ms (last seen running, 0%)',
          lastSnapshot: expect.objectContaining({ steps: [expect.objectContaining({ stepId: 's', status: 'running' })] }),
        }),
      );
      flush();
      expect(ids(transport)).toHaveLength(3); // requests at 0, 4 and 8; the one due at 12 never started
    });
  });
});

describe('requests that do not answer', () => {
  it('aborts a request after requestTimeoutMs and ends with OrdoTimeoutError carrying the last snapshot', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      const answers = [cold('-a|', { a: jobBody({ status: 'running' }) }), cold('-')];
      const transport = scriptedTransport({ 1: answers });
      // Answer at 1, next request at 3, no answer: aborted at 8.
      expectObservable(statusOf(jobStatus$(1, { transport, intervalMs: 2, requestTimeoutMs: 5, retry: 0 }))).toBe(
        '-a------#',
        { a: 'running' },
        expect.objectContaining({
          name: 'OrdoTimeoutError',
          message: 'No answer for job 1 within 5 ms',
          timeoutMs: 5,
          lastSnapshot: expect.objectContaining({ job: expect.objectContaining({ status: 'running' }) }),
        }),
      );
      expectSubscriptions(answers[1]!.subscriptions).toBe('---^----!');
      flush();
      expect(aborted(transport)).toEqual([false, true]);
    });
  });

  it('does not time out an answer that arrives in time, however close', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const transport = scriptedTransport({ 1: [cold('----a|', { a: jobBody({ status: 'success' }) })] });
      expectObservable(statusOf(jobStatus$(1, { transport, requestTimeoutMs: 5 }))).toBe('----(a|)', { a: 'success' });
    });
  });
});

describe('what a transport may return', () => {
  it('takes a returned string or bytes as the body text, not as characters', () => {
    testScheduler().run(({ expectObservable }) => {
      const text = JSON.stringify(jobBody({ status: 'success' }));
      expectObservable(statusOf(jobStatus$(1, { transport: () => text }))).toBe('(a|)', { a: 'success' });
      expectObservable(statusOf(jobStatus$(1, { transport: () => new TextEncoder().encode(text) }))).toBe('(a|)', { a: 'success' });
    });
  });

  it('wraps odd rejections (null-prototype objects, strings, undefined) in OrdoNetworkError', async () => {
    for (const reason of [Object.create(null), 'nope', undefined, { toString: () => { throw new Error('x'); } }]) {
      const error = await new Promise((resolve) => jobStatus$(1, { transport: () => Promise.reject(reason as Error), retry: 0 }).subscribe({ error: resolve }));
      expect(error).toBeInstanceOf(OrdoNetworkError);
      expect((error as OrdoNetworkError).cause).toBe(reason);
    }
    const nothing = await new Promise((resolve) => jobStatus$(1, { transport: () => undefined as never, retry: 0 }).subscribe({ error: resolve }));
    expect(nothing).toMatchObject({ name: 'OrdoNetworkError', message: expect.stringContaining('The transport failed for job 1') });
  });
});

describe('jobEvents$ in virtual time', () => {
  it('emits each snapshot’s transitions at the frame of its answer, in order', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const transport = scriptedTransport({
        1: [
          cold('-a|', { a: jobBody({ status: 'pending', steps: { a: 'pending', b: 'pending' } }) }),
          cold('-a|', { a: jobBody({ status: 'running', steps: { a: 'running', b: 'pending' } }) }),
          cold('-a|', { a: jobBody({ status: 'success', steps: { a: 'success', b: 'success' } }) }),
        ],
      });
      // Answers at 1, 5 and 9.
      const events = jobEvents$(1, { transport, intervalMs: 3 }).pipe(
        map((event) => `${event.type === 'job' ? 'job' : event.stepId}:${event.from}>${event.to}${event.inferred ? '*' : ''}`),
      );
      expectObservable(events).toBe('-----(ab)(cdef|)', {
        a: 'job:pending>running',
        b: 'a:pending>running',
        c: 'a:running>success',
        d: 'b:pending>running*',
        e: 'b:running>success',
        f: 'job:running>success',
      });
    });
  });
});

describe('argument checks', () => {
  const transport: JobTransport = () => [jobBody({ status: 'success' })];

  it('rejects bad ids and options at call time with a TypeError', () => {
    // A job id is a positive whole number: anything else throws before any request.
    const requests = vi.fn(transport);
    expect(() => jobStatus$('', { transport: requests })).toThrow(new TypeError('Invalid job id "": a job id is a positive whole number such as 42'));
    expect(() => jobStatus$(-1, { transport: requests })).toThrow(new TypeError('Invalid job id -1: a job id is a positive whole number such as 42'));
    expect(() => jobStatus$(0, { transport: requests })).toThrow(new TypeError('Invalid job id 0: a job id is a positive whole number such as 42'));
    expect(() => jobStatus$(1.5, { transport: requests })).toThrow(new TypeError('Invalid job id 1.5: a job id is a positive whole number such as 42'));
    expect(() => jobStatus$('1,2', { transport: requests })).toThrow(new TypeError('Invalid job id "1,2": a job id is a positive whole number such as 42'));
    expect(() => jobStatus$('..', { transport: requests })).toThrow(new TypeError('Invalid job id "..": a job id is a positive whole number such as 42'));
    expect(() => jobStatus$('\uD800', { transport: requests })).toThrow(new TypeError('Invalid job id "\\ud800": a job id is a positive whole number such as 42'));
    expect(() => jobStatus$('abc', { transport: requests })).toThrow(new TypeError('Invalid job id "abc": a job id is a positive whole number such as 42'));
    expect(() => jobStatus$(null as never, { transport: requests })).toThrow(
      new TypeError('Invalid job id of type null: a job id is a positive whole number such as 42, as a number or a string of digits'),
    );
    expect(requests).not.toHaveBeenCalled();
    for (const intervalMs of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
      expect(() => jobStatus$(1, { transport, intervalMs }), String(intervalMs)).toThrow(/Invalid intervalMs/);
    }
    expect(() => jobStatus$(1, { transport, timeoutMs: 0 })).toThrow(/Invalid timeoutMs/);
    expect(() => jobStatus$(1, {} as never)).toThrow(/Invalid transport/);
    expect(() => jobStatus$(1, undefined as never)).toThrow(/transport/);
    expect(() => jobStatus$(1, { transport, signal: {} as never })).toThrow(/AbortSignal/);
  });

  it('treats 3 and "3" as the same job', () => {
    const ids: string[] = [];
    const record: JobTransport = (id) => {
      ids.push(id);
      return [jobBody({ id: 3, status: 'success' })];
    };
    jobStatus$(3, { transport: record }).subscribe();
    jobStatus$('3', { transport: record }).subscribe();
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        expect(ids).toEqual(['3', '3']);
        resolve();
      }, 20),
    );
  });
});

