import { lastValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  createFetchTransport,
  OrdoAuthError,
  OrdoHttpError,
  OrdoNetworkError,
  OrdoNotFoundError,
  OrdoSchemaError,
} from 'ordo-status';
import { loadScenario } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { startTestSimulator } from '../helpers/simulator.js';
import { everythingIn, failure, fetchOnce } from '../helpers/transport.js';

const secret = 's3cr3t-T0KEN-value';
const running = loadScenario('success')[24]!;
let server: TestServer | undefined;

describe('createFetchTransport over real HTTP', () => {
  it('GETs {baseUrl}/jobs/{id} with Accept and Bearer headers and returns the parsed body', async () => {
    server = await startTestServer((_req, res) => res.type('application/json').send(running.text));
    const transport = createFetchTransport({ baseUrl: server.url, token: secret });
    const body = await fetchOnce(transport, '1');
    expect(body).toEqual(running.body);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: 'GET', url: '/jobs/1' });
    expect(server.requests[0]!.headers['accept']).toBe('application/json');
    expect(server.requests[0]!.headers['authorization']).toBe(`Bearer ${secret}`);
  });

  it('keeps a path prefix, with or without a trailing slash, and percent-encodes the id', async () => {
    server = await startTestServer((_req, res) => res.json(running.body));
    for (const baseUrl of [`${server.url}/ordo`, `${server.url}/ordo/`, `${server.url}/ordo//`]) {
      await fetchOnce(createFetchTransport({ baseUrl }), '1');
    }
    await fetchOnce(createFetchTransport({ baseUrl: `${server.url}/` }), '1');
    await fetchOnce(createFetchTransport({ baseUrl: new URL(`${server.url}/a/b`) }), 'job:ä%7');
    await fetchOnce(createFetchTransport({ baseUrl: `${server.url}/ordo?tenant=t1` }), '1');
    expect(server.requests.map((request) => request.url)).toEqual([
      '/ordo/jobs/1',
      '/ordo/jobs/1',
      '/ordo/jobs/1',
      '/jobs/1',
      '/a/b/jobs/job%3A%C3%A4%257',
      '/ordo/jobs/1?tenant=t1',
    ]);
  });

  it('takes the token from a sync or async function, called before every request', async () => {
    server = await startTestServer((_req, res) => res.json(running.body));
    let calls = 0;
    const asyncToken = createFetchTransport({ baseUrl: server.url, token: async ({ refresh }) => `t${++calls}-${refresh}` });
    await fetchOnce(asyncToken, '1');
    await fetchOnce(asyncToken, '1');
    await fetchOnce(createFetchTransport({ baseUrl: server.url, token: () => 'sync' }), '1');
    await fetchOnce(createFetchTransport({ baseUrl: server.url, token: '' }), '1');
    expect(server.requests.map((request) => request.headers['authorization'])).toEqual([
      'Bearer t1-false',
      'Bearer t2-false',
      'Bearer sync',
      undefined,
    ]);
  });

  it('maps 401, 403, 404 and 500 to typed errors with status, url and the server message', async () => {
    const answers: Array<[number, string]> = [
      [401, '{"error":"Invalid token"}'],
      [403, '{"error":"Forbidden"}'],
      [404, '{"error":"Job not found"}'],
      [500, '{"error":"Internal server error"}'],
    ];
    let next = 0;
    server = await startTestServer((_req, res) => {
      const [status, text] = answers[next++]!;
      res.status(status).type('application/json').send(text);
    });
    const transport = createFetchTransport({ baseUrl: server.url, token: secret });
    const auth = await failure(fetchOnce(transport, '8'));
    expect(auth).toBeInstanceOf(OrdoAuthError);
    expect(auth).toMatchObject({ code: 'AUTH', status: 401, url: `${server.url}/jobs/8`, jobId: '8', bodyExcerpt: '{"error":"Invalid token"}' });
    expect(auth.message).toBe(`GET ${server.url}/jobs/8 answered 401 Unauthorized: Invalid token`);
    expect(await failure(fetchOnce(transport, '8'))).toMatchObject({ name: 'OrdoAuthError', status: 403 });
    const missing = await failure(fetchOnce(transport, '999999'));
    expect(missing).toBeInstanceOf(OrdoNotFoundError);
    expect(missing).toBeInstanceOf(OrdoHttpError);
    expect(missing).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    const internal = await failure(fetchOnce(transport, '99999999999'));
    expect(internal.constructor).toBe(OrdoHttpError);
    expect(internal).toMatchObject({ code: 'HTTP', status: 500, retryAfterMs: null });
  });

  it('reports a gateway’s 502 HTML page as an OrdoHttpError, never a JSON syntax error', async () => {
    const page = `<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n${'<!-- padding -->'.repeat(40)}`;
    server = await startTestServer((_req, res) => res.status(502).type('text/html').send(page));
    const error = await failure(fetchOnce(createFetchTransport({ baseUrl: server.url }), '1'));
    expect(error.constructor).toBe(OrdoHttpError);
    expect(error).toMatchObject({ status: 502, retryAfterMs: null });
    expect(error.message).toBe(`GET ${server.url}/jobs/1 answered 502 Bad Gateway (text/html; charset=utf-8 body)`);
    expect((error as OrdoHttpError).bodyExcerpt).toBe(`${page.slice(0, 199)}…`);
  });

  it('reads Retry-After in seconds or as an HTTP date', async () => {
    const inTwoMinutes = new Date(Date.now() + 120_000).toUTCString();
    const values = ['120', inTwoMinutes, 'soon', '-3'];
    let next = 0;
    server = await startTestServer((_req, res) => res.status(503).set('Retry-After', values[next++]).json({ error: 'busy' }));
    const transport = createFetchTransport({ baseUrl: server.url });
    const seconds = (await failure(fetchOnce(transport, '1'))) as OrdoHttpError;
    expect(seconds.retryAfterMs).toBe(120_000);
    const date = (await failure(fetchOnce(transport, '1'))) as OrdoHttpError;
    expect(date.retryAfterMs).toBeGreaterThan(110_000);
    expect(date.retryAfterMs).toBeLessThanOrEqual(120_000);
    expect(((await failure(fetchOnce(transport, '1'))) as OrdoHttpError).retryAfterMs).toBeNull();
    expect(((await failure(fetchOnce(transport, '1'))) as OrdoHttpError).retryAfterMs).toBeNull();
  });

  it('reports a 200 that is not JSON as an OrdoSchemaError naming the content type', async () => {
    server = await startTestServer((_req, res) => res.status(200).type('text/html').send('<!DOCTYPE html><html><body>Sign in</body></html>'));
    const error = await failure(fetchOnce(createFetchTransport({ baseUrl: server.url }), '1'));
    expect(error).toBeInstanceOf(OrdoSchemaError);
    expect(error.message).toContain('text/html; charset=utf-8');
    expect(error.message).toContain('<!DOCTYPE html>');
    expect((error as OrdoSchemaError).contentType).toBe('text/html; charset=utf-8');
  });

  it('reports a refused connection as an OrdoNetworkError with its cause', async () => {
    server = await startTestServer((_req, res) => res.end());
    const url = server.url;
    await server.close();
    server = undefined;
    const error = await failure(fetchOnce(createFetchTransport({ baseUrl: url, token: secret }), '1'));
    expect(error).toBeInstanceOf(OrdoNetworkError);
    expect(error.message).toBe(`GET ${url}/jobs/1 failed without a complete response (ECONNREFUSED)`);
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('reports a body cut off mid-way as an OrdoNetworkError', async () => {
    server = await startTestServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
      res.write(running.text.slice(0, 100));
      setTimeout(() => req.socket.destroy(), 10);
    });
    const error = await failure(fetchOnce(createFetchTransport({ baseUrl: server.url }), '1'));
    expect(error).toBeInstanceOf(OrdoNetworkError);
  });

  it('throws the signal’s reason when aborted, and aborts the HTTP request', async () => {
    let closed = false;
    server = await startTestServer((req) => {
      req.socket.on('close', () => (closed = true));
    });
    const controller = new AbortController();
    const pending = fetchOnce(createFetchTransport({ baseUrl: server.url }), '1', controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const reason = new Error('gone');
    controller.abort(reason);
    expect(await failure(pending)).toBe(reason);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(true);
  });

  it('never shows the token in any error', async () => {
    const statuses = [401, 403, 404, 500, 502];
    let next = 0;
    server = await startTestServer((req, res) => {
      // A hostile or careless server echoing the request headers back.
      res.status(statuses[next++] ?? 200).json({ error: `echo ${String(req.headers['authorization'])}` });
    });
    // A string token: a function would be asked for a fresh one after the 401.
    const transport = createFetchTransport({ baseUrl: server.url, token: secret });
    for (let index = 0; index < statuses.length; index += 1) {
      const error = await failure(fetchOnce(transport, '1'));
      expect(error).toBeInstanceOf(OrdoHttpError);
      // The body excerpt is the server's own text; the token is scrubbed from it.
      expect(everythingIn(error)).not.toContain(secret);
    }
  });

  it('wraps a failing token function in an OrdoNetworkError and sends nothing', async () => {
    server = await startTestServer((_req, res) => res.json(running.body));
    const error = await failure(
      fetchOnce(createFetchTransport({ baseUrl: server.url, token: () => Promise.reject(new Error('vault sealed')) }), '1'),
    );
    expect(error).toBeInstanceOf(OrdoNetworkError);
    expect(error.message).toBe(`GET ${server.url}/jobs/1 was not sent: the token function failed`);
    expect((error.cause as Error).message).toBe('vault sealed');
    expect(server.requests).toHaveLength(0);
  });

  it('refuses bad options at creation', () => {
    expect(() => createFetchTransport({ baseUrl: 'ordo.example.com' })).toThrow(/Invalid baseUrl "ordo.example.com"/);
    expect(() => createFetchTransport({ baseUrl: 'ftp://ordo.example.com' })).toThrow(/expected http: or https:/);
    expect(() => createFetchTransport({ baseUrl: `https://user:${secret}@ordo.example.com` })).toThrow(/credentials/);
    try {
      createFetchTransport({ baseUrl: `https://user:${secret}@ordo.example.com` });
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
    expect(() => createFetchTransport({ baseUrl: 'https://x', token: 42 as never })).toThrow(/Invalid token/);
    expect(() => createFetchTransport({ baseUrl: 'https://x', fetch: 'no' as never })).toThrow(/fetch/);
    expect(() => createFetchTransport(undefined as never)).toThrow(/baseUrl/);
  });
});

