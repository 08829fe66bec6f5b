// docs/node.md: "Many jobs: watchJobs$". What lies between the example markers is shown in the doc.
// example:start
import { lastValueFrom, tap, toArray } from 'rxjs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createOrdoClient, isOrdoError, isTerminalJobStatus, type JobUpdate } from 'ordo-status';
import { startOrdoSimulator, type OrdoSimulator } from 'ordo-status/testing';

let simulator: OrdoSimulator;
beforeEach(async () => {
  simulator = await startOrdoSimulator({ speed: 20 }); // a job takes about 0.6 s
});
afterEach(() => simulator.close());

it('watches several jobs; a job that cannot be watched is its own outcome, the others go on', async () => {
  const ordo = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, intervalMs: 50 });
  const ok = await simulator.submitJob();
  const bad = await simulator.submitJob(undefined, { scenario: 'failed' });

  // Each job's last update is its outcome: a terminal snapshot, or the error that ended its watch.
  const outcomes = new Map<string, string>();
  const record = (update: JobUpdate) => {
    if (update.type === 'error') outcomes.set(update.jobId, isOrdoError(update.error) ? update.error.code : 'ERROR');
    else if (isTerminalJobStatus(update.snapshot.job.status)) outcomes.set(update.jobId, update.snapshot.job.status);
  };

  // 999 does not exist: one error update for it, and the two real jobs run to their end.
  const updates = await lastValueFrom(ordo.watchJobs$([ok.id, 999, bad.id]).pipe(tap(record), toArray()));

  expect(Object.fromEntries(outcomes)).toEqual({ [ok.id]: 'success', '999': 'NOT_FOUND', [bad.id]: 'failed' });
  // The stream completed once every job had ended; each observation carries the events it brought.
  const steps = updates.flatMap((update) => (update.type === 'observation' && update.jobId === String(ok.id) ? update.events : []));
  expect(steps.filter((event) => event.type === 'step' && event.to === 'success')).toHaveLength(5);
});
// example:end
