import { describe, expect, it } from 'vitest';
import { createOrdoClient } from 'ordo-status';
import { pineyDamJobRequest, type SimulatorRequest } from 'ordo-status/testing';
import { readJobRequest, referenceRequestPath, runSubmit, shellWord, type SubmitIO } from '../../src/cli/runSubmit.js';
import { startTestSimulator } from '../helpers/simulator.js';
import { closedPort, startTestServer } from '../helpers/testServer.js';
import type { Response } from 'express';

/** An in-memory SubmitIO: files by name, stdin text, and what was written. */
function fakeIO(files: Record<string, string>, stdin = ''): SubmitIO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    readFile: (path: string) =>
      path in files ? Promise.resolve(files[path] as string) : Promise.reject(Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' })),
    readStdin: () => Promise.resolve(stdin),
    out: (text: string) => void (io.stdout += text),
    err: (text: string) => void (io.stderr += text),
  };
  return io;
}

const job = JSON.stringify(pineyDamJobRequest);

describe('readJobRequest (ordo-status submit <file|->)', () => {
  it('parses the file, or stdin for -, and ignores a byte order mark', async () => {
    const io = fakeIO({ 'job.json': job, 'bom.json': `\uFEFF{"recipe_id":3}` }, '{"recipe_id":2}\n');
    expect(await readJobRequest('job.json', io)).toEqual(pineyDamJobRequest);
    expect(await readJobRequest('bom.json', io)).toEqual({ recipe_id: 3 });
    expect(await readJobRequest('-', io)).toEqual({ recipe_id: 2 });
  });

  it('names the file and the problem: missing, a directory, empty, not JSON', async () => {
    const io = fakeIO({ 'empty.json': ' \n', 'bad.json': '{"recipe_id": 3,}' });
    await expect(readJobRequest('missing.json', io)).rejects.toThrow('missing.json: no such file');
    await expect(readJobRequest('empty.json', io)).rejects.toThrow('empty.json: empty, expected a JSON job request such as {"recipe_id": 3, "inputs": {…}}');
    await expect(readJobRequest('-', io)).rejects.toThrow('stdin: empty, expected a JSON job request');
    await expect(readJobRequest('bad.json', io)).rejects.toThrow(/^bad\.json: not JSON \(.+\)$/);
    const directory = { ...io, readFile: () => Promise.reject(Object.assign(new Error('EISDIR: illegal operation on a directory, read'), { code: 'EISDIR' })) };
    await expect(readJobRequest('examples', directory)).rejects.toThrow('examples: is a directory, not a file');
  });
});

