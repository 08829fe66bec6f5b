import { assembleJobBody } from '../wireBody.js';
import { jsonb } from './jsonb.js';
import { dependentsOf, directDependents, topologicalOrder, type JobRequest, type RecipeStep } from './recipe.js';
import { defaultStepDurationsMs, type SimulatorScenario, type StepScript } from './scenario.js';

type JobStatus = 'pending' | 'running' | 'success' | 'failed' | 'partial';
type StepStatus = 'pending' | 'running' | 'blocked' | 'success' | 'failed' | 'skipped';

interface Detailing {
  id: number;
  job_id: number;
  step_id: string;
  log: string;
  progress: unknown;
  updated_at: string;
}

/** A step row, keys in the server's order. */
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

interface OutputRow {
  job_id: number;
  artifact_name: string;
  path: string;
  delivered_uri: string | null;
  delivered_at: string | null;
  created_at: string;
}

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

/** A scheduled change: `at` is simulated milliseconds after creation. */
interface Change {
  readonly at: number;
  readonly order: number;
  readonly apply: (iso: string) => void;
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

/**
 * One job inside the simulator. Its whole lifecycle is planned at creation as a list of timed
 * changes (claims, starts, detailing rows, artifacts, failures, skips, blocks, retries,
 * deliveries, the final status); reading the job applies the changes that are due. No timers run:
 * the state is a function of the clock, which makes a manual clock exact in tests.
 */
export class SimulatedJob {
  readonly id: number;
  private readonly createdAtMs: number;
  private readonly speed: number;
  private readonly job: JobRow;
  private readonly steps = new Map<string, StepRow>();
  private readonly artifacts: ArtifactRow[] = [];
  private readonly outputs: OutputRow[];
  private readonly changes: Change[] = [];
  private cursor = 0;

  constructor(init: SimulatedJobInit) {
    this.id = init.id;
    this.createdAtMs = init.createdAtMs;
    this.speed = init.speed;
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
    this.artifacts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.outputs = init.request.outputs.map(({ reference, path }) => ({
      job_id: init.id,
      artifact_name: reference,
      path,
      delivered_uri: null,
      delivered_at: null,
      created_at: created,
    }));
    this.plan(init);
  }

  /** True once the job has reached its terminal status (as of the last {@link advanceTo}). */
  get finished(): boolean {
    return this.job.status === 'success' || this.job.status === 'failed' || this.job.status === 'partial';
  }

  /** Wall-clock time (ms since the epoch) at which the last change is due. */
  get endsAtMs(): number {
    const last = this.changes.at(-1);
    return last ? this.createdAtMs + last.at / this.speed : this.createdAtMs;
  }

  private step(id: string): StepRow {
    return this.steps.get(id) as StepRow;
  }

