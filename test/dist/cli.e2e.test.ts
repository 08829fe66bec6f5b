import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { jobTransitions, stepTransitions, type StepStatus } from 'ordo-status';
import { jobBody, pineyDamJobRequest, startOrdoSimulator, type OrdoSimulator } from 'ordo-status/testing';
import { cliPath, runCli, runCliInTerminal, startCli } from '../helpers/cli.js';
import { closedPort, startTestServer, type TestServer } from '../helpers/testServer.js';

let simulator: OrdoSimulator | undefined;
let server: TestServer | undefined;
afterEach(async () => {
  await simulator?.close();
  await server?.close();
  simulator = undefined;
  server = undefined;
});

const noStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at /);

/** Checks NDJSON transition lines form a legal path per subject and returns the last status of each. */
function checkLegalPath(lines: any[]): Map<string, string> {
  const last = new Map<string, string>();
  for (const line of lines) {
    const subject = line.type === 'job' ? 'job' : line.stepId;
    const table = line.type === 'job' ? jobTransitions : stepTransitions;
    expect(line.from).toBe(last.get(subject) ?? 'pending');
    expect(table.edges.get(line.from)).toContain(line.to);
    last.set(subject, line.to);
  }
  return last;
}


/** Resolves `reached` once the simulator has answered `wanted` requests (pass `count` as its `onRequest`). */
function pollsSeen(wanted: number): { count: () => void; reached: Promise<void> } {
  let seen = 0;
  let done!: () => void;
  const reached = new Promise<void>((resolve) => (done = resolve));
  return {
    count: () => {
      seen += 1;
      if (seen === wanted) done();
    },
    reached,
  };
}

