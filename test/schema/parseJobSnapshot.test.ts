import { describe, expect, it } from 'vitest';
import { OrdoSchemaError, parseJobSnapshot } from 'ordo-status';
import { allJobBodies, loadScenario, withoutV11Fields } from '../helpers/fixtures.js';

function schemaErrorOf(run: () => unknown): OrdoSchemaError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(OrdoSchemaError);
    return error as OrdoSchemaError;
  }
  throw new Error('expected an OrdoSchemaError, but nothing was thrown');
}

const success = loadScenario('success');
const failed = loadScenario('failed');

describe('parseJobSnapshot on captured real-server bodies', () => {
  const bodies = allJobBodies();

  it('reads every captured body', () => {
    expect(bodies.length).toBeGreaterThanOrEqual(60);
    for (const fixture of bodies) {
      const snapshot = parseJobSnapshot(fixture.body, { jobId: fixture.body.job.id });
      expect(snapshot.job.id, fixture.name).toBe(String(fixture.body.job.id));
      expect(snapshot.steps.map((step) => step.stepId), fixture.name).toEqual(fixture.body.steps.map((step: any) => step.step_id));
      expect(snapshot.progress.fraction, fixture.name).toBe(fixture.body.progress.percentage);
      expect(snapshot.raw, fixture.name).toBe(fixture.body);
    }
  });

  it('maps a running body field by field (success/024)', () => {
    const snapshot = parseJobSnapshot(success[24]!.text, { jobId: 1 });
    expect(snapshot.job).toEqual({
      id: '1',
      status: 'running',
      recipeId: 1,
      createdAt: new Date('2026-11-29T14:26:05.234Z'),
      startedAt: new Date('2026-11-29T14:26:05.451Z'),
      finishedAt: null,
      error: null,
    });
    expect(snapshot.progress).toEqual({ fraction: 0.71, completedSteps: 2, totalSteps: 5 });
    expect(snapshot.durationMs).toBeNull();
    expect(snapshot.steps[0]).toEqual({
      stepId: 'contours',
      stepType: 'GENERATE_CONTOURS',
      status: 'running',
      attempt: 1,
      startedAt: new Date('2026-11-29T14:26:09.104Z'),
      finishedAt: null,
      error: null,
      progress: 0.4,
    });
    expect(snapshot.steps.map((step) => [step.stepId, step.progress])).toEqual([
      ['contours', 0.4],
      ['dem', 1],
      ['ept', 0.65],
      ['hillshade', 0.5],
      ['reproject', 1],
    ]);
    expect(snapshot.outputs[1]).toEqual({
      artifactName: 'step:dem.output_dem',
      path: 'final/piney-dam/dem.tif',
      producer: { stepId: 'dem', slot: 'output_dem' },
      deliveredUri: null,
      deliveredAt: null,
    });
  });

  it('maps a failed terminal body (failed/018): errors, skipped steps, 3 of 5 completed', () => {
    const snapshot = parseJobSnapshot(failed[18]!.body);
    expect(snapshot.job.status).toBe('failed');
    expect(snapshot.job.error).toBe(
      'Step "dem" failed: GENERATE_DEM failed: pdal pipeline exited with code 1 (writers.gdal: grid width exceeds limit)',
    );
    expect(snapshot.durationMs).toBe(3177);
    expect(snapshot.progress).toEqual({ fraction: 0.4, completedSteps: 3, totalSteps: 5 });
    const dem = snapshot.steps.find((step) => step.stepId === 'dem')!;
    expect(dem.status).toBe('failed');
    expect(dem.progress).toBeNull();
    expect(dem.error).toMatch(/^GENERATE_DEM failed/);
    expect(snapshot.steps.filter((step) => step.status === 'skipped').map((step) => step.stepId)).toEqual(['contours', 'hillshade']);
  });

  it('is immutable', () => {
    const snapshot = parseJobSnapshot(success[36]!.body);
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(Object.isFrozen(snapshot.job)).toBe(true);
    expect(Object.isFrozen(snapshot.steps)).toBe(true);
    expect(Object.isFrozen(snapshot.steps[0])).toBe(true);
    expect(Object.isFrozen(snapshot.outputs[0])).toBe(true);
    expect(snapshot.outputs.every((output) => output.deliveredUri?.startsWith('s3://ordo-deliverables/'))).toBe(true);
  });

  it('accepts the response text, as a string or bytes', () => {
    const fromText = parseJobSnapshot(success[5]!.text);
    const fromBytes = parseJobSnapshot(new TextEncoder().encode(success[5]!.text));
    expect(fromText.progress.fraction).toBe(0.11000000000000001);
    expect(fromBytes.progress.fraction).toBe(0.11000000000000001);
    expect(parseJobSnapshot(new TextEncoder().encode(success[5]!.text).buffer).job.id).toBe('1');
    expect(parseJobSnapshot(`\uFEFF${success[5]!.text}`).job.id).toBe('1');
  });
});

