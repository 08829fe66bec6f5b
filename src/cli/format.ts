import pc from 'picocolors';
import type { JobSnapshot, JobStatus, JobStep, StepStatus } from 'ordo-status';

/**
 * Makes a server's text safe to print on a terminal: control characters (escape sequences, line
 * breaks, carriage returns) become visible `\xNN` escapes, so a step id or an error message can
 * neither move the cursor nor forge a line of output.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it replaces
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** `1234` → `1.2 s`, `75000` → `1 m 15 s`; `null` → `–`. Milliseconds in. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  if (minutes < 60) return `${minutes} m ${seconds} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} m`;
}

/** An interval for people: `500 ms`, `3 s`, `1.5 s`, `2 m`; milliseconds in. */
export function formatInterval(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))} s`;
  return ms % 60_000 === 0 ? `${ms / 60_000} m` : formatDuration(ms);
}

/** A fraction 0..1 as a whole percent: `0.71` → `71%`; `null` → `–`. */
export function formatPercent(fraction: number | null): string {
  // Floor, so 99.6 % is not shown as done; the epsilon keeps 0.29 (28.999999999999996) at 29 %.
  return fraction === null ? '–' : `${Math.floor(fraction * 100 + 1e-9)}%`;
}

/** A step's run time: finished − started, or now − started while it runs; `null` before it started. */
export function stepDurationMs(step: JobStep, nowMs: number): number | null {
  if (step.startedAt === null) return null;
  const end = step.finishedAt ?? (step.status === 'running' ? new Date(nowMs) : null);
  return end === null ? null : end.getTime() - step.startedAt.getTime();
}

/** The job's run time: the server's `durationMs`, or now − started while it runs. */
export function jobDurationMs(snapshot: JobSnapshot, nowMs: number): number | null {
  if (snapshot.durationMs !== null) return snapshot.durationMs;
  return snapshot.job.startedAt === null ? null : nowMs - snapshot.job.startedAt.getTime();
}

/**
 * How each job and step status looks: its icon and its colour. Exhaustive, so a new status in
 * `jobStatuses` / `stepStatuses` (src/machine/statuses.ts) must be given a look here.
 */
const looks: Readonly<Record<StepStatus | JobStatus, { readonly icon: string; readonly paint: (text: string) => string }>> = {
  pending: { icon: '·', paint: pc.dim },
  running: { icon: '▶', paint: pc.cyan },
  blocked: { icon: '⏸', paint: pc.yellow },
  success: { icon: '✔', paint: pc.green },
  failed: { icon: '✖', paint: pc.red },
  skipped: { icon: '↷', paint: pc.dim },
  partial: { icon: '◐', paint: pc.yellow },
};

/**
 * What a step row (live view) and a step event (piped lines) show for each status: the step's
 * error (set when it failed, and on a worker's retry cool-down, the failed attempt behind it) and
 * its progress (while it runs, and full once done). Exhaustive, so a new step status must say
 * what it shows.
 */
export const stepShows: Readonly<Record<StepStatus, { readonly error: boolean; readonly progress: boolean }>> = {
  pending: { error: false, progress: false },
  running: { error: false, progress: true },
  blocked: { error: true, progress: false },
  success: { error: false, progress: true },
  failed: { error: true, progress: false },
  skipped: { error: false, progress: false },
};

/** Colours a status word (colours are off when the output is not a terminal or NO_COLOR is set). */
export function paintStatus(status: StepStatus | JobStatus, text: string = status): string {
  return looks[status].paint(text);
}

/** The icon of a status, coloured. */
export function statusIcon(status: StepStatus | JobStatus): string {
  return looks[status].paint(looks[status].icon);
}

/**
 * The closing lines of a watch: the outcome, then each delivered output's URI, then the errors,
 * each said once:
 *
 * ```text
 * ✔ job 1 success in 6.5 s · 5/5 steps · 4/4 outputs delivered
 *   → s3://ordo-deliverables/final/piney-dam/contours.geojson
 *   …
 * ✖ job 2 failed in 3.2 s · 3/5 steps · 1 failed, 2 skipped · 0/4 outputs delivered
 *   error: Step "dem" failed: GENERATE_DEM failed: pdal pipeline exited with code 1 (…)
 * ```
 *
 * `N failed, M skipped` counts the steps that ended so (shown when there are any; the server's
 * `completed_steps` counts failed steps as completed and skipped ones not at all). The job's
 * error is printed, then the failed steps' errors that it does not already contain (Ordo writes
 * `Step "dem" failed: <the step's error>`); steps that failed with the same text share a line
 * (`steps a, b: out of memory`). A job's error that a step's error contains is left out.
 * Source: docs/ordo-server.md, "The job body" (`completed_steps`, `outputs[].delivered_uri`).
 */
