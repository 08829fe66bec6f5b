import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lastValueFrom, from } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createFetchTransport, OrdoNetworkError, type JobTransport } from 'ordo-status';
import { closedPort } from '../helpers/testServer.js';
import { everythingIn } from '../helpers/transport.js';

// Real failures of Node's own fetch (undici) against real sockets on 127.0.0.1; nothing mocked.

const secret = 'n3tw0rk-T0KEN-value';
const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A node:http server on 127.0.0.1:0 answering with `handler`, closed after the test. */
async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The URL of a port nothing listens on. */
const refusingUrl = async () => `http://127.0.0.1:${await closedPort()}`;

async function networkFailure(transport: JobTransport, id = '1'): Promise<OrdoNetworkError> {
  try {
    await lastValueFrom(from(transport(id, { signal: new AbortController().signal })));
  } catch (error) {
    expect(error).toBeInstanceOf(OrdoNetworkError);
    return error as OrdoNetworkError;
  }
  throw new Error('expected the request to fail');
}

describe('OrdoNetworkError.systemCode from real fetch failures', () => {
  it('names a refused connection ECONNREFUSED, in the field and in the message', async () => {
    const url = await refusingUrl();
    const error = await networkFailure(createFetchTransport({ baseUrl: url, token: secret }), '7');
    expect(error.systemCode).toBe('ECONNREFUSED');
    expect(error.message).toBe(`GET ${url}/jobs/7 failed without a complete response (ECONNREFUSED)`);
    expect(error).toMatchObject({ code: 'NETWORK', url: `${url}/jobs/7`, jobId: '7', retryable: true });
    // undici's TypeError('fetch failed') is kept as the cause; the code sat one level down.
    expect(error.cause).toBeInstanceOf(TypeError);
    expect((error.cause as Error).message).toBe('fetch failed');
    expect(((error.cause as Error).cause as { code: string }).code).toBe('ECONNREFUSED');
    expect(everythingIn(error)).not.toContain(secret);
  });

  it('names a socket destroyed after the headers UND_ERR_SOCKET', async () => {
    const url = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      setTimeout(() => res.socket?.destroy(), 10);
    });
    const error = await networkFailure(createFetchTransport({ baseUrl: url, token: secret }));
    expect(error.systemCode).toBe('UND_ERR_SOCKET');
    expect(error.message).toBe(`GET ${url}/jobs/1 failed without a complete response (UND_ERR_SOCKET)`);
    expect(error.retryable).toBe(true);
    // The body was being read: undici says `terminated`, its cause says why.
    expect((error.cause as Error).message).toBe('terminated');
    expect(everythingIn(error)).not.toContain(secret);
  });

  it('names a socket destroyed mid-body, and one destroyed before any answer, UND_ERR_SOCKET', async () => {
    const midBody = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
      res.write('{"job":{"id":1,"status":"runn');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    const cut = await networkFailure(createFetchTransport({ baseUrl: midBody }));
    expect(cut.systemCode).toBe('UND_ERR_SOCKET');
    expect(cut.message).toBe(`GET ${midBody}/jobs/1 failed without a complete response (UND_ERR_SOCKET)`);

    const hangUp = await listen((req) => req.socket.destroy());
    const closed = await networkFailure(createFetchTransport({ baseUrl: hangUp }));
    expect(closed.systemCode).toBe('UND_ERR_SOCKET');
    expect(closed.message).toBe(`GET ${hangUp}/jobs/1 failed without a complete response (UND_ERR_SOCKET)`);
    expect((closed.cause as Error).message).toBe('fetch failed');
  });

  it('has no systemCode for a failure that has none (a redirect loop), and names it in words', async () => {
    const url = await listen((req, res) => res.writeHead(302, { location: req.url === '/jobs/1' ? '/jobs/x' : '/jobs/1' }).end());
    const error = await networkFailure(createFetchTransport({ baseUrl: url }));
    expect(error.systemCode).toBeUndefined();
    expect(error.message).toBe(`GET ${url}/jobs/1 failed without a complete response (redirect count exceeded)`);
    expect(error.retryable).toBe(false);
  });

  it('keeps the code but drops a cause that quotes the token (an instrumented fetch logging its headers)', async () => {
    const url = await refusingUrl();
    // A real refused connection, rethrown by a wrapper that quotes the request's headers.
    const loggingFetch: typeof fetch = async (input, init) => {
      try {
        return await fetch(input, init);
      } catch (error) {
        throw new Error(`request failed with headers ${JSON.stringify(init?.headers)}`, { cause: error });
      }
    };
    const error = await networkFailure(createFetchTransport({ baseUrl: url, token: () => secret, fetch: loggingFetch }));
    expect(error.systemCode).toBe('ECONNREFUSED');
    expect(error.message).toBe(`GET ${url}/jobs/1 failed without a complete response (ECONNREFUSED)`);
    expect(error.cause).toBeUndefined();
    expect(everythingIn(error)).not.toContain(secret);
  });

  it('never takes the token for a code, and redacts it from the words that replace the code', async () => {
    const url = await refusingUrl();
    // A token that looks like a system code, echoed by a wrapper as the code of its error.
    const codeLike = 'ORDO_TOKEN_ABCDEF123456';
    const echoingFetch: typeof fetch = async (input, init) => {
      try {
        return await fetch(input, init);
      } catch {
        const authorization = (init?.headers as Record<string, string>)['Authorization'];
        throw Object.assign(new Error(`refused ${authorization}`), { code: authorization?.slice('Bearer '.length) });
      }
    };
    const error = await networkFailure(createFetchTransport({ baseUrl: url, token: codeLike, fetch: echoingFetch }));
    expect(error.systemCode).toBeUndefined();
    expect(error.message).toBe(`GET ${url}/jobs/1 failed without a complete response (refused Bearer [redacted])`);
    expect(error.cause).toBeUndefined();
    expect(everythingIn(error)).not.toContain(codeLike);
  });
});
