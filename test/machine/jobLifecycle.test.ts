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

describe('createJobLifecycle', () => {
  it('orders events: job into non-terminal, steps in server order, job into terminal', () => {
    const lifecycle = createJobLifecycle();
    // First look at a finished job: everything from pending, the unobserved middle inferred.
    expect(brief(lifecycle.observe(snap(success[36]!.body)))).toEqual([
      'job pending>running (inferred)',
      'contours pending>running (inferred)',
      'contours running>success',
      'dem pending>running (inferred)',
      'dem running>success',
      'ept pending>running (inferred)',
      'ept running>success',
      'hillshade pending>running (inferred)',
      'hillshade running>success',
      'reproject pending>running (inferred)',
      'reproject running>success',
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