describe('ordo-status demo', () => {
  it('runs the reference pipeline to success with the defaults and exits 0', async () => {
    const result = await runCli(['demo']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('submitted the reference LiDAR pipeline as job 1 · scenario success');
    // Piped lines start with the local time; a finished step shows its run time, attempt 1 is not named.
    expect(result.stdout).toMatch(/^\d\d:\d\d:\d\d job 1: pending → running$/m);
    expect(result.stdout).toMatch(/^\d\d:\d\d:\d\d step dem \(GENERATE_DEM\): running → success · \d+\.\d s$/m);
    expect(result.stdout).not.toMatch(/attempt [01]\b/);
    // The summary, then each delivered output's URI.
    expect(result.stdout).toMatch(/^\d\d:\d\d:\d\d ✔ job 1 success in \d+\.\d s · 5\/5 steps · 4\/4 outputs delivered\n( {2}→ s3:\/\/ordo-deliverables\/final\/piney-dam\/\S+\n){4}$/m);
    expect(result.stderr).toBe('');
  });

  it('exits 3 when the job fails, naming the failed step', async () => {
    const result = await runCli(['demo', '--scenario', 'failed', '--speed', '20']);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/step dem \(GENERATE_DEM\): running → failed · \d+\.\d s · GENERATE_DEM failed/);
    expect(result.stdout).toMatch(/step contours \(GENERATE_CONTOURS\): pending → skipped\n/);
    expect(result.stdout).not.toContain('attempt 0');
    expect(result.stdout).toMatch(/✖ job 1 failed in .* · 3\/5 steps · 1 failed, 2 skipped · 0\/4 outputs delivered/);
    expect(result.stdout).toContain('  error: Step "dem" failed: GENERATE_DEM failed');
  });

  it('exits 4 when the job ends partial', async () => {
    const result = await runCli(['demo', '--scenario', 'partial', '--speed', '20']);
    expect(result.code).toBe(4);
    expect(result.stdout).toMatch(/job 1 partial in .* · 5\/5 steps · 1 failed · 3\/4 outputs delivered/);
  });

  it('shows attempt 2 of the retried step and exits 0', async () => {
    const result = await runCli(['demo', '--scenario', 'retry', '--speed', '5']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/step dem \(GENERATE_DEM\): running → blocked · attempt 1 · GENERATE_DEM attempt 1 failed/);
    expect(result.stdout).toContain('step dem (GENERATE_DEM): blocked → running · attempt 2');
    expect(result.stdout).toMatch(/step dem \(GENERATE_DEM\): running → success · \d+\.\d s · attempt 2\n/);
  });

  it('prints NDJSON with --json', async () => {
    const result = await runCli(['demo', '--json', '--speed', '20', '--interval', '100ms']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    const final = lines.pop();
    expect(final).toMatchObject({ type: 'snapshot', job: { id: '1', status: 'success' }, progress: { fraction: 1 } });
    expect(final).not.toHaveProperty('raw');
    expect(lines[0]).toEqual({ type: 'job', jobId: '1', from: 'pending', to: 'running', inferred: false, at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });
    // Every object says when the client saw it; the times never go back.
    const times = [...lines, final].map((line) => Date.parse(line.at));
    expect(times.every((time, index) => Number.isFinite(time) && (index === 0 || time >= times[index - 1]!))).toBe(true);
    const ends = checkLegalPath(lines);
    expect(ends.get('job')).toBe('success');
    expect([...ends.keys()].sort()).toEqual(['contours', 'dem', 'ept', 'hillshade', 'job', 'reproject']);
  });

  it('draws the live view on a terminal: overall bar, one row per step, summary', async () => {
    const { output, screen: rows } = await runCliInTerminal(['demo', '--speed', '10', '--scenario', 'retry'], { cols: 120, rows: 30, env: { FORCE_COLOR: '1' } });
    const screen = rows.filter((line) => line !== '');
    const text = screen.join('\n');
    expect(text).toMatch(/✔ job 1 success\s+█{24} 100%\s+5\/5 steps/);
    for (const step of ['contours', 'dem', 'ept', 'hillshade', 'reproject']) {
      expect(text).toMatch(new RegExp(`✔ ${step}\\s+[A-Z_]+\\s+success\\s+#${step === 'dem' ? 2 : 1}\\s+\\d+\\.\\d s\\s+█{24} 100%`));
    }
    const summary = screen.findIndex((line) => line.startsWith('✔ job 1 success in'));
    expect(screen[summary]).toMatch(/^✔ job 1 success in \d+\.\d s · 5\/5 steps · 4\/4 outputs delivered$/);
    expect(screen.slice(summary + 1)).toEqual(['contours.geojson', 'dem.tif', 'ept/', 'hillshade.tif'].map((name) => `  → s3://ordo-deliverables/final/piney-dam/${name}`));
    expect(output).toContain('\u001b[32m'); // coloured on a terminal
  });
});

describe('the live view with more steps than the terminal has rows', () => {
  it('keeps one header, gives rows to the active steps first and counts the rest', async () => {
    const steps: Record<string, StepStatus> = {};
    for (let index = 0; index < 40; index += 1) steps[`s${String(index).padStart(2, '0')}`] = index === 25 ? 'running' : index < 20 ? 'success' : 'pending';
    server = await startTestServer((_req, res) => res.json(jobBody({ status: 'running', steps })));
    const { output, screen } = await runCliInTerminal(['watch', '1', '--base-url', server.url], { cols: 100, rows: 15, interruptAfterS: 2 });
    const text = screen.join('\n');
    expect(text.match(/job 1 running/g)).toHaveLength(1);
    expect(text).toMatch(/▶ s25\s+S25\s+running/);
    // While watching, 15 rows hold the header line, the job line, 12 steps and the count of the rest.
    expect(output).toMatch(/every 3 s · updated \d+ s ago · Ctrl-C to stop/);
    expect(output).toContain('… 29 more steps: 20 success, 9 pending');
    // Interrupted, the last frame gives the header's row to one more step: the running one
    // first, then the pending ones in server order.
    expect(text).not.toContain('Ctrl-C to stop');
    expect(text).toContain('… 28 more steps: 20 success, 8 pending');
    const rows = screen.filter((line) => /^\s+[·▶✔] s\d\d /.test(line)).map((line) => /s\d\d/.exec(line)![0]);
    expect(rows).toEqual(['s25', 's20', 's21', 's22', 's23', 's24', 's26', 's27', 's28', 's29', 's30', 's31']);
  });
});

describe('the live view while retrying', () => {
  it('shows the retry notice above the job', async () => {
    let answers = 0;
    server = await startTestServer((_req, res) => {
      answers += 1;
      if (answers === 1) res.json(jobBody({ status: 'running', steps: { a: 'running' } }));
      else res.status(503).set('Retry-After', '30').json({ error: 'Service unavailable' });
    });
    const { screen } = await runCliInTerminal(['watch', '1', '--interval', '100ms', '--base-url', server.url], { cols: 100, rows: 20, interruptAfterS: 1.5 });
    const notice = screen.findIndex((line) => line.includes('⚠ server answered 503 — retrying in 30 s (1/5)'));
    expect(notice).toBeGreaterThanOrEqual(0);
    expect(screen[notice + 1]).toMatch(/job 1 running/);
    expect(screen.join('\n')).toContain('ordo-status: interrupted');
  });
});

describe('ordo-status watch against ordo-status simulate', () => {
  it('prints NDJSON transitions that form a legal path, then the final snapshot', async () => {
    const simulate = startCli(['simulate', '--speed', '20']);
    const banner = await simulate.waitForOutput(/Press Ctrl-C to stop/);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)![1]!;
    const token = /token: (\S+)/.exec(banner)![1]!;
    expect(banner).toContain(`export ORDO_BASE_URL=${url} ORDO_TOKEN=${token}`);
    const response = await fetch(`${url}/jobs`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(pineyDamJobRequest),
    });
    const { id } = (await response.json()) as { id: number };
    const watch = await runCli(['watch', String(id), '--json', '--interval', '100ms'], { ORDO_BASE_URL: url, ORDO_TOKEN: token });
    expect(watch.code).toBe(0);
    const lines = watch.stdout.trim().split('\n').map((line) => JSON.parse(line));
    const final = lines.pop();
    expect(final.type).toBe('snapshot');
    expect(final.job).toMatchObject({ id: String(id), status: 'success', error: null });
    expect(final.steps).toHaveLength(5);
    expect(checkLegalPath(lines).get('job')).toBe('success');
    expect(watch.stdout + watch.stderr).not.toContain(token);

    simulate.child.kill('SIGINT');
    const stopped = await simulate.result;
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('simulator stopped');
    noStackTrace(stopped.stderr);
  });

  it('submits the reference pipeline at start with --submit', async () => {
    const simulate = startCli(['simulate', '--submit', '--token', 'fixed-token']);
    const banner = await simulate.waitForOutput(/Press Ctrl-C/);
    expect(banner).toContain('token: fixed-token');
    expect(banner).toContain('submitted the reference LiDAR pipeline as job 1');
    const port = /127\.0\.0\.1:(\d+)/.exec(banner)![1]!;
    const taken = await runCli(['simulate', '--port', port]);
    expect(taken).toMatchObject({ code: 1, stderr: `ordo-status: port ${port} is already in use\n` });
    simulate.child.kill('SIGTERM');
    expect((await simulate.result).code).toBe(0);
  });
});

