import type * as z from 'zod/mini';
import { invalidBodyError } from '../body/invalidBodyError.js';
import { parseJsonText } from '../body/parseJsonText.js';
import type { OrdoSchemaIssue } from '../errors/OrdoSchemaError.js';
import { describeReceived, toIssue } from './zodIssues.js';
import { normalizeJobId, type JobId } from './jobId.js';
import { detailingPercent, progressOf } from './progress.js';
import type { JobInfo, JobOutput, JobSnapshot, JobStep } from './types.js';
import { jsonEqual } from './jsonEqual.js';
import { statusAliasHint, statusAliasTable, type StatusAliases, type StatusAliasTable } from './statusAliases.js';
import { wireEnvelopeSchema, wireJobSchema, wireOutputSchema, wireStepSchema, type WireJobBody, type WireOutput, type WireStep } from './wireSchema.js';

/** Options of {@link parseJobSnapshot}. */
export interface ParseJobSnapshotOptions {
  /**
   * The id that was asked for. When given, a body for another job is rejected: the real server
   * parses ids leniently (`/jobs/8abc` answers job 8), so the answer must be checked.
   * @defaultValue no check
   */
  jobId?: JobId | undefined;
  /** The response's `Content-Type`, named in the error when the body is not JSON. */
  contentType?: string | undefined;
  /**
   * The previous snapshot of the same job. Steps whose body is equal to that snapshot's are not
   * validated again, and keep their `JobStep` objects (structural sharing: a component can tell
   * unchanged steps by identity); only the steps that changed are validated and built. The watch
   * passes its last snapshot here.
   * @defaultValue validate and build every step
   */
  previous?: JobSnapshot | undefined;
  /**
   * A deployment's own status words and the statuses they mean, e.g. `{ completed: 'success' }`
   * (see {@link StatusAliases}): a word is mapped before validation, onto the job's status when
   * its target is a job status and onto a step's when it is a step status. The snapshot carries
   * the mapped status; `raw` keeps the body as received. A word neither known nor mapped stays an
   * {@link OrdoSchemaError}, whose issue names this option.
   * @defaultValue no words mapped
   */
  statusAliases?: StatusAliases | undefined;
}

/** `value` with its `status` mapped by `aliases`, or `value` itself when there is nothing to map (a new object: the body is never changed). */
function aliased(value: unknown, aliases: ReadonlyMap<string, string>): unknown {
  if (value === null || typeof value !== 'object') return value;
  const status = (value as { status?: unknown }).status;
  if (typeof status !== 'string') return value;
  const mapped = aliases.get(status);
  return mapped === undefined ? value : { ...value, status: mapped };
}

/**
 * Adds to an unknown status word's issue which option maps it (or why the mapping given did not
 * apply), once per hint: the error message lists the first issues, and a word the job and its
 * steps share (`completed`) needs one hint.
 */
function hintAliases(issues: OrdoSchemaIssue[], table: StatusAliasTable | undefined): OrdoSchemaIssue[] {
  const hinted = new Set<string>();
  return issues.map((issue) => {
    const kind = issue.path === 'job.status' ? 'job' : /^steps\[\d+\]\.status$/.test(issue.path) ? 'step' : undefined;
    const word = issue.received;
    if (kind === undefined || typeof word !== 'string' || !issue.message.startsWith('expected one of')) return issue;
    // The same hint for the job and its steps (`completed` in both) is given once.
    const hint = statusAliasHint(word, kind, table);
    if (hinted.has(hint)) return issue;
    hinted.add(hint);
    return { ...issue, message: `${issue.message} (${hint})` };
  });
}

function toDate(value: string | null | undefined): Date | null {
  return value == null ? null : new Date(value);
}

/** The previous `Date` when the timestamp did not change, a new one otherwise. */
function reuseDate(value: string | null | undefined, previousValue: unknown, previousDate: Date | null | undefined): Date | null {
  return previousDate !== undefined && value === previousValue ? previousDate : toDate(value);
}

/** A parsed list element and the raw element it came from, of the previous snapshot. */
interface Before<T> {
  readonly raw: Record<string, unknown> | undefined;
  readonly parsed: T | undefined;
}

function toStep(wire: WireStep, before?: Before<JobStep>): JobStep {
  const status = wire.status;
  let progress: number | null = null;
  if (status === 'success') progress = 1;
  else if (status === 'running' && wire.last_detailing != null) {
    // On a retry the server keeps the previous attempt's detailing until the new attempt writes
    // its own (docs/ordo-server.md, "The job body"): a detailing older than the current claim is stale.
    const updatedAt = (wire.last_detailing as { updated_at?: unknown }).updated_at;
    const stale =
      typeof updatedAt === 'string' &&
      typeof wire.claimed_at === 'string' &&
      Date.parse(updatedAt) < Date.parse(wire.claimed_at);
    if (!stale) progress = detailingPercent(wire.last_detailing) / 100;
  }
  return Object.freeze({
    stepId: wire.step_id,
    stepType: wire.step_type,
    status,
    attempt: wire.attempt ?? 0,
    startedAt: reuseDate(wire.started_at, before?.raw?.['started_at'], before?.parsed?.startedAt),
    finishedAt: reuseDate(wire.finished_at, before?.raw?.['finished_at'], before?.parsed?.finishedAt),
    error: wire.error ?? null,
    progress,
  });
}