describe("older servers and Ordo's documentation", () => {
  it('computes progress exactly as the server does when the body has no progress block (every fixture)', () => {
    for (const fixture of allJobBodies()) {
      const snapshot = parseJobSnapshot(withoutV11Fields(fixture.body));
      expect(snapshot.progress.fraction, fixture.name).toBe(fixture.body.progress.percentage);
      expect(snapshot.progress.completedSteps, fixture.name).toBe(fixture.body.progress.completed_steps);
      expect(snapshot.progress.totalSteps, fixture.name).toBe(fixture.body.progress.total_steps);
      expect(snapshot.durationMs, fixture.name).toBe(fixture.body.duration_ms);
    }
  });

  it("reads the smaller body of Ordo's documentation", () => {
    // The "Response structure summary" of Ordo's documentation, with its "..." placeholders filled with real timestamps.
    const seedBody = {
      job: {
        id: 3,
        status: 'success',
        created_at: '2026-11-29T14:00:00.000Z',
        started_at: '2026-11-29T14:00:01.000Z',
        finished_at: '2026-11-29T14:02:16.401Z',
        error: null,
      },
      progress: { percentage: 1, completed_steps: 2, total_steps: 2 },
      duration_ms: 135401,
      steps: [
        {
          step_id: 'reproject',
          step_type: 'REPROJECT_LAS',
          status: 'success',
          started_at: '2026-11-29T14:00:01.000Z',
          finished_at: '2026-11-29T14:01:00.000Z',
          error: null,
        },
      ],
      outputs: [{ artifact_name: 'step:build_ept.output_ept', path: 'development/results/piney-dam/ept' }],
    };
    const snapshot = parseJobSnapshot(seedBody, { jobId: '3' });
    expect(snapshot.job).toEqual({
      id: '3',
      status: 'success',
      recipeId: null,
      createdAt: new Date('2026-11-29T14:00:00.000Z'),
      startedAt: new Date('2026-11-29T14:00:01.000Z'),
      finishedAt: new Date('2026-11-29T14:02:16.401Z'),
      error: null,
    });
    expect(snapshot.durationMs).toBe(135401);
    expect(snapshot.steps[0]!.attempt).toBe(0);
    expect(snapshot.steps[0]!.progress).toBe(1);
    expect(snapshot.outputs).toEqual([
      {
        artifactName: 'step:build_ept.output_ept',
        path: 'development/results/piney-dam/ept',
        producer: { stepId: 'build_ept', slot: 'output_ept' },
        deliveredUri: null,
        deliveredAt: null,
      },
    ]);
  });

  it('reads a pre-1.1 body and computes duration from the job timestamps', () => {
    const body = withoutV11Fields(failed[18]!.body);
    expect(body).not.toHaveProperty('progress');
    const snapshot = parseJobSnapshot(body);
    expect(snapshot.progress).toEqual({ fraction: 0.4, completedSteps: 3, totalSteps: 5 });
    expect(snapshot.durationMs).toBe(3177);
    expect(parseJobSnapshot(withoutV11Fields(success[10]!.body)).durationMs).toBeNull();
  });

  it('reads the percent from progress, then percent, then percentage, clamped to 0..100', () => {
    const base = withoutV11Fields(success[4]!.body);
    const withDetail = (progress: unknown) => {
      const body = structuredClone(base);
      body.steps[4].last_detailing.progress = progress;
      return parseJobSnapshot(body);
    };
    expect(withDetail({ percent: 40 }).progress.fraction).toBe(0.08);
    expect(withDetail({ percentage: 40, percent: 60 }).progress.fraction).toBe(0.12);
    expect(withDetail({ progress: 150 }).progress.fraction).toBe(0.2);
    expect(withDetail({ progress: -5 }).progress.fraction).toBe(0);
    expect(withDetail({ log: 'no number' }).progress.fraction).toBe(0);
    expect(withDetail({ progress: 150 }).steps[4]!.progress).toBe(1);
  });
});

