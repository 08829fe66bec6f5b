import { createMachine } from 'xstate';
import type { JobStatus } from './statuses.js';

/**
 * The event that tells a lifecycle machine the server reported a status: `status.<status>`.
 * One event type per target status, so every edge of a machine reads as "the server now says X".
 */
export type StatusEvent<S extends string> = { type: `status.${S}` };

/** Events of {@link jobMachine}. */
export type JobMachineEvent = StatusEvent<Exclude<JobStatus, 'pending'>>;

/**
 * The lifecycle of an Ordo job: `pending → running → success | failed | partial`. The three
 * outcomes are final states. This machine is the single source of truth for legal job status
 * changes: the transition table used on the hot path is derived from it.
 *
 * Source: the Ordo server documentation, "Job status machine"; docs/lifecycles.md, "The job".
 * @example
 * ```ts
 * import { transition } from 'xstate';
 * const [next] = transition(jobMachine, jobMachine.resolveState({ value: 'pending', context: undefined }), { type: 'status.running' });
 * next.value; // 'running'
 * ```
 */
export const jobMachine = /* @__PURE__ */ createMachine({
  types: { events: {} as JobMachineEvent },
  id: 'ordoJob',
  initial: 'pending',
  states: {
    pending: { on: { 'status.running': 'running' } },
    running: {
      on: { 'status.success': 'success', 'status.failed': 'failed', 'status.partial': 'partial' },
    },
    success: { type: 'final' },
    failed: { type: 'final' },
    partial: { type: 'final' },
  },
});
