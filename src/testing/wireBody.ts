import { completedStepCount, progressFraction } from '../schema/progress.js';

/** What {@link assembleJobBody} needs of a step row: the fields it sorts and derives from. */
export interface WireStepRow {
  readonly step_id: string;
  readonly step_type: string;
  readonly status: string;
  readonly started_at: string | null;
  readonly finished_at: string | null;
  readonly last_detailing?: { readonly progress?: unknown } | null | undefined;
}

/** The job row's timestamps {@link assembleJobBody} derives `duration_ms` from. */
export interface WireJobRow {
  readonly started_at: string | null;
  readonly finished_at: string | null;
}

const byStepId = (a: WireStepRow, b: WireStepRow): number => (a.step_id < b.step_id ? -1 : a.step_id > b.step_id ? 1 : 0);

/** Started steps first, by start time, then by step id; not started ones last. */
function byStartedAt(a: WireStepRow, b: WireStepRow): number {
  if (a.started_at !== b.started_at) {
    if (a.started_at === null) return 1;
    if (b.started_at === null) return -1;
    return a.started_at < b.started_at ? -1 : 1;
  }
  return byStepId(a, b);
}

function durationBetween(start: string | null, end: string | null): number | null {
  return start !== null && end !== null ? Date.parse(end) - Date.parse(start) : null;
}

/**
 * A `GET /jobs/:id` body (version 1.1) from its rows, keys and orders as the real server sends
 * them: `steps` by `step_id`, `timeline` by `started_at` (not started last, then by step),
 * `progress` and `duration_ms` computed the way the server computes them. The rows are copied.
 * Shared by the simulator and `jobBody`, so both answer alike.
 *
 * Source: ordo-api.md, "`GET /jobs/:id` body"; compared with `fixtures/ordo-server/`.
 */
export function assembleJobBody<Job extends WireJobRow, Step extends WireStepRow, Artifact extends object, Output extends object>(
  job: Job,
  steps: readonly Step[],
  artifacts: readonly Artifact[],
  outputs: readonly Output[],
) {
  const sorted = [...steps].sort(byStepId);
  return {
    job: { ...job },
    progress: { percentage: progressFraction(sorted), completed_steps: completedStepCount(sorted), total_steps: sorted.length },
    duration_ms: durationBetween(job.started_at, job.finished_at),
    timeline: [...sorted].sort(byStartedAt).map((step) => ({
      step: step.step_id,
      type: step.step_type,
      status: step.status as Step['status'],
      started_at: step.started_at,
      finished_at: step.finished_at,
      duration_ms: durationBetween(step.started_at, step.finished_at),
    })),
    steps: sorted.map((step) => ({ ...step })),
    artifacts: artifacts.map((artifact) => ({ ...artifact })),
    outputs: outputs.map((output) => ({ ...output })),
  };
}