describe('step progress on a retry', () => {
  it('is null while the detailing still belongs to the previous attempt', () => {
    const body = structuredClone(success[6]!.body);
    const reproject = body.steps[4];
    // Attempt 2 was claimed after the last detailing row of attempt 1.
    reproject.attempt = 2;
    reproject.claimed_at = '2026-11-29T14:26:07.000Z';
    expect(reproject.last_detailing.updated_at < reproject.claimed_at).toBe(true);
    const snapshot = parseJobSnapshot(body);
    expect(snapshot.steps[4]!.progress).toBeNull();
    // The server still counts that detailing in the job's fraction.
    expect(snapshot.progress.fraction).toBe(0.19);
  });
});

describe('bad input', () => {
  const good = success[24]!.body;

  it('names the path, the value and the five job statuses for an unknown job status', () => {
    const error = schemaErrorOf(() => parseJobSnapshot({ ...good, job: { ...good.job, status: 'paused' } }, { jobId: 1 }));
    expect(error.code).toBe('SCHEMA');
    expect(error.name).toBe('OrdoSchemaError');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toEqual({
      path: 'job.status',
      received: 'paused',
      message:
        'expected one of "pending", "running", "success", "failed", "partial"; received "paused" (a deployment\'s own word? map it with the statusAliases option, e.g. { paused: \'<status>\' }, CLI --status-alias paused=<status>)',
    });
    expect(error.message).toContain('"paused"');
    expect(error.message).toContain('job 1');
    expect(error.bodyExcerpt).toMatch(/^\{"job":\{"id":1/);
  });

  it('names the step for an unknown step status', () => {
    const body = structuredClone(good);
    body.steps[1].status = 'completed';
    const error = schemaErrorOf(() => parseJobSnapshot(body));
    expect(error.issues[0]!.path).toBe('steps[1].status');
    expect(error.issues[0]!.received).toBe('completed');
    expect(error.issues[0]!.message).toBe(
      'expected one of "pending", "running", "blocked", "success", "failed", "skipped"; received "completed" (a deployment\'s own word? map it with the statusAliases option, e.g. { completed: \'success\' }, CLI --status-alias completed=success)',
    );
  });

  it('accepts ISO timestamps with Z, an offset or microseconds, and rejects one without T and zone', () => {
    const at = (value: string) => parseJobSnapshot({ ...good, job: { ...good.job, started_at: value } }).job.startedAt;
    expect(at('2026-11-29T14:26:05Z')).toEqual(new Date('2026-11-29T14:26:05.000Z'));
    expect(at('2026-11-29T14:26:05+00:00')).toEqual(new Date('2026-11-29T14:26:05.000Z'));
    expect(at('2026-11-29T16:26:05+02:00')).toEqual(new Date('2026-11-29T14:26:05.000Z'));
    expect(at('2026-11-29T14:26:05.123456Z')).toEqual(new Date('2026-11-29T14:26:05.123Z'));
    for (const bad of ['2026-11-29 14:26:05', '2026-11-29T14:26:05', '2026-13-29T14:26:05Z', '29/11/2026', '']) {
      const error = schemaErrorOf(() => at(bad));
      expect(error.issues[0]!.path, bad).toBe('job.started_at');
      expect(error.issues[0]!.received, bad).toBe(bad);
    }
    const error = schemaErrorOf(() => at('2026-11-29 14:26:05'));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]!.message).toContain('ISO-8601');
    expect(error.message).toContain('"2026-11-29 14:26:05"');
  });

  it('rejects dates and times that do not exist instead of rolling them over', () => {
    const at = (value: string) => parseJobSnapshot({ ...good, job: { ...good.job, started_at: value } }).job.startedAt;
    for (const impossible of ['2026-02-30T00:00:00Z', '2026-04-31T12:00:00Z', '2026-11-29T24:00:00Z', '2026-11-29T14:60:00Z', '2026-11-29T14:26:60Z', '2026-11-29T14:26:05+24:00']) {
      const error = schemaErrorOf(() => at(impossible));
      expect(error.issues, impossible).toHaveLength(1);
      expect(error.issues[0]!.message, impossible).toBe(`not a real date and time (a day, hour, minute or second out of range); received "${impossible}"`);
    }
    expect(at('2028-02-29T00:00:00Z')).toEqual(new Date('2028-02-29T00:00:00Z'));
    expect(at('2026-11-29T14:26:05+14:00')).toEqual(new Date('2026-11-29T00:26:05Z'));
  });

  it('rejects a body for another job than the one asked for', () => {
    const body = structuredClone(good);
    body.job.id = 4;
    const error = schemaErrorOf(() => parseJobSnapshot(body, { jobId: 3 }));
    expect(error.jobId).toBe('3');
    expect(error.issues).toEqual([{ path: 'job.id', received: 4, message: 'expected job "3" (the id that was asked for); received 4' }]);
  });

  it('says when the body is not JSON and shows its first characters', () => {
    const html = '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>';
    const error = schemaErrorOf(() => parseJobSnapshot(html, { contentType: 'text/html' }));
    expect(error.message).toContain('not JSON');
    expect(error.message).toContain('text/html');
    expect(error.message).toContain('<html><head><title>502');
    expect(error.bodyExcerpt).toBe(html);
    const long = schemaErrorOf(() => parseJobSnapshot(`<html>${'x'.repeat(1000)}`));
    expect(long.bodyExcerpt).toHaveLength(200);
    expect(error.cause).toBeInstanceOf(SyntaxError);
    expect(schemaErrorOf(() => parseJobSnapshot('')).message).toContain('empty');
    expect(schemaErrorOf(() => parseJobSnapshot('{"job": {"id": 1, "sta')).message).toContain('not JSON');
  });

  it('lists every problem, each with its path', () => {
    const error = schemaErrorOf(() => parseJobSnapshot({ job: { id: 1 }, steps: [{ step_id: 'a', status: 'running', attempt: -1 }] }));
    expect(error.issues.map((issue) => issue.path)).toEqual(['job.status', 'steps[0].step_type', 'steps[0].attempt']);
    expect(error.issues[0]!.message).toBe('missing (expected one of "pending", "running", "success", "failed", "partial")');
    expect(error.issues[1]!.message).toBe('missing (expected string)');
  });

  it('rejects a percentage sent as 0–100, duplicate step ids and non-objects', () => {
    const percent = schemaErrorOf(() => parseJobSnapshot({ ...good, progress: { ...good.progress, percentage: 71 } }));
    expect(percent.issues[0]!.path).toBe('progress.percentage');
    expect(percent.issues[0]!.message).toContain('fraction from 0 to 1');
    const duplicate = structuredClone(good);
    duplicate.steps[1].step_id = 'contours';
    expect(schemaErrorOf(() => parseJobSnapshot(duplicate)).issues[0]).toMatchObject({ path: 'steps[1].step_id', received: 'contours' });
    expect(schemaErrorOf(() => parseJobSnapshot([good])).issues[0]!.path).toBe('');
    expect(schemaErrorOf(() => parseJobSnapshot(null)).issues[0]!.message).toBe('expected object, received null');
  });

  it('keeps unknown fields in raw', () => {
    const body = { ...structuredClone(good), region: 'eu-west-1' };
    body.steps[0].gpu = true;
    const snapshot = parseJobSnapshot(body);
    expect((snapshot.raw as any).region).toBe('eu-west-1');
    expect((snapshot.raw as any).steps[0].gpu).toBe(true);
    expect(snapshot.steps[0]).not.toHaveProperty('gpu');
  });
});

