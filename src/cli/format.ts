import pc from 'picocolors';
import type { JobSnapshot, JobStatus, JobStep, StepStatus } from 'ordo-status';

/**
 * Makes a server's text safe to print on a terminal: control characters (escape sequences, line
 * breaks, carriage returns) become visible `\xNN` escapes, so a step id or an error message can
 * neither move the cursor nor forge a line of output.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it replaces
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** `1234` → `1.2 s`, `75000` → `1 m 15 s`; `null` → `–`. Milliseconds in. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  if (minutes < 60) return `${minutes} m ${seconds} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} m`;
}

/** A fraction 0..1 as a whole percent: `0.71` → `71%`; `null` → `–`. */
export function formatPercent(fraction: number | null): string {
  // Floor, so 99.6 % is not shown as done; the epsilon keeps 0.29 (28.999999999999996) at 29 %.
  return fraction === null ? '–' : `${Math.floor(fraction * 100 + 1e-9)}%`;
}

/** A step's run time: finished − started, or now − started while it runs; `null` before it started. */
export function stepDurationMs(step: JobStep, nowMs: number): number | null {
  if (step.startedAt === null) return null;
  const end = step.finishedAt ?? (step.status === 'running' ? new Date(nowMs) : null);
  return end === null ? null : end.getTime() - step.startedAt.getTime();
}

/** The job's run time: the server's `durationMs`, or now − started while it runs. */
export function jobDurationMs(snapshot: JobSnapshot, nowMs: number): number | null {
  if (snapshot.durationMs !== null) return snapshot.durationMs;
  return snapshot.job.startedAt === null ? null : nowMs - snapshot.job.startedAt.getTime();
}

/**
 * How each job and step status looks: its icon and its colour. Exhaustive, so a new status in
 * `jobStatuses` / `stepStatuses` (src/machine/statuses.ts) must be given a look here.
 */
const looks: Readonly<Record<StepStatus | JobStatus, { readonly icon: string; readonly paint: (text: string) => string }>> = {
  pending: { icon: '·', paint: pc.dim },
  running: { icon: '▶', paint: pc.cyan },
  blocked: { icon: '⏸', paint: pc.yellow },
  success: { icon: '✔', paint: pc.green },
  failed: { icon: '✖', paint: pc.red },
  skipped: { icon: '↷', paint: pc.dim },
  partial: { icon: '◐', paint: pc.yellow },
};

/** Colours a status word (colours are off when the output is not a terminal or NO_COLOR is set). */
export function paintStatus(status: StepStatus | JobStatus, text: string = status): string {
  return looks[status].paint(text);
}

/** The icon of a status, coloured. */
export function statusIcon(status: StepStatus | JobStatus): string {
  return looks[status].paint(looks[status].icon);
}

/** The closing line of a watch: `job 1 success in 11.6 s · 5/5 steps · 4/4 outputs delivered`. */
export function summaryLine(snapshot: JobSnapshot): string {
  const { job, progress, outputs } = snapshot;
  const delivered = outputs.filter((output) => output.deliveredUri !== null).length;
  const parts = [
    `${progress.completedSteps}/${progress.totalSteps} steps`,
    ...(outputs.length > 0 ? [`${delivered}/${outputs.length} outputs delivered`] : []),
  ];
  const head = `job ${job.id} ${paintStatus(job.status)} in ${formatDuration(snapshot.durationMs)}`;
  const lines = [`${statusIcon(job.status)} ${head} · ${parts.join(' · ')}`];
  if (job.error) lines.push(`  error: ${printable(job.error)}`);
  for (const step of snapshot.steps) {
    if (step.status === 'failed' && step.error) lines.push(`  step ${printable(step.stepId)}: ${printable(step.error)}`);
  }
  return lines.join('\n');
}

/** Why a request is being retried, in a few words: `connection lost`, `server answered 503`. */
export function retryReason(error: { code: string; status?: number; scope?: string }): string {
  if (error.code === 'NETWORK') return 'connection lost';
  if (error.code === 'TIMEOUT') return 'no answer in time';
  if (error.code === 'ILLEGAL_TRANSITION') return 'the server answered an older state';
  if (error.code === 'NOT_FOUND') return 'job not visible yet';
  if (typeof error.status === 'number') return `server answered ${error.status}`;
  return 'request failed';
}

/** `connection lost — retrying in 4 s (2/5)`. */
export function retryLine(info: { attempt: number; maxRetries: number; delayMs: number; error: { code: string } }): string {
  // Tenths of a second below 10 s (`0.8 s`, `4 s`), whole seconds above.
  const tenths = Math.round(info.delayMs / 100) / 10;
  const seconds = tenths >= 10 ? String(Math.round(tenths)) : Number.isInteger(tenths) ? String(tenths) : tenths.toFixed(1);
  return `${retryReason(info.error)} — retrying in ${seconds} s (${info.attempt}/${info.maxRetries})`;
}
