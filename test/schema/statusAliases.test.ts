import { describe, expect, it } from 'vitest';
import { jobSnapshotFromJSON, OrdoSchemaError, parseJobSnapshot, type StatusAliases } from 'ordo-status';
import { loadScenario, withoutV11Fields } from '../helpers/fixtures.js';

/** The last captured body of a job that succeeded (job 1, five steps, all `success`). */
const finished = () => structuredClone(loadScenario('success').at(-1)!.body);

/** A captured body in which the deployment wrote its own words: the job and the steps named. */
function reworded(body: any, job: string | undefined, steps: Record<string, string> = {}): any {
  if (job !== undefined) body.job.status = job;
  for (const step of body.steps) if (steps[step.step_id] !== undefined) step.status = steps[step.step_id];
  return body;
}

function schemaErrorOf(run: () => unknown): OrdoSchemaError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(OrdoSchemaError);
    return error as OrdoSchemaError;
  }
  throw new Error('expected an OrdoSchemaError, but nothing was thrown');
}

const jobWords = '"pending", "running", "success", "failed", "partial"';
const stepWords = '"pending", "running", "blocked", "success", "failed", "skipped"';

describe('parseJobSnapshot with statusAliases', () => {
  it('maps the job status of a deployment that writes "completed", and keeps the body as received in raw', () => {
    const body = reworded(finished(), 'completed');
    const snapshot = parseJobSnapshot(body, { jobId: 1, statusAliases: { completed: 'success' } });
    expect(snapshot.job.status).toBe('success');
    expect(snapshot.job.finishedAt).toEqual(new Date(body.job.finished_at));
    expect(snapshot.steps.map((step) => step.status)).toEqual(['success', 'success', 'success', 'success', 'success']);
    expect(snapshot.raw).toBe(body);
    expect((snapshot.raw as any).job.status).toBe('completed');
  });

  it('maps step statuses too when the target is a step status, each kind to its own statuses', () => {
    const body = reworded(finished(), 'running', { dem: 'completed', ept: 'waiting', hillshade: 'cancelled', contours: 'queued' });
    const aliases: StatusAliases = { completed: 'success', cancelled: 'failed', waiting: 'blocked', queued: 'pending' };
    const snapshot = parseJobSnapshot(body, { statusAliases: aliases });
    expect(snapshot.steps.map((step) => [step.stepId, step.status])).toEqual([
      ['contours', 'pending'],
      ['dem', 'success'],
      ['ept', 'blocked'],
      ['hillshade', 'failed'],
      ['reproject', 'success'],
    ]);
    // The step built from a mapped status is the same as from the word itself: progress 1 for success.
    expect(snapshot.steps[1]!.progress).toBe(1);
    expect((snapshot.raw as any).steps.map((step: any) => step.status)).toEqual(['queued', 'completed', 'waiting', 'cancelled', 'success']);
  });

  it('computes the progress of an older server (no progress block) from the mapped statuses, also for reused steps', () => {
    const body = withoutV11Fields(reworded(finished(), 'completed', { dem: 'completed', ept: 'completed' }));
    const first = parseJobSnapshot(body, { statusAliases: { completed: 'success' } });
    expect(first.progress).toEqual({ fraction: 1, completedSteps: 5, totalSteps: 5 });
    // The next answer differs only in the job's error: every step is reused from `first`.
    const next = structuredClone(body);
    next.job.error = 'note';
    const second = parseJobSnapshot(next, { previous: first, statusAliases: { completed: 'success' } });
    expect(second.steps[1]).toBe(first.steps[1]);
    expect(second.progress).toEqual({ fraction: 1, completedSteps: 5, totalSteps: 5 });
    expect(second.job.status).toBe('success');
  });

  it('a word whose target is no job status still fails as a job status, and says why', () => {
    const error = schemaErrorOf(() => parseJobSnapshot(reworded(finished(), 'waiting'), { statusAliases: { waiting: 'blocked' } }));
    expect(error.issues).toEqual([
      {
        path: 'job.status',
        received: 'waiting',
        message: `expected one of ${jobWords}; received "waiting" (statusAliases maps it to "blocked", which is not a job status)`,
      },
    ]);
  });

  it('a word only for jobs ("partial") is not applied to steps', () => {
    const error = schemaErrorOf(() => parseJobSnapshot(reworded(finished(), 'halted', { dem: 'halted' }), { statusAliases: { halted: 'partial' } }));
    expect(error.issues.map((issue) => [issue.path, issue.message])).toEqual([
      ['steps[1].status', `expected one of ${stepWords}; received "halted" (statusAliases maps it to "partial", which is not a step status)`],
    ]);
  });

  it('an empty object maps nothing: the words stay schema errors', () => {
    const error = schemaErrorOf(() => parseJobSnapshot(reworded(finished(), 'completed'), { statusAliases: {} }));
    expect(error.issues[0]!.path).toBe('job.status');
  });
});

