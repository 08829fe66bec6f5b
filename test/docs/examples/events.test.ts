// docs/testing.md: "Events, step by step". What lies between the example markers is shown in the doc.
// example:start
import { lastValueFrom, toArray } from 'rxjs';
import { expect, it } from 'vitest';
import { jobEvents$ } from 'ordo-status';
import { jobBody, scriptedTransport } from 'ordo-status/testing';

it('infers the transitions two polls skipped over', async () => {
  const transport = scriptedTransport({
    7: [
      jobBody({ id: 7, status: 'running', steps: { reproject: 'running', dem: 'pending' } }),
      // The next poll finds dem done already: it must have been running in between.
      jobBody({ id: 7, status: 'success', steps: { reproject: 'success', dem: 'success' } }),
    ],
  });
  const events = await lastValueFrom(jobEvents$(7, { transport, intervalMs: 1 }).pipe(toArray()));

  // In the order they happened: jobBody dates reproject's end 2 s after creation, dem's 3 s.
  const summary = events.map((event) => [event.type === 'step' ? event.stepId : 'job', `${event.from} → ${event.to}`, event.inferred]);
  expect(summary).toEqual([
    ['job', 'pending → running', false],
    ['reproject', 'pending → running', false],
    ['reproject', 'running → success', false],
    ['dem', 'pending → running', true],
    ['dem', 'running → success', false],
    ['job', 'running → success', false],
  ]);
});
// example:end
