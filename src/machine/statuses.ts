/**
 * The status words of jobs and steps: the one place they are written. The machines
 * (`jobMachine`, `stepMachine`) have one state per word, the wire schema accepts exactly these,
 * and everything that maps a status to something (CLI colours and exit codes, the kit, the
 * simulator) uses an exhaustive `Record<JobStatus, …>` / `Record<StepStatus, …>`, so adding a word
 * here makes the compiler list every place it must reach. Which words are final lives in
 * `terminal.ts`, read from the machines.
 */

/**
 * The five job statuses an Ordo server reports.
 *
 * Source: docs/ordo-server.md, "Statuses"; docs/lifecycles.md.
 */
export const jobStatuses = ['pending', 'running', 'success', 'failed', 'partial'] as const;

/** A job status: `pending → running → success | failed | partial`. */
export type JobStatus = (typeof jobStatuses)[number];

/**
 * The six step statuses an Ordo server reports (`blocked` is a worker's retry cool-down).
 *
 * Source: docs/ordo-server.md, "Statuses"; docs/lifecycles.md.
 */
export const stepStatuses = ['pending', 'running', 'blocked', 'success', 'failed', 'skipped'] as const;

/** A step status: `pending → running → success | failed`, `pending → skipped`, and `blocked` between attempts. */
export type StepStatus = (typeof stepStatuses)[number];
