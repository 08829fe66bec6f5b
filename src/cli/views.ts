import cliProgress from 'cli-progress';
import pc from 'picocolors';
import type { JobEvent, JobSnapshot, JobStep, RetryInfo, StepStatus } from 'ordo-status';
import {
  formatDuration,
  formatPercent,
  jobDurationMs,
  paintStatus,
  printable,
  retryLine,
  statusIcon,
  stepDurationMs,
  summaryLine,
} from './format.js';

/** How a watch is shown: a live terminal view, one line per transition, or NDJSON. */
export interface WatchView {
  /** A new distinct snapshot and the transitions it caused. */
  update(snapshot: JobSnapshot, events: readonly JobEvent[]): void;
  /** The watch ended at a terminal snapshot. */
  done(snapshot: JobSnapshot): void;
  /** The watch failed; `message` is safe to print (it never holds the token). */
  fail(error: { code: string; message: string }, last: JobSnapshot | undefined): void;
  /** Ctrl-C. */
  interrupt(last: JobSnapshot | undefined): void;
  /** A request failed and will be retried. */
  retry(info: RetryInfo): void;
}

type Write = (text: string) => void;

/**
 * What a step row and a step event show for each status: the step's error (set when it failed,
 * and on a worker's retry cool-down), and a progress bar (while it runs, and full once done).
 * Exhaustive, so a new step status must say what it shows.
 */
const stepShows: Readonly<Record<StepStatus, { readonly error: boolean; readonly progress: boolean }>> = {
  pending: { error: false, progress: false },
  running: { error: false, progress: true },
  blocked: { error: true, progress: false },
  success: { error: false, progress: true },
  failed: { error: true, progress: false },
  skipped: { error: false, progress: false },
};

/** One human-readable line for a transition event; `step` is the event's step in its snapshot. */
export function eventLine(event: JobEvent, step?: JobStep): string {
  const inferred = event.inferred ? pc.dim(' (inferred)') : '';
  const arrow = `${paintStatus(event.from)} → ${paintStatus(event.to)}`;
  if (event.type === 'job') return `job ${event.jobId}: ${arrow}${inferred}`;
  const error = stepShows[event.to].error && step?.error ? ` · ${printable(step.error)}` : '';
  return `step ${printable(event.stepId)} (${printable(event.stepType)}): ${arrow} · attempt ${event.attempt}${inferred}${error}`;
}

/** Piped output: one line per transition, then a summary. */
export function createLineView(out: Write, err: Write): WatchView {
  return {
    update: (snapshot, events) => {
      if (events.length === 0) return;
      const steps = new Map(snapshot.steps.map((step) => [step.stepId, step]));
      out(events.map((event) => `${eventLine(event, event.type === 'step' ? steps.get(event.stepId) : undefined)}\n`).join(''));
    },
    done: (snapshot) => out(`${summaryLine(snapshot)}\n`),
    fail: (error) => err(`ordo-status: ${printable(error.message)}\n`),
    interrupt: () => err('ordo-status: interrupted\n'),
    retry: (info) => out(`${retryLine(info)}\n`),
  };
}

/** The JSON form of a snapshot for `--json` (dates as ISO strings, no `raw`). */
function snapshotRecord(snapshot: JobSnapshot): Record<string, unknown> {
  const { job, steps, progress, durationMs, outputs } = snapshot;
  return { type: 'snapshot', job, progress, durationMs, steps, outputs };
}

/**
 * `--json`: NDJSON, one object per transition (`type`, `jobId`, `from`, `to`, `inferred`, and
 * `stepId`, `stepType`, `attempt` for steps), then one `{"type":"snapshot", …}` line. A failure
 * or an interruption ends with the last snapshot seen (if any) and
 * `{"type":"error","code","message"}` (code `INTERRUPTED` for Ctrl-C).
 */
export function createJsonView(out: Write, err: Write): WatchView {
  return {
    update: (_snapshot, events) => {
      if (events.length === 0) return;
      out(events.map(({ snapshot: _ignored, ...fields }) => `${JSON.stringify(fields)}\n`).join(''));
    },
    done: (snapshot) => out(`${JSON.stringify(snapshotRecord(snapshot))}\n`),
    fail: (error, last) => {
      if (last) out(`${JSON.stringify(snapshotRecord(last))}\n`);
      out(`${JSON.stringify({ type: 'error', code: error.code, message: error.message })}\n`);
      err(`ordo-status: ${printable(error.message)}\n`);
    },
    interrupt: (last) => {
      if (last) out(`${JSON.stringify(snapshotRecord(last))}\n`);
      out(`${JSON.stringify({ type: 'error', code: 'INTERRUPTED', message: 'interrupted' })}\n`);
      err('ordo-status: interrupted\n');
    },
    retry: ({ attempt, maxRetries, delayMs, error }) =>
      out(`${JSON.stringify({ type: 'retry', attempt, maxRetries, delayMs, code: error.code, message: error.message })}\n`),
  };
}

const barOptions = {
  barsize: 24,
  barCompleteChar: '█',
  barIncompleteChar: '░',
  hideCursor: true,
  clearOnComplete: false,
  stopOnComplete: false,
  autopadding: false,
  linewrap: false,
  fps: 10,
};