export function summaryLine(snapshot: JobSnapshot): string {
  const { job, progress, outputs, steps } = snapshot;
  const deliveredUris = outputs.flatMap((output) => (output.deliveredUri === null ? [] : [output.deliveredUri]));
  const failed = steps.filter((step) => step.status === 'failed');
  const skipped = steps.filter((step) => step.status === 'skipped').length;
  const ended = [...(failed.length > 0 ? [`${failed.length} failed`] : []), ...(skipped > 0 ? [`${skipped} skipped`] : [])];
  const parts = [
    `${progress.completedSteps}/${progress.totalSteps} steps`,
    ...(ended.length > 0 ? [ended.join(', ')] : []),
    ...(outputs.length > 0 ? [`${deliveredUris.length}/${outputs.length} outputs delivered`] : []),
  ];
  const head = `job ${printable(job.id)} ${paintStatus(job.status)} in ${formatDuration(snapshot.durationMs)}`;
  const lines = [`${statusIcon(job.status)} ${head} · ${parts.join(' · ')}`, ...deliveredUris.map((uri) => `  → ${printable(uri)}`)];

  // Failed steps by their error text, in the server's order: one line per distinct error.
  const byError = new Map<string, string[]>();
  for (const step of failed) {
    if (step.error) byError.set(step.error, [...(byError.get(step.error) ?? []), step.stepId]);
  }
  const jobError = job.error && ![...byError.keys()].some((error) => error !== job.error && error.includes(job.error!)) ? job.error : null;
  if (jobError) lines.push(`  error: ${printable(jobError)}`);
  for (const [error, stepIds] of byError) {
    if (jobError?.includes(error)) continue;
    lines.push(`  ${stepIds.length === 1 ? 'step' : 'steps'} ${stepIds.map(printable).join(', ')}: ${printable(error)}`);
  }
  return lines.join('\n');
}

/**
 * A failure as the CLI reads it: an ordo-status error (`OrdoNetworkError`, `OrdoTimeoutError`,
 * `OrdoHttpError` and its subclasses) or anything with a `code`.
 */
export interface FailureLike {
  readonly code: string;
  readonly message?: string;
  /** HTTP status (`OrdoHttpError`). */
  readonly status?: number;
  /** `'request'` or `'watch'` (`OrdoTimeoutError`). */
  readonly scope?: string;
  /** `'ECONNREFUSED'`, `'ENOTFOUND'`… (`OrdoNetworkError`). */
  readonly systemCode?: string | undefined;
  /** The requested URL, without credentials (`OrdoNetworkError`, `OrdoHttpError`). */
  readonly url?: string | undefined;
}

/** A failure in words, and what to check when the watch never reached the server. */
export interface FailureCause {
  /** A few words: `connection refused`, `host not found (DNS)`, `server answered 503`. */
  readonly cause: string;
  /** What a person should check, e.g. `is the server running, and is --base-url right?`; `undefined` when nothing would help. */
  readonly hint: string | undefined;
}

/** The ways a request can fail to get an answer, each with its words; exhaustive, so a new kind must be given words. */
type NetworkFailureKind = 'refused' | 'dns' | 'tls' | 'timeout' | 'reset' | 'unreachable' | 'blockedPort' | 'unknown';

