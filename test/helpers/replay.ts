import { TestScheduler } from 'rxjs/testing';
import { jobEvents$, type JobEvent } from 'ordo-status';
import { scriptedTransport } from 'ordo-status/testing';

/** What a replay produced. */
export interface Replay {
  readonly events: JobEvent[];
  readonly error: unknown;
  readonly completed: boolean;
  readonly requests: number;
}

/**
 * Feeds `bodies` to `jobEvents$`, one per poll, through a transport that answers at once, in
 * virtual time (intervals cost nothing). A poll past the end of the list is an error.
 */
export function replayEvents(jobId: string | number, bodies: readonly unknown[]): Replay {
  const scheduler = new TestScheduler((actual, expected) => {
    if (actual !== expected) throw new Error('unexpected');
  });
  const events: JobEvent[] = [];
  let error: unknown;
  let completed = false;
  const transport = scriptedTransport({ [jobId]: [...bodies, new Error('replay ran out of bodies')] });
  scheduler.run(() => {
    jobEvents$(jobId, { transport, intervalMs: 3000 }).subscribe({
      next: (event) => events.push(event),
      error: (caught: unknown) => (error = caught),
      complete: () => (completed = true),
    });
  });
  return { events, error, completed, requests: transport.requestCount(jobId) };
}

/** `{ type, stepId, from, to, inferred }` of each event, for comparing with a list written by hand. */
export function eventSummary(events: readonly JobEvent[]) {
  return events.map((event) =>
    event.type === 'job'
      ? { type: 'job', from: event.from, to: event.to, inferred: event.inferred }
      : { type: 'step', stepId: event.stepId, from: event.from, to: event.to, inferred: event.inferred },
  );
}
