import type { JobStatus, StepStatus } from 'ordo-status';
import { jobResponseBody } from './jobResponseBody.js';
import { jsonb } from './jsonb.js';
import { dependentsOf, directDependents, topologicalOrder, type JobRequest, type RecipeStep } from './recipe.js';
import { resolveScenarioDelays, resolveStepScript, type ResolvedStepScript, type ScenarioDelaysMs, type SimulatorScenario } from './scenario.js';

/*
 * The rows of one job, keys in the server's order, as `GET /jobs/:id` shows them; timestamps are
 * ISO 8601 strings or null.
 *
 * Source: docs/ordo-server.md, "The job body".
 */

/** A step's latest detailing row: the worker's progress note (`progress` is `{"progress": percent}` here). */
interface Detailing {
  id: number;
  job_id: number;
  step_id: string;
  log: string;
  progress: unknown;
  updated_at: string;
}

/** A step row. */
interface StepRow {
  job_id: number;
  step_id: string;
  step_type: string;
  status: StepStatus;
  attempt: number;
  claimed_by: string | null;
  claimed_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  max_concurrency: number | null;
  last_detailing: Detailing | null;
}

/** An artifact row: a job input (`producer_step` null) or a step's output. */
interface ArtifactRow {
  job_id: number;
  name: string;
  type: string;
  uri: string;
  hash: string | null;
  producer_step: string | null;
  metadata: unknown;
  created_at: string;
}

/** An output row: a declared deliverable, `delivered_uri` / `delivered_at` null until the finalizer delivers it. */
interface OutputRow {
  job_id: number;
  artifact_name: string;
  path: string;
  delivered_uri: string | null;
  delivered_at: string | null;
  created_at: string;
}

/** The job row. */
interface JobRow {
  id: number;
  recipe_id: number;
  status: JobStatus;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  params: unknown;
}

/** A scheduled change: `at` is simulated milliseconds after creation; `order` breaks ties (planning order). */
interface Change {
  readonly at: number;
  readonly order: number;
  /** Applies the change; `iso` is the instant it is due, ISO 8601. */
  readonly apply: (iso: string) => void;
}

/** The status the finalizer writes: every job status but the two before the end. */
type JobOutcome = Exclude<JobStatus, 'pending' | 'running'>;

/** How one attempt of a step ends: every step status an attempt can end in (`skipped` is a dependency's doing). */
type AttemptEnd = Exclude<StepStatus, 'pending' | 'running' | 'skipped'>;

/**
 * How long an attempt runs before it ends, as a share of the step's `durationMs`: a blocked
 * attempt loses its lease at 40 %, a failing one fails half-way.
 *
 * Source: the simulator's scenario rules (docs/simulator.md, "The scripted worker").
 */
const attemptLength: Readonly<Record<AttemptEnd, number>> = { blocked: 0.4, failed: 0.5, success: 1 };

/**
 * Whether the finalizer delivers outputs (those whose producing step succeeded) for an outcome:
 * a `failed` job delivers none.
 *
 * Source: docs/simulator.md, "The scripted worker" (the finalizer table).
 */
const deliversOutputs: Readonly<Record<JobOutcome, boolean>> = { success: true, partial: true, failed: false };

/** What planning has decided so far; times are simulated milliseconds after creation. */
interface PlanState {
  readonly delays: ScenarioDelaysMs;
  /** Step id → when it succeeded. */
  readonly succeededAt: Map<string, number>;
  /** Step id → when it reached a final status (`success`, `failed` or `skipped`). */
  readonly finalAt: Map<string, number>;
  /** The failed steps, in planning order. */
  readonly failed: string[];
  /** Claims planned so far (workers take turns). */
  claims: number;
}

/** What a {@link SimulatedJob} needs from the simulator. */
export interface SimulatedJobInit {
  readonly id: number;
  readonly recipeId: number;
  readonly steps: readonly RecipeStep[];
  readonly request: JobRequest;
  readonly scenario: SimulatorScenario;
  /** Wall-clock time of creation, milliseconds since the epoch. */
  readonly createdAtMs: number;
  /** Clock factor: simulated time runs this many times faster. */
  readonly speed: number;
  /** Hands out the ids of detailing rows (one sequence per simulator, like a database). */
  readonly nextDetailingId: () => number;
}

