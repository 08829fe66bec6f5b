import { execFile } from 'node:child_process';
import xterm from '@xterm/headless';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { cliPath } from '../helpers/cli.js';

/** What a run in a pseudo-terminal gave: the exit code, and the screen after each write of the CLI. */
interface PtyRun {
  readonly code: number | null;
  /** The raw bytes the CLI wrote (escape sequences included; the pty turned `\n` into `\r\n`). */
  readonly output: string;
  /** The screen (and scrollback) after each frame, one string per non-empty row. */
  readonly screens: readonly (readonly string[])[];
  /** Rows that a terminal had to wrap because a line was longer than the width, over all frames. */
  readonly wrappedRows: readonly string[];
}

/**
 * Runs the built CLI under a real pseudo-terminal of `cols` × `rows` (`script` from util-linux;
 * `stty` sets the size the CLI reads from `process.stdout.columns`), then plays its output in a
 * headless xterm one write at a time: log-update wraps each frame in a synchronized-output pair
 * (`ESC[?2026h` … `ESC[?2026l`), so each write is one frame.
 */
async function runInPty(args: readonly string[], cols: number, rows: number): Promise<PtyRun> {
  const command = `stty cols ${cols} rows ${rows}; "${process.execPath}" "${cliPath}" ${args.join(' ')}`;
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    execFile('script', ['-qefc', command, '/dev/null'], { env: { ...process.env, FORCE_COLOR: '1' } }, (error, stdout) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, output: stdout }),
    );
  });
  const terminal = new xterm.Terminal({ cols, rows, allowProposedApi: true, scrollback: 1000 });
  const screens: string[][] = [];
  const wrappedRows: string[] = [];
  // eslint-disable-next-line no-control-regex -- the end of a synchronized write is what it splits at
  for (const chunk of output.split(/(?<=\u001b\[\?2026l)/)) {
    await new Promise<void>((resolve) => terminal.write(chunk, resolve));
    const buffer = terminal.buffer.active;
    const screen: string[] = [];
    for (let row = 0; row < buffer.length; row += 1) {
      const line = buffer.getLine(row)!;
      if (line.isWrapped) wrappedRows.push(`${buffer.getLine(row - 1)?.translateToString(true)}⏎${line.translateToString(true)}`);
      screen.push(line.translateToString(true));
    }
    screens.push(screen.filter((line) => line !== ''));
  }
  return { code, output, screens, wrappedRows };
}

/** Each run of text the CLI wrote between cursor moves: one row's worth, which must fit the width. */
function writtenRows(output: string): string[] {
  return (
    output
      // Cursor moves, erases and line ends end a row; colours and modes are dropped.
      // eslint-disable-next-line no-control-regex -- escape sequences are what it reads
      .replace(/\u001b\[[0-9;?]*[A-HJKST]/g, '\n')
      // eslint-disable-next-line no-control-regex -- escape sequences are what it reads
      .replace(/\u001b\[[0-9;?]*[a-zA-Z]/g, '')
      .split(/\r?\n|\r/)
  );
}

describe('the live view in a real terminal', () => {
  it('draws every frame within 60 columns, steps in pipeline order, and ends with the summary', async () => {
    const run = await runInPty(['demo', '--speed', '20'], 60, 30);
    expect(run.code).toBe(0);
    expect(run.output).toContain('\u001b[32m'); // coloured: the widths were measured with ANSI codes in the lines
    expect(writtenRows(run.output).filter((row) => stringWidth(row) > 60)).toEqual([]);
    expect(run.wrappedRows).toEqual([]);
    expect(run.screens.length).toBeGreaterThan(5);

    // The header, while the job ran: the server, the interval (500 ms ÷ 20), when it last answered.
    const all = run.screens.flat();
    expect(all.some((line) => /^http:\/\/127\.0\.0\.1:\d+ · every 25 ms · updated \d+ s ago$/.test(line))).toBe(true);

    const screen = run.screens.at(-1)!;
    const job = screen.findIndex((line) => line.startsWith('✔ job 1 success  '));
    expect(screen[job]).toMatch(/^✔ job 1 success {2}█+ 100% {2}5\/5 steps {2}\d+\.\d s$/);
    // Pipeline order: reproject runs first; the server would list it last.
    const rows = screen.slice(job + 1, job + 6);
    expect(rows[0]).toMatch(/^ {2}✔ reproject {2}success #1 +\d+\.\d s {2}█+ 100%$/);
    expect(rows.map((line) => line.split(/\s+/)[2]).sort()).toEqual(['contours', 'dem', 'ept', 'hillshade', 'reproject']);
    // No header once it ended; the summary is wrapped at spaces.
    expect(screen.slice(job).join('\n')).not.toContain('Ctrl-C');
    const summary = screen.slice(job + 6);
    expect(summary.join(' ').replace(/\s+/g, ' ')).toMatch(/^✔ job 1 success in \d+\.\d s · 5\/5 steps · 4\/4 outputs delivered → s3:\/\//);
    expect(summary.slice(-4)).toEqual([
      '  → s3://ordo-deliverables/final/piney-dam/contours.geojson',
      '  → s3://ordo-deliverables/final/piney-dam/dem.tif',
      '  → s3://ordo-deliverables/final/piney-dam/ept/',
      '  → s3://ordo-deliverables/final/piney-dam/hillshade.tif',
    ]);
  });

  it('at 40 columns shows dem’s error under its row while the job still runs, and says it once at the end', async () => {
    const run = await runInPty(['demo', '--speed', '20', '--scenario', 'failed'], 40, 30);
    expect(run.code).toBe(3);
    expect(writtenRows(run.output).filter((row) => stringWidth(row) > 40)).toEqual([]);
    expect(run.wrappedRows).toEqual([]);
    const whileRunning = run.screens.find((screen) => screen.some((line) => line.startsWith('▶ job 1 running')) && screen.some((line) => line.startsWith('  ✖ dem')));
    expect(whileRunning).toBeDefined();
    const dem = whileRunning!.findIndex((line) => line.startsWith('  ✖ dem'));
    expect(whileRunning![dem]).toMatch(/^ {2}✖ dem +failed +#1 +\d+\.\d s$/);
    expect(whileRunning![dem + 1]).toMatch(/^ {4}GENERATE_DEM failed: worker exited…$/);

    // The summary, wrapped at spaces: read as one text, the error said once.
    const text = run.screens.at(-1)!.join('\n');
    const summary = text.slice(text.lastIndexOf('✖ job 1 failed in')).replace(/\s+/g, ' ');
    expect(summary).toMatch(
      /^✖ job 1 failed in \d+\.\d s · 3\/5 steps · 1 failed, 2 skipped · 0\/4 outputs delivered error: Step "dem" failed: GENERATE_DEM failed: worker exited with code 1 \(simulated failure\)$/,
    );
    expect(text.match(/simulated failure/g)).toHaveLength(1);
    expect(text).not.toMatch(/attempt 0/);
  });
});