function padVisible(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** Which steps get a row when there are more steps than the terminal has rows: the active ones first. */
const rowPriority: Record<JobStep['status'], number> = { running: 0, blocked: 0, failed: 1, pending: 2, success: 3, skipped: 3 };

/**
 * The live terminal view: an overall progress bar, then one row per step with status, attempt,
 * duration and its own progress bar (cli-progress redraws the frame; picocolors colours it). When
 * the job has more steps than the terminal has rows, running, blocked and failed steps get rows
 * first and one line counts the others.
 */
export function createLiveView(stream: NodeJS.WriteStream, err: Write): WatchView {
  const multibar = new cliProgress.MultiBar({ ...barOptions, stream, format: '{line}' });
  const lines: cliProgress.SingleBar[] = [];
  let current: JobSnapshot | undefined;
  let notice: string | undefined;
  let noticeTimer: ReturnType<typeof setTimeout> | undefined;

  const bar = (fraction: number | null) =>
    cliProgress.Format.BarFormat(fraction ?? 0, {
      ...barOptions,
      barCompleteString: '█'.repeat(barOptions.barsize),
      barIncompleteString: '░'.repeat(barOptions.barsize),
      barGlue: '',
    });

  function stepLine(step: JobStep, nowMs: number, widths: { id: number; type: number }): string {
    const status = padVisible(step.status, 8);
    const attempt = step.attempt > 0 ? `#${step.attempt}` : '  ';
    const progress = stepShows[step.status].progress ? `${bar(step.progress)} ${formatPercent(step.progress)}` : '';
    return `  ${statusIcon(step.status)} ${padVisible(printable(step.stepId), widths.id)}  ${pc.dim(padVisible(printable(step.stepType), widths.type))}  ${paintStatus(step.status, status)} ${attempt.padStart(3)}  ${formatDuration(stepDurationMs(step, nowMs)).padStart(8)}  ${progress}`;
  }

  /** Chooses the steps that get a row: all of them, or as many as fit, the active ones first. */
  function visibleSteps(steps: readonly JobStep[]): { shown: readonly JobStep[]; hidden: readonly JobStep[] } {
    const room = Math.max(3, (stream.rows ?? 40) - 4);
    if (steps.length <= room) return { shown: steps, hidden: [] };
    const chosen = new Set(
      steps
        .map((step, index) => ({ step, index }))
        .sort((a, b) => rowPriority[a.step.status] - rowPriority[b.step.status] || a.index - b.index)
        .slice(0, room - 1)
        .map(({ step }) => step),
    );
    return { shown: steps.filter((step) => chosen.has(step)), hidden: steps.filter((step) => !chosen.has(step)) };
  }

  function render(): void {
    if (!current) {
      if (notice) (lines[0] ??= multibar.create(1, 0, { line: '' })).update(0, { line: pc.yellow(`⚠ ${notice}`) });
      return;
    }
    const now = Date.now();
    const { job, progress, steps } = current;
    const { shown, hidden } = visibleSteps(steps);
    const widths = {
      id: Math.max(4, ...shown.map((step) => printable(step.stepId).length)),
      type: Math.max(4, ...shown.map((step) => printable(step.stepType).length)),
    };
    const text = [
      ...(notice ? [pc.yellow(`⚠ ${notice}`)] : []),
      `${statusIcon(job.status)} job ${job.id} ${paintStatus(job.status, padVisible(job.status, 8))} ${bar(progress.fraction)} ${formatPercent(progress.fraction).padStart(4)}  ${progress.completedSteps}/${progress.totalSteps} steps  ${formatDuration(jobDurationMs(current, now))}`,
      ...shown.map((step) => stepLine(step, now, widths)),
    ];
    if (hidden.length > 0) {
      const counts = new Map<string, number>();
      for (const step of hidden) counts.set(step.status, (counts.get(step.status) ?? 0) + 1);
      text.push(pc.dim(`  … ${hidden.length} more steps: ${[...counts].map(([status, count]) => `${count} ${status}`).join(', ')}`));
    }
    // One cli-progress bar per line, created as lines appear (the count never shrinks).
    text.forEach((line, index) => {
      const lineBar = lines[index] ?? multibar.create(1, 0, { line: '' });
      lines[index] = lineBar;
      lineBar.update(0, { line });
    });
    for (let index = text.length; index < lines.length; index += 1) lines[index]!.update(0, { line: '' });
  }

  // Durations of running steps keep counting between polls.
  const ticker = setInterval(render, 1000);
  ticker.unref();
  const stop = () => {
    clearInterval(ticker);
    clearTimeout(noticeTimer);
    render();
    multibar.update();
    multibar.stop();
  };

  return {
    update: (snapshot) => {
      current = snapshot;
      notice = undefined;
      render();
    },
    retry: (info) => {
      // Shown until the retry is sent; a failing retry brings its own notice.
      notice = retryLine(info);
      clearTimeout(noticeTimer);
      noticeTimer = setTimeout(() => {
        notice = undefined;
        render();
      }, info.delayMs + 100);
      noticeTimer.unref();
      render();
    },
    done: (snapshot) => {
      current = snapshot;
      notice = undefined;
      stop();
      stream.write(`${summaryLine(snapshot)}\n`);
    },
    fail: (error) => {
      stop();
      err(`ordo-status: ${printable(error.message)}\n`);
    },
    interrupt: () => {
      stop();
      err('ordo-status: interrupted\n');
    },
  };
}
