import type { JobStatus, StepStatus } from '../machine/statuses.js';

/** The job itself, as in `body.job`, camelCased. */
export interface JobInfo {
  /** The job id as a string (`42` on the wire is `"42"` here). */
  readonly id: string;
  readonly status: JobStatus;
  /** `job.recipe_id`; `null` when the server did not send it (the body in Ordo's own documentation has none). */
  readonly recipeId: number | null;
  /** When the job was created; `null` when not sent. */
  readonly createdAt: Date | null;
  /** When the job started running; `null` until then. */
  readonly startedAt: Date | null;
  /** When the job reached its terminal status; `null` until then. */
  readonly finishedAt: Date | null;
  /** The server's top-level error message for a failed or partial job; `null` otherwise. */
  readonly error: string | null;
}

/** One step of the job's DAG, as in `body.steps[]`, camelCased. */
export interface JobStep {
  /** The step id from the recipe, e.g. `"dem"`. */
  readonly stepId: string;
  /** The step type, e.g. `"GENERATE_DEM"`. */
  readonly stepType: string;
  readonly status: StepStatus;
  /** Attempt number: `0` before the first claim, `2` on a retry. `0` when the server did not send it. */
  readonly attempt: number;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  /** The step's error message (set when it failed or was blocked); `null` otherwise. */
  readonly error: string | null;
  /**
   * The step's own progress as a fraction from 0 to 1: `1` for `success`; for `running`, the
   * worker's latest detailing percent ÷ 100 (clamped to 0..1) when that detailing belongs to the
   * current attempt; `null` when unknown (no detailing yet, a retry whose detailing is still the
   * previous attempt's, or any other status).
   *
   * Source: docs/ordo-server.md, "The job body" (`last_detailing`) and "Statuses" (retries).
   */
  readonly progress: number | null;
}

/** A job output to deliver, as in `body.outputs[]`, camelCased. */
export interface JobOutput {
  /** The namespaced reference, e.g. `"step:dem.output_dem"`. */
  readonly artifactName: string;
  /** The delivery path requested at submission, e.g. `"final/piney-dam/dem.tif"`. */
  readonly path: string;
  /** The producing step and its output slot, parsed from `step:<stepId>.<slot>`; `null` for any other form. */
  readonly producer: { readonly stepId: string; readonly slot: string } | null;
  /** Where the output was delivered; `null` until the finalizer delivers it. */
  readonly deliveredUri: string | null;
  readonly deliveredAt: Date | null;
}

/** Overall progress of a job. */
export interface JobProgress {
  /**
   * Fraction from 0 to 1 (the server's `progress.percentage`, which is a fraction despite its
   * name): the mean over all steps of 1 for `success`, the running step's detailing percent ÷ 100
   * for `running`, 0 otherwise. Not monotonic: it drops when a running step fails or a retry
   * writes a lower percent. Never assume it equals `completedSteps / totalSteps`.
   *
   * Source: docs/ordo-server.md, "The job body".
   */
  readonly fraction: number;
  /** Steps in `success` or `failed` (skipped steps are not counted: a failed job can end at 3 of 5). */
  readonly completedSteps: number;
  readonly totalSteps: number;
}

/**
 * One validated, immutable observation of a job: what `GET /jobs/:id` answered, camelCased.
 *
 * Source: docs/api.md, "Snapshots".
 */
export interface JobSnapshot {
  readonly job: JobInfo;
  /** The steps in the server's order (sorted by step id). */
  readonly steps: readonly JobStep[];
  /** From the server's `progress` block, or computed the same way when an older server sent none. */
  readonly progress: JobProgress;
  /** The job's run time in milliseconds; `null` until it has both started and finished. */
  readonly durationMs: number | null;
  /** The outputs in the server's order (sorted by artifact name); `[]` when the server sent none. */
  readonly outputs: readonly JobOutput[];
  /**
   * The parsed body exactly as received, unknown fields included; deeply frozen like the rest of
   * the snapshot (parts equal to the previous snapshot's are that snapshot's own, frozen already).
   */
  readonly raw: unknown;
}