describe('createFetchTransport and the token', () => {
  it('asks for a fresh token once after a 401 and sends the request again', async () => {
    let call = 0;
    server = await startTestServer((req, res) => {
      call += 1;
      if (req.headers['authorization'] === 'Bearer fresh') res.json(running.body);
      else res.status(401).json({ error: 'Invalid token' });
    });
    const contexts: boolean[] = [];
    const transport = createFetchTransport({
      baseUrl: server.url,
      token: ({ refresh }) => {
        contexts.push(refresh);
        return refresh ? 'fresh' : 'expired';
      },
    });
    expect(await fetchOnce(transport, '1')).toEqual(running.body);
    expect(contexts).toEqual([false, true]);
    expect(call).toBe(2);
    // Still refused after the refresh: the 401 is the answer, no third request.
    const stubborn = createFetchTransport({ baseUrl: server.url, token: () => 'never-valid' });
    const error = await failure(fetchOnce(stubborn, '1'));
    expect(error).toBeInstanceOf(OrdoAuthError);
    expect(call).toBe(4);
    // A string token cannot be refreshed: one request.
    await failure(fetchOnce(createFetchTransport({ baseUrl: server.url, token: 'static' }), '1'));
    expect(call).toBe(5);
  });

  it('redacts a token that a 2xx body echoes, in the snapshot body and in schema errors', async () => {
    server = await startTestServer((req, res) => {
      res.json({ ...running.body, job: { ...running.body.job, error: `auth was ${String(req.headers['authorization'])}` } });
    });
    const transport = createFetchTransport({ baseUrl: server.url, token: secret });
    const echoed = (await fetchOnce(transport, '1')) as any;
    expect(echoed.job.error).toBe('auth was Bearer [redacted]');
    await server.close();
    server = await startTestServer((req, res) => {
      res.json({ job: { id: 1, status: `zzz ${String(req.headers['authorization'])}` }, steps: [] });
    });
    const { jobStatus$ } = await import('ordo-status');
    const error = await new Promise<Error>((resolve) =>
      jobStatus$(1, { transport: createFetchTransport({ baseUrl: server!.url, token: secret }) }).subscribe({ error: resolve }),
    );
    expect(error).toBeInstanceOf(OrdoSchemaError);
    expect(error.message).toContain('zzz Bearer [redacted]');
    expect(everythingIn(error)).not.toContain(secret);
  });

  it('refuses a token with characters a header cannot carry, without showing it', async () => {
    server = await startTestServer((_req, res) => res.json(running.body));
    expect(() => createFetchTransport({ baseUrl: server!.url, token: `${secret}\nX-Evil: 1` })).toThrow(/characters an HTTP header cannot carry/);
    for (const bad of [`${secret}\nSECOND`, `${secret}\u0000`, `${secret}\u2603`]) {
      const error = await failure(fetchOnce(createFetchTransport({ baseUrl: server.url, token: async () => bad }), '1'));
      expect(error).toBeInstanceOf(OrdoNetworkError);
      expect(error.message).toContain('characters an HTTP header cannot carry');
      expect(everythingIn(error)).not.toContain(secret);
    }
    // Surrounding whitespace (a token read from a file) is trimmed, not refused.
    await fetchOnce(createFetchTransport({ baseUrl: server.url, token: async () => `  ${secret}\n` }), '1');
    expect(server.requests.at(-1)!.headers['authorization']).toBe(`Bearer ${secret}`);
    expect(server.requests).toHaveLength(1);
  });
});

