import { lastValueFrom, of, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  createOrdoClient,
  jobEvents$,
  jobSnapshotFromJSON,
  jobStatus$,
  OrdoIllegalTransitionError,
  OrdoJobFailedError,
  OrdoSchemaError,
  parseJobSnapshot,
  waitForJob,
  type JobEvent,
  type JobSnapshot,
  type JobTransport,
} from 'ordo-status';
import { scriptedTransport } from 'ordo-status/testing';
import { allJobBodies, loadScenario } from '../helpers/fixtures.js';
import { eventSummary, replayEvents } from '../helpers/replay.js';

const success = loadScenario('success').map((fixture) => fixture.body);
const failed = loadScenario('failed').map((fixture) => fixture.body);

/** A snapshot as it comes back from a state file. */
const stored = (snapshot: JobSnapshot): JobSnapshot => jobSnapshotFromJSON(JSON.parse(JSON.stringify(snapshot)));

/** Answers job 1 with `bodies`, one per request (the last one again once they are used up). */
const replayTransport = (bodies: readonly unknown[]) => scriptedTransport({ 1: bodies });

/** Runs `work` in virtual time, then flushes: what it returns is read after every frame ran. */
function inVirtualTime<T>(work: (scheduler: TestScheduler, helpers: Parameters<Parameters<TestScheduler['run']>[0]>[0]) => T): T {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  return scheduler.run((helpers) => {
    const result = work(scheduler, helpers);
    helpers.flush();
    return result;
  });
}

