import { map, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { createOrdoClient, jobObservations$, parseJobSnapshot, type JobEvent, type JobObservation } from 'ordo-status';
import { jobBody, scriptedTransport } from 'ordo-status/testing';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** An event in a few characters: `s pending>running`, with `*` when inferred. */
const eventLine = (event: JobEvent) => `${event.type === 'step' ? event.stepId : 'job'} ${event.from}>${event.to}${event.inferred ? '*' : ''}`;

/** What a test compares of an observation: the job's status, its progress, and its events. */
const summary = (observations: Observable<JobObservation>) =>
  observations.pipe(
    map(({ snapshot, events }) => {
      // Every event carries the snapshot that brought it.
      expect(events.every((event) => event.snapshot === snapshot)).toBe(true);
      return { status: snapshot.job.status, fraction: snapshot.progress.fraction, events: events.map(eventLine) };
    }),
  );

// One step `s`: started, then 50 % through (progress only), then done.
const started = jobBody({ status: 'running', steps: [{ stepId: 's', status: 'running', percent: 10 }] });
const halfway = jobBody({ status: 'running', steps: [{ stepId: 's', status: 'running', percent: 50 }] });
const done = jobBody({ status: 'success', steps: [{ stepId: 's', status: 'success' }] });

const startedSeen = { status: 'running', fraction: 0.1, events: ['job pending>running', 's pending>running'] };
const halfwaySeen = { status: 'running', fraction: 0.5, events: [] };
const doneSeen = { status: 'success', fraction: 1, events: ['s running>success', 'job running>success'] };

describe('jobObservations$', () => {
  it('emits each distinct snapshot with the events it brought: none for a change of progress alone, nothing for an equal answer', () => {
    testScheduler().run(({ expectObservable, flush }) => {
      const transport = scriptedTransport({ 1: [started, halfway, halfway, done] });
      expectObservable(summary(jobObservations$(1, { transport, intervalMs: 2 }))).toBe('a-b---(c|)', { a: startedSeen, b: halfwaySeen, c: doneSeen });
      flush();
      expect(transport.requests.map((request) => request.at)).toEqual([0, 2, 4, 6]);
    });
  });

  it('fills in the path a poll missed, marked inferred, from pending for the first snapshot', () => {
    testScheduler().run(({ expectObservable }) => {
      const transport = scriptedTransport({ 1: [done] });
      expectObservable(summary(jobObservations$('1', { transport }))).toBe('(a|)', {
        a: { status: 'success', fraction: 1, events: ['job pending>running*', 's pending>running*', 's running>success', 'job running>success'] },
      });
    });
  });

  it('with resumeFrom, emits only the changes after the stored snapshot', () => {
    testScheduler().run(({ expectObservable }) => {
      const transport = scriptedTransport({ 1: [started, halfway, done] });
      const resumeFrom = parseJobSnapshot(started);
      // The first answer equals the stored snapshot: nothing at 0.
      expectObservable(summary(jobObservations$(1, { transport, intervalMs: 2, resumeFrom }))).toBe('--b-(c|)', { b: halfwaySeen, c: doneSeen });
    });
  });

  it('with a stored terminal snapshot, completes at once without a request', () => {
    testScheduler().run(({ expectObservable, flush }) => {
      const transport = scriptedTransport({ 1: [done] });
      expectObservable(jobObservations$(1, { transport, resumeFrom: parseJobSnapshot(done) })).toBe('|');
      flush();
      expect(transport.requests).toHaveLength(0);
    });
  });

  it('emits nothing of a snapshot with an illegal change, and errors', () => {
    testScheduler().run(({ expectObservable }) => {
      const backwards = jobBody({ status: 'running', steps: { s: 'pending' } });
      const transport = scriptedTransport({ 1: [started, backwards] });
      expectObservable(summary(jobObservations$(1, { transport, intervalMs: 2 }))).toBe(
        'a-#',
        { a: startedSeen },
        expect.objectContaining({ code: 'ILLEGAL_TRANSITION', subject: 's', from: 'running', to: 'pending' }),
      );
    });
  });

  it('throws a TypeError at call time for an invalid id, option, or a snapshot of another job', () => {
    const transport = scriptedTransport({ 1: [done] });
    expect(() => jobObservations$('abc', { transport })).toThrow(TypeError);
    expect(() => jobObservations$(1, { transport, intervalMs: -1 })).toThrow(TypeError);
    expect(() => jobObservations$(2, { transport, resumeFrom: parseJobSnapshot(done) })).toThrow(/snapshot of job 1, not of job 2/);
  });
});

describe('client.jobObservations$', () => {
  const twoSteps = {
    first: jobBody({ status: 'running', steps: { s: 'running', t: 'pending' } }),
    second: jobBody({ status: 'running', steps: { s: 'success', t: 'running' } }),
    last: jobBody({ status: 'success', steps: { s: 'success', t: 'success' } }),
  };

  it('shares one request per poll between subscribers; a late one gets the latest snapshot with the whole path from pending', () => {
    testScheduler().run(({ expectObservable, flush }) => {
      const transport = scriptedTransport({ 1: [twoSteps.first, twoSteps.second, twoSteps.last] });
      const ordo = createOrdoClient({ transport, intervalMs: 2 });
      expectObservable(summary(ordo.jobObservations$(1))).toBe('a-b-(c|)', {
        a: { status: 'running', fraction: 0, events: ['job pending>running', 's pending>running'] },
        b: { status: 'running', fraction: 0.5, events: ['s running>success', 't pending>running'] },
        c: { status: 'success', fraction: 1, events: ['t running>success', 'job running>success'] },
      });
      // Arrives at 3, after the second answer: it gets it at once, with the path from pending.
      expectObservable(summary(ordo.jobObservations$('1')), '---^').toBe('---b(c|)', {
        b: { status: 'running', fraction: 0.5, events: ['job pending>running', 's pending>running*', 's running>success', 't pending>running'] },
        c: { status: 'success', fraction: 1, events: ['t running>success', 'job running>success'] },
      });
      flush();
      expect(transport.requests.map((request) => request.at)).toEqual([0, 2, 4]);
    });
  });

  it('replays a finished job to a subscriber after the end, with every event from pending, without a request', () => {
    testScheduler().run(({ expectObservable, flush }) => {
      const transport = scriptedTransport({ 1: [twoSteps.last] });
      const ordo = createOrdoClient({ transport });
      expectObservable(summary(ordo.jobObservations$(1)).pipe(map((value) => value.events.length))).toBe('(a|)', { a: 6 });
      expectObservable(summary(ordo.jobObservations$(1)), '-----^').toBe('-----(a|)', {
        a: {
          status: 'success',
          fraction: 1,
          events: ['job pending>running*', 's pending>running*', 's running>success', 't pending>running*', 't running>success', 'job running>success'],
        },
      });
      flush();
      expect(transport.requests).toHaveLength(1);
    });
  });

  it('with resumeFrom, emits only the changes after it', () => {
    testScheduler().run(({ expectObservable }) => {
      const transport = scriptedTransport({ 1: [started, halfway, done] });
      const ordo = createOrdoClient({ transport, intervalMs: 2 });
      expectObservable(summary(ordo.jobObservations$(1, { resumeFrom: parseJobSnapshot(started) }))).toBe('--b-(c|)', { b: halfwaySeen, c: doneSeen });
    });
  });

  it('client.jobEvents$ is its events, one by one', () => {
    testScheduler().run(({ expectObservable }) => {
      const transport = scriptedTransport({ 1: [started, halfway, done] });
      const ordo = createOrdoClient({ transport, intervalMs: 2 });
      expectObservable(ordo.jobEvents$(1).pipe(map(eventLine))).toBe('(ab)(cd|)', {
        a: 'job pending>running',
        b: 's pending>running',
        c: 's running>success',
        d: 'job running>success',
      });
    });
  });
});
