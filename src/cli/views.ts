import pc from 'picocolors';
import type { JobEvent, JobSnapshot, JobStep, RetryInfo, StepStatus, StepTransitionEvent } from 'ordo-status';
import {
  clockTime,
  failureCause,
  failureUrl,
  formatDuration,
  paintStatus,
  printable,
  whereAndWhy,
  retryLine,
  stepDurationMs,
  stepShows,
  summaryLine,
  type FailureCause,
  type FailureLike,
  type RetryNotice,
} from './format.js';

/**
 * A retry as a view is told of it: the library's `RetryInfo`, whether the watch has had an answer
 * before this failure (until then, the first failure is diagnosed with its URL and cause, and no
 * line says "connection lost"), and the server's base URL for errors that carry no URL.
 */
export interface WatchRetry extends RetryInfo, RetryNotice {
  readonly error: RetryInfo['error'];
}

/** Why a watch failed, as a view is told of it. `message` is safe to print (it never holds the token). */
export interface WatchFailure {
  readonly code: string;
  readonly message: string;
  /**
   * The cause in words and what to check, set when the watch never had an answer from the server
   * (a wrong port, host or scheme shows here), else `undefined`.
   */
  readonly diagnosis?: (FailureCause & { readonly url: string | undefined; readonly systemCode: string | undefined }) | undefined;
}

/** How a watch is shown: a live terminal view, one line per transition, or NDJSON. */
export interface WatchView {
  /** A new distinct snapshot and the transitions it caused. */
  update(snapshot: JobSnapshot, events: readonly JobEvent[]): void;
  /** The watch ended at a terminal snapshot. */
  done(snapshot: JobSnapshot): void;
  /** The watch failed. */
  fail(error: WatchFailure, last: JobSnapshot | undefined): void;
  /**
   * Ctrl-C. `diagnosis`: why the server never answered (the last failure's URL, cause and hint),
   * set when the watch was interrupted before any answer, else `undefined`.
   */
  interrupt(last: JobSnapshot | undefined, diagnosis?: WatchFailure['diagnosis']): void;
  /** A request failed and will be retried; told before the wait, so the first failure shows at once. */
  retry(info: WatchRetry): void;
}

type Write = (text: string) => void;

/** The clock views read, in milliseconds since the epoch (`Date.now`; a fixed one in tests). */
export type Clock = () => number;

/**
 * Whether a step event names the attempt: only when it says something, that is when the step has
 * been retried (attempt 2 or later) or is waiting to retry (`blocked`, whose error names the
 * attempt that failed). A first attempt, and a step that never ran (attempt 0, e.g. `skipped`),
 * show none.
 */
function attemptSays(event: StepTransitionEvent): boolean {
  return event.attempt > 1 || event.to === 'blocked';
}

/** The step statuses after which a step event shows how long the step ran (`finishedAt − startedAt`). */
const showsRunTime: Readonly<Record<StepStatus, boolean>> = {
  pending: false,
  running: false,
  blocked: false,
  success: true,
  failed: true,
  skipped: true,
};

/**
 * One human-readable line for a transition event; `step` is the event's step in its snapshot:
 * `step dem (GENERATE_DEM): running → success · 2.3 s`, `… running → blocked · attempt 1 · <error>`.
 * A step's run time is shown when it ends (and has both times); its attempt when
 * {@link attemptSays}; its error when the status carries one.
 */
export function eventLine(event: JobEvent, step?: JobStep): string {
  const inferred = event.inferred ? pc.dim(' (inferred)') : '';
  const arrow = `${paintStatus(event.from)} → ${paintStatus(event.to)}`;
  if (event.type === 'job') return `job ${event.jobId}: ${arrow}${inferred}`;
  const ranMs = showsRunTime[event.to] && step?.finishedAt ? stepDurationMs(step, step.finishedAt.getTime()) : null;
  // A finish before the start (clocks of two workers) shows nothing rather than a dash.
  const ran = ranMs === null || ranMs < 0 ? '' : ` · ${formatDuration(ranMs)}`;
  const attempt = attemptSays(event) ? ` · attempt ${event.attempt}` : '';
  const error = stepShows[event.to].error && step?.error ? ` · ${printable(step.error)}` : '';
  return `step ${printable(event.stepId)} (${printable(event.stepType)}): ${arrow}${inferred}${ran}${attempt}${error}`;
}

/**
 * The stderr lines of a failed watch, for every view: its message, then (when it never had an
 * answer) the cause in words and what to check. Ends with a line break.
 */
export function failureText(error: WatchFailure): string {
  const hint = error.diagnosis?.hint;
  const diagnosis = error.diagnosis && hint ? `ordo-status: ${error.diagnosis.cause}; ${hint}\n` : '';
  return `ordo-status: ${printable(error.message)}\n${diagnosis}`;
}