const producerReference = /^step:([^.]+)\.(.+)$/;

function toOutput(wire: WireOutput, before?: Before<JobOutput>): JobOutput {
  const match = producerReference.exec(wire.artifact_name);
  return Object.freeze({
    artifactName: wire.artifact_name,
    path: wire.path,
    producer: match ? Object.freeze({ stepId: match[1] as string, slot: match[2] as string }) : null,
    deliveredUri: wire.delivered_uri ?? null,
    deliveredAt: reuseDate(wire.delivered_at, before?.raw?.['delivered_at'], before?.parsed?.deliveredAt),
  });
}

function toSnapshot(wire: WireJobBody, job: JobInfo | undefined, steps: JobStep[], outputs: JobOutput[], raw: unknown): JobSnapshot {
  const startedAt = toDate(wire.job.started_at);
  const finishedAt = toDate(wire.job.finished_at);
  let durationMs: number | null;
  if (wire.duration_ms !== undefined) durationMs = wire.duration_ms;
  else {
    const computed = startedAt && finishedAt ? finishedAt.getTime() - startedAt.getTime() : null;
    durationMs = computed !== null && computed >= 0 ? computed : null;
  }
  const progress = wire.progress
    ? {
        fraction: Math.min(1, wire.progress.percentage),
        completedSteps: wire.progress.completed_steps,
        totalSteps: wire.progress.total_steps,
      }
    : progressOf(wire.steps);
  return Object.freeze({
    job:
      job ??
      Object.freeze({
        id: String(wire.job.id),
        status: wire.job.status,
        recipeId: wire.job.recipe_id ?? null,
        createdAt: toDate(wire.job.created_at),
        startedAt,
        finishedAt,
        error: wire.job.error ?? null,
      }),
    steps: Object.freeze(steps),
    progress: Object.freeze(progress),
    durationMs,
    outputs: Object.freeze(outputs),
    raw,
  });
}

/**
 * Turns a `GET /jobs/:id` body into a validated, immutable {@link JobSnapshot}.
 *
 * Accepts the bodies of Ordo 1.1+ (with `progress`, `duration_ms`, `timeline`), of older servers
 * (without them: progress and duration are computed the way the server computes them), and the
 * smaller body shown in older Ordo documentation. Unknown fields are accepted and kept in `raw`.
 * Defaults for absent optional fields: `recipeId`, timestamps, `error`, `deliveredUri` → `null`;
 * `attempt` → `0`; `outputs` → `[]`; `durationMs` → `finishedAt − startedAt` when both are set,
 * otherwise `null`.
 *
 * @param body - the parsed JSON body, or the response text (a `string`, or UTF-8 bytes as a
 *   `Uint8Array` or `ArrayBuffer`), which is parsed first.
 * @param options - `jobId`: the id that was asked for; `contentType`: named in errors;
 *   `previous`: the last snapshot of the job; `statusAliases`: a deployment's own status words.
 * @returns the snapshot, deeply frozen; `raw` is the parsed body (the object given, frozen in place;
 *   with `previous`, its parts equal to the previous body's are replaced by those, already frozen).
 * @throws {@link OrdoSchemaError} when the text is not JSON (the message says so and shows the
 *   first characters), when the JSON does not match (each issue names the path, the value
 *   received and what was allowed; an unknown status word's issue names the `statusAliases`
 *   option), when two steps share an id, or when `job.id` is not the id asked for.
 * @throws TypeError when `options.jobId` is not a valid job id, or `options.statusAliases` is
 *   not valid (see {@link StatusAliases}).
 * @example
 * ```ts
 * const snapshot = parseJobSnapshot(await response.json(), { jobId: 42 });
 * snapshot.progress.fraction; // 0.71
 * ```
 * @see docs/ordo-server.md, "The job body" and "Statuses".
 */
