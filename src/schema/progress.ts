/**
 * Progress arithmetic exactly as a real Ordo server does it, shared by the snapshot parser (for
 * servers older than 1.1, which send no `progress` block) and the simulator.
 *
 * Source: ordo-api.md, "`GET /jobs/:id` body" (`progress`), checked against every body in
 * `fixtures/ordo-server/` (the fractions match bit for bit, float rounding included).
 */

/** The wire fields the progress arithmetic reads from a step. */
export interface ProgressStepInput {
  readonly status: string;
  readonly last_detailing?: { readonly progress?: unknown } | null | undefined;
}

/**
 * The percent (0..100) a worker wrote in a step's latest detailing row: its `progress`, then
 * `percent`, then `percentage` key, clamped to 0..100; `0` when there is none or it is not a
 * number (a numeric string counts as its number).
 */
export function detailingPercent(detailing: { readonly progress?: unknown } | null | undefined): number {
  const progress = detailing?.progress;
  if (progress === null || typeof progress !== 'object') return 0;
  const record = progress as Record<string, unknown>;
  const value = record['progress'] ?? record['percent'] ?? record['percentage'];
  const percent = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(percent)) return 0;
  return Math.min(100, Math.max(0, percent));
}

/**
 * The server's `progress.percentage`: the mean over all steps (summed in the given order, which
 * is the server's step order) of 1 for `success`, detailing percent ÷ 100 for `running`, and 0
 * for every other status. A fraction from 0 to 1; `0` for a job without steps.
 */
export function progressFraction(steps: readonly ProgressStepInput[]): number {
  if (steps.length === 0) return 0;
  let sum = 0;
  for (const step of steps) {
    if (step.status === 'success') sum += 1;
    else if (step.status === 'running') sum += detailingPercent(step.last_detailing) / 100;
  }
  return sum / steps.length;
}

/** The server's `progress.completed_steps`: steps in `success` or `failed` (skipped steps are not counted). */
export function completedStepCount(steps: readonly ProgressStepInput[]): number {
  let count = 0;
  for (const step of steps) if (step.status === 'success' || step.status === 'failed') count += 1;
  return count;
}