const networkFailureWords: Readonly<Record<NetworkFailureKind, FailureCause>> = {
  refused: { cause: 'connection refused', hint: 'is the server running, and is --base-url right?' },
  dns: { cause: 'host not found (DNS)', hint: 'is the host name in --base-url right?' },
  tls: { cause: 'TLS/certificate problem', hint: 'is --base-url right (http:// or https://), and is the server’s certificate valid for its name?' },
  timeout: { cause: 'timed out', hint: 'is the server up and reachable, and is --base-url right?' },
  reset: { cause: 'connection reset', hint: 'is --base-url right (http:// or https://), and is the server running?' },
  unreachable: { cause: 'host unreachable', hint: 'is the network up, and is --base-url right?' },
  blockedPort: { cause: 'port refused by fetch (a "bad port")', hint: 'fetch never connects to this port; run the server on another one' },
  unknown: { cause: 'no response', hint: 'is --base-url right?' },
};

/**
 * Which kind of network failure a system error code names. Codes as Node, undici and OpenSSL
 * write them (Bun's PascalCase `ConnectionRefused` too).
 * Source: Node.js docs, "Errors" › "Common system errors", "OpenSSL error codes" and
 * `tls` (`ERR_TLS_*`, `CERT_*`); undici docs, "Errors" (`UND_ERR_*`).
 */
function networkFailureKind(systemCode: string | undefined, message: string): NetworkFailureKind {
  const code = systemCode ?? '';
  if (/^(ECONNREFUSED|ConnectionRefused)$/.test(code)) return 'refused';
  if (/^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_NODATA|EAI_FAIL)$/.test(code)) return 'dns';
  if (/^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED|SELF_SIGNED_CERT|HOSTNAME_MISMATCH|EPROTO$)/.test(code)) return 'tls';
  if (/^(ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT)$/.test(code)) return 'timeout';
  if (/^(ECONNRESET|EPIPE|ECONNABORTED|UND_ERR_SOCKET|UND_ERR_CLOSED)$/.test(code)) return 'reset';
  if (/^(EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|ENETDOWN)$/.test(code)) return 'unreachable';
  // undici refuses the fetch standard's "bad ports" (9, 25, 6000…) without a code.
  if (code === '' && /\bbad port\b/i.test(message)) return 'blockedPort';
  return 'unknown';
}

/**
 * Why a request failed, in words, with what to check: the one place the CLI words a failure.
 * Network failures by their system code (connection refused, host not found (DNS),
 * TLS/certificate problem, timed out, connection reset), a request's timeout as "timed out",
 * HTTP statuses as `server answered 503`.
 *
 * @param error - the failure (`RetryInfo.error`, or the error that ended a watch).
 * @returns the cause in a few words and a hint (`undefined` when checking the URL cannot help).
 */
export function failureCause(error: FailureLike): FailureCause {
  switch (error.code) {
    case 'NETWORK':
      return networkFailureWords[networkFailureKind(error.systemCode, error.message ?? '')];
    case 'TIMEOUT':
      return error.scope === 'request' ? networkFailureWords.timeout : { cause: 'the watch ran out of time (--timeout)', hint: undefined };
    case 'ILLEGAL_TRANSITION':
      return { cause: 'the server answered an older state', hint: undefined };
    case 'NOT_FOUND':
      return { cause: 'job not visible yet', hint: undefined };
    default:
      return { cause: typeof error.status === 'number' ? `server answered ${error.status}` : 'request failed', hint: undefined };
  }
}

/**
 * Why a request is being retried, in a few words: `connection refused`, `server answered 503`;
 * `connection lost (connection refused)` only once the watch has had an answer (a connection
 * existed).
 */
export function retryReason(error: FailureLike, answered: boolean): string {
  const { cause } = failureCause(error);
  return answered && error.code === 'NETWORK' ? `connection lost (${cause})` : cause;
}