describe('the schema error of an unknown status word', () => {
  it('names the statusAliases option and the CLI flag, suggesting success for "completed"', () => {
    const error = schemaErrorOf(() => parseJobSnapshot(reworded(finished(), 'completed'), { jobId: 1 }));
    expect(error.issues).toEqual([
      {
        path: 'job.status',
        received: 'completed',
        message: `expected one of ${jobWords}; received "completed" (a deployment's own word? map it with the statusAliases option, e.g. { completed: 'success' }, CLI --status-alias completed=success)`,
      },
    ]);
    expect(error.message).toBe(
      `Invalid job status body for job 1: job.status: expected one of ${jobWords}; received "completed" (a deployment's own word? map it with the statusAliases option, e.g. { completed: 'success' }, CLI --status-alias completed=success)`,
    );
  });

  it('does not guess another word: it names the option with a placeholder', () => {
    const error = schemaErrorOf(() => parseJobSnapshot(reworded(finished(), undefined, { dem: 'done' })));
    expect(error.issues[0]!.message).toBe(
      `expected one of ${stepWords}; received "done" (a deployment's own word? map it with the statusAliases option, e.g. { done: '<status>' }, CLI --status-alias done=<status>)`,
    );
  });

  it('gives the hint once, for the job and its steps alike, so the message does not repeat it', () => {
    const body = reworded(finished(), 'completed', { dem: 'completed', ept: 'completed' });
    const error = schemaErrorOf(() => parseJobSnapshot(body));
    // One alias maps the word for the job and its steps alike: one hint.
    expect(error.issues.map((issue) => issue.message.includes('statusAliases'))).toEqual([true, false, false]);
    expect(error.issues.map((issue) => issue.path)).toEqual(['job.status', 'steps[1].status', 'steps[2].status']);
    expect(error.message.match(/a deployment's own word/g)).toHaveLength(1);
  });

  it('quotes a word that is no identifier and leaves out the CLI form for one a shell would mangle', () => {
    const error = schemaErrorOf(() => parseJobSnapshot(reworded(finished(), 'on hold')));
    expect(error.issues[0]!.message).toBe(
      `expected one of ${jobWords}; received "on hold" (a deployment's own word? map it with the statusAliases option, e.g. { "on hold": '<status>' })`,
    );
  });

  it('gives no hint for a status that is not a word (a number, a missing key)', () => {
    const numeric = schemaErrorOf(() => parseJobSnapshot(reworded(finished(), 3 as never)));
    expect(numeric.issues[0]!.message).toBe(`expected one of ${jobWords}; received 3`);
    const body = finished();
    delete body.job.status;
    expect(schemaErrorOf(() => parseJobSnapshot(body)).issues[0]!.message).toBe(`missing (expected one of ${jobWords})`);
  });
});

describe('statusAliases checked at call time', () => {
  const body = finished();
  const refused = (statusAliases: unknown) => () => parseJobSnapshot(body, { statusAliases: statusAliases as StatusAliases });

  it('refuses what is not a plain object: a Map would map nothing', () => {
    const expected = new TypeError("Invalid statusAliases: expected a plain object of a deployment's words and their statuses, such as { completed: 'success' }");
    expect(refused(null)).toThrow(expected);
    expect(refused('completed=success')).toThrow(expected);
    expect(refused([['completed', 'success']])).toThrow(expected);
    expect(refused(new (class Aliases {})())).toThrow(expected);
    expect(refused(new Map([['completed', 'success']]))).toThrow(
      new TypeError("Invalid statusAliases: expected a plain object of a deployment's words and their statuses, such as { completed: 'success' } (a Map: pass Object.fromEntries(map))"),
    );
    // An object without a prototype is a plain object too.
    const bare = Object.assign(Object.create(null) as object, { completed: 'success' });
    expect(parseJobSnapshot(reworded(finished(), 'completed'), { statusAliases: bare as StatusAliases }).job.status).toBe('success');
  });

  it('refuses an empty word, a word that is already a status and a target that is not one', () => {
    expect(refused({ '': 'success' })).toThrow(
      new TypeError("Invalid statusAliases: a word is empty; expected a deployment's own status word, such as { completed: 'success' }"),
    );
    expect(refused({ success: 'failed' })).toThrow(
      new TypeError(`Invalid statusAliases word "success": it is already a status; only a deployment's own words can be mapped, such as { completed: 'success' }`),
    );
    expect(refused({ blocked: 'pending' })).toThrow(/^Invalid statusAliases word "blocked": it is already a status/);
    expect(refused({ completed: 'done' })).toThrow(
      new TypeError('Invalid statusAliases target "done" for "completed": expected one of pending, running, success, failed, partial, blocked, skipped'),
    );
    expect(refused({ completed: 1 })).toThrow(new TypeError('Invalid statusAliases target 1 for "completed": expected one of pending, running, success, failed, partial, blocked, skipped'));
  });
});

describe('jobSnapshotFromJSON with statusAliases', () => {
  it('restores a snapshot made with aliases (raw keeps the deployment words) given the same aliases', () => {
    const statusAliases = { completed: 'success' } as const;
    const snapshot = parseJobSnapshot(reworded(finished(), 'completed'), { jobId: 1, statusAliases });
    const stored = JSON.stringify(snapshot);
    expect(() => jobSnapshotFromJSON(stored)).toThrow(OrdoSchemaError);
    const restored = jobSnapshotFromJSON(stored, { statusAliases });
    expect(restored.job.status).toBe('success');
    expect(restored).toEqual(snapshot);
  });
});
