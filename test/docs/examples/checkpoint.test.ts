// docs/node.md: "Checkpoints: at least once". What lies between the example markers is shown in the doc.
// example:start
import { eachValueFrom } from 'rxjs-for-await';
import { afterEach, expect, it } from 'vitest';
import { createOrdoClient, jobSnapshotFromJSON, type JobEvent } from 'ordo-status';
import { startOrdoSimulator, type OrdoSimulator } from 'ordo-status/testing';

let simulator: OrdoSimulator;
afterEach(() => simulator.close());

/**
 * Handles a job's events and keeps a checkpoint (a stored snapshot) that never claims an
 * event that was not handled: the snapshot is stored only after all of its events were.
 */
async function pipeline(jobId: number, checkpoint: { stored?: string }, handle: (event: JobEvent) => void) {
  const ordo = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, intervalMs: 10 });
  const resumeFrom = checkpoint.stored === undefined ? undefined : jobSnapshotFromJSON(checkpoint.stored);
  // Each distinct snapshot with the events it brought.
  for await (const { snapshot, events } of eachValueFrom(ordo.jobObservations$(jobId, { resumeFrom }))) {
    for (const event of events) handle(event);
    checkpoint.stored = JSON.stringify(snapshot); // after its events: every event of this snapshot is handled
  }
}

it('a crash in the middle of a poll’s events repeats them after the restart, and loses none', async () => {
  let clock = Date.parse('2026-11-29T12:00:00Z');
  simulator = await startOrdoSimulator({ now: () => clock }); // a clock the test moves
  const { id } = await simulator.submitJob();
  clock += 4000; // the first poll sees five transitions at once (job, reproject ×2, dem, ept)
  const checkpoint: { stored?: string } = {};
  const handled: string[] = [];
  const line = (event: JobEvent) => `${event.type === 'step' ? event.stepId : 'job'} ${event.from}→${event.to}`;

  // The process dies after handling two of the five.
  const crash = pipeline(id, checkpoint, (event) => {
    if (handled.length === 2) throw new Error('crash');
    handled.push(line(event));
  });
  await expect(crash).rejects.toThrow('crash');
  expect(checkpoint.stored).toBeUndefined(); // nothing was claimed

  clock += 60_000;
  await pipeline(id, checkpoint, (event) => handled.push(line(event)));
  // The two handled before the crash, then the restart from the start: they come again.
  expect(handled.slice(0, 3)).toEqual(['job pending→running', 'reproject pending→running', 'job pending→running']);
  expect(new Set(handled).size).toBe(12); // each transition of the whole lifecycle, at least once
  expect(jobSnapshotFromJSON(checkpoint.stored!).job.status).toBe('success');
});
// example:end
