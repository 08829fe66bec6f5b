/**
 * Progress arithmetic exactly as a real Ordo server does it, shared by the snapshot parser (for
 * servers older than 1.1, which send no `progress` block) and the simulator.
 *
 * Source: docs/ordo-server.md, "The job body" (`progress`), checked against every response
 * captured from a real Ordo server (`test/fixtures/ordo-server/` in the repository; the fractions
 * match bit for bit, float rounding included).
 */

import type { StepStatus } from '../machine/statuses.js';
import type { JobProgress } from './types.js';

/** The wire fields the progress arithmetic reads from a step (`status`, and `last_detailing` for a running one). */
export interface ProgressStepInput {
  readonly status: string;
  readonly last_detailing?: { readonly progress?: unknown } | null | undefined;
}

/**
 * A job's progress from its wire step rows, computed exactly as a real Ordo server computes its
 * `progress` block: `fraction` is the mean over all steps of 1 for `success`, the latest
 * detailing percent ÷ 100 for `running`, 0 otherwise (steps summed in the given order, which
 * should be the server's: by `step_id`); `completedSteps` counts `success` and `failed`;
 * `totalSteps` is `steps.length`. Used by {@link parseJobSnapshot} for servers older than 1.1
 * (which send no `progress`), and by the simulator and `jobBody` of `ordo-status/testing`.
 *
 * Source: docs/ordo-server.md, "The job body" (`progress`); checked bit for bit against responses
 * captured from a real Ordo server.
 * @param steps - The job's `steps[]` rows as on the wire (snake_case).
 * @returns `{ fraction, completedSteps, totalSteps }`, `fraction` from 0 to 1 (`0` without steps).
 * @throws TypeError when `steps` is not an array of objects. A status no server sends counts as 0
 *   and not completed.
 * @example
 * computeJobProgress([{ status: 'success' }, { status: 'running', last_detailing: { progress: { percent: 50 } } }]);
 * // { fraction: 0.75, completedSteps: 1, totalSteps: 2 }
 */
export function computeJobProgress(steps: readonly ProgressStepInput[]): JobProgress {
  if (!Array.isArray(steps)) throw new TypeError(invalidSteps);
  // An index loop, so a hole is caught too (`every` skips holes).
  for (let index = 0; index < steps.length; index += 1) {
    const step: unknown = steps[index];
    if (typeof step !== 'object' || step === null) throw new TypeError(invalidSteps);
  }
  return progressOf(steps);
}

const invalidSteps = 'Invalid steps: expected an array of step rows such as { status: "running", last_detailing: { progress: { percent: 40 } } }';

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
 * What each step status adds to the job's progress: its share of the mean, and whether it counts
 * as completed. Exhaustive, so a new step status must be given its place in the arithmetic.
 * Source: docs/ordo-server.md, "The job body" (`progress`).
 */
const stepShares: Readonly<Record<StepStatus, { readonly share: (step: ProgressStepInput) => number; readonly completed: boolean }>> = {
  pending: { share: () => 0, completed: false },
  running: { share: (step) => detailingPercent(step.last_detailing) / 100, completed: false },
  blocked: { share: () => 0, completed: false },
  success: { share: () => 1, completed: true },
  failed: { share: () => 0, completed: true },
  skipped: { share: () => 0, completed: false },
};

/** The entry of a wire status; `undefined` for a word no server sends (the schema rejects those). */
const shareOf = (status: string) => (Object.hasOwn(stepShares, status) ? stepShares[status as StepStatus] : undefined);

/**
 * {@link computeJobProgress} for rows already validated (the snapshot parser's): one pass, the
 * server's `progress.percentage` (the mean of each status's share, summed in the given order,
 * which is the server's step order; `0` without steps) and `completed_steps`.
 */
export function progressOf(steps: readonly ProgressStepInput[]): JobProgress {
  let sum = 0;
  let completed = 0;
  for (const step of steps) {
    const entry = shareOf(step.status);
    if (entry === undefined) continue;
    sum += entry.share(step);
    if (entry.completed) completed += 1;
  }
  return { fraction: steps.length === 0 ? 0 : sum / steps.length, completedSteps: completed, totalSteps: steps.length };
}