describe('ordo-status watch exit codes', () => {
  async function watchScenario(scenario: 'failed' | 'partial' | 'success', extra: string[] = []) {
    simulator = await startOrdoSimulator({ speed: 20 });
    const { id } = await simulator.submitJob(undefined, { scenario });
    return runCli(['watch', String(id), '--interval', '100ms', '--base-url', simulator.url, ...extra], { ORDO_TOKEN: simulator.token });
  }

  it('exits 0, 3 and 4 for success, failed and partial', async () => {
    expect((await watchScenario('success')).code).toBe(0);
    await simulator!.close();
    expect((await watchScenario('failed')).code).toBe(3);
    await simulator!.close();
    expect((await watchScenario('partial')).code).toBe(4);
  });

  it('reads the token from the variable named by --token-env', async () => {
    simulator = await startOrdoSimulator({ speed: 50 });
    const { id } = await simulator.submitJob();
    const result = await runCli(['watch', String(id), '--token-env', 'MY_TOKEN', '--interval', '100ms'], {
      ORDO_BASE_URL: simulator.url,
      MY_TOKEN: simulator.token,
    });
    expect(result.code).toBe(0);
  });

  it('exits 1 with the server’s message for a wrong token, never printing it', async () => {
    simulator = await startOrdoSimulator();
    const result = await runCli(['watch', '1', '--base-url', simulator.url], { ORDO_TOKEN: 'wrong-secret-token' });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`ordo-status: GET ${simulator.url}/jobs/1 answered 401 Unauthorized: Invalid token\n`);
    expect(result.stdout + result.stderr).not.toContain('wrong-secret-token');
  });

  it('exits 1 and says the token variable is unset when no token was sent', async () => {
    simulator = await startOrdoSimulator();
    const result = await runCli(['watch', '1', '--base-url', simulator.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('answered 401 Unauthorized: Missing or invalid Authorization header');
    expect(result.stderr).toContain('note: $ORDO_TOKEN is not set, so no token was sent');
  });

  it('exits 1 for an unknown job, a refused connection, a timeout, a bad body and an illegal transition', async () => {
    simulator = await startOrdoSimulator({ speed: 0.01 });
    const env = { ORDO_BASE_URL: simulator.url, ORDO_TOKEN: simulator.token };
    const missing = await runCli(['watch', '42'], env);
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.stderr).toContain('answered 404 Not Found: Job not found');

    const { id } = await simulator.submitJob();
    const timeout = await runCli(['watch', String(id), '--timeout', '300ms', '--interval', '100ms', '--json'], env);
    expect(timeout.code).toBe(1);
    expect(timeout.stderr).toContain(`ordo-status: Job ${id} did not finish within 300 ms (last seen pending, 0%)`);
    const last = JSON.parse(timeout.stdout.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ type: 'error', code: 'TIMEOUT' });

    let answers = 0;
    server = await startTestServer((req, res) => {
      answers += 1;
      if (req.url === '/jobs/1') res.json({ ...jobBody({ status: 'running' }), job: { ...jobBody({ status: 'running' }).job, status: 'paused' } });
      else res.json(answers % 2 === 1 ? jobBody({ id: 2, status: 'running', steps: { a: 'success' } }) : jobBody({ id: 2, status: 'running', steps: { a: 'running' } }));
    });
    const schema = await runCli(['watch', '1', '--base-url', server.url]);
    expect(schema.code).toBe(1);
    expect(schema.stderr).toContain('job.status: expected one of "pending", "running", "success", "failed", "partial"; received "paused"');
    const illegal = await runCli(['watch', '2', '--base-url', server.url, '--interval', '100ms']);
    expect(illegal.code).toBe(1);
    expect(illegal.stderr).toBe('ordo-status: Illegal transition of step "a" of job 2: success → running (success is final)\n');
    const url = server.url;
    await server.close();
    server = undefined;
    const refused = await runCli(['watch', '1', '--base-url', url, '--retries', '1']);
    expect(refused.code).toBe(1);
    // Nothing ever answered: no "connection lost", but the URL, the cause and what to check.
    expect(refused.stdout).toMatch(
      new RegExp(`^\\d\\d:\\d\\d:\\d\\d cannot reach ${url}/jobs/1: connection refused \\(ECONNREFUSED\\); is the server running, and is --base-url right\\? — retrying in (0\\.\\d|1) s \\(1/1\\)\n$`),
    );
    expect(refused.stderr).toBe(
      `ordo-status: GET ${url}/jobs/1 failed without a complete response (ECONNREFUSED)\nordo-status: connection refused; is the server running, and is --base-url right?\n`,
    );
    for (const result of [missing, timeout, schema, illegal, refused]) noStackTrace(result.stderr);
  });

  it('delivers every line to a slow reader at the end of a pipe before exiting', async () => {
    const steps = Object.fromEntries(Array.from({ length: 3000 }, (_, index) => [`step-${String(index).padStart(4, '0')}`, 'success' as const]));
    server = await startTestServer((_req, res) => res.json(jobBody({ status: 'success', steps })));
    const watch = startCli(['watch', '1', '--json', '--base-url', server.url], {}, 700);
    const result = await watch.result;
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(2 + 3000 * 2 + 1);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ type: 'snapshot', job: { status: 'success' } });
  });

  it('prints a server’s control characters as visible escapes, so they cannot forge output', async () => {
    const hostile = jobBody({ status: 'failed', steps: { 'x\u001b[2Jy': 'failed' } });
    (hostile as any).steps[0].error = 'boom\r\n✔ job 1 success';
    (hostile as any).job.error = '\u001b]0;pwned\u0007';
    server = await startTestServer((_req, res) => res.json(hostile));
    const result = await runCli(['watch', '1', '--base-url', server.url]);
    expect(result.code).toBe(3);
    // eslint-disable-next-line no-control-regex -- no raw control character may reach the terminal
    expect(result.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(result.stdout).toContain('step x\\x1b[2Jy (X\\x1b[2JY): running → failed · 1.0 s · boom\\x0d\\x0a✔ job 1 success');
    expect(result.stdout).toContain('  error: \\x1b]0;pwned\\x07');
    expect(result.stdout.split('\n').filter((line) => line.startsWith('✔'))).toEqual([]);
  });

  it('exits 143 on SIGTERM', async () => {
    const polled = pollsSeen(2);
    simulator = await startOrdoSimulator({ speed: 0.05, onRequest: polled.count });
    const { id } = await simulator.submitJob();
    const watch = startCli(['watch', String(id), '--base-url', simulator.url, '--interval', '100ms'], { ORDO_TOKEN: simulator.token });
    await polled.reached; // the watch runs (and its first answer was handled), however slowly the machine started it
    watch.child.kill('SIGTERM');
    const result = await watch.result;
    expect(result.code).toBe(143);
    expect(result.stderr).toBe('ordo-status: interrupted\n');
  });

  it('exits 1 quietly when the reader goes away (| head -1)', async () => {
    const { stdout, stderr } = await promisify(execFile)('bash', ['-c', `"${process.execPath}" "${cliPath}" demo --speed 20 | head -1; echo "exit \${PIPESTATUS[0]}" >&2`]);
    expect(stdout).toMatch(/^Simulated Ordo server at /);
    expect(stderr).toBe('exit 1\n');
  });

  it('shows each retry: a line when piped, an object with --json', async () => {
    let answers = 0;
    server = await startTestServer((_req, res) => {
      answers += 1;
      if (answers % 3 !== 0) res.status(503).set('Retry-After', answers % 3 === 1 ? '1' : '0').json({ error: 'Service unavailable' });
      else res.json(jobBody({ status: 'success', steps: { a: 'success' } }));
    });
    const piped = await runCli(['watch', '1', '--base-url', server.url]);
    expect(piped.code).toBe(0);
    // The first failure before any answer names the URL; a 503 is an answer, so the next says less.
    expect(piped.stdout.split('\n').slice(0, 2)).toEqual([
      expect.stringMatching(new RegExp(`^\\d\\d:\\d\\d:\\d\\d ${server.url}/jobs/1 answered 503 — retrying in 1 s \\(1/5\\)$`)),
      expect.stringMatching(/^\d\d:\d\d:\d\d server answered 503 — retrying in 0 s \(2\/5\)$/),
    ]);
    const json = await runCli(['watch', '1', '--json', '--base-url', server.url]);
    expect(json.code).toBe(0);
    const [first, second] = json.stdout.split('\n').slice(0, 2).map((line) => JSON.parse(line));
    expect(first).toEqual({
      type: 'retry',
      at: expect.any(String),
      attempt: 1,
      maxRetries: 5,
      delayMs: 1000,
      code: 'HTTP',
      message: `GET ${server.url}/jobs/1 answered 503 Service Unavailable: Service unavailable`,
      cause: 'server answered 503',
      url: `${server.url}/jobs/1`,
      systemCode: null,
      hint: null,
    });
    expect(second).toMatchObject({ type: 'retry', attempt: 2, delayMs: 0 });
  });

  it('exits 130 on Ctrl-C, cleanly', async () => {
    const polled = pollsSeen(2);
    simulator = await startOrdoSimulator({ speed: 0.05, onRequest: polled.count });
    const { id } = await simulator.submitJob();
    const watch = startCli(['watch', String(id), '--json', '--base-url', simulator.url, '--interval', '100ms'], { ORDO_TOKEN: simulator.token });
    await polled.reached;
    watch.child.kill('SIGINT');
    const result = await watch.result;
    expect(result.code).toBe(130);
    expect(result.stderr).toBe('ordo-status: interrupted\n');
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.at(-2)).toMatchObject({ type: 'snapshot', job: { id: String(id) } });
    expect(lines.at(-1)).toEqual({ type: 'error', at: expect.any(String), code: 'INTERRUPTED', message: 'interrupted' });
  });
});

