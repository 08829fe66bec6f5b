import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createOrdoClient, OrdoHttpError, OrdoNetworkError } from 'ordo-status';
import { jobBody, scriptedTransport, type JobScript } from 'ordo-status/testing';
import { exitCodes, runWatch } from '../../src/cli/runWatch.js';
import { retryLine } from '../../src/cli/format.js';
import type { WatchFailure, WatchRetry, WatchView } from '../../src/cli/views.js';

const url = 'http://127.0.0.1:8080/jobs/1';
const refused = () => new OrdoNetworkError(`GET ${url} failed without a complete response (ECONNREFUSED)`, { url, systemCode: 'ECONNREFUSED' });
const reset = () => new OrdoNetworkError(`GET ${url} failed without a complete response (ECONNRESET)`, { url, systemCode: 'ECONNRESET' });
const unavailable = () => new OrdoHttpError(`GET ${url} answered 503`, { status: 503, url, retryAfterMs: 1000 });

/** A view that records what it was told. */
function recordingView() {
  const retries: WatchRetry[] = [];
  const failures: WatchFailure[] = [];
  const updates: string[] = [];
  const view: WatchView = {
    update: (snapshot) => updates.push(snapshot.job.status),
    done: () => {},
    fail: (error) => failures.push(error),
    interrupt: () => {},
    retry: (info) => retries.push(info),
  };
  return { view, retries, failures, updates };
}

async function watch(script: JobScript, retries = 5) {
  const recorded = recordingView();
  const client = createOrdoClient({ transport: scriptedTransport({ 1: script }) });
  const outcome = runWatch(client, '1', recorded.view, {
    intervalMs: 1000,
    timeoutMs: undefined,
    retries,
    signal: new AbortController().signal,
    server: 'http://127.0.0.1:8080',
  });
  await vi.runAllTimersAsync();
  return { ...recorded, outcome: await outcome };
}

// Virtual time: the retry backoff and the interval run on fake timers.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('runWatch: has the watch had an answer?', () => {
  it('tells the view of failures before the first answer as unanswered, after it as answered', async () => {
    const running = jobBody({ status: 'running', steps: { a: 'running' } });
    const success = jobBody({ status: 'success', steps: { a: 'success' } });
    const { retries, updates, outcome } = await watch([refused(), refused(), running, reset(), success]);
    expect(outcome).toEqual({ exitCode: exitCodes.success });
    expect(updates).toEqual(['running', 'success']);
    expect(retries.map(({ attempt, answered, server }) => ({ attempt, answered, server }))).toEqual([
      { attempt: 1, answered: false, server: 'http://127.0.0.1:8080' },
      { attempt: 2, answered: false, server: 'http://127.0.0.1:8080' },
      { attempt: 1, answered: true, server: 'http://127.0.0.1:8080' },
    ]);
    const lines = retries.map((info) => retryLine(info).replace(/in [\d.]+ s/, 'in N s'));
    expect(lines).toEqual([
      `cannot reach ${url}: connection refused (ECONNREFUSED); is the server running, and is --base-url right? — retrying in N s (1/5)`,
      `cannot reach ${url}: connection refused — retrying in N s (2/5)`,
      'connection lost (connection reset) — retrying in N s (1/5)',
    ]);
  });

  it('counts any HTTP response as an answer: a refusal after a 503 is a lost connection', async () => {
    const { retries } = await watch([unavailable(), refused(), jobBody({ status: 'success' })]);
    expect(retries.map((info) => info.answered)).toEqual([false, true]);
    expect(retryLine(retries[0]!)).toBe(`${url} answered 503 — retrying in 1 s (1/5)`);
  });

  it('gives a failure before any answer a diagnosis: cause, hint, URL and system code', async () => {
    const { failures, outcome } = await watch([refused()], 0);
    expect(outcome).toEqual({ exitCode: exitCodes.error, errorCode: 'NETWORK' });
    expect(failures).toEqual([
      {
        code: 'NETWORK',
        message: `GET ${url} failed without a complete response (ECONNREFUSED)`,
        diagnosis: { cause: 'connection refused', hint: 'is the server running, and is --base-url right?', url, systemCode: 'ECONNREFUSED' },
      },
    ]);
  });

  it('tells the view why an interrupted watch never had an answer: the last failure diagnosed', async () => {
    const interrupted = async (script: JobScript) => {
      const controller = new AbortController();
      const diagnoses: unknown[] = [];
      const view: WatchView = { ...recordingView().view, interrupt: (_last, diagnosis) => diagnoses.push(diagnosis) };
      const client = createOrdoClient({ transport: scriptedTransport({ 1: script }) });
      const outcome = runWatch(client, '1', view, { intervalMs: 1000, timeoutMs: undefined, retries: 5, signal: controller.signal, server: 'http://127.0.0.1:8080' });
      await vi.advanceTimersByTimeAsync(5000);
      controller.abort(Object.assign(new Error('interrupted'), { signal: 'SIGINT' }));
      return { outcome: await outcome, diagnoses };
    };
    const never = await interrupted([refused(), reset(), refused(), refused(), refused(), refused()]);
    expect(never.outcome).toEqual({ exitCode: exitCodes.interrupted });
    expect(never.diagnoses).toHaveLength(1);
    expect(never.diagnoses[0]).toMatchObject({ url, hint: 'is the server running, and is --base-url right?' });
    // After an answer, or after any HTTP response, there is nothing to diagnose.
    const afterAnswer = await interrupted([jobBody({ status: 'running' }), refused(), refused(), refused(), refused()]);
    expect(afterAnswer.diagnoses).toEqual([undefined]);
    const afterResponse = await interrupted([unavailable(), refused(), refused(), refused(), refused()]);
    expect(afterResponse.diagnoses).toEqual([undefined]);
  });

  it('gives no diagnosis once the server answered', async () => {
    const afterAnswer = await watch([jobBody({ status: 'running' }), refused()], 0);
    expect(afterAnswer.failures).toEqual([{ code: 'NETWORK', message: `GET ${url} failed without a complete response (ECONNREFUSED)`, diagnosis: undefined }]);
    const httpError = await watch([new OrdoHttpError(`GET ${url} answered 400`, { status: 400, url })], 0);
    expect(httpError.failures).toEqual([{ code: 'HTTP', message: `GET ${url} answered 400`, diagnosis: undefined }]);
  });
});
