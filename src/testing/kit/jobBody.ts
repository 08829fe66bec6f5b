import { isTerminalJobStatus, jobStatuses, normalizeJobId, stepStatuses, type JobId, type JobStatus, type StepStatus } from 'ordo-status';
import { jobResponseBody } from '../simulator/jobResponseBody.js';

/** One step of a {@link jobBody}. */
export interface StepBodyInit {
  /** The step's id in the recipe, e.g. `'dem'`. Unique within the job. */
  readonly stepId: string;
  readonly status: StepStatus;
  /** The step's type; default: the id in upper case (`'dem'` → `'DEM'`). */
  readonly stepType?: string;
  /** Runs so far; default `0` for a `pending` step, `1` otherwise. A non-negative integer. */
  readonly attempt?: number;
  /**
   * The percent (0..100) the worker last wrote in the step's detailing row, as Ordo workers do
   * (`{"progress": percent}`); default: no detailing row. Counts towards the job's progress
   * only while the step is `running`, as on the server.
   */
  readonly percent?: number;
  /** The detailing row's log line (with `percent`); default `''`. */
  readonly log?: string;
  /** The step's error; default `'<stepId> failed'` for a `failed` step, `null` otherwise. */
  readonly error?: string | null;
}

/** What {@link jobBody} builds a body from. Only `status` is required. */
export interface JobBodyInit {
  /** Default `1`. A number stays a number in the body, as the server sends it. */
  readonly id?: JobId;
  readonly status: JobStatus;
  /**
   * The job's steps, in any order (the body lists them by `step_id`, as the server does): an
   * array of {@link StepBodyInit}, or the short form `{ reproject: 'success', dem: 'running' }`.
   * Default: none.
   */
  readonly steps?: readonly StepBodyInit[] | Readonly<Record<string, StepStatus>>;
  /** The job's error; default `'<n> step(s) failed'` for a `failed` or `partial` job, `null` otherwise. */
  readonly error?: string | null;
  /** When the job was created: the base of every timestamp in the body. Default `2026-01-01T00:00:00.000Z`. */
  readonly createdAt?: Date | string;
  /** The recipe the job runs; default `1`. */
  readonly recipeId?: number;
  /** The job's parameters (any JSON); default `{}`. */
  readonly params?: unknown;
}

/** A `GET /jobs/:id` body, version 1.1, as {@link jobBody} builds it. */
export interface JobBody {
  readonly job: {
    readonly id: number | string;
    readonly recipe_id: number;
    readonly status: JobStatus;
    readonly created_at: string;
    readonly started_at: string | null;
    readonly finished_at: string | null;
    readonly error: string | null;
    readonly params: unknown;
  };
  readonly progress: { readonly percentage: number; readonly completed_steps: number; readonly total_steps: number };
  readonly duration_ms: number | null;
  readonly timeline: readonly {
    readonly step: string;
    readonly type: string;
    readonly status: StepStatus;
    readonly started_at: string | null;
    readonly finished_at: string | null;
    readonly duration_ms: number | null;
  }[];
  readonly steps: readonly JobBodyStep[];
  readonly artifacts: readonly unknown[];
  readonly outputs: readonly unknown[];
}

/** One row of {@link JobBody.steps}, as the server sends it. */
export interface JobBodyStep {
  readonly job_id: number | string;
  readonly step_id: string;
  readonly step_type: string;
  readonly status: StepStatus;
  readonly attempt: number;
  readonly claimed_by: string | null;
  readonly claimed_at: string | null;
  readonly started_at: string | null;
  readonly finished_at: string | null;
  readonly error: string | null;
  readonly max_concurrency: number | null;
  readonly last_detailing: {
    readonly id: number;
    readonly job_id: number | string;
    readonly step_id: string;
    readonly log: string;
    readonly progress: { readonly progress: number };
    readonly updated_at: string;
  } | null;
}

const defaultCreatedAt = '2026-01-01T00:00:00.000Z';
/**
 * Which timestamps a step in each status has: `started_at` once a worker claimed it, `finished_at`
 * once it ended. Exhaustive, so a new step status must say which it has.
 * Source: docs/ordo-server.md, "The job body" (a skipped step never started).
 */
const stepTimes: Readonly<Record<StepStatus, { readonly started: boolean; readonly finished: boolean }>> = {
  pending: { started: false, finished: false },
  running: { started: true, finished: false },
  blocked: { started: true, finished: false },
  success: { started: true, finished: true },
  failed: { started: true, finished: true },
  skipped: { started: false, finished: false },
};

/**
 * Builds a valid `GET /jobs/:id` body (version 1.1, keys and orders as a real Ordo server sends
 * them) from the few fields a test cares about, so marble tests and transports can answer with
 * realistic traffic:
 *
 * ```ts
 * jobBody({ status: 'running', steps: { reproject: 'success', dem: 'running' } })
 * jobBody({ id: 7, status: 'failed', steps: [{ stepId: 'dem', status: 'failed', error: 'out of memory' }] })
 * ```
 *
 * Everything else is derived, deterministically: timestamps count seconds from `createdAt`
 * (step `i` starts `i + 1` s after it and a finished one ends a second later; a finished job
 * ends a second after its last step), `progress` is computed as the server computes it (mean
 * of 1 per `success` step and percent ÷ 100 per `running` one), `timeline` lists started steps
 * first, and `artifacts` and `outputs` are empty. Whether the statuses make sense together
 * (a `success` job with a `failed` step) is not checked: tests of odd traffic need odd bodies.
 *
 * Source: docs/ordo-server.md, "The job body"; compared with responses captured from a real Ordo server.
 * @throws TypeError naming the field when a status, id, step id, attempt, percent or date is invalid.
 */
