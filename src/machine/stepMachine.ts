import { createMachine } from 'xstate';
import type { StepStatus } from './statuses.js';
import type { StatusEvent } from './jobMachine.js';

/** Events of {@link stepMachine}. */
export type StepMachineEvent = StatusEvent<Exclude<StepStatus, 'pending'>>;

/**
 * The lifecycle of a step: `pending → running → success | failed`, `pending → skipped` (a
 * dependency failed), and `blocked`, the retry cool-down real Ordo workers use:
 * `pending → blocked`, `running → blocked`, `blocked → running`, `blocked → failed | skipped`.
 * `success`, `failed` and `skipped` are final.
 *
 * The order of the edges matters for inference: when two shortest paths exist (a step seen
 * `pending` then `failed` may have gone through `running` or `blocked`), the one whose first edge
 * is declared first wins, so `pending → running → failed`.
 *
 * Source: docs/ordo-server.md, "Statuses"; docs/lifecycles.md, "A step".
 */
export const stepMachine = /* @__PURE__ */ createMachine({
  types: { events: {} as StepMachineEvent },
  id: 'ordoStep',
  initial: 'pending',
  states: {
    pending: { on: { 'status.running': 'running', 'status.skipped': 'skipped', 'status.blocked': 'blocked' } },
    running: { on: { 'status.success': 'success', 'status.failed': 'failed', 'status.blocked': 'blocked' } },
    blocked: { on: { 'status.running': 'running', 'status.failed': 'failed', 'status.skipped': 'skipped' } },
    success: { type: 'final' },
    failed: { type: 'final' },
    skipped: { type: 'final' },
  },
});
