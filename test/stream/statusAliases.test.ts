import { lastValueFrom, map, toArray, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  createOrdoClient,
  getJob,
  jobEvents$,
  jobStatus$,
  OrdoSchemaError,
  waitForJob,
  type JobSnapshot,
  type JobStatus,
  type StatusAliases,
  type StepStatus,
} from 'ordo-status';
import { jobBody, scriptedTransport } from 'ordo-status/testing';
import { server } from '../helpers/batchServer.js';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const statusOf = (snapshots: Observable<JobSnapshot>) => snapshots.pipe(map((snapshot) => `${snapshot.job.status}:${snapshot.steps.map((step) => step.status).join(',')}`));

/** A body as a deployment that writes its own words sends it: `jobBody`'s, with the words put in. */
function deploymentBody(id: number, job: string, steps: Record<string, string>): any {
  const known = (word: string, fallback: string) => (word === 'completed' ? fallback : word);
  const body = structuredClone(
    jobBody({
      id,
      status: known(job, 'success') as JobStatus,
      steps: Object.fromEntries(Object.entries(steps).map(([step, word]) => [step, known(word, 'success')])) as Record<string, StepStatus>,
    }),
  ) as any;
  body.job.status = job;
  for (const step of body.steps) step.status = steps[step.step_id];
  return body;
}

const running = (id = 1) => deploymentBody(id, 'running', { a: 'completed', b: 'running' });
const completed = (id = 1) => deploymentBody(id, 'completed', { a: 'completed', b: 'completed' });
const statusAliases: StatusAliases = { completed: 'success' };

describe('statusAliases in the standalone streams', () => {
  it('jobStatus$ emits the mapped statuses and completes on the mapped terminal one', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const transport = scriptedTransport({ 1: [cold('-a|', { a: running() }), cold('-a|', { a: completed() })] });
      expectObservable(statusOf(jobStatus$(1, { transport, intervalMs: 3, statusAliases }))).toBe('-a---(b|)', {
        a: 'running:success,running',
        b: 'success:success,success',
      });
    });
  });

  it('jobEvents$ emits transitions between the mapped statuses', async () => {
    const transport = scriptedTransport({ 1: [running(), completed()] });
    const events = await lastValueFrom(jobEvents$(1, { transport, intervalMs: 1, statusAliases }).pipe(toArray()));
    expect(events.map((event) => `${event.type === 'job' ? 'job' : event.stepId}: ${event.from} → ${event.to}${event.inferred ? ' (inferred)' : ''}`)).toEqual([
      'job: pending → running',
      'a: pending → running (inferred)',
      'a: running → success',
      'b: pending → running',
      'b: running → success',
      'job: running → success',
    ]);
    // The snapshot carries the mapped status, raw the deployment's word.
    expect(events.at(-1)!.snapshot.job.status).toBe('success');
    expect((events.at(-1)!.snapshot.raw as any).job.status).toBe('completed');
  });

  it('waitForJob resolves with the mapped success; without the option the watch fails naming it', async () => {
    const transport = scriptedTransport({ 1: [completed()] });
    const done = await waitForJob(1, { transport, statusAliases });
    expect(done.job.status).toBe('success');
    const error = await waitForJob(1, { transport }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OrdoSchemaError);
    expect((error as OrdoSchemaError).issues[0]!.message).toContain('map it with the statusAliases option, e.g. { completed: \'success\' }, CLI --status-alias completed=success');
    expect(transport.requestCount(1)).toBe(2); // a schema error is not retried
  });

  it('refuses bad aliases at call time with a TypeError, before any request', () => {
    const transport = scriptedTransport({ 1: [completed()] });
    expect(() => jobStatus$(1, { transport, statusAliases: { success: 'failed' } })).toThrow(
      /^Invalid statusAliases word "success": it is already a status/,
    );
    expect(() => jobEvents$(1, { transport, statusAliases: { completed: 'finished' as never } })).toThrow(
      'Invalid statusAliases target "finished" for "completed": expected one of pending, running, success, failed, partial, blocked, skipped',
    );
    expect(transport.requestCount(1)).toBe(0);
  });
});

