import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createJobLifecycle, OrdoNetworkError, parseJobSnapshot, type JobSnapshot } from 'ordo-status';
import { jobBody, type JobBodyInit } from 'ordo-status/testing';
import { createJsonView, createLineView, eventLine, type WatchRetry } from '../../src/cli/views.js';

/** 14:03:07.250 local time, so `HH:MM:SS` reads the same in every time zone. */
const seenAt = new Date(2026, 0, 5, 14, 3, 7, 250).getTime();
const url = 'http://127.0.0.1:8080/jobs/1';

function record() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, write: (text: string) => out.push(stripVTControlCharacters(text)), writeErr: (text: string) => err.push(text) };
}

const snapshot = (init: JobBodyInit): JobSnapshot => parseJobSnapshot(jobBody(init));
const failedJob = snapshot({
  status: 'failed',
  steps: [
    { stepId: 'reproject', status: 'success' },
    { stepId: 'dem', status: 'failed', attempt: 2, error: 'GENERATE_DEM failed' },
    { stepId: 'contours', status: 'skipped', attempt: 0 },
  ],
});
const refused = new OrdoNetworkError(`GET ${url} failed without a complete response (ECONNREFUSED)`, { url, systemCode: 'ECONNREFUSED' });
const retry = (over: Partial<WatchRetry> = {}): WatchRetry => ({
  attempt: 1,
  maxRetries: 5,
  elapsedMs: 0,
  maxElapsedMs: 300_000,
  delayMs: 1000,
  error: refused,
  answered: false,
  ...over,
});

describe('eventLine', () => {
  const events = createJobLifecycle().observe(failedJob);
  const steps = new Map(failedJob.steps.map((step) => [step.stepId, step]));
  const lines = events.map((event) => stripVTControlCharacters(eventLine(event, event.type === 'step' ? steps.get(event.stepId) : undefined)));

  it('shows a finished step’s run time, its attempt only when it says something, never "attempt 0"', () => {
    expect(lines).toHaveLength(7);
    expect(lines).toEqual(
      expect.arrayContaining([
        'job 1: pending → running (inferred)',
        'step reproject (REPROJECT): pending → running (inferred)',
        'step reproject (REPROJECT): running → success · 1.0 s',
        'step dem (DEM): pending → running (inferred) · attempt 2',
        'step dem (DEM): running → failed · 1.0 s · attempt 2 · GENERATE_DEM failed',
        'step contours (CONTOURS): pending → skipped',
        'job 1: running → failed',
      ]),
    );
    expect(lines.join('\n')).not.toContain('attempt 0');
    expect(lines.join('\n')).not.toContain('attempt 1');
  });

  it('names attempt 1 of a step waiting to retry (blocked), with its error', () => {
    const blocked = snapshot({ status: 'running', steps: [{ stepId: 'dem', status: 'blocked', attempt: 1, error: 'GENERATE_DEM attempt 1 failed' }] });
    const event = createJobLifecycle()
      .observe(blocked)
      .find((each) => each.type === 'step' && each.to === 'blocked')!;
    expect(stripVTControlCharacters(eventLine(event, blocked.steps[0]))).toBe('step dem (DEM): pending → blocked · attempt 1 · GENERATE_DEM attempt 1 failed');
  });
});

describe('createLineView (piped output)', () => {
  it('starts every line with the local time it was seen', () => {
    const { out, err, write, writeErr } = record();
    const view = createLineView(write, writeErr, () => seenAt);
    view.retry(retry());
    view.retry(retry({ attempt: 2, delayMs: 2000 }));
    view.update(failedJob, createJobLifecycle().observe(failedJob));
    view.done(failedJob);
    const lines = out.join('').split('\n');
    expect(lines[0]).toBe(`14:03:07 cannot reach ${url}: connection refused (ECONNREFUSED); is the server running, and is --base-url right? — retrying in 1 s (1/5)`);
    expect(lines[1]).toBe(`14:03:07 cannot reach ${url}: connection refused — retrying in 2 s (2/5)`);
    expect(lines).toContain('14:03:07 step reproject (REPROJECT): running → success · 1.0 s');
    expect(lines).toContain('14:03:07 step contours (CONTOURS): pending → skipped');
    expect(lines.filter((line) => line !== '' && !line.startsWith('  ')).every((line) => line.startsWith('14:03:07 '))).toBe(true);
    expect(lines.find((line) => line.includes('job 1 failed in'))).toMatch(/^14:03:07 ✖ job 1 failed in /);
    expect(err).toEqual([]);
  });

  it('says "connection lost" only after an answer', () => {
    const { out, write, writeErr } = record();
    createLineView(write, writeErr, () => seenAt).retry(retry({ answered: true, delayMs: 4000 }));
    expect(out).toEqual(['14:03:07 connection lost (connection refused) — retrying in 4 s (1/5)\n']);
  });

  it('explains a failure before any answer on stderr: the message, then the cause and what to check', () => {
    const { out, err, write, writeErr } = record();
    const view = createLineView(write, writeErr, () => seenAt);
    view.fail(
      {
        code: 'NETWORK',
        message: refused.message,
        diagnosis: { cause: 'connection refused', hint: 'is the server running, and is --base-url right?', url, systemCode: 'ECONNREFUSED' },
      },
      undefined,
    );
    expect(err.join('')).toBe(`ordo-status: ${refused.message}\nordo-status: connection refused; is the server running, and is --base-url right?\n`);
    view.fail({ code: 'HTTP', message: 'GET x answered 500' }, undefined);
    expect(err.at(-1)).toBe('ordo-status: GET x answered 500\n');
    expect(out).toEqual([]);
  });
});

