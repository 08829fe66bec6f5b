import { lastValueFrom, tap, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createOrdoClient, type JobEvent, type WatchOptions } from 'ordo-status';
import { startOrdoSimulator, type SimulatorFault } from 'ordo-status/testing';

/**
 * Every scripted fault at every phase of a job, through real HTTP against the simulator.
 *
 * The simulator's clock advances by `stepMs` of job time for each real answer (it is read once
 * per answer, never for a fault), so the sequence of real answers, and the event path, is the
 * same in every run: a fault adds requests, never changes what the job looks like. Retries are
 * exact (no jitter) and short.
 */
const t0 = Date.parse('2026-11-29T14:26:05.234Z');
const stepMs = 700;
const watch: Partial<WatchOptions> = {
  intervalMs: 2,
  requestTimeoutMs: 250,
  retry: { maxRetries: 3, baseDelayMs: 2, maxDelayMs: 20, maxRetryAfterMs: 20, jitter: 0 },
};

interface Run {
  readonly events: Array<{ answer: number; line: string }>;
  readonly error: unknown;
  readonly requests: string[];
}

/** Watches job 1; `faults` are played right after the `at`-th real answer (0: before the first). */
async function run(at: number, faults: readonly SimulatorFault[], options: Partial<WatchOptions> = {}): Promise<Run> {
  let reads = 0;
  const requests: string[] = [];
  const simulator = await startOrdoSimulator({
    // Read once at submission, then once per real answer.
    now: () => {
      const answers = reads++;
      if (answers === at && at > 0) simulator.injectFaults(1, faults);
      return t0 + Math.max(0, answers - 1) * stepMs;
    },
    onRequest: (request) => {
      if (request.url === '/jobs/1') requests.push(request.fault ?? String(request.status));
    },
  });
  try {
    const { id } = await simulator.submitJob();
    if (at === 0) simulator.injectFaults(id, faults);
    const client = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, ...watch, ...options });
    const events: Array<{ answer: number; line: string }> = [];
    let error: unknown;
    await lastValueFrom(
      client.jobEvents$(id).pipe(
        tap((event: JobEvent) => {
          const who = event.type === 'job' ? 'job' : event.stepId;
          events.push({ answer: reads - 1, line: `${who} ${event.from}>${event.to}${event.inferred ? '*' : ''}` });
        }),
        toArray(),
      ),
    ).catch((caught: unknown) => (error = caught));
    // Let the last response's close event reach onRequest.
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { events, error, requests };
  } finally {
    await simulator.close();
  }
}

const pastDate = 'Sun, 29 Nov 2020 14:26:05 GMT';
const futureDate = 'Wed, 29 Nov 2034 14:26:05 GMT';

const transient: Array<[string, SimulatorFault]> = [
  ['408', { kind: 'status', status: 408 }],
  ['429 with Retry-After 0', { kind: 'status', status: 429, retryAfter: '0' }],
  ['500', { kind: 'status', status: 500 }],
  ['502 HTML page', { kind: 'html', status: 502 }],
  ['503 with a past Retry-After date', { kind: 'status', status: 503, retryAfter: pastDate }],
  ['503 with a far-future Retry-After date', { kind: 'status', status: 503, retryAfter: futureDate }],
  ['503 with Retry-After in seconds (clamped)', { kind: 'status', status: 503, retryAfter: '3600' }],
  ['503 with garbage Retry-After', { kind: 'status', status: 503, retryAfter: 'soon 2099' }],
  ['504 HTML page', { kind: 'html', status: 504 }],
  ['connection reset', { kind: 'reset' }],
  ['hang past requestTimeoutMs', { kind: 'hang' }],
  ['truncated body', { kind: 'truncate' }],
];

const permanent: Array<[string, SimulatorFault, Record<string, unknown>]> = [
  ['400', { kind: 'status', status: 400 }, { name: 'OrdoHttpError', status: 400 }],
  ['401', { kind: 'status', status: 401 }, { name: 'OrdoAuthError', status: 401 }],
  ['403', { kind: 'status', status: 403 }, { name: 'OrdoAuthError', status: 403 }],
  ['404', { kind: 'status', status: 404 }, { name: 'OrdoNotFoundError', status: 404 }],
  ['501', { kind: 'status', status: 501 }, { name: 'OrdoHttpError', status: 501 }],
  ['truncated JSON in a complete 200', { kind: 'partial-json' }, { name: 'OrdoSchemaError' }],
  ['a 200 that fails validation', { kind: 'invalid' }, { name: 'OrdoSchemaError' }],
];

