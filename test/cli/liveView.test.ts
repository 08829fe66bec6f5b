import { readFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import xterm from '@xterm/headless';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OrdoHttpError, parseJobSnapshot, type JobSnapshot } from 'ordo-status';
import { jobBody, type JobBodyInit } from 'ordo-status/testing';
import { summaryLine } from '../../src/cli/format.js';
import { createLiveView, initialLiveViewState, liveViewAfter, recordAnswers, wrapToWidth } from '../../src/cli/liveView.js';
import { loadScenario } from '../helpers/fixtures.js';

const fixture = (scenario: 'success' | 'failed', name: string): JobSnapshot =>
  parseJobSnapshot(loadScenario(scenario).find((entry) => entry.name === `${scenario}/${name}`)!.body);
/** failed/014: dem has just failed, ept runs (started 14:26:13.988Z); failed/018: the job failed. */
const demFailed = fixture('failed', '014.json');
const jobFailed = fixture('failed', '018.json');
const jobDone = fixture('success', '036.json');
const snapshot = (init: JobBodyInit) => parseJobSnapshot(jobBody(init));

/** A terminal of `cols` × `rows`: what the view writes is played in a headless xterm. */
function fakeTerminal(cols: number, rows: number) {
  // A pty turns each \n into \r\n (onlcr); so does convertEol.
  const terminal = new xterm.Terminal({ cols, rows, allowProposedApi: true, convertEol: true });
  const chunks: string[] = [];
  const stream = {
    columns: cols,
    rows,
    isTTY: true,
    write: (chunk: string) => {
      chunks.push(chunk);
      terminal.write(chunk);
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  const errors: string[] = [];
  return {
    stream,
    /** Every write, as the terminal received it. */
    chunks,
    err: (text: string) => errors.push(text),
    errors,
    /** The screen's non-empty rows, and whether any row is a wrapped continuation (a line was too long). */
    screen: async () => {
      await new Promise<void>((resolve) => terminal.write('', resolve));
      const buffer = terminal.buffer.active;
      const lines: string[] = [];
      let wrapped = false;
      for (let row = 0; row < buffer.length; row += 1) {
        const line = buffer.getLine(row)!;
        wrapped ||= line.isWrapped;
        lines.push(line.translateToString(true));
      }
      return { lines: lines.filter((line) => line !== ''), wrapped };
    },
    /** Every row of the screen down to the last non-empty one, blank rows kept. */
    rows: async () => {
      await new Promise<void>((resolve) => terminal.write('', resolve));
      const buffer = terminal.buffer.active;
      const lines: string[] = [];
      for (let row = 0; row < buffer.length; row += 1) lines.push(buffer.getLine(row)!.translateToString(true));
      while (lines.at(-1) === '') lines.pop();
      return lines;
    },
  };
}

describe('createLiveView: a thin shell that redraws the frame', () => {
  beforeEach(() => {
    // Only the view's ticker and clock are fake; xterm parses on real timers.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(Date.parse('2026-11-29T14:26:15.283Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('draws each snapshot in place, and once a second: "updated N s ago" and running durations count on', async () => {
    const terminal = fakeTerminal(80, 30);
    const view = createLiveView(terminal.stream, terminal.err, { server: 'http://127.0.0.1:8787', intervalMs: 3000 });
    view.update(demFailed, []);
    const first = await terminal.screen();
    expect(first.lines[0]).toBe('http://127.0.0.1:8787 · every 3 s · updated 0 s ago · Ctrl-C to stop');
    expect(first.lines).toContain('  ▶ ept        BUILD_EPT           running #1  1.3 s  █████░░░░░░░░░░░░░░░░  25%');
    expect(first.lines).toContain('    GENERATE_DEM failed: pdal pipeline exited with code 1 (writers.gdal: grid…');

    vi.advanceTimersByTime(3000);
    const later = await terminal.screen();
    expect(later.lines[0]).toBe('http://127.0.0.1:8787 · every 3 s · updated 3 s ago · Ctrl-C to stop');
    expect(later.lines).toContain('  ▶ ept        BUILD_EPT           running #1  4.3 s  █████░░░░░░░░░░░░░░░░  25%');
    // Redrawn in place: one frame on the screen, never a wrapped row.
    expect(later.lines.filter((line) => line.startsWith('▶ job 2'))).toHaveLength(1);
    expect(later.wrapped).toBe(false);
    view.interrupt(demFailed);
  });

  it('counts "updated" from the last answer when it is told of answers that changed nothing', async () => {
    const terminal = fakeTerminal(80, 30);
    let answeredAt = Date.now();
    const view = createLiveView(terminal.stream, terminal.err, { server: 'http://127.0.0.1:8787', intervalMs: 3000, lastAnswerAtMs: () => answeredAt });
    view.update(demFailed, []);
    vi.advanceTimersByTime(5000);
    answeredAt = Date.now() - 1000;
    vi.advanceTimersByTime(1000);
    expect((await terminal.screen()).lines[0]).toBe('http://127.0.0.1:8787 · every 3 s · updated 2 s ago · Ctrl-C to stop');
    view.interrupt(demFailed);
  });

  it('shows a retry above the header until its request is sent', async () => {
    const terminal = fakeTerminal(80, 30);
    const view = createLiveView(terminal.stream, terminal.err, { server: 'http://127.0.0.1:8787', intervalMs: 3000 });
    view.update(demFailed, []);
    const error = new OrdoHttpError('GET http://127.0.0.1:8787/jobs/2 answered 503', { status: 503, url: 'http://127.0.0.1:8787/jobs/2' });
    view.retry({ attempt: 1, maxRetries: 5, elapsedMs: 0, maxElapsedMs: 300_000, delayMs: 4000, error, answered: true });
    const during = await terminal.screen();
    expect(during.lines.slice(0, 2)).toEqual(['⚠ server answered 503 — retrying in 4 s (1/5)', 'http://127.0.0.1:8787 · every 3 s · updated 0 s ago · Ctrl-C to stop']);
    vi.advanceTimersByTime(5000);
    const after = await terminal.screen();
    expect(after.lines[0]).toBe('http://127.0.0.1:8787 · every 3 s · updated 5 s ago · Ctrl-C to stop');
    expect(after.lines.join('\n')).not.toContain('⚠');
    view.interrupt(demFailed);
    expect(terminal.errors).toEqual(['ordo-status: interrupted\n']);
  });

  it('closes up the rows when the frame loses or gains a line in the middle: no blank or stale row', async () => {
    const terminal = fakeTerminal(80, 30);
    const view = createLiveView(terminal.stream, terminal.err, { server: 'http://127.0.0.1:8787', intervalMs: 3000 });
    const running = snapshot({ id: 2, status: 'running', steps: { reproject: 'success', dem: 'running', ept: 'pending' } });
    view.update(running, []);
    const before = await terminal.rows();
    expect(before).toHaveLength(5);
    // dem fails: an error row comes in under it, between rows that stay.
    const failed = snapshot({ id: 2, status: 'running', steps: { reproject: 'success', dem: 'failed', ept: 'running' } });
    const writesBefore = terminal.chunks.length;
    view.update(failed, []);
    // The erase and the new frame went out as one synchronized write: no blank screen between.
    expect(terminal.chunks.length).toBe(writesBefore + 1);
    const redraw = terminal.chunks.at(-1)!;
    expect(redraw.startsWith('\u001b[?2026h') && redraw.endsWith('\u001b[?2026l')).toBe(true);
    expect(redraw.split('\u001b[?2026').length).toBe(3); // one begin, one end, none inside
    expect(redraw).toContain('\u001b[2K');
    expect(stripVTControlCharacters(redraw)).toContain('dem failed');
    const after = await terminal.rows();
    expect(after).toHaveLength(6);
    expect(after[0]).toBe(before[0]);
    expect(after[3]).toMatch(/^ {2}✖ dem\s+DEM\s+failed/);
    expect(after[4]).toBe('    dem failed');
    expect(after[5]).toMatch(/^ {2}▶ ept\s+EPT\s+running/);
    // A retry notice, then the end: the header goes from between the notice and the job.
    const error = new OrdoHttpError('GET http://127.0.0.1:8787/jobs/2 answered 503', { status: 503, url: 'http://127.0.0.1:8787/jobs/2' });
    view.retry({ attempt: 1, maxRetries: 5, elapsedMs: 0, maxElapsedMs: 300_000, delayMs: 4000, error, answered: true });
    view.interrupt(failed);
    const ended = await terminal.rows();
    expect(ended).toEqual(['⚠ server answered 503 — retrying in 4 s (1/5)', ...after.slice(1)]);
  });

  it('ends with the last frame without its header, then the summary wrapped at spaces to the width', async () => {
    const terminal = fakeTerminal(60, 30);
    const view = createLiveView(terminal.stream, terminal.err, { server: 'http://127.0.0.1:8787', intervalMs: 3000 });
    view.update(demFailed, []);
    view.done(jobFailed);
    const { lines, wrapped } = await terminal.screen();
    expect(lines).toEqual([
      '✖ job 2 failed   ████████░░░░░░░░░░░░  40%  3/5 steps  3.2 s',
      '  ✔ reproject  success #1  0.6 s  ████████████████████ 100%',
      '  ✖ dem        failed  #1  0.8 s',
      '    GENERATE_DEM failed: pdal pipeline exited with code 1…',
      '  ✔ ept        success #1  1.3 s  ████████████████████ 100%',
      '  ↷ contours   skipped         –',
      '  ↷ hillshade  skipped         –',
      '✖ job 2 failed in 3.2 s · 3/5 steps · 1 failed, 2 skipped',
      '  · 0/4 outputs delivered',
      '  error: Step "dem" failed: GENERATE_DEM failed: pdal',
      '    pipeline exited with code 1 (writers.gdal: grid width',
      '    exceeds limit)',
    ]);
    expect(wrapped).toBe(false);
    // The ticker stopped with the view: nothing is drawn after the summary.
    vi.advanceTimersByTime(5000);
    expect((await terminal.screen()).lines).toEqual(lines);
  });

  it('prints a failure to stderr with its diagnosis, and clears a frame that never had a job', async () => {
    const terminal = fakeTerminal(80, 30);
    const view = createLiveView(terminal.stream, terminal.err, { server: 'http://127.0.0.1:1', intervalMs: 3000 });
    view.fail(
      {
        code: 'NETWORK',
        message: 'GET http://127.0.0.1:1/jobs/1 failed without a complete response (ECONNREFUSED)',
        diagnosis: { cause: 'connection refused', hint: 'is the server running, and is --base-url right?', url: 'http://127.0.0.1:1/jobs/1', systemCode: 'ECONNREFUSED' },
      },
      undefined,
    );
    expect(terminal.errors).toEqual([
      'ordo-status: GET http://127.0.0.1:1/jobs/1 failed without a complete response (ECONNREFUSED)\nordo-status: connection refused; is the server running, and is --base-url right?\n',
    ]);
    expect((await terminal.screen()).lines).toEqual([]);
  });
});

describe('liveViewAfter: the live view’s transitions', () => {
  it('a snapshot clears the notice; a retry sets it until its request; the end keeps it and takes no other', () => {
    const retrying = liveViewAfter(initialLiveViewState, { type: 'retry', notice: 'server answered 503 — retrying in 4 s (1/5)', untilMs: 5000 });
    expect(retrying).toMatchObject({ notice: 'server answered 503 — retrying in 4 s (1/5)', noticeUntilMs: 5000, snapshot: undefined });
    const answered = liveViewAfter(retrying, { type: 'snapshot', snapshot: demFailed, atMs: 1000 });
    expect(answered).toEqual({ snapshot: demFailed, snapshotAtMs: 1000, notice: undefined, noticeUntilMs: 0, ended: false });
    const ended = liveViewAfter(retrying, { type: 'end' });
    expect(ended).toEqual({ ...retrying, ended: true });
    expect(liveViewAfter(ended, { type: 'retry', notice: 'late', untilMs: 9000 })).toBe(ended);
  });
});

describe('recordAnswers', () => {
  it('notes the time of each answer below 400 (304 included), not of errors', async () => {
    let clock = 1000;
    const statuses = [200, 304, 503];
    const answers = recordAnswers(async () => new Response(null, { status: statuses.shift()! }), () => clock);
    expect(answers.lastAnswerAtMs()).toBeUndefined();
    await answers.fetch('http://h/jobs/1');
    clock = 2000;
    await answers.fetch('http://h/jobs/1');
    clock = 3000;
    expect((await answers.fetch('http://h/jobs/1')).status).toBe(503);
    expect(answers.lastAnswerAtMs()).toBe(2000);
  });
});

describe('wrapToWidth', () => {
  it('wraps at spaces, indents continuation lines, and leaves a word longer than the line whole', () => {
    expect(wrapToWidth('  error: one two three four five', 16)).toBe('  error: one\n    two three\n    four five');
    expect(wrapToWidth('  error: see s3://bucket/a/very/long/key.tif', 20)).toBe('  error: see\n    s3://bucket/a/very/long/key.tif');
    // An output's URI stays on its arrow's line, for the terminal to fold.
    expect(wrapToWidth('  → s3://bucket/a/very/long/key.tif', 20)).toBe('  → s3://bucket/a/very/long/key.tif');
    expect(wrapToWidth('fits', 16)).toBe('fits');
  });
});

describe('summaryLine', () => {
  const plain = (snap: JobSnapshot) => stripVTControlCharacters(summaryLine(snap));

  it('lists the delivered outputs’ URIs, one per line', () => {
    expect(plain(jobDone)).toBe(
      [
        '✔ job 1 success in 6.5 s · 5/5 steps · 4/4 outputs delivered',
        '  → s3://ordo-deliverables/final/piney-dam/contours.geojson',
        '  → s3://ordo-deliverables/final/piney-dam/dem.tif',
        '  → s3://ordo-deliverables/final/piney-dam/ept/',
        '  → s3://ordo-deliverables/final/piney-dam/hillshade.tif',
      ].join('\n'),
    );
  });

  it('says how many steps failed and were skipped, and prints an error the job’s error contains once', () => {
    // The job's error is `Step "dem" failed: <dem's error>`: dem's own line would repeat it.
    expect(plain(jobFailed)).toBe(
      [
        '✖ job 2 failed in 3.2 s · 3/5 steps · 1 failed, 2 skipped · 0/4 outputs delivered',
        '  error: Step "dem" failed: GENERATE_DEM failed: pdal pipeline exited with code 1 (writers.gdal: grid width exceeds limit)',
      ].join('\n'),
    );
  });

  it('prints steps’ errors the job’s does not contain, one line per distinct text', () => {
    const snap = snapshot({
      status: 'failed',
      steps: [
        { stepId: 'a', status: 'failed', error: 'out of memory' },
        { stepId: 'b', status: 'failed', error: 'out of memory' },
        { stepId: 'c', status: 'failed', error: 'disk full' },
        { stepId: 'd', status: 'skipped', attempt: 0 },
      ],
    });
    expect(plain(snap)).toBe(
      ['✖ job 1 failed in 5.8 s · 3/4 steps · 3 failed, 1 skipped', '  error: 3 step(s) failed', '  steps a, b: out of memory', '  step c: disk full'].join('\n'),
    );
  });

  it('leaves out a job error that a step’s error already says, and never prints an attempt', () => {
    const snap = snapshot({ status: 'failed', error: 'GENERATE_DEM failed', steps: [{ stepId: 'dem', status: 'failed', error: 'GENERATE_DEM failed: exit 1' }, { stepId: 'x', status: 'skipped', attempt: 0 }] });
    const text = plain(snap);
    expect(text).toBe(['✖ job 1 failed in 3.8 s · 1/2 steps · 1 failed, 1 skipped', '  step dem: GENERATE_DEM failed: exit 1'].join('\n'));
    expect(text).not.toMatch(/attempt/);
  });

  it('is shown as docs/getting-started.md shows it', () => {
    const guide = readFileSync(new URL('../../docs/getting-started.md', import.meta.url), 'utf8');
    expect(guide).toContain(`\`\`\`text\n${plain(jobDone)}\n\n${plain(jobFailed)}\n\`\`\``);
  });

  it('says "n/m outputs delivered" when none was, and escapes control characters', () => {
    const partial = { ...jobFailed, job: { ...jobFailed.job, error: 'bad\u001b[2Jthing' } };
    expect(plain(partial)).toContain('0/4 outputs delivered\n  error: bad\\x1b[2Jthing');
  });
});