/** The artifact a step writes per output slot, by step type: its `type` and URI extension; other types write a `file`. */
const artifactKinds: Readonly<Record<string, { type: string; extension: string }>> = {
  REPROJECT_LAS: { type: 'las', extension: '.laz' },
  GENERATE_DEM: { type: 'geotiff', extension: '.tif' },
  GENERATE_HILLSHADE: { type: 'geotiff', extension: '.tif' },
  GENERATE_CONTOURS: { type: 'geojson', extension: '.geojson' },
  BUILD_EPT: { type: 'ept', extension: '/' },
};

const workerNames = ['sim-worker-1', 'sim-worker-2', 'sim-worker-3'];

/** A short deterministic hex digest of a string (FNV-1a), to fill in artifact hashes. */
function digest(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${hash.toString(16).padStart(8, '0')}${(hash ^ 0x5bd1e995).toString(16).padStart(8, '0')}`.slice(0, 12);
}

const byName = (a: ArtifactRow, b: ArtifactRow): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const byArtifactName = (a: OutputRow, b: OutputRow): number => (a.artifact_name < b.artifact_name ? -1 : a.artifact_name > b.artifact_name ? 1 : 0);

/** The step id in a `step:<id>.<slot>` reference, or `undefined` for another reference. */
function producerOf(reference: string): string | undefined {
  return /^step:([^.]+)\./.exec(reference)?.[1];
}

/**
 * The job's final status, and the failed step its error names: `failed` when a failed step has
 * dependents (the first such step), `partial` when steps failed but none has dependents (the
 * first failed step), `success` otherwise.
 *
 * Source: docs/simulator.md, "The scripted worker" (the finalizer table).
 */
function jobOutcome(steps: readonly RecipeStep[], failed: readonly string[]): { outcome: JobOutcome; firstFailure: string | undefined } {
  const dependents = directDependents(steps);
  const failedWithDependents = failed.filter((id) => (dependents.get(id)?.length ?? 0) > 0);
  if (failedWithDependents.length > 0) return { outcome: 'failed', firstFailure: failedWithDependents[0] };
  if (failed.length > 0) return { outcome: 'partial', firstFailure: failed[0] };
  return { outcome: 'success', firstFailure: undefined };
}

/**
 * One job inside the simulator. Its whole lifecycle is planned at creation as a list of timed
 * changes (claims, starts, detailing rows, artifacts, failures, skips, blocks, retries,
 * deliveries, the final status); reading the job applies the changes that are due. No timers run:
 * the state is a function of the clock, which makes a manual clock exact in tests.
 *
 * Planning, in the order the constructor runs it: {@link SimulatedJob.plan} walks the steps in
 * topological order; each step's attempts ({@link SimulatedJob.planStep}: claim, start,
 * detailing), then how the last one ends (blocked and retried, failed with its dependents
 * skipped, or succeeded with its artifacts); finally the deliveries and the job's final status
 * ({@link SimulatedJob.planFinish}).
 */
export class SimulatedJob {
  readonly id: number;
  private readonly init: SimulatedJobInit;
  private readonly job: JobRow;
  private readonly steps = new Map<string, StepRow>();
  private readonly artifacts: ArtifactRow[] = [];
  private readonly outputs: OutputRow[];
  private readonly changes: Change[] = [];
  private cursor = 0;

  constructor(init: SimulatedJobInit) {
    this.id = init.id;
    this.init = init;
    const created = new Date(init.createdAtMs).toISOString();
    this.job = {
      id: init.id,
      recipe_id: init.recipeId,
      status: 'pending',
      created_at: created,
      started_at: null,
      finished_at: null,
      error: null,
      params: jsonb(init.request.params),
    };
    for (const step of init.steps) {
      this.steps.set(step.id, {
        job_id: init.id,
        step_id: step.id,
        step_type: step.type,
        status: 'pending',
        attempt: 0,
        claimed_by: null,
        claimed_at: null,
        started_at: null,
        finished_at: null,
        error: null,
        max_concurrency: null,
        last_detailing: null,
      });
    }
    for (const input of init.request.inputs) {
      this.artifacts.push({
        job_id: init.id,
        name: input.name,
        type: input.type,
        uri: input.uri,
        hash: input.hash,
        producer_step: null,
        metadata: jsonb(input.metadata),
        created_at: created,
      });
    }
    this.artifacts.sort(byName);
    this.outputs = init.request.outputs.map(({ reference, path }) => ({
      job_id: init.id,
      artifact_name: reference,
      path,
      delivered_uri: null,
      delivered_at: null,
      created_at: created,
    }));
    this.plan();
  }

  /** Applies every change due at or before `nowMs` (wall clock, ms since the epoch). */
  advanceTo(nowMs: number): void {
    while (this.cursor < this.changes.length) {
      const change = this.changes[this.cursor] as Change;
      const dueMs = this.init.createdAtMs + change.at / this.init.speed;
      if (dueMs > nowMs) break;
      change.apply(new Date(Math.round(dueMs)).toISOString());
      this.cursor += 1;
    }
  }

  /**
   * The `GET /jobs/:id` body as of the last {@link advanceTo}, keys and sort orders as the real
   * server sends them (see {@link jobResponseBody}); artifacts by `name`, outputs by `artifact_name`.
   */
  body(): Record<string, unknown> {
    return jobResponseBody(this.job, [...this.steps.values()], this.artifacts, [...this.outputs].sort(byArtifactName));
  }

  private step(id: string): StepRow {
    return this.steps.get(id) as StepRow;
  }

  /** Schedules a change `at` simulated milliseconds after creation; ties apply in scheduling order. */
  private schedule(at: number, apply: (iso: string) => void): void {
    this.changes.push({ at, order: this.changes.length, apply });
  }

  /** Plans the whole lifecycle: the job's start, every step in topological order, the finish. */
  private plan(): void {
    const delays = resolveScenarioDelays(this.init.scenario);
    this.schedule(delays.jobStartDelayMs, (iso) => {
      this.job.status = 'running';
      this.job.started_at = iso;
    });
    const state: PlanState = { delays, succeededAt: new Map(), finalAt: new Map(), failed: [], claims: 0 };
    for (const step of topologicalOrder(this.init.steps)) {
      if (state.finalAt.has(step.id)) continue; // skipped by a failed dependency
      this.planStep(step, resolveStepScript(this.init.scenario, step), state);
    }
    this.planFinish(state);
    this.changes.sort((a, b) => a.at - b.at || a.order - b.order);
  }

  /**
   * Plans a step's attempts once its dependencies have succeeded: each is claimed, started and
   * writes detailing rows; every attempt but the last ends `blocked` and is followed by the
   * cool-down; the last one fails or succeeds.
   */
  private planStep(step: RecipeStep, script: ResolvedStepScript, state: PlanState): void {
    const row = this.step(step.id);
    const jobStart = state.delays.jobStartDelayMs;
    let readyAt = Math.max(jobStart, ...step.dependsOn.map((id) => state.succeededAt.get(id) ?? jobStart));
    for (let attempt = 1; attempt <= script.attempts; attempt += 1) {
      const ends: AttemptEnd = attempt < script.attempts ? 'blocked' : script.failure !== undefined ? 'failed' : 'success';
      const startAt = this.planAttemptStart(row, attempt, readyAt, state);
      const endAt = startAt + script.durationMs * attemptLength[ends];
      this.planDetailing(row, script, startAt, endAt);
      switch (ends) {
        case 'blocked':
          this.planBlocked(row, attempt, endAt);
          readyAt = endAt + script.cooldownMs;
          break;
        case 'failed':
          this.planFailure(step, script.failure as string, endAt, state);
          break;
        case 'success':
          this.planSuccess(step, script, startAt, endAt, state);
          break;
      }
    }
  }

  /** Plans an attempt's claim (`running`, `attempt`, the next worker) and start; returns when it starts. */
  private planAttemptStart(row: StepRow, attempt: number, readyAt: number, state: PlanState): number {
    const worker = workerNames[state.claims++ % workerNames.length] as string;
    const claimAt = readyAt + state.delays.claimDelayMs;
    this.schedule(claimAt, (iso) => {
      row.status = 'running';
      row.attempt = attempt;
      row.claimed_by = worker;
      row.claimed_at = iso;
      row.error = null;
    });
    const startAt = claimAt + state.delays.startDelayMs;
    this.schedule(startAt, (iso) => {
      row.started_at = iso;
      row.finished_at = null;
    });
    return startAt;
  }

  /** Plans the detailing rows an attempt writes before it ends, evenly spaced over the step's duration. */
  private planDetailing(row: StepRow, script: ResolvedStepScript, startAt: number, endAt: number): void {
    const percents = script.detailing;
    percents.forEach((percent, index) => {
      const at = startAt + (script.durationMs * (index + 1)) / (percents.length + 1);
      if (at >= endAt) return;
      this.schedule(at, (iso) => {
        row.last_detailing = {
          id: this.init.nextDetailingId(),
          job_id: this.init.id,
          step_id: row.step_id,
          log: `${row.step_type.toLowerCase()}: ${percent}%`,
          progress: jsonb({ progress: percent }),
          updated_at: iso,
        };
      });
    });
  }

  /** Plans a blocked attempt: the worker loses its lease; the step waits for its cool-down. */
  private planBlocked(row: StepRow, attempt: number, endAt: number): void {
    this.schedule(endAt, () => {
      row.status = 'blocked';
      row.error = `${row.step_type} attempt ${attempt} failed: worker lost its lease (simulated); retrying`;
    });
  }

  /** Plans a step's failure, and every step depending on it (not yet final) becoming `skipped` `skipDelayMs` later, in one update. */
  private planFailure(step: RecipeStep, message: string, endAt: number, state: PlanState): void {
    const row = this.step(step.id);
    this.schedule(endAt, (iso) => {
      row.status = 'failed';
      row.finished_at = iso;
      row.error = message;
    });
    state.failed.push(step.id);
    state.finalAt.set(step.id, endAt);
    const dependents = [...dependentsOf(this.init.steps, step.id)].filter((id) => !state.finalAt.has(id));
    if (dependents.length === 0) return;
    const skipAt = endAt + state.delays.skipDelayMs;
    this.schedule(skipAt, () => {
      for (const id of dependents) this.step(id).status = 'skipped';
    });
    for (const id of dependents) state.finalAt.set(id, skipAt);
  }

  /** Plans a step's success: an artifact per output slot at 95 % of its time, then `success`. */
  private planSuccess(step: RecipeStep, script: ResolvedStepScript, startAt: number, endAt: number, state: PlanState): void {
    const jobId = this.init.id;
    for (const slot of Object.keys(step.outputs)) {
      const kind = artifactKinds[step.type] ?? { type: 'file', extension: '' };
      this.schedule(startAt + script.durationMs * 0.95, (iso) => {
        this.artifacts.push({
          job_id: jobId,
          name: slot,
          type: kind.type,
          uri: `s3://ordo-staging/jobs/${jobId}/${step.id}/${slot}${kind.extension}`,
          hash: `sha256:${digest(`${jobId}/${step.id}/${slot}`)}`,
          producer_step: step.id,
          metadata: null,
          created_at: iso,
        });
        this.artifacts.sort(byName);
      });
    }
    const row = this.step(step.id);
    this.schedule(endAt, (iso) => {
      row.status = 'success';
      row.finished_at = iso;
      row.error = null;
    });
    state.succeededAt.set(step.id, endAt);
    state.finalAt.set(step.id, endAt);
  }

  /**
   * Plans the finalizer: once every step is final, it delivers the outputs it can
   * (`deliveryDelayMs` apart, by `artifact_name`), then writes the job's outcome and error.
   */
  private planFinish(state: PlanState): void {
    const { outcome, firstFailure } = jobOutcome(this.init.steps, state.failed);
    let at = Math.max(state.delays.jobStartDelayMs, ...state.finalAt.values());
    if (deliversOutputs[outcome]) {
      const deliverable = [...this.outputs].sort(byArtifactName).filter((output) => {
        const producer = producerOf(output.artifact_name);
        return producer !== undefined && state.succeededAt.has(producer);
      });
      for (const output of deliverable) {
        at += state.delays.deliveryDelayMs;
        this.planDelivery(output, at);
      }
    }
    at += state.delays.deliveryDelayMs;
    this.schedule(at, (iso) => {
      this.job.status = outcome;
      this.job.finished_at = iso;
      this.job.error = firstFailure === undefined ? null : `Step "${firstFailure}" failed: ${this.step(firstFailure).error ?? 'unknown error'}`;
    });
  }

  /** Plans one output's delivery: its `delivered_uri` (a folder, ending in `/`, for an `ept` artifact) and `delivered_at`. */
  private planDelivery(output: OutputRow, at: number): void {
    const producer = producerOf(output.artifact_name);
    const type = this.init.steps.find((step) => step.id === producer)?.type;
    const kind = type === undefined ? undefined : artifactKinds[type]?.type;
    this.schedule(at, (iso) => {
      output.delivered_uri = `s3://ordo-deliverables/${output.path}${kind === 'ept' && !output.path.endsWith('/') ? '/' : ''}`;
      output.delivered_at = iso;
    });
  }
}
