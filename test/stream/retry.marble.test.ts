import { map, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  jobStatus$,
  OrdoAuthError,
  OrdoHttpError,
  OrdoNetworkError,
  OrdoNotFoundError,
  type JobSnapshot,
  type JobTransport,
  type RetryInfo,
} from 'ordo-status';
import { jobBody, scriptedTransport, type ScriptedTransport } from 'ordo-status/testing';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const statusOf = (snapshots: Observable<JobSnapshot>) => snapshots.pipe(map((snapshot) => snapshot.job.status));
const http = (status: number, retryAfterMs: number | null = null) =>
  status === 404
    ? new OrdoNotFoundError('404', { status, url: 'u' })
    : status === 401 || status === 403
      ? new OrdoAuthError(String(status), { status, url: 'u' })
      : new OrdoHttpError(String(status), { status, url: 'u', retryAfterMs });

/** When each request to the transport started. */
const startedAt = (transport: ScriptedTransport) => transport.requests.map((request) => request.at);

/** Exact delays: base 2, no jitter. */
const exact = { baseDelayMs: 2, maxDelayMs: 100, jitter: 0 };

describe('the retry policy in virtual time', () => {
  it('retries transient failures with exponential backoff, then carries on at the polling cadence', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const transport = scriptedTransport({
        1: [
          cold('-a|', { a: jobBody({ status: 'running' }) }),
          cold('-#', undefined, http(503)),
          cold('-#', undefined, new OrdoNetworkError('reset')),
          cold('-#', undefined, http(502)),
          cold('-b|', { b: jobBody({ status: 'success' }) }),
        ],
      });
      const retries: RetryInfo[] = [];
      const status$ = statusOf(jobStatus$(1, { transport, intervalMs: 5, retry: exact, onRetry: (info) => retries.push(info) }));
      // Good answer at 1; next request at 6, fails at 7; retries wait 2, 4 and 8 frames.
      expectObservable(status$).toBe('-a----------------------(b|)', { a: 'running', b: 'success' });
      flush();
      expect(startedAt(transport)).toEqual([0, 6, 9, 14, 23]);
      // No count limit by default: the time budget (5 minutes from the first failure at 7) decides.
      expect(retries.map(({ attempt, delayMs, maxRetries, elapsedMs, maxElapsedMs, error }) => [attempt, delayMs, maxRetries, elapsedMs, maxElapsedMs, error.code])).toEqual([
        [1, 2, Infinity, 0, 300_000, 'HTTP'],
        [2, 4, Infinity, 3, 300_000, 'NETWORK'],
        [3, 8, Infinity, 8, 300_000, 'HTTP'],
      ]);
    });
  });

  it('gives up after maxRetries consecutive failures, with the last error', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const last = http(504);
      const transport = scriptedTransport({
        1: [
          cold('-#', undefined, http(503)),
          cold('-#', undefined, http(500)),
          cold('-#', undefined, last),
        ],
      });
      // Failures at 1, 4 and 9; the retries wait 2 and 4 frames.
      expectObservable(jobStatus$(1, { transport, retry: { ...exact, maxRetries: 2 } })).toBe('---------#', undefined, last);
      flush();
      expect(startedAt(transport)).toEqual([0, 3, 8]); // the first request, and two retries
    });
  });

  it('resets the count at every good answer', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const transport = scriptedTransport({
        1: [
          cold('-#', undefined, http(503)),
          cold('-#', undefined, http(503)),
          cold('-a|', { a: jobBody({ status: 'running' }) }),
          cold('-#', undefined, http(503)),
          cold('-#', undefined, http(503)),
          cold('-a|', { a: jobBody({ status: 'running' }) }), // unchanged: still a good answer
          cold('-#', undefined, http(503)),
          cold('-#', undefined, http(503)),
          cold('-b|', { b: jobBody({ status: 'success' }) }),
        ],
      });
      expectObservable(statusOf(jobStatus$(1, { transport, intervalMs: 1, retry: { ...exact, maxRetries: 2 } }))).toBe(
        '---------a-------------------(b|)',
        { a: 'running', b: 'success' },
      );
      flush();
      // Two failures (waits 2, 4), good at 9; two more (2, 4) restart from 2 after it.
      expect(startedAt(transport)).toEqual([0, 3, 8, 10, 13, 18, 20, 23, 28]);
    });
  });

  it('honours Retry-After instead of the backoff, never earlier, clamped to maxRetryAfterMs', () => {
    testScheduler().run(({ cold, flush }) => {
      const transport = scriptedTransport({
        1: [
          cold('-#', undefined, http(503, 7)),
          cold('-#', undefined, http(429, 50_000)),
          cold('-#', undefined, http(503, 0)),
          cold('-a|', { a: jobBody({ status: 'success' }) }),
        ],
      });
      jobStatus$(1, { transport, retry: { ...exact, maxRetryAfterMs: 20 } }).subscribe();
      flush();
      // 503 at 1, Retry-After 7 → 8; 429 at 9, Retry-After 50000 clamped to 20 → 29; 503 at 30, Retry-After 0 → 30.
      expect(startedAt(transport)).toEqual([0, 8, 29, 30]);
    });
  });

  it('does not retry permanent failures: 400, 401, 403, 404, other statuses, schema and illegal transitions', () => {
    const running = jobBody({ status: 'running' });
    const permanent: Array<[string, unknown]> = [
      ['400', http(400)],
      ['401', http(401)],
      ['403', http(403)],
      ['404', http(404)],
      ['501', http(501)],
      ['304', http(304)],
      ['schema', { ...running, job: { ...running.job, status: 'paused' } }], // no such status
      ['unusable token', new OrdoNetworkError('token', { retryable: false })],
    ];
    for (const [name, failure] of permanent) {
      testScheduler().run(({ cold, expectObservable, flush }) => {
        const answer = failure instanceof Error ? cold('-#', undefined, failure) : cold('-a|', { a: failure });
        const transport = scriptedTransport({ 1: [answer] });
        const retries: RetryInfo[] = [];
        expectObservable(jobStatus$(1, { transport, retry: exact, onRetry: (info) => retries.push(info) })).toBe(
          '-#',
          undefined,
          failure instanceof Error ? failure : expect.objectContaining({ code: 'SCHEMA' }),
        );
        flush();
        expect(startedAt(transport), name).toHaveLength(1);
        expect(retries, name).toEqual([]);
      });
    }
    testScheduler().run(({ cold, expectObservable }) => {
      const transport = scriptedTransport({
        1: [cold('-a|', { a: jobBody({ status: 'running', steps: { s: 'success' } }) }), cold('-a|', { a: jobBody({ status: 'running', steps: { s: 'running' } }) })],
      });
      expectObservable(statusOf(jobStatus$(1, { transport, intervalMs: 1, retry: exact }))).toBe(
        '-a-#',
        { a: 'running' },
        expect.objectContaining({ code: 'ILLEGAL_TRANSITION' }),
      );
    });
  });

  it('retries a request that timed out', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const transport = scriptedTransport({ 1: [cold('-'), cold('-a|', { a: jobBody({ status: 'success' }) })] });
      const retries: RetryInfo[] = [];
      expectObservable(
        statusOf(jobStatus$(1, { transport, requestTimeoutMs: 10, retry: exact, onRetry: (info) => retries.push(info) })),
      ).toBe('-------------(a|)', { a: 'success' });
      flush();
      expect(startedAt(transport)).toEqual([0, 12]);
      expect(retries[0]!.error).toMatchObject({ code: 'TIMEOUT', scope: 'request', requests: 1, failures: 1 });
    });
  });

  it('retries a 404 only within notFoundGraceMs of the start', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const notFound = http(404);
      const transport = scriptedTransport({
        1: [
          cold('-#', undefined, notFound),
          cold('-#', undefined, notFound),
          cold('-#', undefined, notFound),
        ],
      });
      // 404 at 1 and 4 are within 5 of the start (retried); the one at 9 is not.
      expectObservable(jobStatus$(1, { transport, notFoundGraceMs: 5, retry: exact })).toBe('---------#', undefined, notFound);
      flush();
      expect(startedAt(transport)).toEqual([0, 3, 8]);
    });
  });

  it('skips a snapshot that moves backwards when onIllegalTransition is "skip"', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const transport = scriptedTransport({
        1: [
          cold('-a|', { a: jobBody({ status: 'running', steps: { s: 'success' } }) }),
          cold('-a|', { a: jobBody({ status: 'running', steps: { s: 'running' } }) }), // a lagging replica
          cold('-a|', { a: jobBody({ status: 'success', steps: { s: 'success' } }) }),
        ],
      });
      const retries: RetryInfo[] = [];
      expectObservable(
        statusOf(jobStatus$(1, { transport, intervalMs: 5, onIllegalTransition: 'skip', retry: exact, onRetry: (info) => retries.push(info) })),
      ).toBe('-a--------(b|)', { a: 'running', b: 'success' });
      flush();
      expect(startedAt(transport)).toEqual([0, 6, 9]);
      expect(retries[0]!.error).toMatchObject({ code: 'ILLEGAL_TRANSITION', subject: 's', from: 'success', to: 'running' });
    });
  });

  it('reports the request and failure counts when the whole watch times out', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const transport = scriptedTransport({
        1: [
          cold('-a|', { a: jobBody({ status: 'running' }) }),
          cold('-#', undefined, http(503)),
          cold('-#', undefined, http(503)),
          cold('-#', undefined, http(503)),
        ],
      });
      // Requests at 0, 3, 6 and 11; failures at 4, 7 and 12; the deadline at 13.
      expectObservable(statusOf(jobStatus$(1, { transport, intervalMs: 2, timeoutMs: 13, retry: exact }))).toBe(
        '-a-----------#',
        { a: 'running' },
        expect.objectContaining({ name: 'OrdoTimeoutError', scope: 'watch', requests: 4, failures: 3, lastSnapshot: expect.objectContaining({}) }),
      );
    });
  });

  it('refuses bad retry options', () => {
    const transport: JobTransport = () => [jobBody({ status: 'success' })];
    expect(() => jobStatus$(1, { transport, retry: -1 })).toThrow('Invalid retry.maxRetries -1');
    expect(() => jobStatus$(1, { transport, retry: { jitter: 2 } })).toThrow('Invalid retry.jitter 2');
    expect(() => jobStatus$(1, { transport, retry: { maxRetryAfterMs: 2 ** 31 } })).toThrow(/maxRetryAfterMs/);
    expect(() => jobStatus$(1, { transport, onIllegalTransition: 'ignore' as never })).toThrow(/'error' or 'skip'/);
    expect(() => jobStatus$(1, { transport, notFoundGraceMs: -1 })).toThrow(/notFoundGraceMs/);
    expect(() => jobStatus$(1, { transport, onRetry: 'log' as never })).toThrow(/onRetry/);
  });
});