describe('createFetchTransport limits and redirects', () => {
  it('refuses a body larger than maxResponseBytes, by Content-Length or by counting', async () => {
    const big = JSON.stringify({ ...running.body, padding: 'x'.repeat(5000) });
    server = await startTestServer((req, res) => {
      if (req.url === '/jobs/1') res.type('application/json').send(big); // with a Content-Length of about 11 kB
      else {
        // No Content-Length: chunked, counted while reading.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(big.slice(0, 3000));
        res.end(big.slice(3000));
      }
    });
    const transport = createFetchTransport({ baseUrl: server.url, maxResponseBytes: 4096 });
    for (const id of ['1', '2']) {
      const error = await failure(fetchOnce(transport, id));
      expect(error, id).toBeInstanceOf(OrdoSchemaError);
      expect(error.message).toBe(`GET ${server.url}/jobs/${id} answered a body larger than maxResponseBytes (4096 bytes)`);
    }
    expect(await fetchOnce(createFetchTransport({ baseUrl: server.url, maxResponseBytes: 20_000 }), '1')).toMatchObject({ padding: expect.any(String) });
    expect(() => createFetchTransport({ baseUrl: server!.url, maxResponseBytes: 0 })).toThrow('Invalid maxResponseBytes 0');
  });

  it('keeps the HTTP error of an oversized error page, cut to its excerpt', async () => {
    server = await startTestServer((_req, res) => res.status(502).type('text/html').send(`<html>${'x'.repeat(10_000)}</html>`));
    const error = (await failure(fetchOnce(createFetchTransport({ baseUrl: server.url, maxResponseBytes: 1024 }), '1'))) as OrdoHttpError;
    expect(error).toBeInstanceOf(OrdoHttpError);
    expect(error.status).toBe(502);
  });

  it('sends Authorization after a same-origin redirect, never to another origin', async () => {
    const other = await startTestServer((_req, res) => res.json(running.body));
    try {
      server = await startTestServer((req, res) => {
        if (req.url === '/jobs/1') res.redirect(302, '/moved/jobs/1');
        else if (req.url === '/moved/jobs/1') res.json(running.body);
        else res.redirect(302, `${other.url}/jobs/1`);
      });
      const transport = createFetchTransport({ baseUrl: server.url, token: secret });
      await fetchOnce(transport, '1');
      expect(server.requests.map((request) => [request.url, request.headers['authorization']])).toEqual([
        ['/jobs/1', `Bearer ${secret}`],
        ['/moved/jobs/1', `Bearer ${secret}`],
      ]);
      await fetchOnce(transport, '2');
      expect(other.requests).toHaveLength(1);
      expect(other.requests[0]!.headers['authorization']).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('keeps ids inside /jobs/', async () => {
    server = await startTestServer((_req, res) => res.json(running.body));
    const transport = createFetchTransport({ baseUrl: `${server.url}/ordo` });
    for (const id of ['%2e%2e', '..%2f', 'a%2F..%2F..%2Fadmin', 'é']) await fetchOnce(transport, id);
    expect(server.requests.map((request) => request.url)).toEqual([
      '/ordo/jobs/%252e%252e',
      '/ordo/jobs/..%252f',
      '/ordo/jobs/a%252F..%252F..%252Fadmin',
      '/ordo/jobs/%C3%A9',
    ]);
    const { normalizeJobId } = await import('ordo-status');
    for (const escape of ['..', '.', '../admin', 'a/b', 'a\\b', 'a?b', 'a#b', '1,2']) expect(() => normalizeJobId(escape), escape).toThrow(TypeError);
  });
});

describe('redacting the token from what a server sends back', () => {
  const jwtish = 'eyJhbGciOi/Jz+dW8=';

  it('catches JSON-escaped echoes (\\/ and \\u002b) in job data and in error bodies', async () => {
    let status = 200;
    server = await startTestServer((req, res) => {
      const echoed = JSON.stringify({ ...running.body, job: { ...running.body.job, error: `bad header ${String(req.headers['authorization'])}` } })
        .replace('/', '\\/')
        .replace('+', '\\u002B');
      res.status(status).type('application/json').send(status === 200 ? echoed : `{"error":"bad header ${String(req.headers['authorization']).replace('/', '\\/').replace('+', '\\u002b')}"}`);
    });
    const transport = createFetchTransport({ baseUrl: server.url, token: jwtish });
    const data = (await fetchOnce(transport, '1')) as any;
    expect(data.job.error).toBe('bad header Bearer [redacted]');
    expect(JSON.stringify(data)).not.toContain(jwtish);
    status = 500;
    const error = await failure(fetchOnce(transport, '1'));
    expect(error.message).toContain('bad header Bearer [redacted]');
    expect(everythingIn(error)).not.toContain(jwtish);
    expect(everythingIn(error)).not.toContain('eyJhbGciOi\\/Jz');
  });

  it('leaves job data alone for a short token, which cannot be told from words', async () => {
    server = await startTestServer((_req, res) => res.json(running.body));
    const data = (await fetchOnce(createFetchTransport({ baseUrl: server.url, token: 'dev' }), '1')) as any;
    expect(data).toEqual(running.body);
    expect(data.artifacts[0].uri).toBe('development/PINEY DAM MBES 1IN.laz');
    const named = (await fetchOnce(createFetchTransport({ baseUrl: server.url, token: 'job' }), '1')) as any;
    expect(named.job.id).toBe(1);
  });

  it('does not retry a redirect loop', async () => {
    server = await startTestServer((req, res) => res.redirect(302, req.url === '/jobs/1' ? '/jobs/x' : '/jobs/1'));
    const error = (await failure(fetchOnce(createFetchTransport({ baseUrl: server.url }), '1'))) as OrdoNetworkError;
    expect(error).toBeInstanceOf(OrdoNetworkError);
    expect(error.message).toContain('redirect count exceeded');
    expect(error.retryable).toBe(false);
  });
});

describe('conditional requests', () => {
  it('sends If-None-Match for a tracked job and hands back the previous body on 304', async () => {
    let now = Date.parse('2026-11-29T14:26:05.234Z');
    const simulator = await startTestSimulator({ now: () => now });
    const { id } = await simulator.submitJob();
    const transport = createFetchTransport({ baseUrl: simulator.url, token: simulator.token });
    const release = transport.track!(String(id));
    const first = await fetchOnce(transport, String(id));
    const second = await fetchOnce(transport, String(id));
    expect(second).toBe(first); // 304: the same object, nothing parsed
    now += 5000;
    const third = await fetchOnce(transport, String(id));
    expect(third).not.toBe(first);
    expect((third as any).job.status).toBe('running');
    release();
    const untracked = await fetchOnce(transport, String(id));
    expect(untracked).not.toBe(third); // no memory once released: a plain GET, parsed again
    expect(untracked).toEqual(third);
  });

  it('takes the same ETag, or a byte-identical body without ETag, as unchanged', async () => {
    let withEtag = true;
    server = await startTestServer((_req, res) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (withEtag) headers['etag'] = 'W/"same"';
      res.writeHead(200, headers).end(running.text);
    });
    const transport = createFetchTransport({ baseUrl: server.url });
    transport.track!('1');
    const a = await fetchOnce(transport, '1');
    const b = await fetchOnce(transport, '1');
    expect(b).toBe(a);
    expect(server.requests[1]!.headers['if-none-match']).toBe('W/"same"');
    expect(server.requests[1]!.headers['cache-control']).toBe('max-age=0');
    withEtag = false;
    const c = await fetchOnce(transport, '1');
    const d = await fetchOnce(transport, '1');
    expect(d).toBe(c); // no ETag: the hash of the text says it is the same
    expect(server.requests[3]!.headers['if-none-match']).toBeUndefined();
  });

  it('fetches a batch with the ids in the path', async () => {
    server = await startTestServer((req, res) => {
      if (req.url === '/jobs/7,x%3Ay') res.json([{ id: 7, found: false }, { id: 8, found: false }]);
      else res.json({ not: 'an array' });
    });
    const transport = createFetchTransport({ baseUrl: server.url });
    const signal = new AbortController().signal;
    const answer = await lastValueFrom(from(transport.batch!(['7', 'x:y'], { signal })));
    expect(answer).toEqual([{ id: 7, found: false }, { id: 8, found: false }]);
    // A server without the batch route answers something else; the batching layer decides what it means.
    expect(await lastValueFrom(from(transport.batch!(['1', '2'], { signal })))).toEqual({ not: 'an array' });
  });
});
