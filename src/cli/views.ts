import cliProgress from 'cli-progress';
import pc from 'picocolors';
import type { JobEvent, JobSnapshot, JobStep } from 'ordo-status';
import {
  formatDuration,
  formatPercent,
  jobDurationMs,
  paintStatus,
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
}

type Write = (text: string) => void;

/** One human-readable line for a transition event. */
export function eventLine(event: JobEvent): string {
  const inferred = event.inferred ? pc.dim(' (inferred)') : '';
  const arrow = `${paintStatus(event.from)} → ${paintStatus(event.to)}`;
  if (event.type === 'job') return `job ${event.jobId}: ${arrow}${inferred}`;
  const step = event.snapshot.steps.find((candidate) => candidate.stepId === event.stepId);
  const error = (event.to === 'failed' || event.to === 'blocked') && step?.error ? ` · ${step.error}` : '';
  return `step ${event.stepId} (${event.stepType}): ${arrow} · attempt ${event.attempt}${inferred}${error}`;
}

/** Piped output: one line per transition, then a summary. */
export function createLineView(out: Write, err: Write): WatchView {
  return {
    update: (_snapshot, events) => {
      for (const event of events) out(`${eventLine(event)}\n`);
    },
    done: (snapshot) => out(`${summaryLine(snapshot)}\n`),
    fail: (error) => err(`ordo-status: ${error.message}\n`),
    interrupt: () => err('ordo-status: interrupted\n'),
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
 * adds `{"type":"error","code","message"}`.
 */
export function createJsonView(out: Write, err: Write): WatchView {
  return {
    update: (_snapshot, events) => {
      for (const event of events) {
        const { snapshot: _ignored, ...fields } = event;
        out(`${JSON.stringify(fields)}\n`);
      }
    },
    done: (snapshot) => out(`${JSON.stringify(snapshotRecord(snapshot))}\n`),
    fail: (error, last) => {
      if (last) out(`${JSON.stringify(snapshotRecord(last))}\n`);
      out(`${JSON.stringify({ type: 'error', code: error.code, message: error.message })}\n`);
      err(`ordo-status: ${error.message}\n`);
    },
    interrupt: () => err('ordo-status: interrupted\n'),
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

/**
 * The live terminal view: an overall progress bar, then one row per step with status, attempt,
 * duration and its own progress bar (cli-progress redraws the frame; picocolors colours it).
 */
export function createLiveView(stream: NodeJS.WriteStream, err: Write): WatchView {
  const multibar = new cliProgress.MultiBar({ ...barOptions, stream, format: '{line}' });
  let jobBar: cliProgress.SingleBar | undefined;
  const stepBars = new Map<string, cliProgress.SingleBar>();
  let current: JobSnapshot | undefined;
  let widths = { id: 4, type: 4 };

  const bar = (fraction: number | null) => cliProgress.Format.BarFormat(fraction ?? 0, { ...barOptions, barCompleteString: '█'.repeat(24), barIncompleteString: '░'.repeat(24), barGlue: '' } as never);

  function stepLine(step: JobStep, nowMs: number): string {
    const status = padVisible(step.status, 8);
    const attempt = step.attempt > 0 ? `#${step.attempt}` : '  ';
    const progress = step.status === 'running' || step.status === 'success' ? `${bar(step.progress)} ${formatPercent(step.progress)}` : '';
    return `  ${statusIcon(step.status)} ${padVisible(step.stepId, widths.id)}  ${pc.dim(padVisible(step.stepType, widths.type))}  ${paintStatus(step.status, status)} ${attempt.padStart(3)}  ${formatDuration(stepDurationMs(step, nowMs)).padStart(8)}  ${progress}`;
  }

  function render(): void {
    if (!current) return;
    const now = Date.now();
    const snapshot = current;
    const { job, progress } = snapshot;
    const head = `${statusIcon(job.status)} job ${job.id} ${paintStatus(job.status, padVisible(job.status, 8))} ${bar(progress.fraction)} ${formatPercent(progress.fraction).padStart(4)}  ${progress.completedSteps}/${progress.totalSteps} steps  ${formatDuration(jobDurationMs(snapshot, now))}`;
    jobBar ??= multibar.create(1, 0, { line: '' });
    jobBar.update(progress.fraction, { line: head });
    widths = {
      id: Math.max(4, ...snapshot.steps.map((step) => step.stepId.length)),
      type: Math.max(4, ...snapshot.steps.map((step) => step.stepType.length)),
    };
    for (const step of snapshot.steps) {
      let stepBar = stepBars.get(step.stepId);
      if (!stepBar) {
        stepBar = multibar.create(1, 0, { line: '' });
        stepBars.set(step.stepId, stepBar);
      }
      stepBar.update(step.progress ?? 0, { line: stepLine(step, now) });
    }
  }

  // Durations of running steps keep counting between polls.
  const ticker = setInterval(render, 1000);
  ticker.unref();
  const stop = () => {
    clearInterval(ticker);
    render();
    multibar.update();
    multibar.stop();
  };

  return {
    update: (snapshot) => {
      current = snapshot;
      render();
    },
    done: (snapshot) => {
      current = snapshot;
      stop();
      stream.write(`${summaryLine(snapshot)}\n`);
    },
    fail: (error) => {
      stop();
      err(`ordo-status: ${error.message}\n`);
    },
    interrupt: () => {
      stop();
      err('ordo-status: interrupted\n');
    },
  };
}
