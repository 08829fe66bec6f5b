import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createOrdoClient, OrdoJobFailedError, parseJobSnapshot, waitForJob, type JobEvent, type JobSnapshot } from 'ordo-status';
import { jobBody, scriptedTransport } from 'ordo-status/testing';

const eventLine = (event: JobEvent) => `${event.type === 'step' ? event.stepId : 'job'} ${event.from}>${event.to}`;

const started = jobBody({ status: 'running', steps: [{ stepId: 's', status: 'running', percent: 10 }] });
const halfway = jobBody({ status: 'running', steps: [{ stepId: 's', status: 'running', percent: 50 }] });
const done = jobBody({ status: 'success', steps: [{ stepId: 's', status: 'success' }] });
const failed = jobBody({ status: 'failed', steps: [{ stepId: 's', status: 'failed' }] });

/** A virtual clock outside `run`: `flush()` runs every poll at once, in order. */
const virtualClock = () => new VirtualTimeScheduler();

/** What `onSnapshot` was told, one line per call. */
function recorder() {
  const calls: string[] = [];
  const onSnapshot = (snapshot: JobSnapshot, events: readonly JobEvent[]) => {
    calls.push(`${snapshot.job.status} ${snapshot.progress.fraction} [${events.map(eventLine).join(', ')}]`);
  };
  return { calls, onSnapshot };
}

const expectedCalls = ['running 0.1 [job pending>running, s pending>running]', 'running 0.5 []', 'success 1 [s running>success, job running>success]'];

describe('waitForJob with onSnapshot', () => {
  it('calls back with each distinct snapshot and its events, in order, before resolving', async () => {
    const scheduler = virtualClock();
    const transport = scriptedTransport({ 1: [started, halfway, halfway, done] });
    const { calls, onSnapshot } = recorder();
    const settled = waitForJob(1, { transport, scheduler, intervalMs: 1000, onSnapshot });
    scheduler.flush();
    const snapshot = await settled;
    expect(snapshot.job.status).toBe('success');
    expect(calls).toEqual(expectedCalls);
  });

  it('calls back for a failed job too, then rejects with OrdoJobFailedError', async () => {
    const scheduler = virtualClock();
    const transport = scriptedTransport({ 1: [started, failed] });
    const { calls, onSnapshot } = recorder();
    const settled = waitForJob(1, { transport, scheduler, intervalMs: 1000, onSnapshot }).catch((error: unknown) => error);
    scheduler.flush();
    expect(await settled).toBeInstanceOf(OrdoJobFailedError);
    expect(calls).toEqual(['running 0.1 [job pending>running, s pending>running]', 'failed 0 [s running>failed, job running>failed]']);
  });

  it('rejects with what the callback threw and stops polling: no request after it', async () => {
    const scheduler = virtualClock();
    const transport = scriptedTransport({ 1: [started, halfway, done] }, { scheduler });
    const thrown = new Error('handler failed');
    const seen: string[] = [];
    const settled = waitForJob(1, {
      transport,
      scheduler,
      intervalMs: 1000,
      onSnapshot: (snapshot) => {
        seen.push(snapshot.job.status);
        if (seen.length === 2) throw thrown;
      },
    }).catch((error: unknown) => error);
    scheduler.flush();
    expect(await settled).toBe(thrown);
    expect(seen).toEqual(['running', 'running']);
    // Two requests (at 0 and 1000); the third, which would have ended the job, never went out.
    expect(transport.requests.map((request) => request.at)).toEqual([0, 1000]);
    expect(transport.inFlight).toBe(0);
  });

  it('calls back never for a stored terminal snapshot, and settles with it', async () => {
    const transport = scriptedTransport({ 1: [done] });
    const { calls, onSnapshot } = recorder();
    const resumeFrom = parseJobSnapshot(done);
    await expect(waitForJob(1, { transport, resumeFrom, onSnapshot })).resolves.toBe(resumeFrom);
    expect(calls).toEqual([]);
    expect(transport.requests).toHaveLength(0);
  });

  it('rejects with a TypeError for an onSnapshot that is not a function, before any request', async () => {
    const transport = scriptedTransport({ 1: [done] });
    await expect(waitForJob(1, { transport, onSnapshot: 'log' as never })).rejects.toThrow(/Invalid onSnapshot: expected a function/);
    expect(transport.requests).toHaveLength(0);
  });
});

describe('client.waitForJob with onSnapshot', () => {
  it('calls back in order from the shared poll, with the whole path from pending', async () => {
    const scheduler = virtualClock();
    const transport = scriptedTransport({ 1: [started, halfway, done] }, { scheduler });
    const ordo = createOrdoClient({ transport, scheduler, intervalMs: 1000 });
    const { calls, onSnapshot } = recorder();
    const other = recorder();
    const first = ordo.waitForJob(1, { onSnapshot });
    // A second wait on the same job shares the poll: no request of its own.
    const second = ordo.waitForJob('1', { onSnapshot: other.onSnapshot });
    const plain = ordo.waitForJob(1);
    scheduler.flush();
    expect((await first).job.status).toBe('success');
    expect((await second).job.status).toBe('success');
    expect((await plain).job.status).toBe('success');
    expect(calls).toEqual(expectedCalls);
    expect(other.calls).toEqual(expectedCalls);
    expect(transport.requests.map((request) => request.at)).toEqual([0, 1000, 2000]);
  });

  it('rejects with what the callback threw and leaves the poll (the last subscriber gone, it stops)', async () => {
    const scheduler = virtualClock();
    const transport = scriptedTransport({ 1: [started, halfway, done] });
    const ordo = createOrdoClient({ transport, scheduler, intervalMs: 1000 });
    const thrown = new Error('handler failed');
    const settled = ordo
      .waitForJob(1, {
        onSnapshot: () => {
          throw thrown;
        },
      })
      .catch((error: unknown) => error);
    scheduler.flush();
    expect(await settled).toBe(thrown);
    expect(transport.requests).toHaveLength(1);
  });

  it('with resumeFrom, calls back only for the changes after it', async () => {
    const scheduler = virtualClock();
    const transport = scriptedTransport({ 1: [started, halfway, done] });
    const ordo = createOrdoClient({ transport, scheduler, intervalMs: 1000 });
    const { calls, onSnapshot } = recorder();
    const settled = ordo.waitForJob(1, { resumeFrom: parseJobSnapshot(started), onSnapshot });
    scheduler.flush();
    expect((await settled).job.status).toBe('success');
    expect(calls).toEqual(expectedCalls.slice(1));
  });

  it('rejects with a TypeError for an onSnapshot that is not a function', async () => {
    const ordo = createOrdoClient({ transport: scriptedTransport({ 1: [done] }) });
    await expect(ordo.waitForJob(1, { onSnapshot: 42 as never })).rejects.toThrow(TypeError);
  });
});
