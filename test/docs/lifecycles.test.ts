import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createJobLifecycle, jobTransitions, parseJobSnapshot, stepTransitions, type JobEvent, type TransitionTable } from 'ordo-status';
import { loadScenario } from '../helpers/fixtures.js';
// @ts-expect-error: a plain .mjs script without types
import { mermaid as fromScript } from '../../scripts/docs.mjs';

/** The generator's Mermaid state diagram of a machine (`npm run docs` writes these into the doc). */
const mermaid = fromScript as (table: TransitionTable<string>) => string;

describe('docs/lifecycles.md', () => {
  const doc = readFileSync(new URL('../../docs/lifecycles.md', import.meta.url), 'utf8');
  const diagrams = [...doc.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((match) => match[1]);

  it('shows the state diagrams of the machines as they are', () => {
    expect(diagrams).toEqual([mermaid(jobTransitions), mermaid(stepTransitions)]);
  });

  it('lists shortest paths that agree with the machines', () => {
    expect(stepTransitions.path('running', 'skipped')).toEqual(['running', 'blocked', 'skipped']);
    expect(stepTransitions.path('blocked', 'success')).toEqual(['blocked', 'running', 'success']);
    expect(doc).toContain('| step `running` → `skipped` | `running → blocked*`, `blocked → skipped` |');
  });

  /** Events as the doc lists them: `subject` padded to 10, `from → to`, `(inferred)`. */
  const lines = (events: readonly JobEvent[]) =>
    events.map((event) => `${(event.type === 'job' ? 'job' : event.stepId).padEnd(10)} ${event.from} → ${event.to}${event.inferred ? '   (inferred)' : ''}`);
  const body = (steps: ReadonlyArray<readonly [string, string, string | null, string | null]>) => ({
    job: { id: 3, status: 'running' },
    steps: steps.map(([stepId, status, startedAt, finishedAt]) => ({
      step_id: stepId,
      step_type: stepId.toUpperCase(),
      status,
      started_at: startedAt && `2026-11-29T${startedAt}Z`,
      finished_at: finishedAt && `2026-11-29T${finishedAt}Z`,
    })),
  });

  it("shows the late subscriber's events as the lifecycle emits them, steps in the order they finished", () => {
    const success = loadScenario('success');
    const events = lines(createJobLifecycle().observe(parseJobSnapshot(success.at(-1)!.body)));
    const block = doc.match(/seen only at its end[^`]*```\n([\s\S]*?)\n```/)![1]!.split('\n');
    expect(block.slice(0, 5)).toEqual(events.slice(0, 5));
    expect(block.at(-2)).toBe(events.at(-2));
    expect(block.at(-1)).toBe(events.at(-1));
  });

  it('shows the order within one snapshot as the lifecycle emits it', () => {
    const lifecycle = createJobLifecycle({
      resumeFrom: parseJobSnapshot(
        body([
          ['contours', 'pending', null, null],
          ['dem', 'pending', null, null],
          ['hillshade', 'pending', null, null],
          ['reproject', 'running', '10:00:01', null],
        ]),
      ),
    });
    const started = lines(
      lifecycle.observe(
        parseJobSnapshot(
          body([
            ['contours', 'pending', null, null],
            ['dem', 'running', '10:00:06', null],
            ['hillshade', 'pending', null, null],
            ['reproject', 'success', '10:00:01', '10:00:05'],
          ]),
        ),
      ),
    );
    expect(doc).toContain(['```', ...started, '```'].join('\n'));
    const failed = lines(
      lifecycle.observe(
        parseJobSnapshot(
          body([
            ['contours', 'skipped', null, null],
            ['dem', 'failed', '10:00:06', '10:00:09'],
            ['hillshade', 'skipped', null, null],
            ['reproject', 'success', '10:00:01', '10:00:05'],
          ]),
        ),
      ),
    );
    expect(doc).toContain(['```', ...failed, '```'].join('\n'));
    expect(started).toEqual(['reproject  running → success', 'dem        pending → running']);
  });
});
