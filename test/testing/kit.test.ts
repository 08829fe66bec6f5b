import fc from 'fast-check';
import { lastValueFrom, map, NEVER, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  jobStatus$,
  jobStatuses,
  OrdoNetworkError,
  OrdoNotFoundError,
  parseJobSnapshot,
  stepStatuses,
  waitForJob,
  type JobSnapshot,
  type JobStatus,
  type StepStatus,
} from 'ordo-status';
import { jobBody, scriptedTransport, type ScriptedRequest } from 'ordo-status/testing';
import { loadScenario } from '../helpers/fixtures.js';

const captured = loadScenario('failed')[11]!.body as Record<string, unknown>;
const keysOf = (value: unknown) => Object.keys(value as object);

describe('jobBody', () => {
  it('builds a body shaped like the real server’s: same keys in the same order', () => {
    const built = jobBody({ id: 2, status: 'running', steps: [{ stepId: 'reproject', status: 'success', percent: 45 }, { stepId: 'dem', status: 'running', percent: 30 }] });
    const real = captured as { job: object; steps: object[]; timeline: object[]; progress: object };
    expect(keysOf(built)).toEqual(keysOf(real));
    expect(keysOf(built.job)).toEqual(keysOf(real.job));
    expect(keysOf(built.progress)).toEqual(keysOf(real.progress));
    expect(keysOf(built.steps[0])).toEqual(keysOf(real.steps[0]));
    expect(keysOf(built.steps[0]!.last_detailing)).toEqual(keysOf((real.steps[1] as { last_detailing: object }).last_detailing));
    expect(keysOf(built.timeline[0])).toEqual(keysOf(real.timeline[0]));
  });

  it('derives steps order, timestamps, progress and errors deterministically', () => {
    const body = jobBody({
      id: 7,
      status: 'running',
      steps: { reproject: 'success', hillshade: 'pending', dem: 'running' },
    });
    expect(body.steps.map((step) => step.step_id)).toEqual(['dem', 'hillshade', 'reproject']);
    expect(body.timeline.map((entry) => entry.step)).toEqual(['reproject', 'dem', 'hillshade']);
    expect(body.job).toEqual({
      id: 7,
      recipe_id: 1,
      status: 'running',
      created_at: '2026-01-01T00:00:00.000Z',
      started_at: '2026-01-01T00:00:00.250Z',
      finished_at: null,
      error: null,
      params: {},
    });
    expect(body.steps[2]).toMatchObject({ status: 'success', attempt: 1, started_at: '2026-01-01T00:00:01.000Z', finished_at: '2026-01-01T00:00:02.000Z' });
    expect(body.steps[1]).toMatchObject({ status: 'pending', attempt: 0, started_at: null, claimed_by: null });
    expect(body.progress).toEqual({ percentage: 1 / 3, completed_steps: 1, total_steps: 3 });
    expect(body.duration_ms).toBeNull();
    expect(jobBody({ id: 7, status: 'running', steps: { reproject: 'success', hillshade: 'pending', dem: 'running' } })).toEqual(body);

    const failed = jobBody({ status: 'failed', steps: [{ stepId: 'dem', status: 'failed' }, { stepId: 'ept', status: 'success' }] });
    expect(failed.job.error).toBe('1 step(s) failed');
    expect(failed.steps[0]!.error).toBe('dem failed');
    expect(failed.job.finished_at).toBe('2026-01-01T00:00:04.000Z');
    expect(failed.duration_ms).toBe(3750);
    const running = jobBody({ status: 'running', steps: [{ stepId: 'a', status: 'running', percent: 40 }, { stepId: 'b', status: 'pending', percent: 90 }] });
    expect(running.progress.percentage).toBeCloseTo(0.2, 12);
  });

  it('parses into the snapshot the test asked for', () => {
    const snapshot = parseJobSnapshot(
      jobBody({ id: '9', status: 'partial', createdAt: new Date('2026-11-29T10:00:00Z'), steps: [
        { stepId: 'dem', status: 'success', stepType: 'GENERATE_DEM' },
        { stepId: 'ept', status: 'failed', attempt: 3, error: 'untwine: out of memory' },
        { stepId: 'hillshade', status: 'skipped' },
      ] }),
    );
    expect(snapshot.job).toMatchObject({ id: '9', status: 'partial', error: '1 step(s) failed' });
    expect(snapshot.job.createdAt).toEqual(new Date('2026-11-29T10:00:00Z'));
    expect(snapshot.steps.map((step) => [step.stepId, step.stepType, step.status, step.attempt, step.error])).toEqual([
      ['dem', 'GENERATE_DEM', 'success', 1, null],
      ['ept', 'EPT', 'failed', 3, 'untwine: out of memory'],
      ['hillshade', 'HILLSHADE', 'skipped', 1, null],
    ]);
    expect(snapshot.progress).toEqual({ fraction: 1 / 3, completedSteps: 2, totalSteps: 3 });
  });

  it('every body it builds parses, with the statuses, percent and progress asked for (property)', () => {
    const step = fc.record({
      status: fc.constantFrom(...stepStatuses),
      percent: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.constantFrom(...jobStatuses), fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/), step), { selector: ([id]) => id, maxLength: 8 }), (status, steps) => {
        const inits = steps.map(([stepId, rest]) => ({ stepId, status: rest.status, ...(rest.percent === undefined ? {} : { percent: rest.percent }) }));
        const snapshot: JobSnapshot = parseJobSnapshot(jobBody({ status, steps: inits }));
        expect(snapshot.job.status).toBe(status);
        const expected = [...inits].sort((a, b) => (a.stepId < b.stepId ? -1 : 1));
        expect(snapshot.steps.map((s) => [s.stepId, s.status])).toEqual(expected.map((s) => [s.stepId, s.status]));
        const sum = expected.reduce((total, s) => total + (s.status === 'success' ? 1 : s.status === 'running' ? (s.percent ?? 0) / 100 : 0), 0);
        expect(snapshot.progress.fraction).toBeCloseTo(expected.length === 0 ? 0 : sum / expected.length, 12);
        for (const s of snapshot.steps) {
          const asked = expected.find((e) => e.stepId === s.stepId)!;
          if (asked.status === 'running' && asked.percent !== undefined) expect(s.progress).toBe(asked.percent / 100);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('rejects bad input with a TypeError naming the field', () => {
    expect(() => jobBody({ status: 'done' as JobStatus })).toThrow(new TypeError('Invalid status "done": expected one of pending, running, success, failed, partial'));
    expect(() => jobBody(undefined as never)).toThrow(/Invalid jobBody/);
    expect(() => jobBody({ status: 'running', steps: { dem: 'halted' as StepStatus } })).toThrow(/Invalid steps\[0\]\.status "halted": expected one of pending, running, blocked, success, failed, skipped/);
    expect(() => jobBody({ status: 'running', steps: [{ stepId: 'dem', status: 'running' }, { stepId: 'dem', status: 'pending' }] })).toThrow(/steps\[1\]\.stepId "dem": the job already has a step/);
    expect(() => jobBody({ status: 'running', steps: [{ stepId: '', status: 'running' }] })).toThrow(/steps\[0\]\.stepId: expected a non-empty string/);
    expect(() => jobBody({ status: 'running', steps: [{ stepId: 'a', status: 'running', percent: 120 }] })).toThrow(/percent 120: expected a number from 0 to 100/);
    expect(() => jobBody({ status: 'running', steps: [{ stepId: 'a', status: 'running', attempt: -1 }] })).toThrow(/attempt -1/);
    expect(() => jobBody({ status: 'running', id: 'a/b' })).toThrow(TypeError);
    expect(() => jobBody({ status: 'running', createdAt: 'yesterday' })).toThrow(/Invalid createdAt "yesterday"/);
    expect(() => jobBody({ status: 'running', steps: 'dem' as never })).toThrow(/Invalid steps/);
    expect(() => jobBody({ status: 'running', steps: new Map([['dem', 'running']]) as never })).toThrow(/Invalid steps: expected an array/);
    expect(() => jobBody({ status: 'running', steps: [{ stepId: 'dem', status: 'running', percent: 5, log: 42 as never }] })).toThrow(/steps\[0\]\.log: expected a string/);
    // No time zone: the body would depend on the machine's zone.
    expect(() => jobBody({ status: 'running', createdAt: '2026-01-01T00:00:00' })).toThrow(/Invalid createdAt "2026-01-01T00:00:00": expected .* with a time zone/);
    expect(() => jobBody({ status: 'running', createdAt: new Date(8.64e15) })).toThrow(TypeError);
    expect(() => jobBody({ status: 'running', createdAt: '+010000-01-01T00:00:00Z' })).toThrow(/years 0000 to 9999/);
    expect(() => jobBody({ status: 'running', createdAt: 0 as never })).toThrow(/Invalid createdAt 0/);
    expect(jobBody({ status: 'running', createdAt: '2026-03-01T10:00:00+01:00' }).job.created_at).toBe('2026-03-01T09:00:00.000Z');
  });
});

describe('scriptedTransport', () => {
  const running = jobBody({ id: 7, status: 'running', steps: { dem: 'running' } });
  const done = jobBody({ id: 7, status: 'success', steps: { dem: 'success' } });

  it('answers each job from its script in virtual time and logs every request', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable, flush }) => {
      const transport = scriptedTransport({ 7: [running, running, cold('--a|', { a: done })] });
      // Polls at 0, 10 and 20 ms; the third answer takes 2 ms: success at 22 ms.
      const status$ = jobStatus$(7, { transport, intervalMs: 10 });
      expectObservable(status$).toBe('a 21ms (b|)', { a: parseJobSnapshot(running), b: parseJobSnapshot(done) });
      flush();
      const signal = expect.any(AbortSignal);
      expect(transport.requests).toEqual([
        { jobId: '7', at: 0, signal },
        { jobId: '7', at: 10, signal },
        { jobId: '7', at: 20, signal },
      ]);
      expect(transport.requestCount(7)).toBe(3);
      expect(transport.requestCount('8')).toBe(0);
    });
  });

  it('repeats the last answer once the list is used up, as a server with an unchanged job does', async () => {
    const transport = scriptedTransport({ 7: [running] });
    const answers = await Promise.all([0, 1, 2].map(() => lastValueFrom(transport('7', { signal: new AbortController().signal }) as never)));
    expect(answers).toEqual([running, running, running]);
  });

  it('answers an unknown job like the server: OrdoNotFoundError', async () => {
    const transport = scriptedTransport({ 7: [done] });
    const error = await waitForJob(8, { transport }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OrdoNotFoundError);
    expect(error).toMatchObject({ status: 404, jobId: '8', message: 'GET /jobs/8 answered 404 Not Found: job not found' });
    expect(transport.requests.map((request) => request.jobId)).toEqual(['8']);
  });

  it('fails a request with an Error entry, and calls a function with the request number', async () => {
    const failing = scriptedTransport({ 7: [new OrdoNetworkError('connection reset'), done] });
    const snapshot = await waitForJob(7, { transport: failing, retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1, jitter: 0 } });
    expect(snapshot.job.status).toBe('success');
    expect(failing.requestCount(7)).toBe(2);

    const seen: number[] = [];
    const counted = scriptedTransport({
      7: (request) => {
        seen.push(request);
        return Promise.resolve(request < 2 ? running : done);
      },
    });
    const statuses = await lastValueFrom(jobStatus$(7, { transport: counted, intervalMs: 1 }).pipe(toArray()));
    expect(statuses.map((s) => s.job.status)).toEqual(['running', 'success']);
    expect(seen).toEqual([0, 1, 2]);
  });

  it('answers text, promises and plain values from a script function like list entries; a throwing script fails at once', async () => {
    const text = scriptedTransport({ 7: () => JSON.stringify(done) });
    expect((await waitForJob(7, { transport: text })).job.status).toBe('success');
    const bytes = scriptedTransport({ 7: [new TextEncoder().encode(JSON.stringify(done))] });
    expect((await waitForJob(7, { transport: bytes })).job.status).toBe('success');
    const plain = scriptedTransport({ 7: () => done, 8: [Promise.resolve(jobBody({ id: 8, status: 'success' }))] });
    expect((await waitForJob(7, { transport: plain })).job.status).toBe('success');
    expect((await waitForJob(8, { transport: plain })).job.status).toBe('success');

    const broken = scriptedTransport({
      7: () => {
        throw new Error('typo in the test');
      },
    });
    const error = await waitForJob(7, { transport: broken }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OrdoNetworkError);
    expect(error).toMatchObject({ message: 'The script for job 7 threw: typo in the test', retryable: false, jobId: '7' });
    expect(broken.requestCount(7)).toBe(1); // not retried
  });

  it('logs each request’s signal, aborted once the library gave the request up', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable, flush }) => {
      const transport = scriptedTransport({ 7: [running, cold('-----a|', { a: done })] });
      // Requests at 0 (answered at once) and 2 (answer due at 7): the subscriber leaves at 4.
      expectObservable(jobStatus$(7, { transport, intervalMs: 2 }).pipe(map((s) => s.job.status)), '^---!').toBe('a---', { a: 'running' });
      flush();
      expect(transport.requests.map((request) => [request.at, request.signal.aborted])).toEqual([
        [0, false],
        [2, true],
      ]);
    });
  });

  it('counts the requests in flight, now and at most, over all jobs', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold, flush }) => {
      const transport = scriptedTransport({ 7: [cold('--a|', { a: done })], 8: [cold('----b|', { b: jobBody({ id: 8, status: 'success' }) })] });
      const seen: number[] = [];
      for (const frame of [1, 3, 5]) scheduler.schedule(() => seen.push(transport.inFlight), frame);
      expect([transport.inFlight, transport.maxInFlight]).toEqual([0, 0]);
      jobStatus$(7, { transport }).subscribe();
      jobStatus$(8, { transport }).subscribe();
      flush();
      // Both sent at 0; 7 answers at 2, 8 at 4.
      expect(seen).toEqual([2, 1, 0]);
      expect([transport.inFlight, transport.maxInFlight]).toEqual([0, 2]);
    });
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, flush }) => {
      const slow = scriptedTransport({ 7: [cold('---a|', { a: running }), cold('---a|', { a: running }), cold('---a|', { a: done })] });
      jobStatus$(7, { transport: slow, intervalMs: 1 }).subscribe();
      flush();
      // Answers take 3 ms, the interval is 1 ms: requests at 0, 4 and 8.
      expect(slow.requests.map((request) => request.at)).toEqual([0, 4, 8]);
      expect(slow.maxInFlight).toBe(1); // one watch: never a request before the previous one ended
    });
  });

  it('ends a list the way its last entry says: NEVER leaves the next request unanswered', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ expectObservable, flush }) => {
      const transport = scriptedTransport({ 7: [running, NEVER] });
      expectObservable(jobStatus$(7, { transport, intervalMs: 2 }).pipe(map((s) => s.job.status)), '^-----!').toBe('a-----', { a: 'running' });
      flush();
      expect(transport.requests.map((request) => request.at)).toEqual([0, 2]);
      expect([transport.inFlight, transport.maxInFlight]).toEqual([0, 1]);
    });
  });

  it('rejects a script that is not one, saying which job', () => {
    expect(() => scriptedTransport(null as never)).toThrow(/Invalid script: expected an object/);
    expect(() => scriptedTransport([running] as never)).toThrow(/Invalid script: expected an object/);
    expect(() => scriptedTransport({ 7: [] })).toThrow(new TypeError('Invalid script for job 7: the list of answers is empty'));
    expect(() => scriptedTransport({ 7: running as never })).toThrow(/Invalid script for job 7: expected a list/);
    expect(() => scriptedTransport(new Map([['7', [running]]]) as never)).toThrow(/Invalid script: expected an object/);
    expect(() => scriptedTransport({ 7: [running] }, { scheduler: {} as never })).toThrow(/Invalid scheduler/);
    expect(scriptedTransport({ 7: [running] }, null as never).requestCount(7)).toBe(0);
    const transport = scriptedTransport({ 7: [running] });
    (transport.requests as ScriptedRequest[]).push({ jobId: 'x', at: 0, signal: new AbortController().signal });
    expect(transport.requests).toEqual([]); // a copy: the log cannot be edited from outside
  });
});
