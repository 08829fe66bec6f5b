import { describe, expect, it } from 'vitest';
import { OrdoIllegalTransitionError } from 'ordo-status';
import { loadScenario } from '../helpers/fixtures.js';
import { eventSummary, replayEvents } from '../helpers/replay.js';

const success = loadScenario('success').map((fixture) => fixture.body);
const failed = loadScenario('failed').map((fixture) => fixture.body);

const job = (from: string, to: string, inferred = false) => ({ type: 'job', from, to, inferred });
const step = (stepId: string, from: string, to: string, inferred = false) => ({ type: 'step', stepId, from, to, inferred });

/** Every `k`-th body from `offset`, always ending with the last one (the terminal answer). */
function everyKth(bodies: readonly unknown[], k: number, offset = 0): unknown[] {
  const picked = bodies.filter((_, index) => index >= offset && (index - offset) % k === 0);
  if (picked.at(-1) !== bodies.at(-1)) picked.push(bodies.at(-1));
  return picked;
}

describe('replaying the captured success lifecycle (job 1)', () => {
  it('one body per poll gives the complete event list', () => {
    const replay = replayEvents(1, success);
    expect(replay.error).toBeUndefined();
    expect(replay.completed).toBe(true);
    expect(replay.requests).toBe(37);
    expect(eventSummary(replay.events)).toEqual([
      job('pending', 'running'), // 001
      step('reproject', 'pending', 'running'), // 002
      step('reproject', 'running', 'success'), // 008
      step('dem', 'pending', 'running'), // 009
      step('ept', 'pending', 'running'), // 010
      step('dem', 'running', 'success'), // 017
      step('hillshade', 'pending', 'running'), // 018
      step('contours', 'pending', 'running'), // 019
      step('hillshade', 'running', 'success'), // 026
      step('contours', 'running', 'success'), // 029
      step('ept', 'running', 'success'), // 031
      job('running', 'success'), // 036
    ]);
    expect(replay.events.map((event) => event.snapshot.job.id)).toEqual(Array(12).fill('1'));
    expect(replay.events.filter((event) => event.type === 'step').every((event) => event.type === 'step' && event.attempt === 1)).toBe(true);
  });

  it('every third body gives the same transitions, all observed, in the order they happened', () => {
    const replay = replayEvents(1, everyKth(success, 3));
    expect(replay.requests).toBe(13);
    expect(eventSummary(replay.events)).toEqual([
      job('pending', 'running'), // 003
      step('reproject', 'pending', 'running'), // 003
      // 009: reproject finished at 14:26:06.730; dem is running with no started_at yet (unknown
      // time, after the timed ones), so it comes after reproject though it sorts first by id.
      step('reproject', 'running', 'success'),
      step('dem', 'pending', 'running'),
      step('ept', 'pending', 'running'), // 012
      step('dem', 'running', 'success'), // 018: finished 14:26:08.374
      step('hillshade', 'pending', 'running'), // 018: no started_at yet
      step('contours', 'pending', 'running'), // 021
      step('hillshade', 'running', 'success'), // 027
      step('contours', 'running', 'success'), // 030
      step('ept', 'running', 'success'), // 033
      job('running', 'success'), // 036
    ]);
  });

  it('every ninth body infers the running state of reproject, which no poll saw', () => {
    const replay = replayEvents(1, everyKth(success, 9));
    expect(replay.requests).toBe(5);
    expect(eventSummary(replay.events)).toEqual([
      job('pending', 'running'), // 009
      // 009: reproject was pending at 000, success at 009 (finished 14:26:06.730): its inferred
      // running comes just before the success it leads to; dem has no started_at yet (last).
      step('reproject', 'pending', 'running', true),
      step('reproject', 'running', 'success'),
      step('dem', 'pending', 'running'),
      step('ept', 'pending', 'running'), // 018: started 14:26:07.459
      step('dem', 'running', 'success'), // 018: finished 14:26:08.374
      step('hillshade', 'pending', 'running'), // 018: no started_at yet
      step('contours', 'pending', 'running'), // 027: started 14:26:09.104
      step('hillshade', 'running', 'success'), // 027: finished 14:26:10.022
      step('contours', 'running', 'success'), // 036: finished 14:26:10.603
      step('ept', 'running', 'success'), // 036: finished 14:26:10.964
      job('running', 'success'),
    ]);
  });

  it('a late subscriber (first poll already terminal) gets the complete legal path in one request', () => {
    const replay = replayEvents('1', [success[36]]);
    expect(replay.requests).toBe(1);
    expect(replay.completed).toBe(true);
    // The steps by finished_at: reproject 06.730, dem 08.374, hillshade 10.022, contours 10.603,
    // ept 10.964 (14:26 UTC); each inferred running just before its success.
    expect(eventSummary(replay.events)).toEqual([
      job('pending', 'running', true),
      step('reproject', 'pending', 'running', true),
      step('reproject', 'running', 'success'),
      step('dem', 'pending', 'running', true),
      step('dem', 'running', 'success'),
      step('hillshade', 'pending', 'running', true),
      step('hillshade', 'running', 'success'),
      step('contours', 'pending', 'running', true),
      step('contours', 'running', 'success'),
      step('ept', 'pending', 'running', true),
      step('ept', 'running', 'success'),
      job('running', 'success'),
    ]);
  });

  it('a body from earlier after a later one is an illegal transition, and none of its events is emitted', () => {
    // 000…008 (reproject success), then 005 (reproject running).
    const replay = replayEvents(1, [...success.slice(0, 9), success[5]]);
    expect(replay.error).toBeInstanceOf(OrdoIllegalTransitionError);
    expect(replay.error).toMatchObject({ subject: 'reproject', from: 'success', to: 'running', jobId: '1' });
    expect((replay.error as OrdoIllegalTransitionError).snapshot.raw).toBe(success[5]);
    expect(replay.requests).toBe(10);
    expect(eventSummary(replay.events)).toEqual([
      job('pending', 'running'),
      step('reproject', 'pending', 'running'),
      step('reproject', 'running', 'success'),
    ]);
    expect(replay.completed).toBe(false);
  });

  it('with several regressions in one body, the first in step order is reported (dem before reproject), whatever the times', () => {
    // 000…010 (dem and ept running, reproject success), then 005 (all three back).
    const replay = replayEvents(1, [...success.slice(0, 11), success[5]]);
    expect(replay.error).toMatchObject({ subject: 'dem', from: 'running', to: 'pending' });
    expect(replay.events).toHaveLength(5);
  });

  it('a running body after the terminal one is never polled: the stream completed', () => {
    const replay = replayEvents(1, [success[36], success[35]]);
    expect(replay.requests).toBe(1);
    expect(replay.completed).toBe(true);
  });

  it('a job seen pending after running is rejected with subject "job"', () => {
    const replay = replayEvents(1, [success[0], success[1], success[0]]);
    expect(replay.error).toMatchObject({ subject: 'job', from: 'running', to: 'pending' });
    expect(eventSummary(replay.events)).toEqual([job('pending', 'running')]);
  });

  it('bodies that differ only in deliveries are legal in either order', () => {
    const replay = replayEvents(1, [success[35], success[34], success[36]]);
    expect(replay.error).toBeUndefined();
    expect(replay.completed).toBe(true);
  });
});

