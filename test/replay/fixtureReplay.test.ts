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

  it('every third body gives the same transitions, all observed', () => {
    const replay = replayEvents(1, everyKth(success, 3));
    expect(replay.requests).toBe(13);
    expect(eventSummary(replay.events)).toEqual([
      job('pending', 'running'), // 003
      step('reproject', 'pending', 'running'), // 003
      step('dem', 'pending', 'running'), // 009: dem comes before reproject in step order
      step('reproject', 'running', 'success'), // 009
      step('ept', 'pending', 'running'), // 012
      step('dem', 'running', 'success'), // 018
      step('hillshade', 'pending', 'running'), // 018
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
      step('dem', 'pending', 'running'), // 009
      step('reproject', 'pending', 'running', true), // 009: was pending at 000, success at 009
      step('reproject', 'running', 'success'),
      step('dem', 'running', 'success'), // 018
      step('ept', 'pending', 'running'),
      step('hillshade', 'pending', 'running'),
      step('contours', 'pending', 'running'), // 027
      step('hillshade', 'running', 'success'),
      step('contours', 'running', 'success'), // 036
      step('ept', 'running', 'success'),
      job('running', 'success'),
    ]);
  });

  it('a late subscriber (first poll already terminal) gets the complete legal path in one request', () => {
    const replay = replayEvents('1', [success[36]]);
    expect(replay.requests).toBe(1);
    expect(replay.completed).toBe(true);
    expect(eventSummary(replay.events)).toEqual([
      job('pending', 'running', true),
      step('contours', 'pending', 'running', true),
      step('contours', 'running', 'success'),
      step('dem', 'pending', 'running', true),
      step('dem', 'running', 'success'),
      step('ept', 'pending', 'running', true),
      step('ept', 'running', 'success'),
      step('hillshade', 'pending', 'running', true),
      step('hillshade', 'running', 'success'),
      step('reproject', 'pending', 'running', true),
      step('reproject', 'running', 'success'),
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

  it('with several regressions in one body, the first in step order is reported (dem before reproject)', () => {
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
      step('contours', 'pending', 'skipped'), // 014, in step order
      step('hillshade', 'pending', 'skipped'),
      step('ept', 'running', 'success'), // 017
      job('running', 'failed'), // 018
    ]);
  });

  it('every third body gives the same transitions, all observed', () => {
    const replay = replayEvents(2, everyKth(failed, 3));
    expect(replay.requests).toBe(7);
    expect(eventSummary(replay.events)).toEqual([
      job('pending', 'running'), // 003
      step('reproject', 'pending', 'running'),
      step('reproject', 'running', 'success'), // 006
      step('dem', 'pending', 'running'), // 009
      step('ept', 'pending', 'running'),
      step('contours', 'pending', 'skipped'), // 015
      step('dem', 'running', 'failed'),
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
      step('dem', 'pending', 'running'), // 012
      step('ept', 'pending', 'running'),
      step('contours', 'pending', 'skipped'), // 018
      step('dem', 'running', 'failed'),
      step('ept', 'running', 'success'),
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
    expect(eventSummary(demBack.events)).toEqual([
      job('pending', 'running', false),
      step('dem', 'pending', 'running', true),
      step('dem', 'running', 'failed'),
      step('ept', 'pending', 'running'),
      step('reproject', 'pending', 'running', true),
      step('reproject', 'running', 'success'),
    ]);
  });
});