/**
 * The stderr lines of an interrupted watch, for every view: `ordo-status: interrupted`, then (when
 * the server never answered) where and why: `ordo-status: never reached http://…/jobs/1:
 * connection refused (ECONNREFUSED); is the server running, and is --base-url right?`. Ends with
 * a line break.
 */
export function interruptText(diagnosis: WatchFailure['diagnosis']): string {
  if (!diagnosis) return 'ordo-status: interrupted\n';
  return `ordo-status: interrupted\nordo-status: never reached ${whereAndWhy(diagnosis)}\n`;
}

/** The fields an NDJSON error object adds for a watch that never had an answer. */
function diagnosisFields(diagnosis: WatchFailure['diagnosis']): Record<string, unknown> {
  return diagnosis ? { cause: diagnosis.cause, url: diagnosis.url ?? null, systemCode: diagnosis.systemCode ?? null, hint: diagnosis.hint ?? null } : {};
}

/**
 * Piped output: one line per transition, each starting with the local time it was seen
 * (`14:03:07 step dem (GENERATE_DEM): running → success · 2.3 s`), a line per retry, then the
 * summary. Errors go to stderr.
 *
 * @param now - the clock, milliseconds since the epoch. @defaultValue `Date.now`
 */
export function createLineView(out: Write, err: Write, now: Clock = Date.now): WatchView {
  const stamp = (text: string) => `${clockTime(now())} ${text}\n`;
  return {
    update: (snapshot, events) => {
      if (events.length === 0) return;
      const steps = new Map(snapshot.steps.map((step) => [step.stepId, step]));
      out(events.map((event) => stamp(eventLine(event, event.type === 'step' ? steps.get(event.stepId) : undefined))).join(''));
    },
    done: (snapshot) => out(stamp(summaryLine(snapshot))),
    fail: (error) => err(failureText(error)),
    interrupt: (_last, diagnosis) => err(interruptText(diagnosis)),
    retry: (info) => out(stamp(retryLine(info))),
  };
}

/** The JSON form of a snapshot for `--json` (dates as ISO strings, no `raw`), with the time it was seen. */
function snapshotRecord(snapshot: JobSnapshot, at: string): Record<string, unknown> {
  const { job, steps, progress, durationMs, outputs } = snapshot;
  return { type: 'snapshot', at, job, progress, durationMs, steps, outputs };
}

/**
 * `--json`: NDJSON, one object per transition (`type`, `jobId`, `from`, `to`, `inferred`, and
 * `stepId`, `stepType`, `attempt` for steps), then one `{"type":"snapshot", …}` line. Each
 * retry is a `{"type":"retry","attempt","maxRetries","delayMs","code","message","cause","url",
 * "systemCode","hint"}` line (`hint` only before the first answer, else `null`). A failure or an
 * interruption ends with the last snapshot seen (if any) and `{"type":"error","code","message"}`
 * (code `INTERRUPTED` for Ctrl-C; `cause`, `url`, `systemCode` and `hint` when the watch never
 * had an answer, failed or interrupted). Every object carries `at`: the ISO time the client saw it (from `now`).
 *
 * @param now - the clock, milliseconds since the epoch. @defaultValue `Date.now`
 */
export function createJsonView(out: Write, err: Write, now: Clock = Date.now): WatchView {
  const line = (record: Record<string, unknown>) => `${JSON.stringify(record)}\n`;
  const at = () => new Date(now()).toISOString();
  return {
    update: (_snapshot, events) => {
      if (events.length === 0) return;
      const seen = at();
      out(events.map(({ snapshot: _ignored, ...fields }) => line({ ...fields, at: seen })).join(''));
    },
    done: (snapshot) => out(line(snapshotRecord(snapshot, at()))),
    fail: (error, last) => {
      const seen = at();
      if (last) out(line(snapshotRecord(last, seen)));
      out(line({ type: 'error', at: seen, code: error.code, message: error.message, ...diagnosisFields(error.diagnosis) }));
      err(failureText(error));
    },
    interrupt: (last, diagnosis) => {
      const seen = at();
      if (last) out(line(snapshotRecord(last, seen)));
      out(line({ type: 'error', at: seen, code: 'INTERRUPTED', message: 'interrupted', ...diagnosisFields(diagnosis) }));
      err(interruptText(diagnosis));
    },
    retry: (info) => {
      const { attempt, maxRetries, delayMs, error, answered } = info;
      const { cause, hint } = failureCause(error);
      out(
        line({
          type: 'retry',
          at: at(),
          attempt,
          maxRetries,
          delayMs,
          code: error.code,
          message: error.message,
          cause,
          url: failureUrl(info) ?? null,
          systemCode: (error as FailureLike).systemCode ?? null,
          hint: answered ? null : (hint ?? null),
        }),
      );
    },
  };
}
