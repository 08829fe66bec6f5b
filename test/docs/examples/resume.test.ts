// docs/node.md: "Resume after a restart". What lies between the example markers is shown in the doc.
// example:start
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createOrdoClient, jobSnapshotFromJSON, type JobEvent } from 'ordo-status';
import { startOrdoSimulator, type OrdoSimulator } from 'ordo-status/testing';

// A simulator whose clock the test moves: job state is a function of it.
let simulator: OrdoSimulator;
let clock = Date.parse('2026-11-29T12:00:00Z');
beforeEach(async () => {
  simulator = await startOrdoSimulator({ now: () => clock });
});
afterEach(() => simulator.close());
const later = (ms: number) => (clock += ms);

it('resumes from a stored snapshot: only what happened after it is emitted', async () => {
  const ordo = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, intervalMs: 10 });
  const { id } = await simulator.submitJob();
  later(4000); // reproject done, dem and ept running

  // Before a restart: keep the latest snapshot as text (a file, a database row).
  const stored: string = JSON.stringify(await firstValueFrom(ordo.jobStatus$(id)));

  later(60_000); // the process was down; the job went on and ended

  // After the restart: restore the snapshot and resume from it.
  const resumeFrom = jobSnapshotFromJSON(stored);
  const after: JobEvent[] = await lastValueFrom(ordo.jobEvents$(id, { resumeFrom }).pipe(toArray()));

  const line = (event: JobEvent) =>
    `${event.type === 'step' ? event.stepId : 'job'} ${event.from} → ${event.to}${event.inferred ? ' (inferred)' : ''}`;
  // In the order they happened: dem finished at 12:00:07, ept 12:00:09, hillshade 12:00:09.6, contours 12:00:10.1.
  expect(after.map(line)).toEqual([
    'dem running → success',
    'ept running → success',
    'hillshade pending → running (inferred)',
    'hillshade running → success',
    'contours pending → running (inferred)',
    'contours running → success',
    'job running → success',
  ]);
});
// example:end
