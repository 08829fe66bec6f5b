import { describe, expect, it } from 'vitest';
import { OrdoHttpError, OrdoIllegalTransitionError, OrdoNetworkError, OrdoNotFoundError, OrdoSchemaError, OrdoTimeoutError, type OrdoError } from 'ordo-status';
import { decideRetry, defaultRetryOptions, isTransientFailure, resolveRetryOptions, type RetryContext } from '../../src/stream/retryPolicy.js';

/** The whole retry decision as a table: one failure in, "retry in X ms" or "stop with it" out. */
const http = (status: number, retryAfterMs: number | null = null) => new OrdoHttpError(`HTTP ${status}`, { status, url: '/jobs/1', retryAfterMs });
const notFound = () => new OrdoNotFoundError('404', { status: 404, url: '/jobs/1' });
const illegal = () => new OrdoIllegalTransitionError('back', { subject: 'job', from: 'running', to: 'pending', snapshot: undefined as never });
const exact = resolveRetryOptions({ baseDelayMs: 1000, maxDelayMs: 30_000, jitter: 0 });

function decide(error: OrdoError, overrides: Partial<RetryContext> = {}) {
  const decision = decideRetry({ error, attempt: 1, elapsedMs: 0, sinceStartMs: 10_000, retry: exact, notFoundGraceMs: 0, onIllegalTransition: 'error', ...overrides });
  return decision.retry ? `retry in ${decision.info.delayMs}` : `stop: ${decision.error.code}`;
}