export function parseJobSnapshot(body: unknown, options: ParseJobSnapshotOptions = {}): JobSnapshot {
  const jobId = options.jobId === undefined ? undefined : normalizeJobId(options.jobId);
  // Without aliases nothing below does any extra work (this runs on every poll).
  const aliases = options.statusAliases === undefined ? undefined : statusAliasTable(options.statusAliases);
  let raw = body;
  if (body instanceof Uint8Array || body instanceof ArrayBuffer) raw = new TextDecoder().decode(body);
  if (typeof raw === 'string') raw = parseJsonText(raw, { jobId, contentType: options.contentType });

  const envelope = wireEnvelopeSchema.safeParse(raw);
  const record = (raw ?? {}) as Record<string, unknown>;
  const previous = options.previous;
  const previousRaw = (previous?.raw ?? undefined) as Record<string, unknown> | undefined;
  const failures: Array<{ schema: z.ZodMiniType; value: unknown; path: PropertyKey[] }> = [];

  // The job: reused as is when equal to the previous snapshot's.
  let job: JobInfo | undefined;
  let wireJob: WireJobBody['job'] | undefined;
  if (previous && previousRaw && jsonEqual(previousRaw['job'], record['job'])) {
    job = previous.job;
    // The previous (frozen) part in place of its equal copy: only what changed is frozen again.
    if (!Object.isFrozen(record)) record['job'] = previousRaw['job'];
    wireJob = record['job'] as WireJobBody['job'];
  } else {
    const value = aliases === undefined ? record['job'] : aliased(record['job'], aliases.job);
    const checked = wireJobSchema.safeParse(value);
    if (checked.success) wireJob = checked.data;
    else failures.push({ schema: wireJobSchema, value, path: ['job'] });
  }

  /** Checks and builds a list, element by element, keeping the elements equal to the previous snapshot's. */
  function list<W, T>(
    key: 'steps' | 'outputs',
    schema: z.ZodMiniType<W>,
    build: (wire: W, before: Before<T>) => T,
    before: readonly T[] | undefined,
    statusAliases?: ReadonlyMap<string, string>,
  ): { wire: W[]; parsed: T[] } {
    const candidates = Array.isArray(record[key]) ? (record[key] as unknown[]) : [];
    const previousList = previousRaw?.[key];
    const reusable = Array.isArray(previousList) && before !== undefined && before.length === previousList.length;
    const wire: W[] = [];
    const parsed: T[] = [];
    candidates.forEach((candidate, index) => {
      const old = reusable ? (previousList[index] as Record<string, unknown> | undefined) : undefined;
      if (old !== undefined && jsonEqual(old, candidate)) {
        if (!Object.isFrozen(candidates)) candidates[index] = old;
        // The wire row as validated (its status mapped): the progress arithmetic reads it.
        wire.push((statusAliases === undefined ? old : aliased(old, statusAliases)) as W);
        parsed.push(before![index] as T);
        return;
      }
      const value = statusAliases === undefined ? candidate : aliased(candidate, statusAliases);
      const checked = schema.safeParse(value);
      if (!checked.success) {
        failures.push({ schema, value, path: [key, index] });
        return;
      }
      wire.push(checked.data);
      parsed.push(build(checked.data, { raw: old, parsed: reusable ? before[index] : undefined }));
    });
    return { wire, parsed };
  }
  const steps = list<WireStep, JobStep>('steps', wireStepSchema, toStep, previous?.steps, aliases?.step);
  const outputs = list<WireOutput, JobOutput>('outputs', wireOutputSchema, toOutput, previous?.outputs);

  if (!envelope.success || failures.length > 0) {
    // Validate again with the received values in the issues: only bad bodies pay for them.
    const issues: z.core.$ZodIssue[] = [];
    if (!envelope.success) {
      const detailed = wireEnvelopeSchema.safeParse(raw, { reportInput: true });
      issues.push(...(detailed.success ? envelope.error.issues : detailed.error.issues));
    }
    for (const failure of failures) {
      const detailed = failure.schema.safeParse(failure.value, { reportInput: true });
      if (!detailed.success) issues.push(...detailed.error.issues.map((issue) => ({ ...issue, path: [...failure.path, ...issue.path] })));
    }
    throw invalidBodyError(hintAliases(issues.map(toIssue), aliases), raw, jobId, options.contentType);
  }
  const wire = { ...envelope.data, job: wireJob, steps: steps.wire, outputs: outputs.wire } as WireJobBody;

  const seen = new Set<string>();
  for (const [index, step] of wire.steps.entries()) {
    if (seen.has(step.step_id)) {
      throw invalidBodyError(
        [{ path: `steps[${index}].step_id`, message: `duplicate step id ${describeReceived(step.step_id)}`, received: step.step_id }],
        raw,
        jobId,
        options.contentType,
      );
    }
    seen.add(step.step_id);
  }
  if (jobId !== undefined && String(wire.job.id) !== jobId) {
    throw invalidBodyError(
      [
        {
          path: 'job.id',
          message: `expected job ${JSON.stringify(jobId)} (the id that was asked for); received ${describeReceived(wire.job.id)}`,
          received: wire.job.id,
        },
      ],
      raw,
      jobId,
      options.contentType,
    );
  }
  deepFreeze(raw);
  return toSnapshot(wire, job, steps.parsed, outputs.parsed, raw);
}

/**
 * Freezes a parsed body and everything in it, so `snapshot.raw` is as immutable as the rest of
 * the snapshot (a subscriber that edits it cannot change what others receive). A part already
 * frozen is taken as frozen through (the parts shared with the previous snapshot), so a poll
 * freezes only what changed.
 */
function deepFreeze(value: unknown): void {
  // Typed arrays cannot be frozen (JSON never makes one; a transport's own object might hold one).
  if (value === null || typeof value !== 'object' || Object.isFrozen(value) || ArrayBuffer.isView(value)) return;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const element: unknown = value[index];
      if (element !== null && typeof element === 'object') deepFreeze(element);
    }
    return;
  }
  // No array of values per object (Object.values): a poll of a 10,000-step job freezes thousands.
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const element: unknown = (value as Record<string, unknown>)[key];
    if (element !== null && typeof element === 'object') deepFreeze(element);
  }
}