describe('fail fast, say why', () => {
  it('explains a refused port with the URL and the cause at the first failure, while still retrying', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const watch = startCli(['watch', '1', '--base-url', url]);
    // The first line comes before the retry wait; the watch is still retrying (5 retries, over 15 s).
    const first = await watch.waitForOutput(/retrying in/);
    expect(first).toMatch(
      new RegExp(`^\\d\\d:\\d\\d:\\d\\d cannot reach ${url}/jobs/1: connection refused \\(ECONNREFUSED\\); is the server running, and is --base-url right\\? — retrying in [\\d.]+ s \\(1/5\\)\n$`),
    );
    expect(first).not.toContain('connection lost');
    watch.child.kill('SIGINT');
    const result = await watch.result;
    expect(result.code).toBe(130);
    expect(result.stdout).not.toContain('connection lost');
  });

  it('hints at the base URL’s path prefix when a 404 is not Ordo’s', async () => {
    server = await startTestServer((_req, res) => res.status(404).type('html').send('<html><body>Cannot GET /jobs/1</body></html>'));
    const result = await runCli(['watch', '1', '--base-url', server.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `ordo-status: GET ${server.url}/jobs/1 answered 404 Not Found (text/html; charset=utf-8 body); that is not Ordo's {"error":"Job not found"}: does Ordo sit behind a path prefix on this server (a base URL such as ${server.url}/ordo)?\n`,
    );
  });
});