describe('decideRetry', () => {
  it.each([
    ['a network failure', 'retry in 1000', () => new OrdoNetworkError('reset'), {}],
    ['a network failure that sending again cannot mend', 'stop: NETWORK', () => new OrdoNetworkError('bad token', { retryable: false }), {}],
    ['a request timeout', 'retry in 1000', () => new OrdoTimeoutError('slow', { timeoutMs: 1, scope: 'request', lastSnapshot: null, requests: 1, failures: 1 }), {}],
    ['the whole watch’s deadline', 'stop: TIMEOUT', () => new OrdoTimeoutError('late', { timeoutMs: 1, scope: 'watch', lastSnapshot: null, requests: 1, failures: 0 }), {}],
    ...defaultRetryOptions.statusCodes.map((status) => [`HTTP ${status}`, 'retry in 1000', () => http(status), {}] as const),
    ...[400, 403, 409, 501].map((status) => [`HTTP ${status}`, 'stop: HTTP', () => http(status), {}] as const),
    ['a schema error', 'stop: SCHEMA', () => new OrdoSchemaError('bad', { issues: [], bodyExcerpt: '' }), {}],
    ['a 404 after the grace period', 'stop: NOT_FOUND', notFound, { notFoundGraceMs: 5000 }],
    ['a 404 within the grace period, even with retrying off', 'retry in 1000', notFound, { notFoundGraceMs: 20_000, retry: resolveRetryOptions({ maxRetries: 0, jitter: 0 }) }],
    ['a regression', 'stop: ILLEGAL_TRANSITION', illegal, {}],
    ['a regression with onIllegalTransition: skip', 'retry in 1000', illegal, { onIllegalTransition: 'skip' }],
    ['the fourth failure in a row: backoff doubles', 'retry in 8000', () => http(503), { attempt: 4 }],
    ['the tenth failure in a row: backoff capped at maxDelayMs', 'retry in 30000', () => http(503), { attempt: 10, elapsedMs: 100_000 }],
    ['a Retry-After replaces the backoff', 'retry in 7000', () => http(503, 7000), { attempt: 3 }],
    ['a Retry-After is clamped to maxRetryAfterMs', 'retry in 300000', () => http(429, 10 * 60_000), {}],
    ['past maxRetries in a row', 'stop: HTTP', () => http(503), { attempt: 3, retry: resolveRetryOptions({ maxRetries: 2, jitter: 0 }) }],
    ['within maxRetries in a row', 'retry in 2000', () => http(503), { attempt: 2, retry: resolveRetryOptions({ maxRetries: 2, jitter: 0 }) }],
    ['retrying off (retry: 0)', 'stop: HTTP', () => http(503), { retry: resolveRetryOptions(0) }],
    ['a failure 4:59 into a run of failures: the wait is cut to the end of the budget', 'retry in 1000', () => http(503), { attempt: 20, elapsedMs: 299_000 }],
    ['a failure 4:59.5 into it: a 30 s backoff cut to 500 ms', 'retry in 500', () => http(503), { attempt: 20, elapsedMs: 299_500 }],
    ['a failure 5 minutes into a run of failures', 'stop: HTTP', () => http(503), { attempt: 20, elapsedMs: 300_000 }],
    ['HTTP 409 listed in retry.statusCodes', 'retry in 1000', () => http(409), { retry: resolveRetryOptions({ statusCodes: [409, 503], jitter: 0 }) }],
    ['HTTP 502 left out of retry.statusCodes', 'stop: HTTP', () => http(502), { retry: resolveRetryOptions({ statusCodes: [409, 503], jitter: 0 }) }],
    ['a time budget of 0 turns retrying off', 'stop: HTTP', () => http(503), { retry: resolveRetryOptions({ maxElapsedMs: 0 }) }],
  ] as const)('%s → %s', (_name, expected, error, overrides) => {
    expect(decide(error(), overrides as Partial<RetryContext>)).toBe(expected);
  });

  it('jitters the backoff down by up to `jitter` of itself, never a Retry-After', () => {
    const jittered = resolveRetryOptions({ baseDelayMs: 1000, jitter: 0.5 });
    const delay = (random: number, error: OrdoError = http(503)) => {
      const decision = decideRetry({ error, attempt: 1, elapsedMs: 0, sinceStartMs: 0, retry: jittered, notFoundGraceMs: 0, onIllegalTransition: 'error', random: () => random });
      return decision.retry ? decision.info.delayMs : undefined;
    };
    expect([delay(0), delay(0.5), delay(0.999)]).toEqual([1000, 750, 500]);
    expect(delay(0.999, http(503, 4000))).toBe(4000);
  });

  it('tells onRetry the attempt, the limits and the time spent', () => {
    const decision = decideRetry({ error: http(503), attempt: 3, elapsedMs: 12_345, sinceStartMs: 60_000, retry: exact, notFoundGraceMs: 0, onIllegalTransition: 'error' });
    expect(decision).toMatchObject({ retry: true, info: { attempt: 3, maxRetries: Infinity, delayMs: 4000, elapsedMs: 12_345, maxElapsedMs: 300_000 } });
  });

  it('has a 5-minute time budget and no count limit by default', () => {
    expect(defaultRetryOptions).toMatchObject({ maxElapsedMs: 300_000, maxRetries: Infinity });
    expect(resolveRetryOptions(3)).toMatchObject({ maxRetries: 3, maxElapsedMs: 300_000 });
    expect(() => resolveRetryOptions({ maxElapsedMs: -1 })).toThrow('Invalid retry.maxElapsedMs -1');
    expect(resolveRetryOptions({ maxRetries: Infinity }).maxRetries).toBe(Infinity);
  });

  it('retries 408, 429, 500, 502, 503 and 504 by default, the one list of transient statuses', () => {
    expect(defaultRetryOptions.statusCodes).toEqual([408, 429, 500, 502, 503, 504]);
    expect(Object.isFrozen(defaultRetryOptions.statusCodes)).toBe(true);
    const given = [503];
    const resolved = resolveRetryOptions({ statusCodes: given });
    given.push(500);
    expect(resolved.statusCodes).toEqual([503]);
    expect(() => resolveRetryOptions({ statusCodes: [503, 99] })).toThrow(new TypeError('Invalid retry.statusCodes[1] 99: expected an HTTP status, an integer from 100 to 599'));
    expect(() => resolveRetryOptions({ statusCodes: [503, '504'] as never })).toThrow('Invalid retry.statusCodes[1] "504"');
    // eslint-disable-next-line no-sparse-arrays -- a hole is the bad input here
    expect(() => resolveRetryOptions({ statusCodes: [503, , 504] as never })).toThrow('Invalid retry.statusCodes[1] undefined');
    expect(() => resolveRetryOptions({ statusCodes: [Number.NaN] })).toThrow('Invalid retry.statusCodes[0] NaN');
    expect(() => resolveRetryOptions({ statusCodes: [BigInt(503)] as never })).toThrow('Invalid retry.statusCodes[0] bigint');
    expect(() => resolveRetryOptions({ statusCodes: [503, 404] })).toThrow('Invalid retry.statusCodes[1] 404: 401, 403 and 404 have rules of their own');
    for (const bad of ['503', new Set([503]), null]) {
      expect(() => resolveRetryOptions({ statusCodes: bad as never })).toThrow(new TypeError('Invalid retry.statusCodes: expected an array of HTTP statuses, such as [503, 504]'));
    }
    expect(() => isTransientFailure(http(503), '503' as never)).toThrow('Invalid statusCodes: expected an array');
    expect([isTransientFailure(http(503), [503]), isTransientFailure(http(502), [503])]).toEqual([true, false]);
  });
});
