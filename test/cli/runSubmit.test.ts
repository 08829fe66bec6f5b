import { describe, expect, it } from 'vitest';
import { createOrdoClient } from 'ordo-status';
import { pineyDamJobRequest, type SimulatorRequest } from 'ordo-status/testing';
import { readJobRequest, referenceRequestPath, runSubmit, shellWord, type SubmitIO } from '../../src/cli/runSubmit.js';
import { startTestSimulator } from '../helpers/simulator.js';

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
