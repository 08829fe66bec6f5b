import { describe, expect, it } from 'vitest';
import {
  errorFromResponse,
  OrdoAuthError,
  OrdoHttpError,
  OrdoNetworkError,
  OrdoNotFoundError,
} from 'ordo-status';

const url = '/ordo/jobs/7';

describe('errorFromResponse', () => {
  it('status 0 (no response, as Angular reports it) is a retryable OrdoNetworkError keeping the cause', () => {
    const cause = new Error('ProgressEvent error');
    const error = errorFromResponse({ status: 0, url, jobId: '7', cause });
    expect(error).toBeInstanceOf(OrdoNetworkError);
    expect(error).toMatchObject({ code: 'NETWORK', url, jobId: '7', retryable: true, cause });
    expect(error.message).toBe('GET /ordo/jobs/7 failed without a response');
  });

  it('picks the class by status, as createFetchTransport does', () => {
    expect(errorFromResponse({ status: 401, url })).toBeInstanceOf(OrdoAuthError);
    expect(errorFromResponse({ status: 403, url })).toBeInstanceOf(OrdoAuthError);
    const missing = errorFromResponse({ status: 404, url, statusText: 'Not Found', body: { error: 'job not found' }, jobId: '7' });
    expect(missing).toBeInstanceOf(OrdoNotFoundError);
    expect(missing.message).toBe('GET /ordo/jobs/7 answered 404 Not Found: job not found');
    expect(missing).toMatchObject({ status: 404, jobId: '7', bodyExcerpt: '{"error":"job not found"}' });
    const busy = errorFromResponse({ status: 503, url, body: '<html>busy</html>', contentType: 'text/html', retryAfter: '3' });
    expect(busy).toBeInstanceOf(OrdoHttpError);
    expect(busy).not.toBeInstanceOf(OrdoNotFoundError);
    expect(busy).toMatchObject({ status: 503, retryAfterMs: 3000, bodyExcerpt: '<html>busy</html>' });
    expect(busy.message).toBe('GET /ordo/jobs/7 answered 503 (text/html body)');
  });

  it('reads a Retry-After date against the clock', () => {
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    const error = errorFromResponse({ status: 429, url, retryAfter: inTenSeconds }) as OrdoHttpError;
    expect(error.retryAfterMs).toBeGreaterThan(8_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(10_000);
    expect((errorFromResponse({ status: 429, url, retryAfter: null }) as OrdoHttpError).retryAfterMs).toBeNull();
  });

  it('rejects what is no failed response with a TypeError', () => {
    expect(() => errorFromResponse(undefined as never)).toThrow(new TypeError('Invalid response: expected { status, url, … }'));
    expect(() => errorFromResponse({ status: 200.5, url })).toThrow(/Invalid status 200.5/);
    expect(() => errorFromResponse({ status: 600, url })).toThrow(/0\.\.599/);
    expect(() => errorFromResponse({ status: 500, url: null } as never)).toThrow(new TypeError('Invalid url: expected a string'));
  });
});
