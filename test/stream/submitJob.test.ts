import { readFileSync } from 'node:fs';
import { NEVER, Observable, of, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  createFetchTransport,
  createOrdoClient,
  OrdoAuthError,
  OrdoHttpError,
  OrdoNetworkError,
  OrdoSchemaError,
  OrdoTimeoutError,
  submitJob,
  type JobRequest,
  type JobTransport,
} from 'ordo-status';
import { pineyDamJobRequest, type SimulatorRequest } from 'ordo-status/testing';
import { startTestSimulator } from '../helpers/simulator.js';
import { closedPort, startTestServer } from '../helpers/testServer.js';

describe('client.submitJob against the simulator', () => {
  it('POSTs the request to /jobs and resolves with the new id as a string, which then watches to success', async () => {
    const requests: SimulatorRequest[] = [];
    const simulator = await startTestSimulator({ speed: 20, onRequest: (request) => requests.push(request) });
    const client = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, intervalMs: 50 });
    expect(await client.submitJob(pineyDamJobRequest)).toBe('1');
    expect(await client.submitJob({ recipe_id: 1, inputs: pineyDamJobRequest.inputs, outputs: pineyDamJobRequest.outputs })).toBe('2');
    expect(requests).toEqual([
      { method: 'POST', url: '/jobs', status: 201 },
      { method: 'POST', url: '/jobs', status: 201 },
    ]);
    const snapshot = await client.waitForJob('1');
    expect(snapshot.job).toMatchObject({ id: '1', status: 'success' });
    expect(snapshot.steps).toHaveLength(5);
  });

  it('rejects with OrdoAuthError for a wrong token, and sends nothing else', async () => {
    const requests: SimulatorRequest[] = [];
    const simulator = await startTestSimulator({ onRequest: (request) => requests.push(request) });
    const client = createOrdoClient({ baseUrl: simulator.url, token: 'wrong-token' });
    const error = await client.submitJob(pineyDamJobRequest).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OrdoAuthError);
    expect(error).toMatchObject({ code: 'AUTH', status: 401, url: `${simulator.url}/jobs`, bodyExcerpt: '{"error":"Invalid token"}' });
    expect((error as Error).message).toBe(`POST ${simulator.url}/jobs answered 401 Unauthorized: Invalid token`);
    expect(requests).toEqual([{ method: 'POST', url: '/jobs', status: 401 }]);
  });

  it('rejects with OrdoHttpError 400 and the server reason for a body the server refuses', async () => {
    const simulator = await startTestSimulator();
    const client = createOrdoClient({ baseUrl: simulator.url, token: simulator.token });
    const missingInput = { ...pineyDamJobRequest, inputs: {} };
    const error = await client.submitJob(missingInput).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OrdoHttpError);
    expect(error).toMatchObject({ code: 'HTTP', status: 400 });
    expect((error as Error).message).toBe(`POST ${simulator.url}/jobs answered 400 Bad Request: step "reproject" needs input job:input_las, which the job does not provide`);
    expect(simulator.requestCount).toBe(1);
  });

  it('refuses a request that is not a job request with a TypeError before sending anything', async () => {
    const requests: SimulatorRequest[] = [];
    const simulator = await startTestSimulator({ onRequest: (request) => requests.push(request) });
    const client = createOrdoClient({ baseUrl: simulator.url, token: simulator.token });
    const cyclic: Record<string, unknown> = { recipe_id: 1 };
    cyclic['params'] = { self: cyclic };
    const cases: Array<[unknown, string]> = [
      [null, 'submitJob: invalid job request: expected an object such as { recipe_id: 3, inputs, outputs, params }, got null'],
      [[1], 'submitJob: invalid job request: expected an object such as { recipe_id: 3, inputs, outputs, params }, got an array'],
      [{}, 'submitJob: invalid job request: recipe_id (a stored recipe) or recipe ({ name, version, definition? }) is required'],
      [{ recipe_id: 0 }, 'submitJob: invalid job request: recipe_id must be a positive integer, got 0'],
      [{ recipe_id: '3' }, 'submitJob: invalid job request: recipe_id must be a positive integer, got "3"'],
      [{ recipe_id: 1.5 }, 'submitJob: invalid job request: recipe_id must be a positive integer, got 1.5'],
      [{ recipe: { name: 'x' } }, 'submitJob: invalid job request: recipe.version must be a non-empty string'],
      [{ recipe: 'piney' }, 'submitJob: invalid job request: recipe must be an object { name, version, definition? }'],
      [{ recipe_id: 1, recipe: { name: 'x', version: '1' } }, 'submitJob: invalid job request: give either recipe_id or recipe, not both'],
      [{ recipe_id: 1, inputs: [] }, 'submitJob: invalid job request: inputs must be an object'],
      [{ recipe_id: 1, params: { n: 1n } }, 'submitJob: invalid job request: it cannot be written as JSON (Do not know how to serialize a BigInt)'],
    ];
    for (const [request, message] of cases) {
      await expect(client.submitJob(request as JobRequest)).rejects.toThrow(new TypeError(message));
    }
    await expect(client.submitJob(cyclic as unknown as JobRequest)).rejects.toThrow(/^submitJob: invalid job request: it cannot be written as JSON \(Converting circular structure/);
    // What is checked is the JSON that would be sent: a toJSON, inherited properties.
    const tricks: Array<[unknown, string]> = [
      [undefined, 'submitJob: invalid job request: expected an object such as { recipe_id: 3, inputs, outputs, params }, got undefined'],
      [{ toJSON: () => undefined }, 'submitJob: invalid job request: it writes no JSON at all (its toJSON returned undefined)'],
      [{ recipe_id: 3, toJSON: () => ({ recipe_id: 'x' }) }, 'submitJob: invalid job request: recipe_id must be a positive integer, got "x"'],
      [Object.create({ recipe_id: 3 }), 'submitJob: invalid job request: recipe_id (a stored recipe) or recipe ({ name, version, definition? }) is required'],
      [{ recipe_id: Number.NaN }, 'submitJob: invalid job request: recipe_id must be a positive integer, got null'],
    ];
    for (const [request, message] of tricks) {
      await expect(client.submitJob(request as JobRequest)).rejects.toThrow(new TypeError(message));
    }
    expect(requests).toEqual([]);
  });

  it('sends exactly what it checked: the request as JSON writes it', async () => {
    const bodies: unknown[] = [];
    const transport: JobTransport = Object.assign(() => NEVER, {
      submit: (request: JobRequest) => {
        bodies.push(request);
        return of({ id: 7 });
      },
    });
    const request = { recipe_id: 3, params: { dem: { resolution: 1, note: undefined } }, toJSON() { return { recipe_id: 3, params: this.params }; } };
    await expect(submitJob(request as unknown as JobRequest, { transport })).resolves.toBe('7');
    expect(bodies).toEqual([{ recipe_id: 3, params: { dem: { resolution: 1 } } }]);
    expect(Object.getPrototypeOf(bodies[0])).toBe(Object.prototype);
  });

  it('rejects with a TypeError on a client whose transport has no submit', async () => {
    const transport: JobTransport = () => NEVER;
    const client = createOrdoClient({ transport });
    await expect(client.submitJob({ recipe_id: 1 })).rejects.toThrow(
      new TypeError('submitJob: this transport cannot submit jobs (it has no submit method); use createFetchTransport, or give yours a submit(request, { signal })'),
    );
  });
});

