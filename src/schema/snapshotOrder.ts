import { jobTransitions, stepTransitions, type TransitionTable } from '../machine/transitionTable.js';
import type { JobSnapshot } from './types.js';

/** How many legal moves a status is from `pending` (the machines' shortest path). */
function depth<S extends string>(table: TransitionTable<S>, status: S): number {
  return (table.path(table.initial, status)?.length ?? 1) - 1;
}

/**
 * How far along a job is, as one number that every move of the server makes larger or leaves
 * equal (the job's and each step's distance from `pending` on the machines, a step's `attempt`
 * weighing more than any status move, so a retry counts forward); progress alone is the tie-break.
 */
function advancement(snapshot: JobSnapshot): number {
  let sum = depth(jobTransitions, snapshot.job.status);
  for (const step of snapshot.steps) sum += step.attempt * 16 + depth(stepTransitions, step.status);
  return sum;
}

/**
 * Whether `next` shows the job earlier than `last` does, for merging two sources of one job's
 * snapshots: a relay's replay after polls, or after a server-rendered snapshot. Every move of the
 * server (a status along the machines, a step's retry, which raises its `attempt`) takes a job
 * forward; with the same statuses and attempts, a smaller `progress.fraction` is behind.
 *
 * @returns `true` when `next` is behind `last`; `false` when it is level or ahead.
 * @example
 * ```ts
 * if (!isSnapshotBehind(pushed, latest)) latest = pushed; // an older replay is skipped
 * ```
 * @see docs/relay.md, "Consumers".
 */
export function isSnapshotBehind(next: JobSnapshot, last: JobSnapshot): boolean {
  const [a, b] = [advancement(next), advancement(last)];
  return a < b || (a === b && next.progress.fraction < last.progress.fraction);
}
