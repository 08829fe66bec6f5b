import { lastValueFrom } from 'rxjs';
import { OrdoJobFailedError } from '../errors/OrdoJobFailedError.js';
import type { JobId } from '../schema/jobId.js';
import type { JobSnapshot } from '../schema/types.js';
import { jobStatus$ } from './jobStatus.js';
import type { WatchOptions } from './watchOptions.js';

/**
 * Polls a job until it ends and resolves with the terminal snapshot when it succeeded.
 *
 * @param id - the job id.
 * @param options - {@link WatchOptions}; `transport` is required here. Use `timeoutMs` for a
 *   deadline and `signal` to give up.
 * @returns the terminal snapshot of a job that ended `success`.
 * @throws (rejects with) {@link OrdoJobFailedError} carrying the terminal snapshot when the job
 *   ended `failed` or `partial`; otherwise the errors of {@link jobStatus$}, a `TypeError` for an
 *   invalid id or option, or the signal's reason.
 * @example
 * ```ts
 * try { const done = await waitForJob(42, { transport, timeoutMs: 30 * 60_000 }); }
 * catch (e) { if (e instanceof OrdoJobFailedError) console.error(e.snapshot.job.error); }
 * ```
 * @see design.md, "Streams".
 */
export async function waitForJob(id: JobId, options: WatchOptions): Promise<JobSnapshot> {
  const snapshots = jobStatus$(id, options);
  // A stored terminal snapshot (resumeFrom) ends the watch with no request and no emission.
  const resumed = options.resumeFrom;
  return settleJob(await (resumed ? lastValueFrom(snapshots, { defaultValue: resumed }) : lastValueFrom(snapshots)));
}

/**
 * The terminal snapshot of a job that succeeded; an {@link OrdoJobFailedError} for `failed` and
 * `partial`.
 */
export function settleJob(snapshot: JobSnapshot): JobSnapshot {
  if (snapshot.job.status === 'success') return snapshot;
  const failed = snapshot.steps.filter((step) => step.status === 'failed').map((step) => step.stepId);
  const steps = failed.length > 0 ? ` (failed step${failed.length > 1 ? 's' : ''}: ${failed.join(', ')})` : '';
  const why = snapshot.job.error ? `: ${snapshot.job.error}` : '';
  throw new OrdoJobFailedError(`Job ${snapshot.job.id} ended ${snapshot.job.status}${steps}${why}`, {
    snapshot,
    jobId: snapshot.job.id,
  });
}