describe('submitJob: the answer and the request on the wire', () => {
  it('sends JSON with the Bearer token under the base URL path prefix', async () => {
    let seenBody: unknown;
    const server = await startTestServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        seenBody = JSON.parse(text);
        res.status(201).json({ id: 42 });
      });
    });
    const transport = createFetchTransport({ baseUrl: `${server.url}/ordo/`, token: 'secret-token-1234' });
    expect(await submitJob(pineyDamJobRequest, { transport })).toBe('42');
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: 'POST', url: '/ordo/jobs' });
    expect(server.requests[0]!.headers).toMatchObject({ authorization: 'Bearer secret-token-1234', 'content-type': 'application/json', accept: 'application/json' });
    expect(seenBody).toEqual(JSON.parse(readFileSync(new URL('../../examples/piney-dam-job.json', import.meta.url), 'utf8')));
  });

  it.each([
    ['{"id":"7"}', 'id', 'expected the new job id, a positive integer; received "7"'],
    ['{"id":0}', 'id', 'expected the new job id, a positive integer; received 0'],
    ['{"id":2.5}', 'id', 'expected the new job id, a positive integer; received 2.5'],
    ['{"job_id":7}', 'id', 'missing (expected the new job id, a positive integer)'],
    ['[7]', '', 'expected object, received an array'],
    ['<html>Created</html>', '', 'the body is not JSON; it starts with "<html>Created</html>"'],
    ['', '', 'the body is empty'],
  ])('a 2xx answer %s is an OrdoSchemaError with issues and bodyExcerpt', async (body, path, message) => {
    const server = await startTestServer((_req, res) => {
      res.status(201).type('application/json').send(body);
    });
    const client = createOrdoClient({ baseUrl: server.url, token: 'a-token-of-some-length' });
    const error = await client.submitJob({ recipe_id: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OrdoSchemaError);
    expect((error as OrdoSchemaError).issues).toMatchObject([{ path, message }]);
    expect((error as OrdoSchemaError).bodyExcerpt).toBe(body);
    expect((error as Error).message).toMatch(/^Invalid answer to POST \/jobs \(expected \{"id": <positive integer>\}; the job may have been created\): /);
    expect(server.requests).toHaveLength(1);
  });

  it('is never sent again after a 503, whatever the client retry policy', async () => {
    const server = await startTestServer((_req, res) => {
      res.status(503).set('Retry-After', '1').json({ error: 'Service Unavailable' });
    });
    const client = createOrdoClient({ baseUrl: server.url, token: 't', retry: { maxRetries: 5 } });
    const error = await client.submitJob({ recipe_id: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OrdoHttpError);
    expect(error).toMatchObject({ status: 503, retryAfterMs: 1000 });
    expect(server.requests.map((request) => `${request.method} ${request.url}`)).toEqual(['POST /jobs']);
  });

  it('says no job was created when the connection was refused (retryable), and may have been when it was cut', async () => {
    const port = await closedPort();
    const refused = await submitJob({ recipe_id: 1 }, { transport: createFetchTransport({ baseUrl: `http://127.0.0.1:${port}` }) }).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(OrdoNetworkError);
    expect(refused).toMatchObject({ systemCode: 'ECONNREFUSED', retryable: true });
    expect((refused as Error).message).toBe(`POST http://127.0.0.1:${port}/jobs failed before the request was sent (ECONNREFUSED): no job was created`);

    const blocked = await submitJob({ recipe_id: 1 }, { transport: createFetchTransport({ baseUrl: 'http://127.0.0.1:1' }) }).catch((caught: unknown) => caught);
    expect(blocked).toMatchObject({ retryable: false, message: 'POST http://127.0.0.1:1/jobs failed before the request was sent (bad port): no job was created' });

    const server = await startTestServer((req) => {
      req.socket.destroy();
    });
    const cut = await submitJob({ recipe_id: 1 }, { transport: createFetchTransport({ baseUrl: server.url }) }).catch((caught: unknown) => caught);
    expect(cut).toBeInstanceOf(OrdoNetworkError);
    expect(cut).toMatchObject({ retryable: false });
    expect((cut as Error).message).toMatch(new RegExp(`^POST ${server.url}/jobs failed without a complete response \\(\\w+\\): the job may have been created; check before submitting again$`));
    expect(server.requests).toHaveLength(1);
  });

  it('asks a token function for a fresh token after a 401 and sends once more (the server refused the first)', async () => {
    const server = await startTestServer((req, res) => {
      if (req.headers.authorization === 'Bearer fresh-token') res.status(201).json({ id: 9 });
      else res.status(401).json({ error: 'Invalid token' });
    });
    const asked: boolean[] = [];
    const token = ({ refresh }: { refresh: boolean }) => {
      asked.push(refresh);
      return refresh ? 'fresh-token' : 'stale-token';
    };
    expect(await createOrdoClient({ baseUrl: server.url, token }).submitJob({ recipe_id: 1 })).toBe('9');
    expect(asked).toEqual([false, true]);
    expect(server.requests).toHaveLength(2);
  });
});

