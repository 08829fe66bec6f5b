import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { loadScenario } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/testServer.js';

/**
 * A server that is not the simulator and whose finalizer writes `completed` (Ordo's own TypeScript
 * type declares it): the captured real-server bodies of job 1, a running one and then the last,
 * its `success` rewritten as `completed`. `POST /jobs` answers `201 {"id":1}`.
 */
async function completedWritingServer() {
  const success = loadScenario('success');
  const running = success[24]!.text;
  const last = structuredClone(success.at(-1)!.body);
  last.job.status = 'completed';
  const completed = JSON.stringify(last);
  let polls = 0;
  return startTestServer((req, res) => {
    if (req.method === 'POST' && req.url === '/jobs') {
      res.status(201).json({ id: 1 });
      return;
    }
    polls += 1;
    res.type('application/json').send(polls === 1 ? running : completed);
  });
}

const noStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at /);

describe('a deployment that writes "completed"', () => {
  it('watch --status-alias completed=success runs the job to exit 0', async () => {
    const server = await completedWritingServer();
    const result = await runCli(['watch', '1', '--base-url', server.url, '--interval', '100ms', '--status-alias', 'completed=success']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d\d:\d\d:\d\d job 1: running → success$/m);
    expect(result.stdout).toMatch(/✔ job 1 success in /);
  });

  it('without the option, watch exits 1 with a schema error that names the option and the flag', async () => {
    const server = await completedWritingServer();
    const result = await runCli(['watch', '1', '--base-url', server.url, '--interval', '100ms']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `job.status: expected one of "pending", "running", "success", "failed", "partial"; received "completed" (a deployment's own word? map it with the statusAliases option, e.g. { completed: 'success' }, CLI --status-alias completed=success)`,
    );
    noStackTrace(result.stderr);
  });

  it('--json lines carry the mapped statuses', async () => {
    const server = await completedWritingServer();
    const result = await runCli(['watch', '1', '--base-url', server.url, '--interval', '100ms', '--json', '--status-alias', 'completed=success']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.filter((line) => line.type === 'job').map((line) => `${line.from} → ${line.to}`)).toEqual(['pending → running', 'running → success']);
  });

  it('submit --watch takes the flag too', async () => {
    const server = await completedWritingServer();
    const file = join(mkdtempSync(join(tmpdir(), 'ordo-status-alias-')), 'request.json');
    writeFileSync(file, JSON.stringify({ recipe_id: 1 }));
    const result = await runCli(['submit', file, '--watch', '--base-url', server.url, '--interval', '100ms', '--status-alias', 'completed=success']);
    expect(result.stderr).not.toContain('statusAliases');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/✔ job 1 success in /);
  });

  it('a bad pair is a usage error (exit 2) and sends no request', async () => {
    const server = await completedWritingServer();
    for (const pair of ['completed', 'success=failed', 'completed=done']) {
      const result = await runCli(['watch', '1', '--base-url', server.url, '--status-alias', pair]);
      expect(result.code, pair).toBe(2);
      expect(result.stderr, pair).toMatch(/^error: option '--status-alias <word=status>' argument '.*' is invalid\. /);
    }
    expect(server.requests).toEqual([]);
  });
});
