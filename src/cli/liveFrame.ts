import pc from 'picocolors';
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';
import { isTerminalStepStatus, type JobSnapshot, type JobStep, type StepStatus } from 'ordo-status';
import { formatDuration, formatInterval, formatPercent, jobDurationMs, paintStatus, printable, statusIcon, stepDurationMs, stepShows } from './format.js';

/** What the header of a live frame says besides the job: where the watch asks, how often, and when it last had an answer. */
export interface LiveFacts {
  /** The server's base URL; user and password (`user:pass@`) are removed before it is shown. `undefined`: not shown. */
  readonly server: string | undefined;
  /** Time between an answer and the next request, in milliseconds (`every 3 s`). */
  readonly intervalMs: number;
  /**
   * When the server last answered (a snapshot, or an unchanged answer), in milliseconds since the
   * epoch: the header says `updated N s ago`. `undefined` before the first answer (`no answer yet`).
   */
  readonly answeredAtMs: number | undefined;
  /**
   * The terminal's height in rows; a frame is at most `rows - 1` lines (the cursor rests on the
   * last row). When the steps do not fit, the active ones get rows first and one line counts the
   * others. `undefined`: no limit.
   */
  readonly rows?: number | undefined;
  /** Whether the watch has ended: the frame then has no header (nothing is polled any more). @defaultValue `false` */
  readonly ended?: boolean | undefined;
}

/** The widest bar, and the narrowest worth drawing, in columns. */
const barColumns = { max: 24, min: 10 } as const;
/** The status column: the longest step status (`running`, `success`, `blocked`, `skipped`, `pending`). */
const statusColumns = 7;
/** How far an error line is indented: under the step id (`  ✖ dem` → column 4). */
const errorIndent = 4;
/** Notice lines at most; the last is cut with `…` when the notice is longer. */
const maxNoticeLines = 3;

/** Which steps get a row when there are more steps than rows: the active ones first, then failures, then the waiting, then the done. */
const rowPriority: Readonly<Record<StepStatus, number>> = { running: 0, blocked: 0, failed: 1, pending: 2, success: 3, skipped: 3 };

/**
 * The steps in pipeline order: those that started, by `startedAt` (ties in server order), then
 * those not started yet (`startedAt` is `null`: pending, skipped, or claimed but not started) in
 * server order. The server lists steps by step id, so without this the first step of a pipeline
 * can be the last row. Source: docs/ordo-server.md, "The job body" (`steps[]` sorted by
 * `step_id`; `timeline[]` sorted by `started_at`, not-yet-started steps last).
 */
export function pipelineOrder(steps: readonly JobStep[]): JobStep[] {
  const started = steps.filter((step) => step.startedAt !== null);
  const waiting = steps.filter((step) => step.startedAt === null);
  // Array.prototype.sort is stable: equal start times keep the server's order.
  return [...started.sort((a, b) => a.startedAt!.getTime() - b.startedAt!.getTime()), ...waiting];
}

/**
 * Cuts a plain text to `columns` at a word boundary and ends it with `…`; a text that fits is
 * returned as is. A first word longer than the line (a URL) is cut inside, as nothing else fits.
 */
export function truncateWords(text: string, columns: number): string {
  if (stringWidth(text) <= columns) return text;
  if (columns <= 1) return columns === 1 ? '…' : '';
  // wrap-ansi breaks at spaces and cuts only words longer than the line (`hard`).
  const first = wrapAnsi(text, columns - 1, { hard: true, trim: true }).split('\n')[0] ?? '';
  return `${first.replace(/[\s,;:.]+$/u, '')}…`;
}

/** Cuts a plain text to `columns` anywhere (an id, a URL), ending it with `…`. */
function truncateEnd(text: string, columns: number): string {
  if (stringWidth(text) <= columns) return text;
  if (columns <= 1) return columns === 1 ? '…' : '';
  return `${wrapAnsi(text, columns - 1, { hard: true, wordWrap: false, trim: false }).split('\n')[0] ?? ''}…`;
}

/** Pads a (possibly coloured) text with spaces to `columns` visible columns. */
function padEnd(text: string, columns: number): string {
  return text + ' '.repeat(Math.max(0, columns - stringWidth(text)));
}

