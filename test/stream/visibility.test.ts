import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { jobStatus$, type JobTransport, type VisibilitySource } from 'ordo-status';
import { jobBody, scriptedTransport, type ScriptedTransport } from 'ordo-status/testing';
import { page } from '../helpers/visibility.js';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
/** When each request to the transport started. */
const startedAt = (transport: ScriptedTransport) => transport.requests.map((request) => request.at);

describe('polling on a hidden page', () => {
  it('pauses while hidden, polls at once when shown again, and never sooner than one interval after an answer', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const tab = page();
      const transport = scriptedTransport({ 1: [cold('-a|', { a: jobBody({ status: 'running' }) })] });
      const subscription = jobStatus$(1, { transport, intervalMs: 10, visibility: tab.source }).subscribe();
      scheduler.schedule(() => tab.set(true), 15); // hidden while waiting for the request due at 21
      scheduler.schedule(() => tab.set(false), 60);
      scheduler.schedule(() => tab.set(true), 61);
      scheduler.schedule(() => tab.set(false), 62); // flickering: the next poll still waits one interval after the answer at 61
      scheduler.schedule(() => subscription.unsubscribe(), 100);
      flush();
      // 0 and 11 (visible); hidden at 15, the poll due at 21 waits (no request while hidden,
      // whenever in the interval the page was hidden), then nothing until 60.
      expect(startedAt(transport)).toEqual([0, 11, 60, 71, 82, 93]);
      expect(tab.listeners.size).toBe(0);
    });
  });

  it('polls at the hidden interval, and at once when shown', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const tab = page(true);
      const transport = scriptedTransport({ 1: [cold('-a|', { a: jobBody({ status: 'running' }) })] });
      const subscription = jobStatus$(1, { transport, intervalMs: 10, whenHidden: { intervalMs: 40 }, visibility: tab.source }).subscribe();
      scheduler.schedule(() => tab.set(false), 60);
      scheduler.schedule(() => subscription.unsubscribe(), 80);
      flush();
      expect(startedAt(transport)).toEqual([0, 41, 60, 71]);
    });
  });

  it('ignores visibility with whenHidden: "poll", and without a page', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const tab = page(true);
      const transport = scriptedTransport({ 1: [cold('-a|', { a: jobBody({ status: 'running' }) })] });
      const subscription = jobStatus$(1, { transport, intervalMs: 10, whenHidden: 'poll', visibility: tab.source }).subscribe();
      scheduler.schedule(() => subscription.unsubscribe(), 30);
      flush();
      expect(startedAt(transport)).toEqual([0, 11, 22]);
      expect(tab.listeners.size).toBe(0);
    });
  });

  it('rejects bad options', () => {
    const transport: JobTransport = () => [jobBody({ status: 'success' })];
    expect(() => jobStatus$(1, { transport, whenHidden: 'sleep' as never })).toThrow(/whenHidden/);
    expect(() => jobStatus$(1, { transport, whenHidden: { intervalMs: 0 } })).toThrow(/whenHidden.intervalMs/);
    expect(() => jobStatus$(1, { transport, visibility: {} as never })).toThrow(/visibility/);
    // An object without intervalMs (a typo) would poll a hidden page without pause.
    for (const whenHidden of [{}, [], { intervalMS: 30_000 }]) {
      expect(() => jobStatus$(1, { transport, whenHidden: whenHidden as never })).toThrow(/Invalid whenHidden .*: expected 'pause', 'poll' or \{ intervalMs \}/);
    }
  });

  it('a faulty visibility source ends the watch with its error, and nothing escapes into the source', () => {
    const scheduler = testScheduler();
    scheduler.run(({ flush }) => {
      const transport = scriptedTransport({ 1: [jobBody({ status: 'running' })] });
      // onChange returning the emitter (as EventEmitter.on does) instead of a stop function.
      const chained: VisibilitySource = { isHidden: () => true, onChange: () => chained as never };
      const seen: unknown[] = [];
      jobStatus$(1, { transport, intervalMs: 10, visibility: chained }).subscribe({ error: (error: unknown) => seen.push(error) });
      // isHidden throwing when the page changes, and a stop function that throws.
      let hidden = true;
      let listener: (() => void) | undefined;
      const throwing: VisibilitySource = {
        isHidden: () => {
          if (!hidden) throw new Error('isHidden failed');
          return true;
        },
        onChange: (next) => {
          listener = next;
          return () => {
            throw new Error('cannot stop');
          };
        },
      };
      jobStatus$(1, { transport, intervalMs: 10, visibility: throwing }).subscribe({ error: (error: unknown) => seen.push(error) });
      flush();
      hidden = false;
      expect(() => listener!()).not.toThrow();
      flush();
      expect(seen.map((error) => (error as Error).message)).toEqual([
        'Invalid visibility: onChange(listener) must return a function that stops listening',
        'isHidden failed',
      ]);
    });
  });
});