describe('fault matrix over real HTTP', async () => {
  const baseline = await run(0, []);
  const total = baseline.requests.length;
  const phases: Array<[string, number]> = [
    ['pending (first request)', 0],
    ['running', 4],
    ['just before terminal', total - 1],
  ];

  it('has a fault-free baseline that reaches success', () => {
    expect(baseline.error).toBeUndefined();
    expect(baseline.requests.every((status) => status === '200')).toBe(true);
    expect(baseline.events.at(-1)!.line).toBe('job running>success');
    expect(total).toBeGreaterThan(10);
  });

  describe.each(phases)('at phase %s', (_phase, at) => {
    it.each(transient)('%s: the exact event path, one more request', async (_name, fault) => {
      const result = await run(at, [fault]);
      expect(result.error).toBeUndefined();
      expect(result.events).toEqual(baseline.events);
      expect(result.requests).toHaveLength(total + 1);
      expect(result.requests.filter((request) => !/^\d+$/.test(request))).toEqual([fault.kind]);
    });

    it.each(permanent)('%s: the typed error on that request, nothing before it lost', async (_name, fault, expected) => {
      const result = await run(at, [fault]);
      expect(result.error).toMatchObject(expected);
      expect(result.requests).toHaveLength(at + 1);
      expect(result.events).toEqual(baseline.events.filter((event) => event.answer <= at));
    });

    it('three consecutive 503s (the limit): the exact event path', async () => {
      const burst = Array.from({ length: 3 }, () => ({ kind: 'status', status: 503 }) as const);
      const result = await run(at, burst);
      expect(result.error).toBeUndefined();
      expect(result.events).toEqual(baseline.events);
      expect(result.requests).toHaveLength(total + 3);
    });

    it('four consecutive failures (one past the limit): the last error after 4 more requests', async () => {
      const burst: SimulatorFault[] = [{ kind: 'status', status: 503 }, { kind: 'reset' }, { kind: 'html', status: 502 }, { kind: 'status', status: 504 }];
      const result = await run(at, burst);
      expect(result.error).toMatchObject({ name: 'OrdoHttpError', status: 504 });
      expect(result.requests).toHaveLength(at + 4);
      expect(result.events).toEqual(baseline.events.filter((event) => event.answer <= at));
    });

    it('failures separated by a good answer do not add up', async () => {
      const result = await run(at, [
        { kind: 'status', status: 503 },
        { kind: 'status', status: 503 },
        { kind: 'status', status: 503 },
      ]);
      const again = await run(at, [{ kind: 'reset' }, { kind: 'reset' }, { kind: 'reset' }]);
      expect(result.events).toEqual(baseline.events);
      expect(again.events).toEqual(baseline.events);
    });
  });

  it('a regressed snapshot is an illegal transition, or is skipped with onIllegalTransition "skip"', async () => {
    const at = 4;
    const failed = await run(at, [{ kind: 'regress' }]);
    expect(failed.error).toMatchObject({ name: 'OrdoIllegalTransitionError', subject: 'job', from: 'running', to: 'pending' });
    expect(failed.requests).toHaveLength(at + 1);
    expect(failed.events).toEqual(baseline.events.filter((event) => event.answer <= at));

    const skipped = await run(at, [{ kind: 'regress' }, { kind: 'regress' }], { onIllegalTransition: 'skip' });
    expect(skipped.error).toBeUndefined();
    expect(skipped.events).toEqual(baseline.events);
    expect(skipped.requests).toHaveLength(total + 2);

    const tooMany = await run(at, Array.from({ length: 4 }, () => ({ kind: 'regress' }) as const), { onIllegalTransition: 'skip' });
    expect(tooMany.error).toMatchObject({ name: 'OrdoIllegalTransitionError' });
    expect(tooMany.requests).toHaveLength(at + 4);
  });

  it('a 304 without a previous ETag is an OrdoHttpError; after one it means "unchanged"', async () => {
    const first = await run(0, [{ kind: 'not-modified' }]);
    expect(first.error).toMatchObject({ name: 'OrdoHttpError', status: 304 });
    expect(first.requests).toHaveLength(1);
    for (const at of [4, total - 1]) {
      const later = await run(at, [{ kind: 'not-modified' }, { kind: 'not-modified' }]);
      expect(later.error).toBeUndefined();
      expect(later.events).toEqual(baseline.events);
      expect(later.requests).toHaveLength(total + 2);
    }
  });

  it('a regression before anything was seen is no regression', async () => {
    const result = await run(0, [{ kind: 'regress' }]);
    expect(result.error).toBeUndefined();
    expect(result.events).toEqual(baseline.events);
  });

  it('a job not visible yet is retried within notFoundGraceMs', async () => {
    const grace = await run(0, [{ kind: 'status', status: 404 }, { kind: 'status', status: 404 }], { notFoundGraceMs: 10_000 });
    expect(grace.error).toBeUndefined();
    expect(grace.events).toEqual(baseline.events);
    expect(grace.requests).toHaveLength(total + 2);
  });

  it('with retries off, any failure ends the watch at once', async () => {
    const result = await run(4, [{ kind: 'reset' }], { retry: 0 });
    expect(result.error).toMatchObject({ name: 'OrdoNetworkError' });
    expect(result.requests).toHaveLength(5);
  });
});
