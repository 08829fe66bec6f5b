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

  it('a 404 whose body is not Ordo’s "Job not found" asks whether the base URL’s path prefix is right', () => {
    const lead = `; that is not Ordo's {"error":"Job not found"}`;
    const noPrefix = (example: string) => `${lead}: does Ordo sit behind a path prefix on this server (a base URL such as ${example})?`;
    const withPrefix = (prefix: string, base: string) => `${lead}: is the base URL's path prefix "${prefix}" right (the base URL was ${base})?`;
    // No prefix: the hint asks for one, on the URL's own origin.
    const page = errorFromResponse({ status: 404, statusText: 'Not Found', url: 'https://gw.example.com/jobs/1', body: '<html>Cannot GET /jobs/1</html>', contentType: 'text/html' });
    expect(page).toBeInstanceOf(OrdoNotFoundError);
    expect(page.message).toBe(`GET https://gw.example.com/jobs/1 answered 404 Not Found (text/html body)${noPrefix('https://gw.example.com/ordo')}`);
    const otherError = errorFromResponse({ status: 404, url: 'https://gw.example.com/jobs/1', body: { error: 'Route not found' } });
    expect(otherError.message).toBe(`GET https://gw.example.com/jobs/1 answered 404: Route not found${noPrefix('https://gw.example.com/ordo')}`);
    const empty = errorFromResponse({ status: 404, url: 'https://gw.example.com/jobs/1' });
    expect(empty.message).toBe(`GET https://gw.example.com/jobs/1 answered 404${noPrefix('https://gw.example.com/ordo')}`);
    // A prefix: the hint names it and the base URL, and never proposes what was used.
    const otherJson = errorFromResponse({ status: 404, url: 'http://127.0.0.1:8080/api/jobs/1', body: { message: 'Not Found', statusCode: 404 } });
    expect(otherJson.message).toBe(`GET http://127.0.0.1:8080/api/jobs/1 answered 404 (application/json body)${withPrefix('/api', 'http://127.0.0.1:8080/api')}`);
    const ordoPrefix = errorFromResponse({ status: 404, url: 'http://127.0.0.1:8787/ordo/jobs/3', body: { error: 'Not found' } });
    expect(ordoPrefix.message).toBe(`GET http://127.0.0.1:8787/ordo/jobs/3 answered 404: Not found${withPrefix('/ordo', 'http://127.0.0.1:8787/ordo')}`);
    expect(ordoPrefix.message).not.toContain('e.g.');
    // A submission (POST /jobs) and the batch route have the same base.
    const post = errorFromResponse({ status: 404, url: 'http://127.0.0.1:8787/v2/jobs', body: '' });
    expect(post.message).toBe(`GET http://127.0.0.1:8787/v2/jobs answered 404${withPrefix('/v2', 'http://127.0.0.1:8787/v2')}`);
    const batch = errorFromResponse({ status: 404, url: 'http://127.0.0.1:8787/jobs/1,2,3', body: '' });
    expect(batch.message).toBe(`GET http://127.0.0.1:8787/jobs/1,2,3 answered 404${noPrefix('http://127.0.0.1:8787/ordo')}`);
    // A relative URL (an Angular app's) keeps its prefix; without one the example is relative too.
    expect(errorFromResponse({ status: 404, url, body: '' }).message).toBe(`GET /ordo/jobs/7 answered 404${withPrefix('/ordo', '/ordo')}`);
    expect(errorFromResponse({ status: 404, url: '/jobs/7', body: '' }).message).toBe(`GET /jobs/7 answered 404${noPrefix('/ordo')}`);
    // Ordo's own answer, in any case, has no hint; nor has any other status.
    expect(errorFromResponse({ status: 404, url, body: { error: 'Job not found' } }).message).toBe('GET /ordo/jobs/7 answered 404: Job not found');
    expect(errorFromResponse({ status: 404, url, body: '{"error":"job not found"}', contentType: 'application/json; charset=utf-8' }).message).toBe(
      'GET /ordo/jobs/7 answered 404: job not found',
    );
    expect(errorFromResponse({ status: 410, url, body: '<html></html>', contentType: 'text/html' }).message).toBe('GET /ordo/jobs/7 answered 410 (text/html body)');
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
