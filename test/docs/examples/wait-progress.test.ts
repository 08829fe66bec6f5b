// docs/node.md: "Without RxJS: waitForJob with onSnapshot". What lies between the example markers is shown in the doc.
// example:start
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createOrdoClient } from 'ordo-status';
import { startOrdoSimulator, type OrdoSimulator } from 'ordo-status/testing';

let simulator: OrdoSimulator;
beforeEach(async () => {
  simulator = await startOrdoSimulator({ speed: 20 });
});
afterEach(() => simulator.close());

it('reports progress through a callback while it waits', async () => {
  const ordo = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, intervalMs: 50 });
  const { id } = await simulator.submitJob();

  const percents: number[] = [];
  const finished: string[] = [];
  const done = await ordo.waitForJob(id, {
    // Each distinct snapshot, with the transitions it brought; the terminal one before the promise settles.
    onSnapshot: (snapshot, events) => {
      percents.push(Math.round(snapshot.progress.fraction * 100));
      for (const event of events) if (event.type === 'step' && event.to === 'success') finished.push(event.stepId);
    },
  });

  expect(done.job.status).toBe('success');
  expect(percents.at(-1)).toBe(100);
  expect(percents).toEqual([...percents].sort((a, b) => a - b)); // progress only moves forwards
  expect(finished.sort()).toEqual(['contours', 'dem', 'ept', 'hillshade', 'reproject']);
});

it('ends the wait with the error the callback throws, and stops polling', async () => {
  const ordo = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, intervalMs: 50 });
  const { id } = await simulator.submitJob();
  const wait = ordo.waitForJob(id, {
    onSnapshot: () => {
      throw new Error('the progress bar is gone');
    },
  });
  await expect(wait).rejects.toThrow('the progress bar is gone');
});
// example:end
