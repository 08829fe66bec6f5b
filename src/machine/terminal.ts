import { jobStatuses, stepStatuses, type JobStatus, type StepStatus } from './statuses.js';
import { jobTransitions, stepTransitions } from './transitionTable.js';

/**
 * The job statuses after which a job never changes again: the final states of
 * {@link jobMachine} (`success`, `failed`, `partial`), read from the machine, never written out.
 *
 * Source: docs/lifecycles.md, "The job" and "A step".
 */
export const terminalJobStatuses: readonly JobStatus[] = /* @__PURE__ */ Object.freeze(jobStatuses.filter((status) => jobTransitions.final.has(status)));

/**
 * The step statuses after which a step never changes again: the final states of
 * {@link stepMachine} (`success`, `failed`, `skipped`).
 *
 * Source: docs/lifecycles.md, "The job" and "A step".
 */
export const terminalStepStatuses: readonly StepStatus[] = /* @__PURE__ */ Object.freeze(stepStatuses.filter((status) => stepTransitions.final.has(status)));

/** True for a final state of {@link jobMachine}: `success`, `failed` and `partial`. */
export function isTerminalJobStatus(status: JobStatus): boolean {
  return jobTransitions.final.has(status);
}

/** True for a final state of {@link stepMachine}: `success`, `failed` and `skipped`. */
export function isTerminalStepStatus(status: StepStatus): boolean {
  return stepTransitions.final.has(status);
}