export function jobBody(init: JobBodyInit): JobBody {
  if (init === null || typeof init !== 'object') throw new TypeError('Invalid jobBody: expected { status, steps?, … }');
  const status = checkStatus(init.status, jobStatuses, 'status');
  const id = init.id ?? 1;
  normalizeJobId(id);
  const base = baseTime(init.createdAt);
  const recipeId = init.recipeId ?? 1;
  if (!Number.isSafeInteger(recipeId) || recipeId < 1) throw new TypeError(`Invalid recipeId ${String(recipeId)}: expected a positive integer`);
  const inits = stepInits(init.steps);
  const at = (seconds: number) => new Date(base + seconds * 1000).toISOString();

  const rows: JobBodyStep[] = inits.map((step, index) => {
    const { started, finished } = stepTimes[step.status];
    return {
      job_id: id,
      step_id: step.stepId,
      step_type: step.stepType ?? step.stepId.toUpperCase(),
      status: step.status,
      attempt: step.attempt ?? (step.status === 'pending' ? 0 : 1),
      claimed_by: started ? 'worker-1' : null,
      claimed_at: started ? at(index + 0.5) : null,
      started_at: started ? at(index + 1) : null,
      finished_at: finished ? at(index + 2) : null,
      error: step.error !== undefined ? step.error : step.status === 'failed' ? `${step.stepId} failed` : null,
      max_concurrency: null,
      last_detailing:
        step.percent === undefined
          ? null
          : { id: index + 1, job_id: id, step_id: step.stepId, log: step.log ?? '', progress: { progress: step.percent }, updated_at: at(index + 1.5) },
    };
  });
  const terminal = isTerminalJobStatus(status);
  const failedSteps = rows.filter((row) => row.status === 'failed').length;
  const error =
    init.error !== undefined ? init.error : status === 'failed' || status === 'partial' ? `${failedSteps} step(s) failed` : null;
  if (error !== null && typeof error !== 'string') throw new TypeError('Invalid error: expected a string or null');
  const job = {
    id,
    recipe_id: recipeId,
    status,
    created_at: at(0),
    started_at: status === 'pending' ? null : at(0.25),
    finished_at: terminal ? at(inits.length + 2) : null,
    error,
    params: init.params ?? {},
  };
  return jobResponseBody(job, rows, [], []);
}

function checkStatus<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new TypeError(`Invalid ${field} ${JSON.stringify(value) ?? String(value)}: expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** The instants a body can carry: ISO 8601 with four-digit years, as the server writes dates. */
const firstTime = Date.parse('0000-01-01T00:00:00.000Z');
const lastTime = Date.UTC(9999, 11, 31, 23, 59, 59);

function baseTime(createdAt: Date | string | undefined): number {
  const invalid = () => new TypeError(`Invalid createdAt ${JSON.stringify(createdAt)}: expected a Date or an ISO 8601 date with a time zone, in the years 0000 to 9999`);
  if (createdAt !== undefined && !(createdAt instanceof Date) && typeof createdAt !== 'string') throw invalid();
  // A date and time without a zone would depend on the machine's time zone: tests passing here and failing in CI.
  if (typeof createdAt === 'string' && /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(createdAt)) throw invalid();
  const time = new Date(createdAt ?? defaultCreatedAt).getTime();
  if (!(time >= firstTime && time <= lastTime)) throw invalid();
  return time;
}

function stepInits(steps: JobBodyInit['steps']): StepBodyInit[] {
  if (steps === undefined) return [];
  const prototype: unknown = steps !== null && typeof steps === 'object' ? Object.getPrototypeOf(steps) : undefined;
  if (!Array.isArray(steps) && prototype !== Object.prototype && prototype !== null) {
    throw new TypeError('Invalid steps: expected an array of { stepId, status } or { [stepId]: status }');
  }
  const list: StepBodyInit[] = Array.isArray(steps)
    ? [...(steps as readonly StepBodyInit[])]
    : Object.entries(steps as Record<string, StepStatus>).map(([stepId, status]) => ({ stepId, status }));
  const seen = new Set<string>();
  list.forEach((step, index) => {
    const where = `steps[${index}]`;
    if (step === null || typeof step !== 'object') throw new TypeError(`Invalid ${where}: expected { stepId, status }`);
    if (typeof step.stepId !== 'string' || step.stepId.trim() === '') throw new TypeError(`Invalid ${where}.stepId: expected a non-empty string`);
    if (seen.has(step.stepId)) throw new TypeError(`Invalid ${where}.stepId ${JSON.stringify(step.stepId)}: the job already has a step with this id`);
    seen.add(step.stepId);
    checkStatus(step.status, stepStatuses, `${where}.status`);
    if (step.stepType !== undefined && (typeof step.stepType !== 'string' || step.stepType === '')) throw new TypeError(`Invalid ${where}.stepType: expected a non-empty string`);
    if (step.attempt !== undefined && (!Number.isSafeInteger(step.attempt) || step.attempt < 0)) {
      throw new TypeError(`Invalid ${where}.attempt ${String(step.attempt)}: expected a non-negative integer`);
    }
    if (step.percent !== undefined && (typeof step.percent !== 'number' || !(step.percent >= 0 && step.percent <= 100))) {
      throw new TypeError(`Invalid ${where}.percent ${String(step.percent)}: expected a number from 0 to 100`);
    }
    if (step.error !== undefined && step.error !== null && typeof step.error !== 'string') throw new TypeError(`Invalid ${where}.error: expected a string or null`);
    if (step.log !== undefined && typeof step.log !== 'string') throw new TypeError(`Invalid ${where}.log: expected a string`);
  });
  return list;
}