describe('statusAliases in a client', () => {
  it('flows through the shared poll engine: the client default and a per-call option', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const transport = scriptedTransport({
        1: [cold('-a|', { a: running(1) }), cold('-a|', { a: completed(1) })],
        2: [cold('-a|', { a: completed(2) })],
      });
      const ordo = createOrdoClient({ transport, intervalMs: 3, batch: false, statusAliases });
      expectObservable(statusOf(ordo.jobStatus$(1))).toBe('-a---(b|)', { a: 'running:success,running', b: 'success:success,success' });
      const plain = createOrdoClient({ transport, intervalMs: 3, batch: false });
      expectObservable(statusOf(plain.jobStatus$(2, { statusAliases: { completed: 'success' } }))).toBe('-(a|)', { a: 'success:success,success' });
    });
  });

  it('keeps watches with different aliases apart (the poll key includes them), and shares equal ones', async () => {
    const transport = scriptedTransport({ 1: [completed()] });
    const ordo = createOrdoClient({ transport, intervalMs: 1, batch: false, retainTerminalMs: 0 });
    const [mapped, again, unmapped] = await Promise.all([
      ordo.waitForJob(1, { statusAliases: { completed: 'success' } }),
      ordo.waitForJob(1, { statusAliases: { completed: 'success' } }),
      ordo.waitForJob(1).catch((caught: unknown) => caught),
    ]);
    expect(mapped.job.status).toBe('success');
    expect(again).toBe(mapped); // one shared poll: the very same snapshot
    expect(unmapped).toBeInstanceOf(OrdoSchemaError);
    expect(transport.requestCount(1)).toBe(2); // one request per distinct poll
  });

  it('keeps the aliases it was given when the caller changes its object later', async () => {
    const given: Record<string, JobStatus | StepStatus> = { completed: 'success' };
    const ordo = createOrdoClient({ transport: scriptedTransport({ 1: [completed()] }), statusAliases: given });
    given['completed'] = 'failed';
    expect((await ordo.getJob(1)).job.status).toBe('success');
  });

  it('maps the jobs of a batched poll (GET /jobs/1,2)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, flush }) => {
      const { transport, calls } = server(scheduler, (id, n) => (n === 0 ? running(Number(id)) : completed(Number(id))));
      const ordo = createOrdoClient({ transport, intervalMs: 10, batch: { windowMs: 2 }, statusAliases });
      const values = { a: 'running:success,running', b: 'success:success,success' };
      expectObservable(statusOf(ordo.jobStatus$(1))).toBe('--a-----------(b|)', values);
      expectObservable(statusOf(ordo.jobStatus$(2))).toBe('--a-----------(b|)', values);
      flush();
      expect(calls.map((call) => [call.at, call.ids])).toEqual([
        [2, '1,2'],
        [14, '1,2'],
      ]);
    });
  });

  it('refuses bad aliases when the client is made and when a watch is asked for', () => {
    const transport = scriptedTransport({ 1: [completed()] });
    expect(() => createOrdoClient({ transport, statusAliases: { '': 'success' } })).toThrow(/^Invalid statusAliases: a word is empty/);
    const ordo = createOrdoClient({ transport });
    expect(() => ordo.jobStatus$(1, { statusAliases: 'completed=success' as never })).toThrow(/^Invalid statusAliases: expected a plain object/);
    expect(transport.requestCount(1)).toBe(0);
  });
});

describe('statusAliases in getJob', () => {
  it('maps the one answer, standalone and in a client (default and per call)', async () => {
    const transport = scriptedTransport({ 1: [completed()] });
    const snapshot = await getJob(1, { transport, statusAliases });
    expect(snapshot.job.status).toBe('success');
    expect(snapshot.steps.map((step) => step.status)).toEqual(['success', 'success']);
    expect((await createOrdoClient({ transport, statusAliases }).getJob(1)).job.status).toBe('success');
    expect((await createOrdoClient({ transport }).getJob(1, { statusAliases })).job.status).toBe('success');
    await expect(createOrdoClient({ transport }).getJob(1)).rejects.toThrow(/received "completed" \(a deployment's own word\? map it with the statusAliases option/);
  });

  it('rejects bad aliases with a TypeError before any request', async () => {
    const transport = scriptedTransport({ 1: [completed()] });
    await expect(getJob(1, { transport, statusAliases: { running: 'success' } })).rejects.toThrow(TypeError);
    expect(transport.requestCount(1)).toBe(0);
  });
});