describe('parsing against the previous snapshot', () => {
  it('gives the same snapshot as a full parse, for every consecutive pair of captured bodies', () => {
    for (const scenario of [success, failed]) {
      for (let index = 1; index < scenario.length; index += 1) {
        const previous = parseJobSnapshot(scenario[index - 1]!.body);
        const incremental = parseJobSnapshot(scenario[index]!.body, { previous });
        const full = parseJobSnapshot(scenario[index]!.body);
        expect(incremental, scenario[index]!.name).toEqual(full);
        // Unchanged steps keep their objects; changed ones are new.
        incremental.steps.forEach((step, at) => {
          const same = JSON.stringify(scenario[index - 1]!.body.steps[at]) === JSON.stringify(scenario[index]!.body.steps[at]);
          expect(step === previous.steps[at], `${scenario[index]!.name} ${step.stepId}`).toBe(same);
        });
      }
    }
  });

  it('reuses the job and the outputs when they did not change, and still checks what did', () => {
    const previous = parseJobSnapshot(success[24]!.body);
    const next = parseJobSnapshot(success[25]!.body, { previous });
    expect(next.job).toBe(previous.job);
    expect(next.outputs[0]).toBe(previous.outputs[0]);
    const broken = structuredClone(success[25]!.body);
    broken.steps[2].status = 'paused';
    const error = schemaErrorOf(() => parseJobSnapshot(broken, { previous }));
    expect(error.issues).toEqual([expect.objectContaining({ path: 'steps[2].status', received: 'paused' })]);
  });

  it('does not take a snapshot of another job for granted', () => {
    const previous = parseJobSnapshot(success[24]!.body);
    const other = structuredClone(success[24]!.body);
    other.job.id = 2;
    expect(() => parseJobSnapshot(other, { jobId: 1, previous })).toThrow(OrdoSchemaError);
  });
});
