import { checkFault, type SimulatorFault } from './faults.js';
import { checkRequestAgainstRecipe, JobRequestError, parseJobRequest, type JobRequest, type RecipeStep } from './recipe.js';
import { builtInScenario, type SimulatorScenario, type SimulatorScenarioName } from './scenario.js';
import { SimulatedJob } from './simulatedJob.js';

/** A recipe the simulator has stored, as the server's `recipes` table would: `recipe_id` → name, version, steps. */
interface StoredRecipe {
  readonly id: number;
  readonly name: string;
  readonly version: string;
  readonly steps: readonly RecipeStep[];
}

/** What a {@link JobStore} needs from the simulator. */
export interface JobStoreInit {
  /** The clock, milliseconds since the epoch: jobs are read as of this instant. */
  readonly now: () => number;
  /** Clock factor: simulated time runs this many times faster. */
  readonly speed: number;
  /** The outcome of jobs submitted without their own scenario; `undefined` for `'success'`. */
  readonly scenario: SimulatorScenarioName | SimulatorScenario | undefined;
}

/** A fault to play instead of a job's answer, with the bodies it may need (see `playFault`). */
export interface DueFault {
  readonly fault: SimulatorFault;
  /** The job's body as of its last read (the clock is not read for a fault). */
  readonly body: Record<string, unknown>;
  /** The first body the job ever answered, or `undefined` if it never answered. */
  readonly firstBody: unknown;
}

/**
 * The simulator's database: stored recipes, jobs (ids from 1, in submission order), the faults
 * queued for each job and the first body each job answered. Shared by the HTTP routes and the
 * `OrdoSimulator` object, so `POST /jobs` and `submitJob` create the same jobs.
 */
export class JobStore {
  private readonly init: JobStoreInit;
  private readonly recipes: StoredRecipe[] = [];
  private readonly jobs = new Map<number, SimulatedJob>();
  private readonly faults = new Map<number, SimulatorFault[]>();
  private readonly firstBodies = new Map<number, unknown>();
  private detailingIds = 0;

  constructor(init: JobStoreInit) {
    this.init = init;
  }

  /**
   * Creates a job as `POST /jobs` does: a recipe by `recipe_id`, by name and version, or defined
   * inline (stored on first use, ids from 1); the job runs `scenario`, else the simulator's.
   * @param body - a `POST /jobs` body (recipe format v2).
   * @returns `{ id }` of the new job.
   * @throws JobRequestError with the server's 400 message for a body it would refuse.
   */
  submit(body: unknown, scenario?: SimulatorScenarioName | SimulatorScenario): { id: number } {
    const request = parseJobRequest(body);
    const recipe = this.recipeFor(request.recipe);
    checkRequestAgainstRecipe(request, recipe.steps);
    const chosen = scenario ?? this.init.scenario ?? 'success';
    const script = typeof chosen === 'string' ? builtInScenario(chosen, recipe.steps) : chosen;
    const id = this.jobs.size + 1;
    this.jobs.set(
      id,
      new SimulatedJob({
        id,
        recipeId: recipe.id,
        steps: recipe.steps,
        request,
        scenario: script,
        createdAtMs: this.init.now(),
        speed: this.init.speed,
        nextDetailingId: () => ++this.detailingIds,
      }),
    );
    return { id };
  }

  /**
   * The job's `GET /jobs/:id` body as of now (its due changes applied first), or `undefined` for
   * an unknown id. The first body of each job is kept for the `regress` fault.
   */
  read(id: number): Record<string, unknown> | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    job.advanceTo(this.init.now());
    const body = job.body();
    if (!this.firstBodies.has(id)) this.firstBodies.set(id, body);
    return body;
  }

  /**
   * Queues faults for a known job, after those already queued.
   * @throws TypeError for an unknown job or an invalid fault (none is queued then).
   */
  queueFaults(jobId: number, faults: readonly SimulatorFault[]): void {
    if (!this.jobs.has(jobId)) throw new TypeError(`Unknown job ${String(jobId)}: submit it first`);
    const list: unknown = faults; // a caller without types may pass anything
    if (!Array.isArray(list)) throw new TypeError('Invalid faults: expected an array');
    faults.forEach(checkFault);
    this.faults.set(jobId, [...(this.faults.get(jobId) ?? []), ...faults]);
  }

  /** Takes the next fault queued for a job, with the bodies it may need; `undefined` when none is queued. */
  takeFault(jobId: number): DueFault | undefined {
    const fault = this.faults.get(jobId)?.shift();
    if (!fault) return undefined;
    return { fault, body: this.jobs.get(jobId)?.body() ?? {}, firstBody: this.firstBodies.get(jobId) };
  }

  /** The stored recipe a request names, storing an inline definition on first use. @throws JobRequestError when there is none. */
  private recipeFor(named: JobRequest['recipe']): StoredRecipe {
    if ('id' in named) {
      const found = this.recipes.find((candidate) => candidate.id === named.id);
      if (!found) throw new JobRequestError(`Recipe ${named.id} not found`);
      return found;
    }
    const { name, version, steps } = named;
    const found = this.recipes.find((candidate) => candidate.name === name && candidate.version === version);
    if (found) return found;
    if (!steps) throw new JobRequestError(`Recipe ${name}@${version} not found and no definition given`);
    const recipe = { id: this.recipes.length + 1, name, version, steps };
    this.recipes.push(recipe);
    return recipe;
  }
}
