import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { jobTransitions, stepTransitions } from 'ordo-status';
import { startOrdoSimulator, type OrdoSimulator, type SimulatorRequest, type SimulatorScenarioName } from 'ordo-status/testing';
import { cliPath, runCli, startCli, type CliResult } from '../helpers/cli.js';
import { closedPort } from '../helpers/testServer.js';

let simulator: OrdoSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

/** The shipped reference request, as `simulate` names it (relative to the working directory). */
const examplePath = fileURLToPath(new URL('../../examples/piney-dam-job.json', import.meta.url));
const exampleArg = relative(process.cwd(), examplePath);

async function startSimulator(scenario: SimulatorScenarioName = 'success', requests: SimulatorRequest[] = []): Promise<OrdoSimulator> {
  simulator = await startOrdoSimulator({ speed: 20, scenario, onRequest: (request) => requests.push(request) });
  return simulator;
}

/** Runs the CLI with `stdin` written to its standard input. */
function runCliWithStdin(args: readonly string[], env: Record<string, string>, stdin: string): Promise<CliResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('ORDO_')));
  const child = spawn(process.execPath, [cliPath, ...args], { env: { ...base, NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin);
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** Checks NDJSON transition lines form a legal path per subject and returns the last status of each. */
function lastStatuses(lines: Array<{ type: string; stepId?: string; from: string; to: string }>): Map<string, string> {
  const last = new Map<string, string>();
  for (const line of lines) {
    const subject = line.type === 'job' ? 'job' : (line.stepId as string);
    const table = line.type === 'job' ? jobTransitions : stepTransitions;
    expect(line.from).toBe(last.get(subject) ?? 'pending');
    expect(table.edges.get(line.from as never)).toContain(line.to);
    last.set(subject, line.to);
  }
  return last;
}

describe('ordo-status submit', () => {
  it('prints just the new id and a newline, so id=$(ordo-status submit job.json) works; --json prints {"id"}', async () => {
    const requests: SimulatorRequest[] = [];
    const sim = await startSimulator('success', requests);
    const env = { ORDO_BASE_URL: sim.url, ORDO_TOKEN: sim.token };
    expect(await runCli(['submit', examplePath], env)).toMatchObject({ code: 0, stdout: '1\n', stderr: '' });
    expect(await runCli(['submit', examplePath, '--json'], env)).toMatchObject({ code: 0, stdout: '{"id":"2"}\n', stderr: '' });
    expect(requests.map((request) => `${request.method} ${request.url} ${request.status}`)).toEqual(['POST /jobs 201', 'POST /jobs 201']);
  });

  it('--watch watches the new job with the exit codes of watch: 0 success, 3 failed, 4 partial', async () => {
    for (const [scenario, code] of [['success', 0], ['failed', 3], ['partial', 4]] as const) {
      const sim = await startSimulator(scenario);
      const result = await runCli(['submit', examplePath, '--watch', '--json', '--interval', '100ms', '--base-url', sim.url], { ORDO_TOKEN: sim.token });
      expect(result.code).toBe(code);
      expect(result.stderr).toBe('submitted job 1\n');
      const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
      const final = lines.pop();
      expect(final).toMatchObject({ type: 'snapshot', job: { id: '1', status: scenario } });
      expect(lastStatuses(lines).get('job')).toBe(scenario);
      await sim.close();
      simulator = undefined;
    }
  });

  it('reads the request from stdin with -', async () => {
    const sim = await startSimulator();
    const result = await runCliWithStdin(['submit', '-', '--watch', '--interval', '100ms'], { ORDO_BASE_URL: sim.url, ORDO_TOKEN: sim.token }, readFileSync(examplePath, 'utf8'));
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('submitted job 1\n');
    expect(result.stdout).toMatch(/✔ job 1 success/);
  });

  it('a missing file, bad JSON or an invalid request is a usage error (exit 2) naming the file, with no request', async () => {
    const requests: SimulatorRequest[] = [];
    const sim = await startSimulator('success', requests);
    const env = { ORDO_BASE_URL: sim.url, ORDO_TOKEN: sim.token };
    const missing = await runCli(['submit', 'no-such-job.json'], env);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toContain('error: no-such-job.json: no such file');
    const notJson = await runCliWithStdin(['submit', '-'], env, '{"recipe_id": 3,');
    expect(notJson).toMatchObject({ code: 2, stdout: '' });
    expect(notJson.stderr).toMatch(/error: stdin: not JSON \(/);
    const invalid = await runCliWithStdin(['submit', '-', '--watch'], env, '{"recipe_id": "three"}');
    expect(invalid).toMatchObject({ code: 2, stdout: '' });
    expect(invalid.stderr).toContain('error: stdin: invalid job request: recipe_id must be a positive integer, got "three"');
    expect(requests).toEqual([]);
  });

  it('exits 1 with the server reason for a refused submission, noting a token variable that is not set', async () => {
    const sim = await startSimulator();
    const result = await runCli(['submit', examplePath, '--watch', '--base-url', sim.url]);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe(
      `ordo-status: POST ${sim.url}/jobs answered 401 Unauthorized: Missing or invalid Authorization header\n` +
        'ordo-status: note: $ORDO_TOKEN is not set, so no token was sent\n',
    );
  });

  it('says when nothing listens that no job was created (exit 1)', async () => {
    const port = await closedPort();
    const result = await runCli(['submit', examplePath, '--base-url', `http://127.0.0.1:${port}`], { ORDO_TOKEN: 'some-token' });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toContain(`ordo-status: POST http://127.0.0.1:${port}/jobs failed before the request was sent (ECONNREFUSED): no job was created\n`);
  });
});

describe('ordo-status simulate tells how to submit', () => {
  it('prints the submit --watch command with the shipped request and a curl line, and that command works', async () => {
    const simulate = startCli(['simulate', '--speed', '20', '--token', 'fixed-token']);
    const banner = await simulate.waitForOutput(/Press Ctrl-C to stop/);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)![1]!;
    expect(banner).toContain(`  npx ordo-status submit ${exampleArg} --watch\n`);
    expect(banner).toContain(
      `  curl -sS -X POST "$ORDO_BASE_URL/jobs" -H "Authorization: Bearer $ORDO_TOKEN" -H 'Content-Type: application/json' --data-binary @${exampleArg}\n`,
    );
    const submitted = await runCli(['submit', exampleArg, '--watch', '--interval', '100ms'], { ORDO_BASE_URL: url, ORDO_TOKEN: 'fixed-token' });
    expect(submitted.code).toBe(0);
    expect(submitted.stdout).toMatch(/✔ job 1 success/);
    simulate.child.kill('SIGINT');
    expect((await simulate.result).code).toBe(0);
  });
});
