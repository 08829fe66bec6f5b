import { describe, expect, it } from 'vitest';
import { computeJobProgress } from 'ordo-status';
import { allJobBodies } from '../helpers/fixtures.js';

describe('computeJobProgress', () => {
  it('matches the progress block of every captured real-server body, bit for bit', () => {
    const bodies = allJobBodies().filter((fixture) => fixture.body.progress !== undefined);
    expect(bodies.length).toBeGreaterThan(20);
    for (const { name, body } of bodies) {
      const progress = computeJobProgress(body.steps);
      expect([name, progress.fraction, progress.completedSteps, progress.totalSteps]).toEqual([
        name,
        body.progress.percentage,
        body.progress.completed_steps,
        body.progress.total_steps,
      ]);
    }
  });

  it('averages 1 per success and the detailing percent of a running step; counts success and failed as completed', () => {
    expect(
      computeJobProgress([
        { status: 'success' },
        { status: 'running', last_detailing: { progress: { percent: 50 } } },
        { status: 'failed' },
        { status: 'skipped' },
      ]),
    ).toEqual({ fraction: 0.375, completedSteps: 2, totalSteps: 4 });
    expect(computeJobProgress([])).toEqual({ fraction: 0, completedSteps: 0, totalSteps: 0 });
    // A word no server sends counts as nothing (the schema rejects it before a snapshot is made).
    expect(computeJobProgress([{ status: 'paused' }, { status: 'success' }])).toEqual({ fraction: 0.5, completedSteps: 1, totalSteps: 2 });
    expect(computeJobProgress(['toString', 'constructor', '__proto__'].map((status) => ({ status })))).toEqual({ fraction: 0, completedSteps: 0, totalSteps: 3 });
  });

  it('rejects what is not an array of step rows with a TypeError', () => {
    // eslint-disable-next-line no-sparse-arrays -- a hole is the bad input here
    for (const bad of [undefined, null, 'steps', { status: 'success' }, [null], [1], [, { status: 'success' }]]) {
      expect(() => computeJobProgress(bad as never)).toThrow(new TypeError('Invalid steps: expected an array of step rows such as { status: "running", last_detailing: { progress: { percent: 40 } } }'));
    }
  });
});
