import { OrdoSchemaError } from '../errors/OrdoSchemaError.js';
import { excerptOf } from '../body/excerptOf.js';
import { parseJsonText } from '../body/parseJsonText.js';
import { parseJobSnapshot } from './parseJobSnapshot.js';
import { normalizeJobId, type JobId } from './jobId.js';
import type { StatusAliases } from './statusAliases.js';
import type { JobSnapshot } from './types.js';

/** Options of {@link jobSnapshotFromJSON}. */
export interface JobSnapshotFromJSONOptions {
  /**
   * The `statusAliases` of the watch that stored the snapshot: `raw` keeps the deployment's own
   * words as received, so restoring it needs the same mapping (see {@link StatusAliases}).
   * @defaultValue no words mapped
   */
  statusAliases?: StatusAliases | undefined;
}

/**
 * Restores a {@link JobSnapshot} stored as JSON (`JSON.stringify(snapshot)`, in a file, a queue
 * message, a database row): to resume a watch after a restart with `resumeFrom`.
 *
 * A snapshot keeps the body it was made from in `raw`, so the stored form carries everything:
 * the snapshot is rebuilt from `raw` and validated again, and comes back equal to the one stored
 * (dates as `Date`, step order, progress, unknown fields in `raw`). The other stored fields are
 * not trusted; `job.id`, when stored, must match the body's.
 *
 * @param value - the JSON text, or the value `JSON.parse` gave back.
 * @param options - `statusAliases`: the mapping the snapshot was made with, if any.
 * @returns the snapshot.
 * @throws {@link OrdoSchemaError} when the text is not JSON, when the value is not a stored
 *   snapshot (no `raw`), or when `raw` is no valid job status body.
 * @throws TypeError when `options.statusAliases` is not valid.
 * @example
 * ```ts
 * await writeFile('job-42.json', JSON.stringify(snapshot));
 * // … after a restart:
 * const stored = jobSnapshotFromJSON(await readFile('job-42.json', 'utf8'));
 * ordo.jobEvents$(42, { resumeFrom: stored }).subscribe(…); // only what changed since
 * ```
 * @see docs/ordo-server.md, "The job body" (`raw` is the parsed body exactly as received).
 */
export function jobSnapshotFromJSON(value: unknown, options: JobSnapshotFromJSONOptions = {}): JobSnapshot {
  const statusAliases = options?.statusAliases;
  const stored = typeof value === 'string' ? parseJsonText(value) : value;
  const raw = stored !== null && typeof stored === 'object' && !Array.isArray(stored) ? (stored as { raw?: unknown }).raw : undefined;
  if (raw === undefined || raw === null) {
    throw new OrdoSchemaError('Not a stored job snapshot: expected the JSON of a JobSnapshot, with the body it was made from in "raw"', {
      issues: [{ path: 'raw', message: 'expected the job status body the snapshot was made from', received: raw }],
      bodyExcerpt: excerptOf(stored),
    });
  }
  const storedId = (stored as { job?: { id?: unknown } }).job?.id;
  if (storedId === undefined) return parseJobSnapshot(raw, { statusAliases });
  let jobId: string;
  try {
    jobId = normalizeJobId(storedId as JobId);
  } catch (cause) {
    throw new OrdoSchemaError(`Not a stored job snapshot: job.id ${JSON.stringify(storedId)} is no job id`, {
      issues: [{ path: 'job.id', message: 'expected a job id (a positive whole number such as 42)', received: storedId }],
      bodyExcerpt: excerptOf(stored),
      cause,
    });
  }
  return parseJobSnapshot(raw, { jobId, statusAliases });
}