  private plan(init: SimulatedJobInit): void {
    const scenario = init.scenario;
    const claimDelay = scenario.claimDelayMs ?? 300;
    const startDelay = scenario.startDelayMs ?? 300;
    const skipDelay = scenario.skipDelayMs ?? 200;
    const deliveryDelay = scenario.deliveryDelayMs ?? 300;
    const jobStart = scenario.jobStartDelayMs ?? 300;
    let order = 0;
    const add = (at: number, apply: (iso: string) => void) => this.changes.push({ at, order: order++, apply });

    add(jobStart, (iso) => {
      this.job.status = 'running';
      this.job.started_at = iso;
    });

    const succeededAt = new Map<string, number>();
    const terminalAt = new Map<string, number>();
    const failed: string[] = [];
    let worker = 0;
    for (const recipeStep of topologicalOrder(init.steps)) {
      if (terminalAt.has(recipeStep.id)) continue; // skipped by a failed dependency
      const script: StepScript = scenario.steps?.[recipeStep.id] ?? {};
      const durationMs = script.durationMs ?? defaultStepDurationsMs[recipeStep.type] ?? 2000;
      const percents = script.detailing ?? [20, 55, 90];
      const attempts = (script.blockedAttempts ?? 0) + 1;
      const row = this.step(recipeStep.id);
      let t = Math.max(jobStart, ...recipeStep.dependsOn.map((id) => succeededAt.get(id) ?? jobStart));
      for (let attempt = 1; attempt <= attempts; attempt += 1) {
        const workerName = workerNames[worker++ % workerNames.length] as string;
        const claim = t + claimDelay;
        add(claim, (iso) => {
          row.status = 'running';
          row.attempt = attempt;
          row.claimed_by = workerName;
          row.claimed_at = iso;
          row.error = null;
        });
        const start = claim + startDelay;
        add(start, (iso) => {
          row.started_at = iso;
          row.finished_at = null;
        });
        const last = attempt === attempts;
        const fails = last && script.fail !== undefined && script.fail !== false;
        const end = start + durationMs * (!last ? 0.4 : fails ? 0.5 : 1);
        percents.forEach((percent, index) => {
          const at = start + (durationMs * (index + 1)) / (percents.length + 1);
          if (at >= end) return;
          add(at, (iso) => {
            row.last_detailing = {
              id: init.nextDetailingId(),
              job_id: init.id,
              step_id: row.step_id,
              log: `${row.step_type.toLowerCase()}: ${percent}%`,
              progress: jsonb({ progress: percent }),
              updated_at: iso,
            };
          });
        });
        if (!last) {
          add(end, () => {
            row.status = 'blocked';
            row.error = `${row.step_type} attempt ${attempt} failed: worker lost its lease (simulated); retrying`;
          });
          t = end + (script.cooldownMs ?? 1500);
        } else if (fails) {
          const message = typeof script.fail === 'string' ? script.fail : `${row.step_type} failed (simulated failure)`;
          add(end, (iso) => {
            row.status = 'failed';
            row.finished_at = iso;
            row.error = message;
          });
          failed.push(recipeStep.id);
          terminalAt.set(recipeStep.id, end);
          const dependents = [...dependentsOf(init.steps, recipeStep.id)].filter((id) => !terminalAt.has(id));
          if (dependents.length > 0) {
            add(end + skipDelay, () => {
              for (const id of dependents) this.step(id).status = 'skipped';
            });
            for (const id of dependents) terminalAt.set(id, end + skipDelay);
          }
        } else {
          for (const slot of Object.keys(recipeStep.outputs)) {
            const kind = artifactKinds[recipeStep.type] ?? { type: 'file', extension: '' };
            add(start + durationMs * 0.95, (iso) => {
              this.artifacts.push({
                job_id: init.id,
                name: slot,
                type: kind.type,
                uri: `s3://ordo-staging/jobs/${init.id}/${recipeStep.id}/${slot}${kind.extension}`,
                hash: `sha256:${digest(`${init.id}/${recipeStep.id}/${slot}`)}`,
                producer_step: recipeStep.id,
                metadata: null,
                created_at: iso,
              });
              this.artifacts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
            });
          }
          add(end, (iso) => {
            row.status = 'success';
            row.finished_at = iso;
            row.error = null;
          });
          succeededAt.set(recipeStep.id, end);
          terminalAt.set(recipeStep.id, end);
        }
      }
    }

    // Finalizer: once every step is terminal, deliver what can be delivered, then end the job.
    const allDone = Math.max(jobStart, ...terminalAt.values());
    const dependents = directDependents(init.steps);
    const failedWithDependents = failed.filter((id) => (dependents.get(id)?.length ?? 0) > 0);
    const outcome: JobStatus = failedWithDependents.length > 0 ? 'failed' : failed.length > 0 ? 'partial' : 'success';
    let at = allDone;
    if (outcome !== 'failed') {
      const deliverable = [...this.outputs]
        .sort((a, b) => (a.artifact_name < b.artifact_name ? -1 : 1))
        .filter((output) => {
          const producer = /^step:([^.]+)\./.exec(output.artifact_name)?.[1];
          return producer !== undefined && succeededAt.has(producer);
        });
      for (const output of deliverable) {
        at += deliveryDelay;
        const kind = this.outputKind(init.steps, output.artifact_name);
        add(at, (iso) => {
          output.delivered_uri = `s3://ordo-deliverables/${output.path}${kind === 'ept' && !output.path.endsWith('/') ? '/' : ''}`;
          output.delivered_at = iso;
        });
      }
    }
    at += deliveryDelay;
    const firstFailure = (outcome === 'failed' ? failedWithDependents : failed)[0];
    add(at, (iso) => {
      this.job.status = outcome;
      this.job.finished_at = iso;
      this.job.error = firstFailure === undefined ? null : `Step "${firstFailure}" failed: ${this.step(firstFailure).error ?? 'unknown error'}`;
    });
    this.changes.sort((a, b) => a.at - b.at || a.order - b.order);
  }

  private outputKind(steps: readonly RecipeStep[], reference: string): string | undefined {
    const producer = /^step:([^.]+)\./.exec(reference)?.[1];
    const type = steps.find((step) => step.id === producer)?.type;
    return type === undefined ? undefined : artifactKinds[type]?.type;
  }

  /** Applies every change due at or before `nowMs` (wall clock, ms since the epoch). */
  advanceTo(nowMs: number): void {
    while (this.cursor < this.changes.length) {
      const change = this.changes[this.cursor] as Change;
      const dueMs = this.createdAtMs + change.at / this.speed;
      if (dueMs > nowMs) break;
      change.apply(new Date(Math.round(dueMs)).toISOString());
      this.cursor += 1;
    }
  }

  /**
   * The `GET /jobs/:id` body, keys and sort orders as the real server sends them: steps by
   * `step_id`, timeline by `started_at` (not started last, then by step), artifacts by `name`,
   * outputs by `artifact_name`; `progress` computed the way the server computes it.
   */
  body(): Record<string, unknown> {
    const outputs = [...this.outputs].sort((a, b) => (a.artifact_name < b.artifact_name ? -1 : a.artifact_name > b.artifact_name ? 1 : 0));
    return assembleJobBody(this.job, [...this.steps.values()], this.artifacts, outputs);
  }
}