function padStart(text: string, columns: number): string {
  return ' '.repeat(Math.max(0, columns - stringWidth(text))) + text;
}

/** The last resort that keeps every line within the width: a hard cut, colours kept. */
function clip(line: string, width: number): string {
  const trimmed = line.replace(/\s+$/u, '');
  return stringWidth(trimmed) <= width ? trimmed : (wrapAnsi(trimmed, width, { hard: true, wordWrap: false, trim: false }).split('\n')[0] ?? '');
}

/** A bar of `columns` cells for a fraction 0..1 (`null` draws an empty bar). */
function bar(fraction: number | null, columns: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction ?? 0)) * columns);
  return '█'.repeat(filled) + '░'.repeat(columns - filled);
}


/** `3 s`, `1 m 5 s`: whole seconds since an instant, never negative (clocks of two machines). */
function agoText(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return seconds < 60 ? `${seconds} s` : formatDuration(seconds * 1000);
}

/** The base URL as shown: control characters escaped, never credentials. */
function serverText(server: string): string {
  return printable(server.replace(/^([a-z][\w+.-]*:\/\/)[^/?#@]*@/i, '$1'));
}

/**
 * The header: `http://127.0.0.1:8787 · every 3 s · updated 3 s ago · Ctrl-C to stop`. When it
 * does not fit, the server's scheme goes first, then the Ctrl-C hint, then the interval, then the
 * end of the server (`ordo.example.com/ten…`); "updated N s ago" stays.
 */
function headerLine(facts: LiveFacts, width: number, nowMs: number): string {
  const updated = facts.answeredAtMs === undefined ? 'no answer yet' : `updated ${agoText(nowMs - facts.answeredAtMs)} ago`;
  const every = `every ${formatInterval(facts.intervalMs)}`;
  const hint = 'Ctrl-C to stop';
  const separator = ' · ';
  const server = facts.server === undefined ? undefined : serverText(facts.server);
  const servers = server === undefined ? [[]] : [[server], [server.replace(/^https?:\/\//, '')]];
  for (const parts of [[every, updated, hint], [every, updated], [updated]]) {
    for (const shown of servers) {
      const line = [...shown, ...parts].join(separator);
      if (stringWidth(line) <= width) return pc.dim(line);
    }
  }
  // A server cut shorter than this says too little to be worth its room.
  const room = width - stringWidth(updated) - separator.length;
  const bare = servers.at(-1)![0];
  if (bare !== undefined && room >= 12) return pc.dim(`${truncateEnd(bare, room)}${separator}${updated}`);
  return pc.dim(truncateWords(updated, width));
}

/** The notice (a retry, a failure) at the top: `⚠ …`, wrapped at spaces to at most {@link maxNoticeLines} lines. */
function noticeLines(notice: string, width: number): string[] {
  // A number keeps its unit (`1.6 s`, `4 s`) and a count its brackets: joined by a no-break space
  // while wrapping, a plain space again after.
  const text = `⚠ ${printable(notice)}`.replace(/(\d) (s|ms)\b/g, '$1\u00a0$2');
  const lines = wrapAnsi(text, Math.max(1, width - 2), { hard: true, trim: true })
    .split('\n')
    .map((line, index) => (index === 0 ? line : `  ${line}`).replaceAll('\u00a0', ' '));
  if (lines.length > maxNoticeLines) {
    const rest = lines.slice(maxNoticeLines - 1).join(' ');
    lines.splice(maxNoticeLines - 1, lines.length, `  ${truncateWords(rest.trim(), width - 2)}`);
  }
  return lines.map((line) => pc.yellow(clip(line, width)));
}

/** Which parts of the rows a width leaves room for. */
interface Layout {
  readonly stepType: boolean;
  /** Bar width in columns; `0`: no bars. */
  readonly bar: number;
  /** Step ids are cut to this many columns (`undefined`: whole). */
  readonly idColumns: number | undefined;
  readonly attempt: boolean;
  readonly percent: boolean;
}

/** The text of each part of a step's row, before padding. */
interface StepCells {
  readonly step: JobStep;
  readonly id: string;
  readonly type: string;
  readonly attempt: string;
  readonly duration: string;
  /** `undefined` when the status shows no progress. */
  readonly progress: number | null | undefined;
}

function stepCells(step: JobStep, nowMs: number): StepCells {
  return {
    step,
    id: printable(step.stepId),
    type: printable(step.stepType),
    // A step that never ran (attempt 0) shows no attempt.
    attempt: step.attempt > 0 ? `#${step.attempt}` : '',
    duration: formatDuration(stepDurationMs(step, nowMs)),
    progress: stepShows[step.status].progress ? step.progress : undefined,
  };
}

/** Column widths shared by all rows. */
interface Columns {
  readonly id: number;
  readonly type: number;
  readonly attempt: number;
  readonly duration: number;
  readonly progress: boolean;
}

function columnsOf(cells: readonly StepCells[]): Columns {
  const widest = (pick: (cell: StepCells) => string, least = 0) => Math.max(least, ...cells.map((cell) => stringWidth(pick(cell))));
  return {
    id: widest((cell) => cell.id, 4),
    type: widest((cell) => cell.type),
    // Room for `#1` even before any step ran, so the bars keep their width when the job starts.
    attempt: widest((cell) => cell.attempt, 2),
    duration: widest((cell) => cell.duration, 5),
    // A step that has not ended may show a bar later: its room is kept from the start, so the
    // bars (the job's shares their width) do not narrow when the first step starts.
    progress: cells.some((cell) => cell.progress !== undefined || !isTerminalStepStatus(cell.step.status)),
  };
}

/** `  ✔ reproject  REPROJECT_LAS  success #1   0.6 s  ████████ 100%`, the parts the layout keeps. */
function stepRow(cells: StepCells, columns: Columns, layout: Layout): string {
  const { step } = cells;
  const idColumns = layout.idColumns ?? columns.id;
  const parts = [`  ${statusIcon(step.status)} ${padEnd(truncateEnd(cells.id, idColumns), idColumns)}`];
  if (layout.stepType) parts.push(pc.dim(padEnd(cells.type, columns.type)));
  const attempt = layout.attempt && columns.attempt > 0 ? ` ${padEnd(cells.attempt, columns.attempt)}` : '';
  parts.push(`${paintStatus(step.status, padEnd(step.status, statusColumns))}${attempt}`);
  parts.push(padStart(cells.duration, columns.duration));
  if (cells.progress !== undefined && layout.percent) {
    const percent = padStart(formatPercent(cells.progress), 4);
    parts.push(layout.bar > 0 ? `${bar(cells.progress, layout.bar)} ${percent}` : percent);
  }
  return parts.join('  ').replace(/\s+$/u, '');
}

/** The widest row a layout gives, in columns, without the bar (which takes what is left). */
function rowColumns(columns: Columns, layout: Layout): number {
  const idColumns = layout.idColumns ?? columns.id;
  const attempt = layout.attempt && columns.attempt > 0 ? 1 + columns.attempt : 0;
  const progress = columns.progress && layout.percent ? 2 + 4 + (layout.bar > 0 ? layout.bar + 1 : 0) : 0;
  return 4 + idColumns + (layout.stepType ? 2 + columns.type : 0) + 2 + statusColumns + attempt + 2 + columns.duration + progress;
}

/**
 * The forms of the job line, longest first: `✔ job 1 success  ████ 100%  5/5 steps  11.6 s`,
 * then without the word "steps", then without the word "job", then without the percent and the
 * count; the status and the elapsed time stay. `barColumnsShown` is the bar's width (0: none).
 */
function jobLineForms(snapshot: JobSnapshot, nowMs: number, barColumnsShown: number): string[] {
  const { job, progress } = snapshot;
  const icon = statusIcon(job.status);
  const status = paintStatus(job.status, padEnd(job.status, statusColumns));
  const percent = padStart(formatPercent(progress.fraction), 4);
  const meter = barColumnsShown > 0 ? `${bar(progress.fraction, barColumnsShown)} ${percent}` : percent;
  const elapsed = formatDuration(jobDurationMs(snapshot, nowMs));
  const count = `${progress.completedSteps}/${progress.totalSteps}`;
  const id = printable(job.id);
  return [
    `${icon} job ${id} ${status}  ${meter}  ${count} steps  ${elapsed}`,
    `${icon} job ${id} ${status}  ${meter}  ${count}  ${elapsed}`,
    `${icon} ${id} ${status} ${percent} ${count} ${elapsed}`,
    `${icon} ${id} ${status} ${elapsed}`,
  ];
}

/** The job line in the first form that fits the width. */
function jobLine(snapshot: JobSnapshot, width: number, nowMs: number, barColumnsShown: number): string {
  const forms = jobLineForms(snapshot, nowMs, barColumnsShown);
  return forms.find((form) => stringWidth(form) <= width) ?? clip(forms.at(-1)!, width);
}

/**
 * The first layout whose rows fit the width: the step type goes first, then the bars (the job's
 * and the steps', which share one width), then long step ids are cut (to 6 columns at least),
 * then the attempt, then the percent (ids cut to 4 at least); the status and the elapsed time
 * always stay.
 *
 * @param jobColumns - the job line's width without a bar.
 */
function chooseLayout(columns: Columns, width: number, jobColumns: number): Layout {
  const whole = { idColumns: undefined, attempt: true, percent: true };
  for (const stepType of columns.type > 0 ? [true, false] : [false]) {
    const rows = rowColumns(columns, { ...whole, stepType, bar: 0 });
    if (rows > width) continue;
    // The bar and the space before it take what the wider of the job line and the rows leaves.
    const barShown = Math.min(barColumns.max, width - Math.max(columns.progress ? rows : 0, jobColumns) - 1);
    if (barShown >= barColumns.min) return { ...whole, stepType, bar: barShown };
  }
  const narrower: readonly [Omit<Layout, 'idColumns'>, number][] = [
    [{ stepType: false, bar: 0, attempt: true, percent: true }, 6],
    [{ stepType: false, bar: 0, attempt: false, percent: true }, 6],
    [{ stepType: false, bar: 0, attempt: false, percent: false }, 4],
  ];
  let layout: Layout = { ...whole, stepType: false, bar: 0 };
  for (const [parts, leastId] of narrower) {
    const uncut = rowColumns(columns, { ...parts, idColumns: undefined });
    const idColumns = uncut <= width ? undefined : Math.max(Math.min(leastId, columns.id), columns.id - (uncut - width));
    layout = { ...parts, idColumns };
    if (rowColumns(columns, layout) <= width) return layout;
  }
  // Narrower than any layout: the rows are cut at the width (clip).
  return layout;
}

/** An error under a step's row, indented under its id, cut at a word to the width. */
function errorLine(step: JobStep, width: number): string {
  const indent = width - errorIndent >= 12 ? errorIndent : 2;
  return paintStatus(step.status, `${' '.repeat(indent)}${truncateWords(printable(step.error ?? ''), width - indent)}`);
}

/** How many lines a step takes: its row, and its error when it shows one. */
function linesOf(step: JobStep): number {
  return stepShows[step.status].error && step.error ? 2 : 1;
}

/**
 * The steps that get rows within `room` lines: all of them when they fit, else the active ones
 * first (running and blocked, then failed, then pending, then the rest, in pipeline order within
 * each), one line being kept to count the others. A step that does not fit keeps every step that
 * ranks below it hidden.
 */
function chooseSteps(ordered: readonly JobStep[], room: number): { shown: readonly JobStep[]; hidden: readonly JobStep[] } {
  const needed = ordered.reduce((sum, step) => sum + linesOf(step), 0);
  if (needed <= room) return { shown: ordered, hidden: [] };
  let left = Math.max(1, room - 1);
  const chosen = new Set<JobStep>();
  const byPriority = ordered.map((step, index) => ({ step, index })).sort((a, b) => rowPriority[a.step.status] - rowPriority[b.step.status] || a.index - b.index);
  // Once a step does not fit (a failed one with its error line), no step that ranks below it
  // takes the room: a pending row never shows while a failure is hidden.
  let cutoff = Number.POSITIVE_INFINITY;
  for (const { step } of byPriority) {
    if (rowPriority[step.status] > cutoff) break;
    if (linesOf(step) <= left) {
      chosen.add(step);
      left -= linesOf(step);
    } else cutoff = rowPriority[step.status];
  }
  return { shown: ordered.filter((step) => chosen.has(step)), hidden: ordered.filter((step) => !chosen.has(step)) };
}

/** `  … 30 more steps: 20 success, 10 pending`, statuses in the order the hidden steps come. */
function hiddenLine(hidden: readonly JobStep[], width: number): string {
  const counts = new Map<StepStatus, number>();
  for (const step of hidden) counts.set(step.status, (counts.get(step.status) ?? 0) + 1);
  const text = `… ${hidden.length} more steps: ${[...counts].map(([status, count]) => `${count} ${status}`).join(', ')}`;
  return pc.dim(`  ${truncateWords(text, width - 2)}`);
}

/**
 * One frame of the live view, as lines (no line longer than `width` visible columns; colours are
 * ANSI codes, off when picocolors turns them off):
 *
 * ```text
 * ⚠ server answered 503 — retrying in 4 s (1/5)          ← the notice, when there is one
 * http://127.0.0.1:8787 · every 3 s · updated 3 s ago · Ctrl-C to stop
 * ▶ job 2 running  █████░░░░░░░░░░░░░░░░  25%  2/5 steps  3.0 s
 *   ✔ reproject  REPROJECT_LAS       success #1  0.6 s  █████████████████████ 100%
 *   ✖ dem        GENERATE_DEM        failed  #1  0.8 s
 *     GENERATE_DEM failed: pdal pipeline exited with code 1 (writers.gdal: grid…
 *   ▶ ept        BUILD_EPT           running #1  1.3 s  █████░░░░░░░░░░░░░░░░  25%
 *   ↷ contours   GENERATE_CONTOURS   skipped         –
 *   ↷ hillshade  GENERATE_HILLSHADE  skipped         –
 * ```
 *
 * Steps come in pipeline order ({@link pipelineOrder}); a failed or blocked step's error is on
 * the line under its row. As the width shrinks, the step type goes first, then the bars, then
 * long step ids are cut; the status and the elapsed time stay. A pure function: the same
 * arguments give the same lines.
 *
 * @param snapshot - the last snapshot, or `undefined` before the first.
 * @param notice - a line about a retry or a failure, shown at the top; `undefined` for none.
 * @param width - the terminal's width in columns, a whole number of at least 1.
 * @param nowMs - the time of the frame in milliseconds since the epoch (running durations, "updated N s ago").
 * @param facts - the header's facts and the terminal's height: {@link LiveFacts}.
 * @returns the frame's lines, without line breaks.
 * @throws TypeError when `width` is not a whole number of at least 1.
 */
export function liveFrame(snapshot: JobSnapshot | undefined, notice: string | undefined, width: number, nowMs: number, facts: LiveFacts): string[] {
  if (!Number.isInteger(width) || width < 1) throw new TypeError(`Invalid width ${String(width)}: expected a whole number of columns, at least 1`);
  const head = [...(notice ? noticeLines(notice, width) : []), ...(facts.ended ? [] : [headerLine(facts, width, nowMs)])];
  if (!snapshot) return head.map((line) => clip(line, width));
  const ordered = pipelineOrder(snapshot.steps);
  const room = facts.rows === undefined ? Number.POSITIVE_INFINITY : Math.max(2, facts.rows - 1 - head.length - 1);
  const { shown, hidden } = chooseSteps(ordered, room);
  const cells = shown.map((step) => stepCells(step, nowMs));
  const columns = columnsOf(cells);
  const layout = chooseLayout(columns, width, stringWidth(jobLineForms(snapshot, nowMs, 0)[0]!));
  const lines = [...head, jobLine(snapshot, width, nowMs, layout.bar)];
  for (const cell of cells) {
    lines.push(stepRow(cell, columns, layout));
    if (linesOf(cell.step) === 2) lines.push(errorLine(cell.step, width));
  }
  if (hidden.length > 0) lines.push(hiddenLine(hidden, width));
  return lines.map((line) => clip(line, width));
}
