import { createJobLifecycle, isOrdoError, type JobId, type JobSnapshot, type JobStatus, type OrdoClient } from 'ordo-status';
import type { WatchView } from './views.js';

/** Exit codes of the CLI. Source: design.md, "Command line". */
export const exitCodes = {
  success: 0,
  error: 1,
  usage: 2,
  failed: 3,
  partial: 4,
  /** 128 + SIGINT (Ctrl-C). */
  interrupted: 130,
  /** 128 + SIGTERM. */
  terminated: 143,
} as const;

/**
 * The exit code of a watch that ended with this status: exhaustive, so a new status must be given
 * one (the stream completes only after a terminal status; the others cannot end a watch).
 */
const exitCodeOf: Readonly<Record<JobStatus, number>> = {
  pending: exitCodes.error,
  running: exitCodes.error,
  success: exitCodes.success,
  failed: exitCodes.failed,
  partial: exitCodes.partial,
};

/** How a watch ended: the exit code, and the error's code when it failed. */
export interface WatchOutcome {
  readonly exitCode: number;
  readonly errorCode?: string;
}

/** Watches a job to its end through a view. */
export function runWatch(
  client: OrdoClient,
  id: JobId,
  view: WatchView,
  options: { intervalMs: number; timeoutMs: number | undefined; signal: AbortSignal; retries: number },
): Promise<WatchOutcome> {
  const lifecycle = createJobLifecycle();
  let last: JobSnapshot | undefined;
  return new Promise((resolve) => {
    const { retries, ...watch } = options;
    client.jobStatus$(id, { ...watch, retry: retries, onRetry: (info) => view.retry(info) }).subscribe({
      next: (snapshot) => {
        const events = lifecycle.observe(snapshot);
        last = snapshot;
        view.update(snapshot, events);
      },
      error: (error: unknown) => {
        if (options.signal.aborted && error === options.signal.reason) {
          view.interrupt(last);
          resolve({ exitCode: (error as { signal?: unknown }).signal === 'SIGTERM' ? exitCodes.terminated : exitCodes.interrupted });
          return;
        }
        const code = isOrdoError(error) ? error.code : 'UNEXPECTED';
        const message = error instanceof Error ? error.message : String(error);
        view.fail({ code, message }, last);
        resolve({ exitCode: exitCodes.error, errorCode: code });
      },
      complete: () => {
        if (!last) {
          resolve({ exitCode: exitCodes.error });
          return;
        }
        view.done(last);
        const status = last.job.status;
        resolve({ exitCode: exitCodeOf[status] });
      },
    });
  });
}
