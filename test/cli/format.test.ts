import { describe, expect, it } from 'vitest';
import { OrdoHttpError, OrdoNetworkError, OrdoNotFoundError, OrdoTimeoutError } from 'ordo-status';
import { clockTime, failureCause, firstFailureLine, formatDuration, formatPercent, printable, retryLine, retryReason } from '../../src/cli/format.js';

const url = 'http://127.0.0.1:8080/jobs/1';
const network = (systemCode: string | undefined, text = systemCode ?? 'fetch failed') =>
  new OrdoNetworkError(`GET ${url} failed without a complete response (${text})`, { url, systemCode });

describe('failureCause: a failure in words, with what to check', () => {
  it.each([
    ['ECONNREFUSED', 'connection refused', 'is the server running, and is --base-url right?'],
    ['ConnectionRefused', 'connection refused', 'is the server running, and is --base-url right?'],
    ['ENOTFOUND', 'host not found (DNS)', 'is the host name in --base-url right?'],
    ['EAI_AGAIN', 'host not found (DNS)', 'is the host name in --base-url right?'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'TLS/certificate problem', 'is --base-url right (http:// or https://), and is the server’s certificate valid for its name?'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'TLS/certificate problem', 'is --base-url right (http:// or https://), and is the server’s certificate valid for its name?'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'TLS/certificate problem', 'is --base-url right (http:// or https://), and is the server’s certificate valid for its name?'],
    ['CERT_HAS_EXPIRED', 'TLS/certificate problem', 'is --base-url right (http:// or https://), and is the server’s certificate valid for its name?'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timed out', 'is the server up and reachable, and is --base-url right?'],
    ['ETIMEDOUT', 'timed out', 'is the server up and reachable, and is --base-url right?'],
    ['ECONNRESET', 'connection reset', 'is --base-url right (http:// or https://), and is the server running?'],
    ['UND_ERR_SOCKET', 'connection reset', 'is --base-url right (http:// or https://), and is the server running?'],
    ['EHOSTUNREACH', 'host unreachable', 'is the network up, and is --base-url right?'],
    ['EWHATEVER', 'no response', 'is --base-url right?'],
  ])('%s is "%s"', (systemCode, cause, hint) => {
    expect(failureCause(network(systemCode))).toEqual({ cause, hint });
  });

  it('words failures without a system code, timeouts and HTTP statuses', () => {
    expect(failureCause(network(undefined, 'bad port'))).toEqual({
      cause: 'port refused by fetch (a "bad port")',
      hint: 'fetch never connects to this port; run the server on another one',
    });
    expect(failureCause(network(undefined))).toEqual({ cause: 'no response', hint: 'is --base-url right?' });
    const requestTimeout = new OrdoTimeoutError('No answer for job 1 within 30000 ms', { lastSnapshot: null, timeoutMs: 30_000, scope: 'request' });
    expect(failureCause(requestTimeout)).toEqual({ cause: 'timed out', hint: 'is the server up and reachable, and is --base-url right?' });
    const watchTimeout = new OrdoTimeoutError('Job 1 did not finish within 300 ms', { lastSnapshot: null, timeoutMs: 300 });
    expect(failureCause(watchTimeout)).toEqual({ cause: 'the watch ran out of time (--timeout)', hint: undefined });
    expect(failureCause(new OrdoHttpError('503', { status: 503, url }))).toEqual({ cause: 'server answered 503', hint: undefined });
    expect(failureCause(new OrdoNotFoundError('404', { status: 404, url }))).toEqual({ cause: 'job not visible yet', hint: undefined });
    expect(failureCause({ code: 'ILLEGAL_TRANSITION' })).toEqual({ cause: 'the server answered an older state', hint: undefined });
    expect(failureCause({ code: 'SCHEMA' })).toEqual({ cause: 'request failed', hint: undefined });
  });

  it('says "connection lost" only once the watch has had an answer', () => {
    expect(retryReason(network('ECONNREFUSED'), true)).toBe('connection lost (connection refused)');
    expect(retryReason(network('ECONNREFUSED'), false)).toBe('connection refused');
    expect(retryReason(new OrdoHttpError('503', { status: 503, url }), true)).toBe('server answered 503');
  });
});

describe('retryLine', () => {
  const line = (delayMs: number, answered = true) => retryLine({ attempt: 2, maxRetries: 5, delayMs, error: network('ECONNRESET'), answered });

  it('writes retry delays in tenths of a second below 10 s, whole seconds above', () => {
    expect(line(4000)).toBe('connection lost (connection reset) — retrying in 4 s (2/5)');
    expect(line(996)).toBe('connection lost (connection reset) — retrying in 1 s (2/5)');
    expect(line(750)).toBe('connection lost (connection reset) — retrying in 0.8 s (2/5)');
    expect(line(0)).toBe('connection lost (connection reset) — retrying in 0 s (2/5)');
    expect(line(12_345)).toBe('connection lost (connection reset) — retrying in 12 s (2/5)');
    expect(retryLine({ attempt: 1, maxRetries: 3, delayMs: 2000, error: new OrdoHttpError('503', { status: 503, url }), answered: true })).toBe(
      'server answered 503 — retrying in 2 s (1/3)',
    );
  });

  it('diagnoses the first failure of a watch that never had an answer: URL, cause, code and hint', () => {
    expect(retryLine({ attempt: 1, maxRetries: 5, delayMs: 1000, error: network('ECONNREFUSED'), answered: false })).toBe(
      `cannot reach ${url}: connection refused (ECONNREFUSED); is the server running, and is --base-url right? — retrying in 1 s (1/5)`,
    );
    // The following failures of that run keep the URL and say the cause, never "connection lost".
    expect(line(2000, false)).toBe(`cannot reach ${url}: connection reset — retrying in 2 s (2/5)`);
    // An error without a URL of its own names the server.
    const requestTimeout = new OrdoTimeoutError('No answer for job 1 within 30000 ms', { lastSnapshot: null, timeoutMs: 30_000, scope: 'request' });
    expect(retryLine({ attempt: 1, maxRetries: 5, delayMs: 1000, error: requestTimeout, answered: false, server: 'https://gw.example.com/ordo' })).toBe(
      'cannot reach https://gw.example.com/ordo: timed out; is the server up and reachable, and is --base-url right? — retrying in 1 s (1/5)',
    );
    expect(retryLine({ attempt: 1, maxRetries: 5, delayMs: 1000, error: new OrdoHttpError('503', { status: 503, url }), answered: false })).toBe(
      `${url} answered 503 — retrying in 1 s (1/5)`,
    );
  });

  it('firstFailureLine escapes what it prints and copes with no URL at all', () => {
    expect(firstFailureLine({ error: { code: 'NETWORK', systemCode: 'ECONNREFUSED' } })).toBe(
      'cannot reach the server: connection refused (ECONNREFUSED); is the server running, and is --base-url right?',
    );
    expect(firstFailureLine({ error: { code: 'NETWORK', url: 'http://h/\u001b[2J' } })).toBe('cannot reach http://h/\\x1b[2J: no response; is --base-url right?');
    expect(firstFailureLine({ error: new OrdoNotFoundError('404', { status: 404, url }) })).toBe(`${url} answered 404 (job not visible yet)`);
  });
});

describe('CLI formatting', () => {
  it('floors percents without float noise, and formats durations', () => {
    expect(formatPercent(0.29)).toBe('29%');
    expect(formatPercent(0.996)).toBe('99%');
    expect(formatPercent(null)).toBe('–');
    expect(formatDuration(1234)).toBe('1.2 s');
    expect(formatDuration(75_000)).toBe('1 m 15 s');
    expect(formatDuration(3 * 3_600_000 + 5 * 60_000)).toBe('3 h 5 m');
    expect(formatDuration(null)).toBe('–');
  });

  it('writes local wall-clock time as HH:MM:SS', () => {
    expect(clockTime(new Date(2026, 11, 1, 9, 5, 7, 999).getTime())).toBe('09:05:07');
    expect(clockTime(new Date(2026, 11, 1, 23, 59, 0).getTime())).toBe('23:59:00');
  });

  it('escapes control characters', () => {
    expect(printable('a\u001b[2Jb\r\nc')).toBe('a\\x1b[2Jb\\x0d\\x0ac');
  });
});