describe('replaying the captured failed lifecycle (job 2)', () => {
  it('one body per poll gives the complete event list', () => {
    const replay = replayEvents(2, failed);
    expect(replay.error).toBeUndefined();
    expect(replay.requests).toBe(19);
    expect(eventSummary(replay.events)).toEqual([
      job('pending', 'running'), // 001
      step('reproject', 'pending', 'running'), // 002
      step('reproject', 'running', 'success'), // 006
      step('dem', 'pending', 'running'), // 007
      step('ept', 'pending', 'running'), // 008
      step('dem', 'running', 'failed'), // 013
      step('contours', 'pending', 'skipped'), // 014: no finished_at on either, so in step order
      step('hillshade', 'pending', 'skipped'),
      step('ept', 'running', 'success'), // 017
      job('running', 'failed'), // 018
    ]);
  });

  it('every third body gives the same transitions, all observed, the failure before the skips it caused', () => {
    const replay = replayEvents(2, everyKth(failed, 3));
    expect(replay.requests).toBe(7);
    expect(eventSummary(replay.events)).toEqual([
      job('pending', 'running'), // 003
      step('reproject', 'pending', 'running'),
      step('reproject', 'running', 'success'), // 006
      step('dem', 'pending', 'running'), // 009: started 14:26:13.791
      step('ept', 'pending', 'running'), // 009: no started_at yet
      step('dem', 'running', 'failed'), // 015: finished 14:26:14.546
      step('contours', 'pending', 'skipped'), // 015: skipped steps carry no finished_at (last, in step order)
      step('hillshade', 'pending', 'skipped'),
      step('ept', 'running', 'success'), // 018
      job('running', 'failed'),
    ]);
  });

  it('every sixth body infers the running state of reproject', () => {
    const replay = replayEvents(2, everyKth(failed, 6));
    expect(eventSummary(replay.events)).toEqual([
      job('pending', 'running'), // 006
      step('reproject', 'pending', 'running', true),
      step('reproject', 'running', 'success'),
      step('dem', 'pending', 'running'), // 012: started 14:26:13.791
      step('ept', 'pending', 'running'), // 012: started 14:26:13.988
      step('dem', 'running', 'failed'), // 018: finished 14:26:14.546
      step('ept', 'running', 'success'), // 018: finished 14:26:15.280
      step('contours', 'pending', 'skipped'), // 018: no finished_at, after the timed ones
      step('hillshade', 'pending', 'skipped'),
      job('running', 'failed'),
    ]);
  });

  it('a failed step seen running again is illegal (subject dem, failed → running)', () => {
    const replay = replayEvents(2, [...failed.slice(0, 14), failed[12]]);
    expect(replay.error).toMatchObject({ code: 'ILLEGAL_TRANSITION', subject: 'dem', from: 'failed', to: 'running' });
    expect(replay.events).toHaveLength(6);
  });

  it('a skipped step seen pending again is illegal (subject contours, first in step order)', () => {
    const replay = replayEvents(2, [...failed.slice(0, 15), failed[12]]);
    expect(replay.error).toMatchObject({ subject: 'contours', from: 'skipped', to: 'pending' });
  });

  it('a first look at a failed step infers its running state, then rejects a later running body', () => {
    const demBack = replayEvents(2, [failed[13], failed[12]]);
    expect(demBack.error).toMatchObject({ subject: 'dem', from: 'failed', to: 'running' });
    // In the order they happened: reproject finished 14:26:13.215, ept started 13.988, dem failed 14.546.
    expect(eventSummary(demBack.events)).toEqual([
      job('pending', 'running', false),
      step('reproject', 'pending', 'running', true),
      step('reproject', 'running', 'success'),
      step('ept', 'pending', 'running'),
      step('dem', 'pending', 'running', true),
      step('dem', 'running', 'failed'),
    ]);
  });
});
