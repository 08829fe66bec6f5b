import { jobStatuses, stepStatuses, type JobStatus, type StepStatus } from '../machine/statuses.js';

/**
 * A deployment's own status words, each mapped onto one of the library's statuses: e.g.
 * `{ completed: 'success' }` for a deployment whose finalizer writes `completed` (Ordo's own
 * TypeScript type declares `pending | running | completed | failed | partial`).
 *
 * A word applies to a job's status when its target is one of the five job statuses, and to a
 * step's status when its target is one of the six step statuses: `completed: 'success'` and
 * `cancelled: 'failed'` apply to the job and its steps; `waiting: 'blocked'` to steps only
 * (`blocked` is not a job status); `halted: 'partial'` to the job only. A word is mapped before
 * validation: the snapshot carries the mapped status, `snapshot.raw` the body as received.
 *
 * Source: docs/ordo-server.md, "Statuses".
 */
export type StatusAliases = Readonly<Record<string, JobStatus | StepStatus>>;

/** {@link StatusAliases} split by what they apply to, ready for the parser. */
export interface StatusAliasTable {
  /** The words that map onto a job status. */
  readonly job: ReadonlyMap<string, JobStatus>;
  /** The words that map onto a step status. */
  readonly step: ReadonlyMap<string, StepStatus>;
  /** Every word and its target, as given. */
  readonly all: ReadonlyMap<string, JobStatus | StepStatus>;
}

const jobWords: ReadonlySet<string> = new Set(jobStatuses);
const stepWords: ReadonlySet<string> = new Set(stepStatuses);
const statusWords: readonly string[] = [...new Set<string>([...jobStatuses, ...stepStatuses])];
const example = "{ completed: 'success' }";

/** Tables already built, by the object they were built from (a watch parses many bodies with one). */
const tables = new WeakMap<object, StatusAliasTable | null>();

/**
 * Checks a `statusAliases` option and splits it into the words for jobs and for steps. The table
 * of an object is built once and kept (so an object changed after its first use keeps its first
 * meaning; {@link checkStatusAliases} makes a frozen copy for a watch).
 *
 * @returns the table, or `undefined` for `undefined` or an empty object (nothing to map: the
 *   parser does no extra work).
 * @throws TypeError when `aliases` is not a plain object, when a word is empty or is already a
 *   status word (`success`, `blocked`…), or when a target is not one of the job or step statuses.
 */
export function statusAliasTable(aliases: StatusAliases | undefined): StatusAliasTable | undefined {
  if (aliases === undefined) return undefined;
  // A plain object or one without a prototype; a Map, an array or a class instance would map nothing.
  const prototype: unknown = aliases !== null && typeof aliases === 'object' ? Object.getPrototypeOf(aliases) : undefined;
  if (aliases === null || typeof aliases !== 'object' || (prototype !== Object.prototype && prototype !== null)) {
    const got = aliases instanceof Map ? ' (a Map: pass Object.fromEntries(map))' : '';
    throw new TypeError(`Invalid statusAliases: expected a plain object of a deployment's words and their statuses, such as ${example}${got}`);
  }
  const known = tables.get(aliases);
  if (known !== undefined) return known ?? undefined;
  const job = new Map<string, JobStatus>();
  const step = new Map<string, StepStatus>();
  const all = new Map<string, JobStatus | StepStatus>();
  for (const [word, target] of Object.entries(aliases as Record<string, unknown>)) {
    if (word === '') throw new TypeError(`Invalid statusAliases: a word is empty; expected a deployment's own status word, such as ${example}`);
    if (jobWords.has(word) || stepWords.has(word)) {
      throw new TypeError(`Invalid statusAliases word ${JSON.stringify(word)}: it is already a status; only a deployment's own words can be mapped, such as ${example}`);
    }
    if (typeof target !== 'string' || !(jobWords.has(target) || stepWords.has(target))) {
      throw new TypeError(
        `Invalid statusAliases target ${typeof target === 'string' ? JSON.stringify(target) : String(target)} for ${JSON.stringify(word)}: expected one of ${statusWords.join(', ')}`,
      );
    }
    all.set(word, target as JobStatus | StepStatus);
    if (jobWords.has(target)) job.set(word, target as JobStatus);
    if (stepWords.has(target)) step.set(word, target as StepStatus);
  }
  const table = all.size === 0 ? undefined : Object.freeze({ job, step, all });
  tables.set(aliases, table ?? null);
  return table;
}

/**
 * A watch's `statusAliases`, checked: a frozen copy (the caller's object may change later; the
 * watch keeps what it was given), or `undefined` when there is nothing to map.
 * @throws TypeError as {@link statusAliasTable}.
 */
export function checkStatusAliases(aliases: StatusAliases | undefined): StatusAliases | undefined {
  if (statusAliasTable(aliases) === undefined) return undefined;
  const copy = Object.freeze({ ...aliases });
  tables.set(copy, statusAliasTable(aliases) ?? null);
  return copy;
}

/**
 * The hint an unknown status word gets in a schema error: which option maps it, or why the
 * mapping given did not apply here.
 *
 * @param word - the word received.
 * @param kind - whether it was a job's or a step's status.
 * @param table - the aliases in force.
 */
export function statusAliasHint(word: string, kind: 'job' | 'step', table: StatusAliasTable | undefined): string {
  const target = table?.all.get(word);
  if (target !== undefined) return `statusAliases maps it to "${target}", which is not a ${kind} status`;
  // `completed` is the word of Ordo's own TypeScript type for a successful job: suggest it whole.
  const suggested = word === 'completed' ? 'success' : '<status>';
  const cli = /^[\w.-]{1,40}$/.test(word) ? `, CLI --status-alias ${word}=${suggested}` : '';
  const key = /^[A-Za-z_$][\w$]*$/.test(word) ? word : JSON.stringify(word);
  return `a deployment's own word? map it with the statusAliases option, e.g. { ${key}: '${suggested}' }${cli}`;
}