describe('runSubmit against the simulator', () => {
  it('prints only the new id and a newline (id=$(ordo-status submit job.json)), or {"id"} with --json', async () => {
    const simulator = await startTestSimulator();
    const client = createOrdoClient({ baseUrl: simulator.url, token: simulator.token });
    const io = fakeIO({ 'job.json': job });
    expect(await runSubmit(client, 'job.json', io, { print: true, json: false })).toEqual({ exitCode: 0, id: '1' });
    expect(await runSubmit(client, 'job.json', io, { print: true, json: true })).toEqual({ exitCode: 0, id: '2' });
    expect(io.stdout).toBe('1\n{"id":"2"}\n');
    expect(io.stderr).toBe('');
  });

  it('before a watch, leaves stdout to the watch and says the id on stderr', async () => {
    const simulator = await startTestSimulator();
    const client = createOrdoClient({ baseUrl: simulator.url, token: simulator.token });
    const io = fakeIO({}, job);
    expect(await runSubmit(client, '-', io, { print: false, json: true })).toEqual({ exitCode: 0, id: '1' });
    expect(io).toMatchObject({ stdout: '', stderr: 'submitted job 1\n' });
  });

  it('a file that is missing, not JSON or not a job request is a usage error naming it, and nothing is sent', async () => {
    const requests: SimulatorRequest[] = [];
    const simulator = await startTestSimulator({ onRequest: (request) => requests.push(request) });
    const client = createOrdoClient({ baseUrl: simulator.url, token: simulator.token });
    const io = fakeIO({ 'bad.json': '[1, 2', 'wrong.json': '{"recipe_id": 0}', 'list.json': '[]' });
    expect(await runSubmit(client, 'nope.json', io, { print: true, json: false })).toEqual({ exitCode: 2, usage: 'nope.json: no such file' });
    expect(await runSubmit(client, 'bad.json', io, { print: true, json: false })).toMatchObject({ exitCode: 2, usage: expect.stringMatching(/^bad\.json: not JSON/) });
    expect(await runSubmit(client, 'wrong.json', io, { print: true, json: false })).toEqual({ exitCode: 2, usage: 'wrong.json: invalid job request: recipe_id must be a positive integer, got 0' });
    expect(await runSubmit(client, 'list.json', io, { print: true, json: false })).toEqual({
      exitCode: 2,
      usage: 'list.json: invalid job request: expected an object such as { recipe_id: 3, inputs, outputs, params }, got an array',
    });
    expect(requests).toEqual([]);
    expect(io.stdout).toBe('');
  });

  it('a refused submission exits 1 with the server reason on stderr and nothing on stdout', async () => {
    const simulator = await startTestSimulator();
    const io = fakeIO({ 'job.json': job, 'orphan.json': JSON.stringify({ ...pineyDamJobRequest, inputs: {} }) });
    const wrongToken = createOrdoClient({ baseUrl: simulator.url, token: 'not-the-token' });
    expect(await runSubmit(wrongToken, 'job.json', io, { print: true, json: false })).toEqual({ exitCode: 1, errorCode: 'AUTH' });
    const client = createOrdoClient({ baseUrl: simulator.url, token: simulator.token });
    expect(await runSubmit(client, 'orphan.json', io, { print: true, json: false })).toEqual({ exitCode: 1, errorCode: 'HTTP' });
    expect(io.stdout).toBe('');
    expect(io.stderr).toBe(
      `ordo-status: POST ${simulator.url}/jobs answered 401 Unauthorized: Invalid token\n` +
        `ordo-status: POST ${simulator.url}/jobs answered 400 Bad Request: step "reproject" needs input job:input_las, which the job does not provide\n`,
    );
  });

  it('escapes server text, never follows a redirect, and says what a gateway error or a plain-text reason means', async () => {
    const answers: Record<string, (res: Response) => void> = {
      '/hostile/jobs': (res) => res.status(400).json({ error: 'bad input\u001b[2J\u001b[31mFAKE' }),
      '/moved/jobs': (res) => res.status(307).set('Location', '/elsewhere/jobs').end(),
      '/gateway/jobs': (res) => res.status(502).type('text/html').send('<html>Bad Gateway</html>'),
      '/plain/jobs': (res) => res.status(400).type('text/plain').send('recipe 3 is archived\nsee the admin'),
    };
    const server = await startTestServer((req, res) => (answers[req.path] ?? ((r: Response) => r.status(500).end()))(res));
    const submit = async (prefix: string) => {
      const io = fakeIO({ 'job.json': job });
      const outcome = await runSubmit(createOrdoClient({ baseUrl: `${server.url}${prefix}`, token: 'submit-test-token-0123456789' }), 'job.json', io, { print: true, json: false });
      return { outcome, stderr: io.stderr };
    };
    const hostile = await submit('/hostile');
    expect(hostile.outcome).toEqual({ exitCode: 1, errorCode: 'HTTP' });
    expect(hostile.stderr).not.toContain('\u001b');
    expect(hostile.stderr).toBe(`ordo-status: POST ${server.url}/hostile/jobs answered 400 Bad Request: bad input\\x1b[2J\\x1b[31mFAKE\n`);
    const moved = await submit('/moved');
    expect(moved.stderr).toBe(
      `ordo-status: POST ${server.url}/moved/jobs answered 307 Temporary Redirect; a submission does not follow redirects (the job would be sent again), so no job was created: point the base URL where it leads (Location: /elsewhere/jobs)\n`,
    );
    expect(server.requests.filter((request) => request.url.includes('elsewhere'))).toEqual([]);
    const gateway = await submit('/gateway');
    expect(gateway.stderr).toBe(
      `ordo-status: POST ${server.url}/gateway/jobs answered 502 Bad Gateway (text/html; charset=utf-8 body); a gateway answered: the job may have been created; check before submitting again\n`,
    );
    const plain = await submit('/plain');
    expect(plain.stderr).toBe(`ordo-status: POST ${server.url}/plain/jobs answered 400 Bad Request: recipe 3 is archived\n`);
    // Each submission was sent exactly once.
    expect(server.requests.map((request) => `${request.method} ${request.url}`)).toEqual(['POST /hostile/jobs', 'POST /moved/jobs', 'POST /gateway/jobs', 'POST /plain/jobs']);
  });

  it('gives a hint only when the request never left: a refused port, not a connection reset after sending', async () => {
    const port = await closedPort();
    const refusedIO = fakeIO({ 'job.json': job });
    await runSubmit(createOrdoClient({ baseUrl: `http://127.0.0.1:${port}`, token: 'submit-test-token-0123456789' }), 'job.json', refusedIO, { print: true, json: false });
    expect(refusedIO.stderr).toMatch(/failed before the request was sent \(ECONNREFUSED\): no job was created\nordo-status: hint: is the server running, and is --base-url \(or \$ORDO_BASE_URL\) right\?\n$/);
    const server = await startTestServer((req) => req.socket.destroy());
    const resetIO = fakeIO({ 'job.json': job });
    await runSubmit(createOrdoClient({ baseUrl: server.url, token: 'submit-test-token-0123456789' }), 'job.json', resetIO, { print: true, json: false });
    expect(resetIO.stderr).toMatch(/the job may have been created; check before submitting again\n$/);
    expect(resetIO.stderr).not.toContain('hint');
  });

  it('Ctrl-C during the submission exits 130 and says the job may have been created', async () => {
    const simulator = await startTestSimulator();
    const client = createOrdoClient({ baseUrl: simulator.url, token: simulator.token });
    const io = fakeIO({ 'job.json': job });
    const controller = new AbortController();
    controller.abort(Object.assign(new Error('interrupted'), { signal: 'SIGINT' }));
    expect(await runSubmit(client, 'job.json', io, { print: true, json: false, signal: controller.signal })).toEqual({ exitCode: 130 });
    expect(io.stderr).toBe('ordo-status: interrupted; the job may have been created\n');
  });
});

describe('what simulate prints', () => {
  it('finds the shipped request beside dist/, relative to the working directory when below it', () => {
    expect(referenceRequestPath('/home/me/app', 'file:///home/me/app/node_modules/ordo-status/dist/cli.js')).toBe('node_modules/ordo-status/examples/piney-dam-job.json');
    expect(referenceRequestPath('/elsewhere', 'file:///home/me/app/node_modules/ordo-status/dist/cli.js')).toBe('/home/me/app/node_modules/ordo-status/examples/piney-dam-job.json');
  });

  it('quotes a path for the shell only when it must', () => {
    expect(shellWord('node_modules/ordo-status/examples/piney-dam-job.json')).toBe('node_modules/ordo-status/examples/piney-dam-job.json');
    expect(shellWord('/Users/Jo Ann/it\'s/job.json')).toBe("'/Users/Jo Ann/it'\\''s/job.json'");
  });
});
