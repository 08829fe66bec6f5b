import { describe, expect, it } from 'vitest';
import {
  errorFromResponse,
  OrdoAuthError,
  OrdoHttpError,
  OrdoNetworkError,
  OrdoNotFoundError,
  OrdoSchemaError,
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

  it('a 2xx the client could not read is an OrdoSchemaError, as from createFetchTransport', () => {
    const cause = { error: new SyntaxError('Unexpected token <'), text: '<html>login</html>' };
    const error = errorFromResponse({ status: 200, statusText: 'OK', url, body: '<html>login</html>', contentType: 'text/html', jobId: '7', cause });
    expect(error).toBeInstanceOf(OrdoSchemaError);
    expect(error).toMatchObject({ code: 'SCHEMA', bodyExcerpt: '<html>login</html>', contentType: 'text/html', jobId: '7', cause });
    expect(error.message).toBe('GET /ordo/jobs/7 answered 200, but the body could not be read');
  });

  it('keeps credentials in the URL out of the error, and copes with bodies JSON cannot show', () => {
    const error = errorFromResponse({ status: 500, url: 'https://user:secret@ordo.example.com/jobs/7' });
    expect(error.message).toBe('GET https://ordo.example.com/jobs/7 answered 500');
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain('secret');
    expect(errorFromResponse({ status: 0, url: 'http://a:b@host/jobs/1' }).message).toBe('GET http://host/jobs/1 failed without a response');
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    expect(errorFromResponse({ status: 502, url, body: circular }).message).toBe('GET /ordo/jobs/7 answered 502');
    expect((errorFromResponse({ status: 503, url, retryAfter: 5 }) as OrdoHttpError).retryAfterMs).toBe(5000);
  });

  it('rejects what is no failed response with a TypeError', () => {
    expect(() => errorFromResponse(undefined as never)).toThrow(new TypeError('Invalid response: expected { status, url, … }'));
    expect(() => errorFromResponse({ status: 200.5, url })).toThrow(/Invalid status 200.5/);
    expect(() => errorFromResponse({ status: 600, url })).toThrow(/Invalid status 600: expected 0 \(no response\) or an HTTP status from 100 to 599/);
    expect(() => errorFromResponse({ status: 42, url })).toThrow(/Invalid status 42/);
    expect(() => errorFromResponse({ status: 500, url: null } as never)).toThrow(new TypeError('Invalid url: expected a string'));
  });
});
