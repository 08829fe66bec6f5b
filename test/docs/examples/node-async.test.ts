// docs/node.md: "Async iteration". What lies between the example markers is shown in the doc.
// example:start
import { eachValueFrom } from 'rxjs-for-await';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createOrdoClient } from 'ordo-status';
import { startOrdoSimulator, type OrdoSimulator } from 'ordo-status/testing';

// An Ordo-compatible server for the test, its clock 20 times faster (a job takes about 0.6 s).
let simulator: OrdoSimulator;
beforeEach(async () => {
  simulator = await startOrdoSimulator({ speed: 20 });
});
afterEach(() => simulator.close());

it('iterates over events and snapshots with for await', async () => {
  const ordo = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, intervalMs: 50 });
  const { id } = await simulator.submitJob();

  // Every event, in order: eachValueFrom buffers what arrives while the loop body awaits.
  const steps: string[] = [];
  for await (const event of eachValueFrom(ordo.jobEvents$(id))) {
    if (event.type === 'step' && event.to === 'success') steps.push(event.stepId);
  }
  expect(steps.sort()).toEqual(['contours', 'dem', 'ept', 'hillshade', 'reproject']);

  // Snapshots too: jobStatus$ emits only distinct ones, so the buffer holds a few at most
  // unless the loop body is slower than the polling interval.
  const { id: next } = await simulator.submitJob();
  let last;
  for await (const snapshot of eachValueFrom(ordo.jobStatus$(next))) {
    last = snapshot;
  }
  expect(last?.job.status).toBe('success');
});

it('stops polling when the loop is left early', async () => {
  const ordo = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, intervalMs: 20 });
  const { id } = await simulator.submitJob();
  for await (const snapshot of eachValueFrom(ordo.jobStatus$(id))) {
    if (snapshot.job.status === 'running') break; // unsubscribes: no more requests
  }
  const requests = simulator.requestCount;
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(simulator.requestCount).toBe(requests);
});
// example:end

import { Subject } from 'rxjs';
import { latestValueFrom } from 'rxjs-for-await';

// Why the docs do not recommend latestValueFrom for jobs: in rxjs-for-await 1.0.0 a value that
// arrives while the loop body runs, followed by completion, is dropped; for a job that is the
// terminal snapshot. If a release fixes it, this test fails and docs/node.md can say so.
it('rxjs-for-await 1.0.0 latestValueFrom drops the last value before completion', async () => {
  const status$ = new Subject<string>();
  const seen: string[] = [];
  const loop = (async () => {
    for await (const status of latestValueFrom(status$)) {
      seen.push(status);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 5));
  status$.next('running');
  await new Promise((resolve) => setTimeout(resolve, 5));
  status$.next('success');
  status$.complete();
  await loop;
  expect(seen).toEqual(['running']);
});