describe('job ids are checked before any request', () => {
  it.each(['abc', '1.5', '0', '-3'])('watch -- %s exits 2 without a request', async (id) => {
    server = await startTestServer((_req, res) => res.json(jobBody({ status: 'success' })));
    const result = await runCli(['watch', '--base-url', server.url, '--', id]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`value '${id}' is invalid for argument 'id'. Invalid job id`);
    expect(result.stdout).toBe('');
    expect(server.requests).toEqual([]);
  });

  it('watch -3 (without --) is refused the same way', async () => {
    server = await startTestServer((_req, res) => res.json(jobBody({ status: 'success' })));
    const result = await runCli(['watch', '-3', '--base-url', server.url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`value '-3' is invalid for argument 'id'. Invalid job id "-3": a job id is a positive whole number`);
    expect(server.requests).toEqual([]);
  });
});

describe('usage errors exit 2 with a clear message', () => {
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [[], {}, /Usage: ordo-status/],
    [['frobnicate'], {}, /unknown command 'frobnicate'/],
    [['watch'], {}, /missing required argument 'id'/],
    [['watch', '1'], {}, /no server: pass --base-url URL or set ORDO_BASE_URL/],
    [['watch', '1', '--base-url', 'not a url'], {}, /Invalid baseUrl "not a url"/],
    [['watch', '1', '--interval', 'soon'], { ORDO_BASE_URL: 'http://127.0.0.1:9' }, /'--interval <duration>' argument 'soon' is invalid\. expected a duration such as 3 \(seconds\), 500ms, 3s, 1\.5m or 2h\./],
    [['watch', '1', '--interval', '0'], { ORDO_BASE_URL: 'http://127.0.0.1:9' }, /argument '0' is invalid\. must be greater than 0/],
    [['watch', '1', '--interval', '3ms'], { ORDO_BASE_URL: 'http://127.0.0.1:9' }, /argument '3ms' is invalid\. must be at least 100ms/],
    [['watch', '1', '--interval', '0.05'], { ORDO_BASE_URL: 'http://127.0.0.1:9' }, /argument '0\.05' is invalid\. must be at least 100ms/],
    [['watch', '1', '--timeout', '0s'], { ORDO_BASE_URL: 'http://127.0.0.1:9' }, /'--timeout <duration>' argument '0s' is invalid\. must be greater than 0/],
    [['demo', '--interval', '10ms'], {}, /argument '10ms' is invalid\. must be at least 100ms/],
    [['watch', '1', '--timeout', '30d'], { ORDO_BASE_URL: 'http://127.0.0.1:9' }, /at most 24 days/],
    [['watch', '1,2'], {}, /value '1,2' is invalid for argument 'id'\. Invalid job id "1,2": a job id is a positive whole number such as 42/],
    [['watch', '1', '--token-env', 'not-a-name'], {}, /expected an environment variable name/],
    [['watch', '1', '--jsno'], {}, /unknown option '--jsno'/],
    [['demo', '--scenario', 'chaos'], {}, /argument 'chaos' is invalid\. Allowed choices are success, failed, partial, retry\./],
    [['demo', '--speed', '0'], {}, /'--speed <x>' argument '0' is invalid/],
    [['simulate', '--port', '99999'], {}, /expected a port number from 0 to 65535/],
    [['watch', '1', '--retries', 'many'], {}, /'--retries <n>' argument 'many' is invalid\. expected a whole number from 0 to 100\./],
  ];
  it.each(cases)('ordo-status %j', async (args, env, message) => {
    const result = await runCli(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    noStackTrace(result.stderr);
    expect(result.stdout).toBe('');
  });

  it('--help and --version exit 0', async () => {
    const help = await runCli(['watch', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--token-env <name>');
    const version = await runCli(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });
});
