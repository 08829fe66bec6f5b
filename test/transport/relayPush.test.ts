import { describe, expect, it } from 'vitest';
import { isSnapshotBehind, parseJobSnapshot, type JobSnapshot } from 'ordo-status';
import { sseFramesOf } from '../../src/transport/relayPush.js';
import { loadScenario } from '../helpers/fixtures.js';

describe('sseFramesOf: the event stream format', () => {
  it('reads id, event and data; drops comments (heartbeats) and frames without an event (retry)', () => {
    const { frames, rest } = sseFramesOf('retry: 3000\n\n: heartbeat\n\nid: 7-1\nevent: snapshot\ndata: {"a":1}\n\nid: 7-2\nevent: end\ndata: {}\n\nid: 7-3\nev');
    expect(frames).toEqual([
      { id: '7-1', event: 'snapshot', data: '{"a":1}' },
      { id: '7-2', event: 'end', data: '{}' },
    ]);
    expect(rest).toBe('id: 7-3\nev');
  });

  it('joins data lines with a newline, reads CRLF and CR line ends, and a field without a space after the colon', () => {
    expect(sseFramesOf('event:transition\r\ndata: one\r\ndata:two\r\n\r\n').frames).toEqual([{ id: undefined, event: 'transition', data: 'one\ntwo' }]);
    expect(sseFramesOf('event: end\rdata: x\r\r').frames).toEqual([{ id: undefined, event: 'end', data: 'x' }]);
  });

  it('gives the same frames however the text is cut into chunks', () => {
    const text = 'id: 1-1\nevent: transition\ndata: {"from":"pending"}\n\n: heartbeat\n\nid: 1-2\nevent: snapshot\ndata: {"job":{}}\n\n';
    const whole = sseFramesOf(text).frames;
    for (let cut = 1; cut < text.length; cut += 1) {
      const first = sseFramesOf(text.slice(0, cut));
      const second = sseFramesOf(first.rest + text.slice(cut));
      expect([...first.frames, ...second.frames]).toEqual(whole);
      expect(second.rest).toBe('');
    }
  });
});

describe('isSnapshotBehind: a replayed snapshot that polls have overtaken', () => {
  for (const scenario of ['success', 'failed'] as const) {
    it(`orders the real server's ${scenario} lifecycle: no later snapshot is behind an earlier one, and every earlier status is behind a later one`, () => {
      const snapshots: JobSnapshot[] = [];
      for (const fixture of loadScenario(scenario)) {
        if (!fixture.body || typeof fixture.body !== 'object' || !('job' in fixture.body)) continue;
        snapshots.push(parseJobSnapshot(fixture.body));
      }
      expect(snapshots.length).toBeGreaterThan(3);
      const statuses = (snapshot: JobSnapshot) => JSON.stringify([snapshot.job.status, snapshot.steps.map((step) => [step.status, step.attempt])]);
      let compared = 0;
      for (let i = 0; i < snapshots.length; i += 1) {
        for (let j = i + 1; j < snapshots.length; j += 1) {
          const [earlier, later] = [snapshots[i]!, snapshots[j]!];
          expect(isSnapshotBehind(later, earlier)).toBe(false);
          if (statuses(earlier) !== statuses(later)) {
            expect(isSnapshotBehind(earlier, later)).toBe(true);
            compared += 1;
          }
        }
      }
      expect(compared).toBeGreaterThan(0);
    });
  }
});