describe('jobSnapshotFromJSON', () => {
  it('gives back every captured body’s snapshot equal to the one stored', () => {
    const fixtures = allJobBodies();
    expect(fixtures.length).toBeGreaterThan(60);
    for (const fixture of fixtures) {
      const snapshot = parseJobSnapshot(fixture.body);
      const text = JSON.stringify(snapshot);
      const back = jobSnapshotFromJSON(text);
      expect(back, fixture.name).toEqual(snapshot);
      expect(back.job.startedAt?.getTime()).toBe(snapshot.job.startedAt?.getTime());
      expect(jobSnapshotFromJSON(JSON.parse(text))).toEqual(snapshot);
      // And again: storing a restored snapshot loses nothing either.
      expect(JSON.stringify(back)).toBe(text);
    }
  });

  it('rejects what is not a stored snapshot with an OrdoSchemaError that says why', () => {
    const snapshot = parseJobSnapshot(success[10]);
    expect(() => jobSnapshotFromJSON('{"job": ')).toThrow(OrdoSchemaError);
    expect(() => jobSnapshotFromJSON('{"job": ')).toThrow(/not JSON/);
    expect(() => jobSnapshotFromJSON({ job: { id: '1' } })).toThrow(/Not a stored job snapshot.*"raw"/);
    expect(() => jobSnapshotFromJSON(null)).toThrow(OrdoSchemaError);
    expect(() => jobSnapshotFromJSON([snapshot])).toThrow(OrdoSchemaError);
    // The stored fields around raw are not trusted: the id must match the body's.
    const tampered = { ...JSON.parse(JSON.stringify(snapshot)), job: { id: '2' } };
    expect(() => jobSnapshotFromJSON(tampered)).toThrow(/job 2/);
    const badId = { ...JSON.parse(JSON.stringify(snapshot)), job: { id: '' } };
    expect(() => jobSnapshotFromJSON(badId)).toThrow(/job\.id "" is no job id/);
    // A raw body that no longer validates (edited by hand) is the usual schema error.
    // Nested too deep to print: still the schema error, not a RangeError.
    expect(() => jobSnapshotFromJSON(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toThrow(OrdoSchemaError);
    const edited = JSON.parse(JSON.stringify(snapshot));
    edited.raw.job.status = 'paused';
    expect(() => jobSnapshotFromJSON(edited)).toThrow(/"paused"/);
  });
});

describe('jobEvents$ with resumeFrom', () => {
  it('emits only the transitions after the stored snapshot: two runs give the lifecycle of one', () => {
    const whole = replayEvents(1, success);
    // The first run sees bodies 0..14 and stores its last snapshot (body 14) before a restart.
    const first = replayEvents(1, success.slice(0, 15));
    const resumedEvents = inVirtualTime(() => {
      const events: JobEvent[] = [];
      const transport = replayTransport(success.slice(14));
      jobEvents$(1, { transport, intervalMs: 3000, resumeFrom: stored(parseJobSnapshot(success[14])) }).subscribe((event) => events.push(event));
      return events;
    });
    const firstEvents = eventSummary(first.events);
    expect(firstEvents).toEqual(eventSummary(whole.events).slice(0, firstEvents.length));
    expect([...firstEvents, ...eventSummary(resumedEvents)]).toEqual(eventSummary(whole.events));
    expect(eventSummary(resumedEvents)[0]).toEqual({ type: 'step', stepId: 'dem', from: 'running', to: 'success', inferred: false });
  });

  it('infers what happened while nobody watched', () => {
    const events = inVirtualTime(() => {
      const out: JobEvent[] = [];
      // Stored at body 8 (reproject done), back at body 30 (contours done, ept still running).
      const transport = replayTransport([success[30], success[36]]);
      jobEvents$(1, { transport, resumeFrom: stored(parseJobSnapshot(success[8])) }).subscribe((event) => out.push(event));
      return out;
    });
    // Body 30's changes in the order they happened (14:26 UTC): ept started 07.459, dem finished
    // 08.374, hillshade 10.022, contours 10.603; then body 36.
    expect(eventSummary(events)).toEqual([
      { type: 'step', stepId: 'ept', from: 'pending', to: 'running', inferred: false },
      { type: 'step', stepId: 'dem', from: 'pending', to: 'running', inferred: true },
      { type: 'step', stepId: 'dem', from: 'running', to: 'success', inferred: false },
      { type: 'step', stepId: 'hillshade', from: 'pending', to: 'running', inferred: true },
      { type: 'step', stepId: 'hillshade', from: 'running', to: 'success', inferred: false },
      { type: 'step', stepId: 'contours', from: 'pending', to: 'running', inferred: true },
      { type: 'step', stepId: 'contours', from: 'running', to: 'success', inferred: false },
      { type: 'step', stepId: 'ept', from: 'running', to: 'success', inferred: false },
      { type: 'job', from: 'running', to: 'success', inferred: false },
    ]);
  });

  it('emits nothing for a first answer equal to the stored snapshot (jobStatus$ too)', () => {
    inVirtualTime((_, { expectObservable }) => {
      const transport = replayTransport([success[14], success[14], success[16], success[36]]);
      const resumeFrom = stored(parseJobSnapshot(success[14]));
      // Polls at 0 and 10 ms answer what is stored: nothing; 20 ms brings news, 30 ms the end.
      expectObservable(jobStatus$(1, { transport, intervalMs: 10, resumeFrom })).toBe('--------------------a---------(b|)', {
        a: parseJobSnapshot(success[16]),
        b: parseJobSnapshot(success[36]),
      });
    });
  });

  it('a stored terminal snapshot ends at once, with no request; waitForJob settles with it', async () => {
    const transport = replayTransport(success);
    const done = stored(parseJobSnapshot(success[36]));
    expect(await lastValueFrom(jobEvents$(1, { transport, resumeFrom: done }).pipe(toArray()))).toEqual([]);
    expect(await lastValueFrom(jobStatus$(1, { transport, resumeFrom: done }).pipe(toArray()))).toEqual([]);
    expect(await waitForJob(1, { transport, resumeFrom: done })).toBe(done);
    const failedAt = stored(parseJobSnapshot(failed.at(-1)));
    await expect(waitForJob(2, { transport, resumeFrom: failedAt })).rejects.toBeInstanceOf(OrdoJobFailedError);
    expect(transport.requests).toHaveLength(0);
  });

  it('an answer behind the stored snapshot is illegal, or skipped with onIllegalTransition: "skip"', () => {
    const resumeFrom = stored(parseJobSnapshot(success[20]));
    const outcome = inVirtualTime(() => {
      const seen: { error?: unknown } = {};
      const transport = replayTransport([success[5]]);
      jobEvents$(1, { transport, resumeFrom, retry: 0 }).subscribe({ error: (caught: unknown) => (seen.error = caught) });
      return seen;
    }).error;
    expect(outcome).toBeInstanceOf(OrdoIllegalTransitionError);
    // Body 20 has contours running; body 5 has it pending again.
    expect(outcome).toMatchObject({ subject: 'contours', from: 'running', to: 'pending' });

    const skipped = inVirtualTime(() => {
      const out: JobEvent[] = [];
      const transport = replayTransport([success[5], success[36]]);
      jobEvents$(1, { transport, resumeFrom, onIllegalTransition: 'skip', retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1, jitter: 0 } }).subscribe((event) => out.push(event));
      return out;
    });
    expect(eventSummary(skipped).at(-1)).toEqual({ type: 'job', from: 'running', to: 'success', inferred: false });
  });

  it('rejects a snapshot of another job, or something else, at call time', () => {
    const transport: JobTransport = () => of(success[0]);
    const other = parseJobSnapshot(failed[3]);
    expect(() => jobEvents$(1, { transport, resumeFrom: other })).toThrow(new TypeError('Invalid resumeFrom: it is a snapshot of job 2, not of job 1'));
    // A snapshot read back with JSON.parse alone has strings for dates: restore it with jobSnapshotFromJSON.
    const parsedOnly = JSON.parse(JSON.stringify(parseJobSnapshot(success[10])));
    expect(() => jobStatus$(1, { transport, resumeFrom: parsedOnly })).toThrow(/Invalid resumeFrom.*jobSnapshotFromJSON/);
    expect(() => jobStatus$(1, { transport, resumeFrom: jobSnapshotFromJSON(parsedOnly) })).not.toThrow();
    const ordo = createOrdoClient({ transport });
    expect(() => ordo.jobEvents$(1, { resumeFrom: other })).toThrow(/not of job 1/);
    expect(() => createOrdoClient({ transport, resumeFrom: other } as never)).toThrow(/resumeFrom belongs to one watch/);
  });
});

describe('the client with resumeFrom', () => {
  it('a resuming watch runs through the client’s transport and gets only what came after', () => {
    const outcome = inVirtualTime((scheduler) => {
      const transport = replayTransport(success.slice(17));
      const ordo = createOrdoClient({ transport, intervalMs: 10, scheduler, batch: false });
      const resumed: JobEvent[] = [];
      ordo.jobEvents$(1, { resumeFrom: stored(parseJobSnapshot(success[17])) }).subscribe((event) => resumed.push(event));
      return { resumed, transport };
    });
    expect(outcome.transport.requests).toHaveLength(20); // bodies 17..36; the first equals the stored one: no event
    const summary = eventSummary(outcome.resumed);
    expect(summary[0]).toEqual({ type: 'step', stepId: 'hillshade', from: 'pending', to: 'running', inferred: false });
    expect(summary.at(-1)).toEqual({ type: 'job', from: 'running', to: 'success', inferred: false });
    // The same as the standalone stream over the same bodies.
    const standalone = inVirtualTime(() => {
      const events: JobEvent[] = [];
      const transport = replayTransport(success.slice(17));
      jobEvents$(1, { transport, intervalMs: 10, resumeFrom: stored(parseJobSnapshot(success[17])) }).subscribe((event) => events.push(event));
      return events;
    });
    expect(summary).toEqual(eventSummary(standalone));
  });

  it('a server behind the stored snapshot: skipped within the retry budget, then an error (no endless wait)', () => {
    const outcome = inVirtualTime((scheduler) => {
      const seen: { error?: unknown } = {};
      const transport = replayTransport([success[5]]); // stale, forever
      const ordo = createOrdoClient({ transport, intervalMs: 10, scheduler, batch: false });
      ordo
        .jobEvents$(1, { resumeFrom: stored(parseJobSnapshot(success[20])), onIllegalTransition: 'skip', retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 5, jitter: 0 } })
        .subscribe({ error: (caught: unknown) => (seen.error = caught) });
      return { seen, transport };
    });
    expect(outcome.seen.error).toBeInstanceOf(OrdoIllegalTransitionError);
    expect(outcome.transport.requests).toHaveLength(3); // the first answer and two retries
  });

  it('waitForJob settles with a stored terminal snapshot without a request', async () => {
    const transport = replayTransport(success);
    const ordo = createOrdoClient({ transport });
    const done = stored(parseJobSnapshot(success[36]));
    await expect(ordo.waitForJob(1, { resumeFrom: done })).resolves.toBe(done);
    expect(await lastValueFrom(ordo.jobStatus$(1, { resumeFrom: done }).pipe(toArray()))).toEqual([]);
    expect(transport.requests).toHaveLength(0);
  });
});