describe('retry edge cases', () => {
  it('keeps retrying 404s for the whole grace period, even with retries off', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const notFound = http(404);
      const answers = [...Array.from({ length: 5 }, () => cold('-#', undefined, notFound)), cold('-a|', { a: jobBody({ status: 'success' }) })];
      const transport = scriptedTransport({ 1: answers });
      expectObservable(statusOf(jobStatus$(1, { transport, notFoundGraceMs: 100, retry: { ...exact, maxRetries: 0 } }))).toBe(
        '-'.repeat(68) + '(a|)',
        { a: 'success' },
      );
      flush();
      // Waits 2, 4, 8, 16, 32 after the failures at 1, 4, 9, 18, 35; the answer at 68.
      expect(startedAt(transport)).toEqual([0, 3, 8, 17, 34, 67]);
    });
  });

  it('ignores an onRetry that throws', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const transport = scriptedTransport({ 1: [cold('-#', undefined, http(503)), cold('-a|', { a: jobBody({ status: 'success' }) })] });
      const onRetry = () => {
        throw new TypeError('bug in logger');
      };
      expectObservable(statusOf(jobStatus$(1, { transport, retry: exact, onRetry }))).toBe('----(a|)', { a: 'success' });
    });
  });

  it('keeps a client default when a per-call option is undefined', async () => {
    const { createOrdoClient, OrdoTimeoutError } = await import('ordo-status');
    const client = createOrdoClient({ transport: () => new Promise(() => {}), timeoutMs: 50 });
    const error = await client.waitForJob(1, { timeoutMs: undefined, signal: undefined }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OrdoTimeoutError);
  });
});
