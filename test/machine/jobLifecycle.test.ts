import { describe, expect, it, vi } from 'vitest';
import { createJobLifecycle, OrdoIllegalTransitionError, parseJobSnapshot, type JobEvent } from 'ordo-status';
import { loadScenario } from '../helpers/fixtures.js';

vi.mock('xstate', async (importOriginal) => {
  const actual = await importOriginal<typeof import('xstate')>();
  return { ...actual, createActor: vi.fn(actual.createActor), transition: vi.fn(actual.transition) };
});

const success = loadScenario('success');
const snap = (body: unknown) => parseJobSnapshot(body);
const brief = (events: readonly JobEvent[]) =>
  events.map((event) => `${event.type === 'job' ? 'job' : event.stepId} ${event.from}>${event.to}${event.inferred ? ' (inferred)' : ''}`);

/** A job body with `n` steps, all in `stepStatus`. */
function bigBody(n: number, jobStatus: string, stepStatus: string) {
  const steps = Array.from({ length: n }, (_, index) => ({
    step_id: `s${String(index).padStart(5, '0')}`,
    step_type: 'WORK',
    status: stepStatus,
    attempt: stepStatus === 'pending' ? 0 : 1,
  }));
  return { job: { id: 9, status: jobStatus }, steps };
}

type StepRow = readonly [stepId: string, status: string, startedAt?: string | null, finishedAt?: string | null, attempt?: number];

/** A job body from a few step rows; times are `HH:MM:SS` on 2026-11-29 (UTC). */
function timedBody(jobStatus: string, rows: readonly StepRow[]) {
  const at = (time: string | null | undefined) => (time ? `2026-11-29T${time}.000Z` : null);
  const steps = rows.map(([stepId, status, startedAt, finishedAt, attempt]) => ({
    step_id: stepId,
    step_type: stepId.toUpperCase(),
    status,
    attempt: attempt ?? (status === 'pending' ? 0 : 1),
    started_at: at(startedAt),
    finished_at: at(finishedAt),
  }));
  return { job: { id: 5, status: jobStatus }, steps: steps.sort((a, b) => (a.step_id < b.step_id ? -1 : 1)) };
}

