import { computeJobProgress } from 'ordo-status';

/**
 * What {@link jobResponseBody} needs of a step row (snake_case, as on the wire): the fields it
 * sorts by and derives `progress`, `timeline` and durations from.
 */
export interface WireStepRow {
  readonly step_id: string;
  readonly step_type: string;
  readonly status: string;
  /** ISO 8601, or null before the step starts. */
  readonly started_at: string | null;
  /** ISO 8601, or null until the step ends. */
  readonly finished_at: string | null;
  readonly last_detailing?: { readonly progress?: unknown } | null | undefined;
}

/** The job row's timestamps (ISO 8601 or null) {@link jobResponseBody} derives `duration_ms` from. */
export interface WireJobRow {
  readonly started_at: string | null;
  readonly finished_at: string | null;
}

/** One `timeline[]` entry of {@link jobResponseBody}: a step's status and times, `duration_ms` in milliseconds. */
export interface TimelineEntry<Status extends string> {
  step: string;
  type: string;
  status: Status;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
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

/** Milliseconds from `start` to `end` (ISO 8601), or null while either is missing. */
function durationBetween(start: string | null, end: string | null): number | null {
  return start !== null && end !== null ? Date.parse(end) - Date.parse(start) : null;
}

/**
 * A `GET /jobs/:id` response body (version 1.1) from its rows, keys and orders as the real server
 * sends them: `job`, `progress` (`percentage` a fraction 0–1, `completed_steps`, `total_steps`,
 * by {@link computeJobProgress}), `duration_ms` (milliseconds, null until the job has started and
 * finished), `timeline` (by `started_at`, not started last, then by step; each with its
 * `duration_ms`), `steps` (by `step_id`), `artifacts` and `outputs` (in the order given: the
 * caller sorts them by `name` / `artifact_name`). The rows are copied. Shared by the simulator and
 * the kit's `jobBody`, so both answer alike; browser-safe (imports only `ordo-status`).
 *
 * Source: docs/ordo-server.md, "The job body"; compared with responses captured from a real Ordo server.
 * @param job - the job row (`id`, `recipe_id`, `status`, timestamps, `error`, `params`).
 * @param steps - the step rows, in any order.
 * @param artifacts - the artifact rows, sorted by `name`.
 * @param outputs - the output rows, sorted by `artifact_name`.
 * @returns the body, ready for `JSON.stringify`.
 */
export function jobResponseBody<Job extends WireJobRow, Step extends WireStepRow, Artifact extends object, Output extends object>(
  job: Job,
  steps: readonly Step[],
  artifacts: readonly Artifact[],
  outputs: readonly Output[],
) {
  const sorted = [...steps].sort(byStepId);
  const progress = computeJobProgress(sorted);
  return {
    job: { ...job },
    progress: { percentage: progress.fraction, completed_steps: progress.completedSteps, total_steps: progress.totalSteps },
    duration_ms: durationBetween(job.started_at, job.finished_at),
    timeline: [...sorted].sort(byStartedAt).map((step): TimelineEntry<Step['status']> => ({
      step: step.step_id,
      type: step.step_type,
      status: step.status,
      started_at: step.started_at,
      finished_at: step.finished_at,
      duration_ms: durationBetween(step.started_at, step.finished_at),
    })),
    steps: sorted.map((step) => ({ ...step })),
    artifacts: artifacts.map((artifact) => ({ ...artifact })),
    outputs: outputs.map((output) => ({ ...output })),
  };
}
