import { readFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import stringWidth from 'string-width';
import { describe, expect, it, vi } from 'vitest';
import { parseJobSnapshot, type JobSnapshot, type StepStatus } from 'ordo-status';
import { jobBody, type JobBodyInit } from 'ordo-status/testing';
import { liveFrame, pipelineOrder, truncateWords, type LiveFacts } from '../../src/cli/liveFrame.js';
import { loadScenario } from '../helpers/fixtures.js';

// Colours on, as on a terminal: every frame below is measured with its ANSI codes in it.
vi.mock('picocolors', async (importOriginal) => {
  const original = await importOriginal<typeof import('picocolors') & { default?: typeof import('picocolors') }>();
  return { default: (original.default ?? original).createColors(true) };
});

/** The captured real-server bodies of the failed scenario (dem fails, its dependents are skipped). */
const failed = loadScenario('failed');
const body = (name: string) => failed.find((fixture) => fixture.name === `failed/${name}`)!.body;
/** failed/014: reproject done, dem just failed (its error set), ept running at 25 %, hillshade and contours skipped. */
const demFailed = parseJobSnapshot(body('014.json'));
/** Three seconds after the job started (14:26:12.283Z). */
const now = Date.parse('2026-11-29T14:26:15.283Z');
const facts: LiveFacts = { server: 'http://127.0.0.1:8787', intervalMs: 3000, answeredAtMs: now - 3000 };

/** The frame as a person reads it: colours removed. */
const frame = (snapshot: JobSnapshot | undefined, width: number, more: Partial<LiveFacts> = {}, notice?: string, at = now) =>
  liveFrame(snapshot, notice, width, at, { ...facts, ...more }).map((line) => stripVTControlCharacters(line));
const snapshot = (init: JobBodyInit) => parseJobSnapshot(jobBody(init));

describe('liveFrame at 120, 80, 60 and 40 columns (failed/014: dem has just failed)', () => {
  it('shows everything at 120 columns: the header, the job line, steps in pipeline order, the error under dem', () => {
    expect(frame(demFailed, 120)).toEqual([
      'http://127.0.0.1:8787 · every 3 s · updated 3 s ago · Ctrl-C to stop',
      '▶ job 2 running  ██████░░░░░░░░░░░░░░░░░░  25%  2/5 steps  3.0 s',
      '  ✔ reproject  REPROJECT_LAS       success #1  0.6 s  ████████████████████████ 100%',
      '  ✖ dem        GENERATE_DEM        failed  #1  0.8 s',
      '    GENERATE_DEM failed: pdal pipeline exited with code 1 (writers.gdal: grid width exceeds limit)',
      '  ▶ ept        BUILD_EPT           running #1  1.3 s  ██████░░░░░░░░░░░░░░░░░░  25%',
      '  ↷ contours   GENERATE_CONTOURS   skipped         –',
      '  ↷ hillshade  GENERATE_HILLSHADE  skipped         –',
    ]);
  });

  it('keeps the step type and narrower bars at 80 columns, and cuts the error at a word', () => {
    expect(frame(demFailed, 80)).toEqual([
      'http://127.0.0.1:8787 · every 3 s · updated 3 s ago · Ctrl-C to stop',
      '▶ job 2 running  █████░░░░░░░░░░░░░░░░  25%  2/5 steps  3.0 s',
      '  ✔ reproject  REPROJECT_LAS       success #1  0.6 s  █████████████████████ 100%',
      '  ✖ dem        GENERATE_DEM        failed  #1  0.8 s',
      '    GENERATE_DEM failed: pdal pipeline exited with code 1 (writers.gdal: grid…',
      '  ▶ ept        BUILD_EPT           running #1  1.3 s  █████░░░░░░░░░░░░░░░░  25%',
      '  ↷ contours   GENERATE_CONTOURS   skipped         –',
      '  ↷ hillshade  GENERATE_HILLSHADE  skipped         –',
    ]);
  });

  it('drops the step type first at 60 columns (bars and percentages stay), and the Ctrl-C hint', () => {
    expect(frame(demFailed, 60)).toEqual([
      'http://127.0.0.1:8787 · every 3 s · updated 3 s ago',
      '▶ job 2 running  █████░░░░░░░░░░░░░░░  25%  2/5 steps  3.0 s',
      '  ✔ reproject  success #1  0.6 s  ████████████████████ 100%',
      '  ✖ dem        failed  #1  0.8 s',
      '    GENERATE_DEM failed: pdal pipeline exited with code 1…',
      '  ▶ ept        running #1  1.3 s  █████░░░░░░░░░░░░░░░  25%',
      '  ↷ contours   skipped         –',
      '  ↷ hillshade  skipped         –',
    ]);
  });

  it('drops the bars at 40 columns; the status, the elapsed time and the percentages stay', () => {
    expect(frame(demFailed, 40)).toEqual([
      'http://127.0.0.1:8787 · updated 3 s ago',
      '▶ job 2 running   25%  2/5 steps  3.0 s',
      '  ✔ reproject  success #1  0.6 s  100%',
      '  ✖ dem        failed  #1  0.8 s',
      '    GENERATE_DEM failed: pdal pipeline…',
      '  ▶ ept        running #1  1.3 s   25%',
      '  ↷ contours   skipped         –',
      '  ↷ hillshade  skipped         –',
    ]);
  });

  it.each([120, 80, 60, 40])('never has a line longer than %i columns, nor a line break inside one', (width) => {
    for (const line of frame(demFailed, width, {}, 'server answered 503 — retrying in 4 s (1/5)')) {
      expect(stringWidth(line)).toBeLessThanOrEqual(width);
      expect(line).not.toMatch(/[\r\n]/);
    }
  });
});

describe('liveFrame: the layout at any width', () => {
  // Claimed steps without a start, a failure with its error, skipped dependents, the failed job.
  const many = ['008.json', '014.json', '017.json', '018.json'].map((name) => parseJobSnapshot(body(name)));

  it('keeps every step row’s status and elapsed time, within the width, from 24 to 140 columns', () => {
    for (const snap of many) {
      const order = pipelineOrder(snap.steps);
      for (let width = 24; width <= 140; width += 1) {
        const lines = frame(snap, width);
        for (const line of lines) expect(stringWidth(line), `${width}: ${line}`).toBeLessThanOrEqual(width);
        const rows = lines.filter((line) => /^ {2}[·▶⏸✔✖↷] /.test(line));
        expect(rows.map((row) => /(pending|running|blocked|success|failed|skipped)( +#\d+)? +(\d+\.\d s|–)/.exec(row)?.[1]), `at ${width}`).toEqual(
          order.map((step) => step.status),
        );
      }
    }
  });

  it('cuts long step ids rather than losing the status or the elapsed time', () => {
    const snap = snapshot({ status: 'running', steps: [{ stepId: 'generate_hillshade_tiles_for_web', status: 'running', percent: 40 }] });
    // The kit starts step 0 a second after 2026-01-01T00:00:00Z: at 00:01:01 it has run 1 m 0 s.
    const lines = frame(snap, 40, {}, undefined, Date.parse('2026-01-01T00:01:01.000Z'));
    expect(lines[2]).toBe('  ▶ generate…  running #1  1 m 0 s   40%');
    expect(stringWidth(lines[2]!)).toBeLessThanOrEqual(40);
  });

  it('measures visible columns: coloured lines fit though their ANSI codes make them longer', () => {
    const lines = liveFrame(demFailed, undefined, 60, now, facts);
    expect(lines[3]).toBe('  \u001b[31m✖\u001b[39m dem        \u001b[31mfailed \u001b[39m #1  0.8 s'); // failed is red
    expect(lines.some((line) => line.length > 60)).toBe(true);
    for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(60);
  });

  it('refuses a width that is not a whole number of columns', () => {
    expect(() => liveFrame(demFailed, undefined, 0, now, facts)).toThrow(new TypeError('Invalid width 0: expected a whole number of columns, at least 1'));
    expect(() => liveFrame(demFailed, undefined, 79.5, now, facts)).toThrow(TypeError);
  });
});

describe('liveFrame: the header and the notice', () => {
  it('says "no answer yet" before the first answer, and shows only the header', () => {
    expect(frame(undefined, 80, { answeredAtMs: undefined })).toEqual(['http://127.0.0.1:8787 · every 3 s · no answer yet · Ctrl-C to stop']);
  });

  it('counts whole seconds and minutes since the last answer, and words intervals', () => {
    expect(frame(undefined, 100, { answeredAtMs: now - 2999, intervalMs: 500 })[0]).toBe('http://127.0.0.1:8787 · every 500 ms · updated 2 s ago · Ctrl-C to stop');
    expect(frame(undefined, 100, { answeredAtMs: now - 75_000, intervalMs: 1500 })[0]).toBe('http://127.0.0.1:8787 · every 1.5 s · updated 1 m 15 s ago · Ctrl-C to stop');
    expect(frame(undefined, 100, { answeredAtMs: now + 500, intervalMs: 120_000 })[0]).toBe('http://127.0.0.1:8787 · every 2 m · updated 0 s ago · Ctrl-C to stop');
  });

  it('never shows credentials or control characters of the server URL', () => {
    expect(frame(undefined, 100, { server: 'https://user:secret@gw.example.com/ordo\u001b[2J' })[0]).toBe(
      'https://gw.example.com/ordo\\x1b[2J · every 3 s · updated 3 s ago · Ctrl-C to stop',
    );
  });

  it('shortens a long server URL: the scheme, then its end, before the interval goes', () => {
    const server = 'https://ordo-gateway.staging.example.com/tenants/lidar/ordo';
    expect(frame(undefined, 100, { server })[0]).toBe('ordo-gateway.staging.example.com/tenants/lidar/ordo · every 3 s · updated 3 s ago · Ctrl-C to stop');
    expect(frame(undefined, 80, { server })[0]).toBe('https://ordo-gateway.staging.example.com/tenants/lidar/ordo · updated 3 s ago');
    expect(frame(undefined, 60, { server })[0]).toBe('ordo-gateway.staging.example.com/tenants/… · updated 3 s ago');
    expect(frame(undefined, 30, { server })[0]).toBe('ordo-gatewa… · updated 3 s ago');
    expect(frame(undefined, 20, { server })[0]).toBe('updated 3 s ago');
  });

  it('puts the notice on top, wrapped at spaces within the width', () => {
    const notice =
      'cannot reach http://127.0.0.1:8080/jobs/1: connection refused (ECONNREFUSED); is the server running, and is --base-url right? — retrying in 1 s (1/5)';
    const lines = frame(undefined, 60, { answeredAtMs: undefined }, notice);
    expect(lines).toEqual([
      '⚠ cannot reach http://127.0.0.1:8080/jobs/1: connection',
      '  refused (ECONNREFUSED); is the server running, and is',
      '  --base-url right? — retrying in 1 s (1/5)',
      '127.0.0.1:8787 · every 3 s · no answer yet · Ctrl-C to stop',
    ]);
  });

  it('never parts a number from its unit when it wraps a notice', () => {
    const notice = 'connection refused — retrying in 1.6 s (2/5)';
    const lines = frame(undefined, 40, { answeredAtMs: undefined }, notice);
    expect(lines.slice(0, 2)).toEqual(['⚠ connection refused — retrying in', '  1.6 s (2/5)']);
    expect(lines.join('\n')).not.toContain('\u00a0');
  });

  it('keeps a notice to three lines, the last cut at a word', () => {
    const lines = frame(undefined, 40, {}, 'word '.repeat(40).trim());
    expect(lines.slice(0, 3)).toEqual(['⚠ word word word word word word word', '  word word word word word word word', '  word word word word word word word…']);
    expect(lines[3]).toBe('http://127.0.0.1:8787 · updated 3 s ago');
  });
});

describe('liveFrame: steps', () => {
  it('lists steps in pipeline order: started ones by start time, then the others in server order', () => {
    // failed/008: reproject done; dem and ept claimed (running, not started yet); the server lists them by id.
    const claimed = parseJobSnapshot(body('008.json'));
    expect(claimed.steps.map((step) => step.stepId)).toEqual(['contours', 'dem', 'ept', 'hillshade', 'reproject']);
    expect(pipelineOrder(claimed.steps).map((step) => step.stepId)).toEqual(['reproject', 'contours', 'dem', 'ept', 'hillshade']);
    // Once they start, dem (13.791) and ept (13.988) follow reproject by their start times.
    const rows = frame(demFailed, 120).filter((line) => /^ {2}\S /.test(line)).map((line) => line.split(/\s+/)[2]);
    expect(rows).toEqual(['reproject', 'dem', 'ept', 'contours', 'hillshade']);
  });

  it('orders equal start times in server order', () => {
    const at = new Date('2026-01-01T00:00:05.000Z');
    const steps = snapshot({ status: 'running', steps: { b: 'running', a: 'running', c: 'pending' } }).steps.map((step) => ({ ...step, startedAt: step.startedAt && at }));
    expect(pipelineOrder(steps).map((step) => step.stepId)).toEqual(['a', 'b', 'c']);
  });

  it('shows a blocked step’s error under its row as soon as it is seen', () => {
    const blocked = snapshot({
      status: 'running',
      steps: [
        { stepId: 'reproject', status: 'success' },
        { stepId: 'dem', status: 'blocked', attempt: 1, error: 'GENERATE_DEM attempt 1 failed: worker lost' },
      ],
    });
    const lines = frame(blocked, 80);
    const row = lines.findIndex((line) => line.startsWith('  ⏸ dem'));
    expect(lines[row]).toMatch(/^ {2}⏸ dem\s+DEM\s+blocked #1\s+–$/);
    expect(lines[row + 1]).toBe('    GENERATE_DEM attempt 1 failed: worker lost');
  });

  it('keeps the bars’ width and the columns when the job starts: room for a step’s attempt and bar from the start', () => {
    const steps = { reproject: 'pending', dem: 'pending', ept: 'pending' } as const;
    const at = Date.parse('2026-01-01T00:00:05Z');
    const barOf = (line: string) => /[█░]+/.exec(line)?.[0].length;
    for (const width of [120, 80, 60]) {
      const before = frame(snapshot({ status: 'pending', steps }), width, {}, undefined, at);
      const started = frame(snapshot({ status: 'running', steps: { ...steps, reproject: 'running' } }), width, {}, undefined, at);
      expect(barOf(before[1]!), `${width}`).toBe(barOf(started[1]!));
      expect(started[2], `${width}`).toMatch(/^ {2}▶ reproject\s+(REPROJECT\s+)?running #1 {2}4\.0 s {2}░+ {4}–$/);
      expect(barOf(started[2]!), `${width}`).toBe(barOf(started[1]!));
      // The elapsed column of the pending rows ends where the running row's does.
      expect(started[3]!.indexOf('–'), `${width}`).toBe(started[2]!.indexOf('4.0 s') + 4);
      expect(before[2]!.indexOf('–'), `${width}`).toBe(started[3]!.indexOf('–'));
    }
  });

  it('shows no attempt for a step that never ran, and no error line for a failure without text', () => {
    const steps = [
      { stepId: 'dem', status: 'failed' as const, error: null },
      { stepId: 'contours', status: 'skipped' as const, attempt: 0 },
    ];
    const lines = frame(snapshot({ status: 'failed', steps }), 80);
    expect(lines.slice(2)).toEqual(['  ✖ dem       DEM       failed  #1  1.0 s', '  ↷ contours  CONTOURS  skipped         –']);
    expect(lines.join('\n')).not.toMatch(/#0|attempt 0/);
  });

  it('with more steps than rows, gives rows to the active steps first and counts the others', () => {
    const steps: Record<string, StepStatus> = {};
    for (let index = 0; index < 40; index += 1) steps[`s${String(index).padStart(2, '0')}`] = index === 25 ? 'running' : index < 20 ? 'success' : 'pending';
    const lines = frame(snapshot({ status: 'running', steps }), 100, { rows: 15 });
    // 15 rows: the cursor's, the header, the job line and the count leave 11 step rows.
    expect(lines).toHaveLength(14);
    const rows = lines.filter((line) => /^ {2}[·▶✔] s\d\d /.test(line)).map((line) => /s\d\d/.exec(line)![0]);
    expect(rows).toEqual(['s25', 's20', 's21', 's22', 's23', 's24', 's26', 's27', 's28', 's29', 's30']);
    expect(lines.at(-1)).toBe('  … 29 more steps: 20 success, 9 pending');
  });

  it('never shows a pending row while a failure is hidden: a failed step with its error that does not fit keeps the pending ones out', () => {
    const steps = [
      { stepId: 'r', status: 'running' as const },
      { stepId: 'f1', status: 'failed' as const, error: 'out of memory' },
      { stepId: 'f2', status: 'failed' as const, error: 'disk full' },
      ...Array.from({ length: 4 }, (_, index) => ({ stepId: `p${index}`, status: 'pending' as const })),
    ];
    // 8 rows: the header, the job line, then 5 lines for steps and 1 to count the rest.
    const lines = frame(snapshot({ status: 'running', steps }), 60, { rows: 8 });
    expect(lines.slice(2)).toEqual([
      expect.stringMatching(/^ {2}▶ r\s+R\s+running/),
      expect.stringMatching(/^ {2}✖ f1\s+F1\s+failed/),
      '    out of memory',
      '  … 5 more steps: 1 failed, 4 pending',
    ]);
  });

  it('counts an error line against the rows', () => {
    const steps = [
      { stepId: 'a', status: 'failed' as const, error: 'out of memory' },
      ...Array.from({ length: 6 }, (_, index) => ({ stepId: `p${index}`, status: 'pending' as const })),
    ];
    const lines = frame(snapshot({ status: 'running', steps }), 60, { rows: 8 });
    expect(lines).toHaveLength(7);
    expect(lines.slice(2)).toEqual([
      '  ✖ a     A   failed  #1  1.0 s',
      '    out of memory',
      '  · p0    P0  pending         –',
      '  · p1    P1  pending         –',
      '  … 4 more steps: 4 pending',
    ]);
  });
});

describe('the live view in docs/getting-started.md', () => {
  const guide = readFileSync(new URL('../../docs/getting-started.md', import.meta.url), 'utf8');

  it('shows the frame liveFrame draws at 80 columns, and its first lines at 40', () => {
    expect(guide).toContain(`<!-- live-frame: failed/014 at 80 columns -->\n\`\`\`text\n${frame(demFailed, 80).join('\n')}\n\`\`\``);
    expect(guide).toContain(`  \`\`\`text\n${frame(demFailed, 40).slice(0, 5).map((line) => `  ${line}`).join('\n')}\n  \`\`\``);
  });
});

describe('truncateWords', () => {
  it('cuts at a word and ends with …; a text that fits is unchanged', () => {
    expect(truncateWords('GENERATE_DEM failed: pdal pipeline exited', 30)).toBe('GENERATE_DEM failed: pdal…');
    expect(truncateWords('short', 30)).toBe('short');
    expect(truncateWords('https://example.com/a/very/long/path', 12)).toBe('https://exa…');
    expect(truncateWords('anything', 1)).toBe('…');
  });
});
