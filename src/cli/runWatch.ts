import { isOrdoError, type JobId, type JobSnapshot, type JobStatus, type OrdoClient, type RetryInfo } from 'ordo-status';
import { failureCause, type FailureLike } from './format.js';
import type { WatchFailure, WatchView } from './views.js';

/** Exit codes of the CLI. Source: docs/getting-started.md, "The command line". */
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

/**
 * What a watch has seen so far, in one record changed by two transitions: an answer (a snapshot,
 * or any HTTP response, even a 503, which proves a connection existed) and nothing else. Until the
 * first answer, a failure is diagnosed with its URL, cause and hint, and none is called
 * "connection lost".
 */
interface WatchMemory {
  /** The last snapshot, for the final NDJSON line of a failed or interrupted watch. */
  last: JobSnapshot | undefined;
  /** Whether the server ever answered this watch. */
  answered: boolean;
  /** The last failed request's error, to say why an interrupted watch never had an answer. */
  lastFailure: FailureLike | undefined;
}

/** Whether a failure came with an HTTP response (then the server answered, though not with a job). */
function hadResponse(error: unknown): boolean {
  return typeof (error as { status?: unknown } | null)?.status === 'number';
}

/** Why a watch that never had an answer failed, in words, with the URL (the error's, else the server's). */
function diagnose(error: FailureLike, server: string | undefined): WatchFailure['diagnosis'] {
  return { ...failureCause(error), url: error.url ?? server, systemCode: error.systemCode };
}

/**
 * Watches a job to its end through a view.
 *
 * @param options - the watch's `intervalMs`, `timeoutMs`, `signal` and `retries`, and `server`:
 *   the base URL, named in messages about failures whose error carries no URL.
 */
export function runWatch(
  client: OrdoClient,
  id: JobId,
  view: WatchView,
  options: { intervalMs: number; timeoutMs: number | undefined; signal: AbortSignal; retries: number; server?: string | undefined },
): Promise<WatchOutcome> {
  const seen: WatchMemory = { last: undefined, answered: false, lastFailure: undefined };
  return new Promise((resolve) => {
    const { retries, server, ...watch } = options;
    const onRetry = (info: RetryInfo) => {
      view.retry({ ...info, answered: seen.answered, server });
      seen.lastFailure = info.error;
      if (hadResponse(info.error)) seen.answered = true;
    };
    // Each snapshot with the events it brought: the library's lifecycle, no second one here.
    client.jobObservations$(id, { ...watch, retry: retries, onRetry }).subscribe({
      next: ({ snapshot, events }) => {
        seen.last = snapshot;
        seen.answered = true;
        view.update(snapshot, events);
      },
      error: (error: unknown) => {
        const { last } = seen;
        if (options.signal.aborted && error === options.signal.reason) {
          const { lastFailure } = seen;
          view.interrupt(last, !seen.answered && lastFailure && !hadResponse(lastFailure) ? diagnose(lastFailure, server) : undefined);
          resolve({ exitCode: (error as { signal?: unknown }).signal === 'SIGTERM' ? exitCodes.terminated : exitCodes.interrupted });
          return;
        }
        const code = isOrdoError(error) ? error.code : 'UNEXPECTED';
        const message = error instanceof Error ? error.message : String(error);
        const diagnosis = isOrdoError(error) && !seen.answered && !hadResponse(error) ? diagnose(error, server) : undefined;
        view.fail({ code, message, diagnosis }, last);
        resolve({ exitCode: exitCodes.error, errorCode: code });
      },
      complete: () => {
        const { last } = seen;
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