describe('createJsonView (--json)', () => {
  const at = new Date(seenAt).toISOString();
  const parse = (out: string[]) => out.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

  it('puts `at`, the ISO time the client saw it, on every event, the snapshot, retries and errors', () => {
    const { out, err, write, writeErr } = record();
    const view = createJsonView(write, writeErr, () => seenAt);
    view.retry(retry());
    view.retry(retry({ attempt: 2, answered: true }));
    view.update(failedJob, createJobLifecycle().observe(failedJob));
    view.done(failedJob);
    const lines = parse(out);
    expect(lines.every((line) => line['at'] === at)).toBe(true);
    expect(lines[0]).toEqual({
      type: 'retry',
      at,
      attempt: 1,
      maxRetries: 5,
      delayMs: 1000,
      code: 'NETWORK',
      message: refused.message,
      cause: 'connection refused',
      url,
      systemCode: 'ECONNREFUSED',
      hint: 'is the server running, and is --base-url right?',
    });
    expect(lines[1]).toMatchObject({ type: 'retry', attempt: 2, cause: 'connection refused', hint: null });
    expect(lines).toContainEqual({ type: 'step', jobId: '1', stepId: 'contours', stepType: 'CONTOURS', from: 'pending', to: 'skipped', inferred: false, attempt: 0, at });
    expect(lines).toContainEqual({ type: 'job', jobId: '1', from: 'running', to: 'failed', inferred: false, at });
    expect(lines.at(-1)).toMatchObject({ type: 'snapshot', at, job: { id: '1', status: 'failed' } });
    expect(lines.at(-1)).not.toHaveProperty('raw');
    expect(err).toEqual([]);
  });

  it('ends a failure with the last snapshot and an error line carrying the diagnosis', () => {
    const { out, err, write, writeErr } = record();
    let now = seenAt;
    const view = createJsonView(write, writeErr, () => now);
    now += 1000;
    view.fail(
      { code: 'NETWORK', message: refused.message, diagnosis: { cause: 'connection refused', hint: 'is the server running, and is --base-url right?', url, systemCode: 'ECONNREFUSED' } },
      undefined,
    );
    expect(parse(out)).toEqual([
      {
        type: 'error',
        at: new Date(seenAt + 1000).toISOString(),
        code: 'NETWORK',
        message: refused.message,
        cause: 'connection refused',
        url,
        systemCode: 'ECONNREFUSED',
        hint: 'is the server running, and is --base-url right?',
      },
    ]);
    expect(err.join('').split('\n')).toHaveLength(3);
    out.length = 0;
    err.length = 0;
    view.interrupt(failedJob);
    expect(parse(out)).toEqual([
      expect.objectContaining({ type: 'snapshot', at: new Date(seenAt + 1000).toISOString() }),
      { type: 'error', at: new Date(seenAt + 1000).toISOString(), code: 'INTERRUPTED', message: 'interrupted' },
    ]);
    expect(err).toEqual(['ordo-status: interrupted\n']);
    // Interrupted before any answer: why, as for a failure.
    out.length = 0;
    err.length = 0;
    view.interrupt(undefined, { cause: 'connection refused', hint: 'is the server running, and is --base-url right?', url, systemCode: 'ECONNREFUSED' });
    expect(parse(out)).toEqual([
      {
        type: 'error',
        at: new Date(seenAt + 1000).toISOString(),
        code: 'INTERRUPTED',
        message: 'interrupted',
        cause: 'connection refused',
        url,
        systemCode: 'ECONNREFUSED',
        hint: 'is the server running, and is --base-url right?',
      },
    ]);
    expect(err.join('')).toBe(`ordo-status: interrupted\nordo-status: never reached ${url}: connection refused (ECONNREFUSED); is the server running, and is --base-url right?\n`);
  });
});