describe('createJobLifecycle', () => {
  it('orders events: job into non-terminal, steps in the order they happened, job into terminal', () => {
    const lifecycle = createJobLifecycle();
    // First look at a finished job: everything from pending, the unobserved middle inferred and
    // dated by the success it leads to. By finished_at (14:26 UTC): reproject 06.730, dem 08.374,
    // hillshade 10.022, contours 10.603, ept 10.964.
    expect(brief(lifecycle.observe(snap(success[36]!.body)))).toEqual([
      'job pending>running (inferred)',
      'reproject pending>running (inferred)',
      'reproject running>success',
      'dem pending>running (inferred)',
      'dem running>success',
      'hillshade pending>running (inferred)',
      'hillshade running>success',
      'contours pending>running (inferred)',
      'contours running>success',
      'ept pending>running (inferred)',
      'ept running>success',
      'job running>success',
    ]);
    expect(lifecycle.jobStatus).toBe('success');
    expect(lifecycle.stepStatus('dem')).toBe('success');
  });

  it('carries the job id, step type, attempt and snapshot on each event', () => {
    const lifecycle = createJobLifecycle();
    const snapshot = snap(success[2]!.body);
    const events = lifecycle.observe(snapshot);
    expect(events).toEqual([
      { type: 'job', jobId: '1', from: 'pending', to: 'running', inferred: false, snapshot },
      { type: 'step', jobId: '1', stepId: 'reproject', stepType: 'REPROJECT_LAS', from: 'pending', to: 'running', inferred: false, attempt: 1, snapshot },
    ]);
  });

  it('emits nothing for an unchanged status or a change of attempt alone', () => {
    const lifecycle = createJobLifecycle();
    lifecycle.observe(snap(success[3]!.body));
    expect(lifecycle.observe(snap(success[6]!.body))).toEqual([]);
    const retried = structuredClone(success[6]!.body);
    retried.steps[4].attempt = 2;
    expect(lifecycle.observe(snap(retried))).toEqual([]);
  });

  it('is atomic: an illegal change anywhere in a snapshot records nothing', () => {
    const lifecycle = createJobLifecycle();
    lifecycle.observe(snap(success[8]!.body)); // reproject success, job running
    const bad = structuredClone(success[9]!.body); // dem becomes running ...
    bad.steps[4].status = 'running'; // ... but reproject goes back from success
    let thrown: unknown;
    try {
      lifecycle.observe(snap(bad));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(OrdoIllegalTransitionError);
    expect(thrown).toMatchObject({ code: 'ILLEGAL_TRANSITION', subject: 'reproject', from: 'success', to: 'running', jobId: '1' });
    expect((thrown as Error).message).toBe('Illegal transition of step "reproject" of job 1: success → running (success is final)');
    // dem's change in the rejected snapshot was not recorded:
    expect(lifecycle.stepStatus('dem')).toBe('pending');
    expect(brief(lifecycle.observe(snap(success[9]!.body)))).toEqual(['dem pending>running']);
  });

  it('checks the job before the steps', () => {
    const lifecycle = createJobLifecycle();
    lifecycle.observe(snap(success[9]!.body));
    const bad = structuredClone(success[2]!.body); // job still running, but reproject back to running
    bad.job.status = 'pending';
    expect(() => lifecycle.observe(snap(bad))).toThrow(
      expect.objectContaining({ subject: 'job', from: 'running', to: 'pending', message: 'Illegal transition of job 1: running → pending (pending cannot be reached from running)' }),
    );
  });

  it('resumes from a stored snapshot, emitting only later changes', () => {
    const stored = snap(JSON.parse(JSON.stringify(success[20]!.body)));
    const lifecycle = createJobLifecycle({ resumeFrom: stored });
    expect(lifecycle.jobStatus).toBe('running');
    expect(brief(lifecycle.observe(snap(success[26]!.body)))).toEqual(['hillshade running>success']);
  });

  it('keeps the last status of a step missing from a later snapshot', () => {
    const lifecycle = createJobLifecycle();
    lifecycle.observe(snap(success[8]!.body));
    const missing = structuredClone(success[9]!.body);
    missing.steps.splice(4, 1); // reproject left out
    expect(brief(lifecycle.observe(snap(missing)))).toEqual(['dem pending>running']);
    expect(lifecycle.stepStatus('reproject')).toBe('success');
    expect(brief(lifecycle.observe(snap(success[10]!.body)))).toEqual(['ept pending>running']);
  });

  it('puts a step that finished before its dependent that started in the same poll, though the dependent sorts first by id', () => {
    const lifecycle = createJobLifecycle({ resumeFrom: snap(timedBody('running', [['dem', 'pending'], ['reproject', 'running', '10:00:01']])) });
    const events = lifecycle.observe(snap(timedBody('running', [['dem', 'running', '10:00:06'], ['reproject', 'success', '10:00:01', '10:00:05']])));
    expect(brief(events)).toEqual(['reproject running>success', 'dem pending>running']);
  });

  it('puts an inferred transition just before the observed one it leads to', () => {
    const lifecycle = createJobLifecycle({ resumeFrom: snap(timedBody('running', [['a', 'pending'], ['b', 'running', '10:00:01'], ['c', 'pending']])) });
    const events = lifecycle.observe(
      snap(
        timedBody('running', [
          ['a', 'success', '10:00:02', '10:00:07'], // pending → running* → success, finished last
          ['b', 'success', '10:00:01', '10:00:03'],
          ['c', 'running', '10:00:04'],
        ]),
      ),
    );
    expect(brief(events)).toEqual(['b running>success', 'c pending>running', 'a pending>running (inferred)', 'a running>success']);
  });

  it('puts transitions of unknown time (blocked, no timestamp) after the timed ones, in server order, each path whole', () => {
    const lifecycle = createJobLifecycle({
      resumeFrom: snap(timedBody('running', [['a', 'running', '10:00:01'], ['b', 'pending'], ['c', 'running', '10:00:02'], ['d', 'pending']])),
    });
    const events = lifecycle.observe(
      snap(
        timedBody('running', [
          ['a', 'skipped', '10:00:01'], // running → blocked* → skipped, no finished_at: unknown
          ['b', 'running'], // claimed, not started: unknown
          ['c', 'blocked', '10:00:02'], // blocked has no time of its own
          ['d', 'failed', '10:00:03', '10:00:04'], // pending → running* → failed at 10:00:04
        ]),
      ),
    );
    expect(brief(events)).toEqual([
      'd pending>running (inferred)',
      'd running>failed',
      'a running>blocked (inferred)',
      'a blocked>skipped',
      'b pending>running',
      'c running>blocked',
    ]);
  });

  it('keeps the server order for equal times', () => {
    const lifecycle = createJobLifecycle({ resumeFrom: snap(timedBody('running', [['a', 'pending'], ['b', 'running', '10:00:00'], ['c', 'pending']])) });
    const events = lifecycle.observe(
      snap(timedBody('running', [['a', 'running', '10:00:05'], ['b', 'success', '10:00:00', '10:00:05'], ['c', 'running', '10:00:05']])),
    );
    expect(brief(events)).toEqual(['a pending>running', 'b running>success', 'c pending>running']);
  });

  it("does not date a retry by the previous attempt's started_at, which the server keeps until the new attempt writes its own", () => {
    const lifecycle = createJobLifecycle({
      resumeFrom: snap(timedBody('running', [['a', 'blocked', '10:00:01', null, 1], ['b', 'running', '10:00:02']])),
    });
    const events = lifecycle.observe(snap(timedBody('running', [['a', 'running', '10:00:01', null, 2], ['b', 'success', '10:00:02', '10:00:09']])));
    // a's started_at is still attempt 1's (10:00:01): its restart has no known time, so it comes last.
    expect(brief(events)).toEqual(['b running>success', 'a blocked>running']);
    expect(events[1]).toMatchObject({ stepId: 'a', attempt: 2 });
  });

  it('sorts nothing when one step changed, or when the changes are already in time order', () => {
    const sort = vi.spyOn(Array.prototype, 'sort');
    try {
      const lifecycle = createJobLifecycle();
      lifecycle.observe(snap(success[8]!.body));
      expect(brief(lifecycle.observe(snap(success[9]!.body)))).toEqual(['dem pending>running']);
      // success[18] after success[12]: dem success (08.374) then hillshade running (no started_at yet).
      const inOrder = createJobLifecycle({ resumeFrom: snap(success[12]!.body) });
      expect(brief(inOrder.observe(snap(success[18]!.body)))).toEqual(['dem running>success', 'hillshade pending>running']);
      expect(sort).not.toHaveBeenCalled();
    } finally {
      sort.mockRestore();
    }
  });

  it('handles a first look at a finished 1,000-step job with table lookups, no actors', async () => {
    const xstate = await import('xstate');
    vi.mocked(xstate.createActor).mockClear();
    vi.mocked(xstate.transition).mockClear();
    const lifecycle = createJobLifecycle();
    const events = lifecycle.observe(snap(bigBody(1000, 'success', 'success')));
    expect(events).toHaveLength(2002);
    expect(events[1]).toMatchObject({ stepId: 's00000', from: 'pending', to: 'running', inferred: true });
    expect(events.at(-1)).toMatchObject({ type: 'job', from: 'running', to: 'success', inferred: false });
    expect(xstate.createActor).not.toHaveBeenCalled();
    expect(xstate.transition).not.toHaveBeenCalled();
  });
});