describe('submitJob: abort and timeout', () => {
  it('rejects with the signal reason and aborts the request in flight', async () => {
    let received!: () => void;
    const arrived = new Promise<void>((resolve) => (received = resolve));
    const server = await startTestServer(() => received());
    const controller = new AbortController();
    const client = createOrdoClient({ baseUrl: server.url, token: 't' });
    const pending = client.submitJob({ recipe_id: 1 }, { signal: controller.signal });
    await arrived;
    const reason = new Error('user cancelled');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(server.requests).toHaveLength(1);
  });

  it('rejects at once with an already-aborted signal, without sending', async () => {
    const server = await startTestServer((_req, res) => res.status(201).json({ id: 1 }));
    const reason = new Error('gone');
    await expect(createOrdoClient({ baseUrl: server.url }).submitJob({ recipe_id: 1 }, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(server.requests).toHaveLength(0);
  });

  it('times out on requestTimeoutMs (virtual time): aborts the submit and says the job may have been created', async () => {
    const scheduler = new VirtualTimeScheduler();
    let signal: AbortSignal | undefined;
    const transport: JobTransport = Object.assign(() => NEVER, {
      submit: (_request: JobRequest, context: { signal: AbortSignal }) => {
        signal = context.signal;
        return new Observable<unknown>(() => undefined);
      },
    });
    const pending = submitJob({ recipe_id: 1 }, { transport, requestTimeoutMs: 5000, scheduler }).catch((caught: unknown) => caught);
    scheduler.flush();
    const error = await pending;
    expect(error).toBeInstanceOf(OrdoTimeoutError);
    expect(error).toMatchObject({ scope: 'request', timeoutMs: 5000, lastSnapshot: null });
    expect((error as Error).message).toBe('No answer to POST /jobs within 5000 ms; the job may have been created: check before submitting again');
    expect(signal?.aborted).toBe(true);
  });

  it('refuses an invalid requestTimeoutMs and options without a transport', async () => {
    const transport = createFetchTransport({ baseUrl: 'http://127.0.0.1:1' });
    await expect(submitJob({ recipe_id: 1 }, { transport, requestTimeoutMs: 0 })).rejects.toThrow(TypeError);
    await expect(submitJob({ recipe_id: 1 }, {} as never)).rejects.toThrow(new TypeError('submitJob needs options with a transport (e.g. createFetchTransport({ baseUrl, token }))'));
  });
});

describe('the reference request', () => {
  it('is the shipped examples/piney-dam-job.json, equal to the captured real-server request', () => {
    const shipped: unknown = JSON.parse(readFileSync(new URL('../../examples/piney-dam-job.json', import.meta.url), 'utf8'));
    const captured: unknown = JSON.parse(readFileSync(new URL('../fixtures/ordo-server/requests/piney-job.json', import.meta.url), 'utf8'));
    expect(pineyDamJobRequest).toEqual(shipped);
    expect(shipped).toEqual(captured);
    expect(Object.isFrozen(pineyDamJobRequest.recipe.definition.recipe[0])).toBe(true);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('examples/piney-dam-job.json');
  });
});