/** A retry as the CLI shows it: the library's `RetryInfo`, and what the watch knows besides. */
export interface RetryNotice {
  /** This retry's number among the consecutive failures: 1 for the first. */
  readonly attempt: number;
  readonly maxRetries: number;
  /** Time until the next request, in milliseconds. */
  readonly delayMs: number;
  readonly error: FailureLike;
  /** Whether this watch has had an answer from the server (a snapshot or any HTTP response) before this failure. */
  readonly answered: boolean;
  /** The server's base URL, named when the error carries no URL of its own (a request timeout). */
  readonly server?: string | undefined;
}

/** The URL a failure concerns: the error's own, else the server's base URL. */
export function failureUrl(notice: { readonly error: FailureLike; readonly server?: string | undefined }): string | undefined {
  return notice.error.url ?? notice.server;
}

/**
 * The first failure of a watch that never had an answer, diagnosed: the URL, the cause in words
 * and the system code, and the hint. `cannot reach http://127.0.0.1:8080/jobs/1: connection
 * refused (ECONNREFUSED); is the server running, and is --base-url right?`, or
 * `http://host/jobs/1 answered 503` when the server did answer.
 */
export function firstFailureLine(notice: { readonly error: FailureLike; readonly server?: string | undefined }): string {
  const { error } = notice;
  const url = failureUrl(notice);
  if (typeof error.status === 'number') return `${printable(url ?? 'the server')} answered ${error.status}${error.code === 'NOT_FOUND' ? ' (job not visible yet)' : ''}`;
  return `cannot reach ${whereAndWhy({ url, ...failureCause(error), systemCode: error.systemCode })}`;
}

/**
 * Where a request could not go and why, in one place for every line that says it (a retry, an
 * interrupted or failed watch): `http://host/jobs/1: connection refused (ECONNREFUSED); is the
 * server running, and is --base-url right?`. The system code and the hint are left out when not given.
 */
export function whereAndWhy(parts: {
  readonly url: string | undefined;
  readonly cause: string;
  readonly systemCode?: string | undefined;
  readonly hint?: string | undefined;
}): string {
  const code = parts.systemCode ? ` (${printable(parts.systemCode)})` : '';
  return `${printable(parts.url ?? 'the server')}: ${parts.cause}${code}${parts.hint ? `; ${parts.hint}` : ''}`;
}

/**
 * A later failure of a watch that never had an answer, shorter than {@link firstFailureLine}:
 * `cannot reach http://127.0.0.1:8080/jobs/1: connection refused`, or `server answered 503`.
 */
function unreachedLine(notice: { readonly error: FailureLike; readonly server?: string | undefined }): string {
  const { error } = notice;
  if (typeof error.status === 'number') return retryReason(error, false);
  return `cannot reach ${whereAndWhy({ url: failureUrl(notice), cause: failureCause(error).cause })}`;
}

/**
 * A retry in one line: `connection lost (connection reset) — retrying in 4 s (2/5)`. The first
 * failure of a watch that never had an answer says where and why at once:
 * `cannot reach http://127.0.0.1:8080/jobs/1: connection refused (ECONNREFUSED); is the server
 * running, and is --base-url right? — retrying in 1 s (1/5)`.
 */
export function retryLine(notice: RetryNotice): string {
  // Tenths of a second below 10 s (`0.8 s`, `4 s`), whole seconds above.
  const tenths = Math.round(notice.delayMs / 100) / 10;
  const seconds = tenths >= 10 ? String(Math.round(tenths)) : Number.isInteger(tenths) ? String(tenths) : tenths.toFixed(1);
  // Until the first answer every line names the URL (the first also the system code and hint),
  // so a live view, which shows only the latest, keeps saying where it cannot reach.
  const head = notice.answered
    ? retryReason(notice.error, true)
    : notice.attempt === 1
      ? firstFailureLine(notice)
      : unreachedLine(notice);
  return `${head} — retrying in ${seconds} s (${notice.attempt}/${notice.maxRetries})`;
}

/** Local wall-clock time `HH:MM:SS` of a time in milliseconds since the epoch, for piped lines. */
export function clockTime(ms: number): string {
  const date = new Date(ms);
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}
