import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTerminalJobStatus, jobSnapshotFromJSON, parseJobSnapshot } from 'ordo-status';
import type { OrdoSimulator } from 'ordo-status/testing';
import { startScript } from '../helpers/cli.js';
import { loadScenario } from '../helpers/fixtures.js';
import { startTestSimulator } from '../helpers/simulator.js';

const script = fileURLToPath(new URL('../../examples/node-pipeline/watch-jobs.mjs', import.meta.url));

interface Line {
  type: 'job' | 'step' | 'error';
  jobId: string;
  stepId?: string;
  from?: string;
  to?: string;
  inferred?: boolean;
  code?: string;
}
const linesOf = (stdout: string): Line[] => stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Line);

let simulator: OrdoSimulator;
let clock = Date.parse('2026-11-29T12:00:00Z');
let dir: string;
beforeEach(async () => {
  simulator = await startTestSimulator({ now: () => clock });
  dir = mkdtempSync(join(tmpdir(), 'ordo-pipeline-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Each subject's transitions chain from `pending` to a terminal status, each exactly once. */
function expectWholeLifecycles(lines: readonly Line[], jobIds: readonly string[]) {
  for (const jobId of jobIds) {
    const subjects = new Map<string, Line[]>();
    for (const line of lines.filter((l) => l.jobId === jobId)) {
      const key = line.type === 'step' ? line.stepId! : '(job)';
      subjects.set(key, [...(subjects.get(key) ?? []), line]);
    }
    expect([...subjects.keys()].sort()).toEqual(['(job)', 'contours', 'dem', 'ept', 'hillshade', 'reproject']);
    for (const [subject, path] of subjects) {
      expect(path[0]!.from, `${jobId} ${subject}`).toBe('pending');
      path.slice(1).forEach((line, index) => expect(line.from, `${jobId} ${subject}`).toBe(path[index]!.to));
      const seen = path.map((line) => `${line.from}>${line.to}`);
      expect(new Set(seen).size, `${jobId} ${subject} has no repeated transition`).toBe(seen.length);
    }
    expect(isTerminalJobStatus(subjects.get('(job)')!.at(-1)!.to as never)).toBe(true);
  }
}

describe('examples/node-pipeline/watch-jobs.mjs', () => {
  it('watches many jobs, stops on SIGINT with its state saved, and resumes without repeating a line', async () => {
    const ok = await simulator.submitJob(undefined, { scenario: 'success' });
    const bad = await simulator.submitJob(undefined, { scenario: 'failed' });
    const state = join(dir, 'state.json');
    const args = ['--base-url', simulator.url, '--state', state, '--interval', '20', String(ok.id), String(bad.id)];
    const env = { ORDO_TOKEN: simulator.token };

    // First run: 4 s into the jobs, reproject is done and dem running. The clock stands still.
    clock += 4000;
    const first = startScript(script, args, env);
    await first.waitForOutput(new RegExp(`"jobId":"${bad.id}","stepId":"dem","from":"pending","to":"running"`));
    await first.waitForOutput(new RegExp(`"jobId":"${ok.id}","stepId":"dem","from":"pending","to":"running"`));
    first.child.kill('SIGINT');
    const stopped = await first.result;
    expect(stopped.stderr).toBe('');
    expect(stopped.code).toBe(130);
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { version: number; jobs: Record<string, unknown> };
    expect(saved.version).toBe(1);
    expect(jobSnapshotFromJSON(saved.jobs[String(ok.id)]).job.status).toBe('running');
    const before = linesOf(stopped.stdout);
    expect(before.some((line) => line.to === 'success' && line.type === 'job')).toBe(false);

    // Second run, after the jobs ended: only what happened since, then exit 3 (one job failed).
    clock += 60_000;
    const second = startScript(script, args, env);
    const resumed = await second.result;
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(3);
    const after = linesOf(resumed.stdout);
    expect(after.filter((line) => line.type === 'job').map((line) => [line.jobId, line.to])).toEqual(
      expect.arrayContaining([
        [String(ok.id), 'success'],
        [String(bad.id), 'failed'],
      ]),
    );
    expect(after.some((line) => line.stepId === 'reproject' && line.from === 'pending')).toBe(false);
    expectWholeLifecycles([...before, ...after], [String(ok.id), String(bad.id)]);

    // A third run finds both jobs ended in the state file: no request, no line, same exit status.
    const requests = simulator.requestCount;
    const third = await startScript(script, args, env).result;
    expect([third.code, third.stdout]).toEqual([3, '']);
    expect(simulator.requestCount).toBe(requests);
  });

  it('exits 0 when every job succeeds, 1 with an error line for an unknown job, 2 for bad arguments', async () => {
    const ok = await simulator.submitJob();
    clock += 60_000;
    const state = join(dir, 'state.json');
    const env = { ORDO_TOKEN: simulator.token };
    const done = await startScript(script, ['--base-url', simulator.url, '--state', state, '--interval', '5', String(ok.id)], env).result;
    expect(done.code).toBe(0);
    expect(linesOf(done.stdout).at(-1)).toMatchObject({ type: 'job', jobId: String(ok.id), from: 'running', to: 'success' });

    // An unknown job is that job's error line; the job watched beside it still runs to its end.
    const missing = await startScript(script, ['--base-url', simulator.url, '--state', join(dir, 'other.json'), '--interval', '5', '999', String(ok.id)], env).result;
    expect([missing.code, missing.stderr]).toEqual([1, '']);
    const missingLines = linesOf(missing.stdout);
    expect(missingLines.filter((line) => line.type === 'error')).toEqual([expect.objectContaining({ type: 'error', jobId: '999', code: 'NOT_FOUND' })]);
    expect(missingLines.filter((line) => line.jobId === String(ok.id)).at(-1)).toMatchObject({ type: 'job', jobId: String(ok.id), from: 'running', to: 'success' });

    const bad = await startScript(script, ['--base-url', simulator.url, 'a/b'], env).result;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Invalid job id "a\/b"/);
    const noUrl = await startScript(script, ['7'], env).result;
    expect([noUrl.code, noUrl.stderr]).toEqual([2, expect.stringMatching(/--base-url \(or ORDO_BASE_URL\) is required/)]);
  });

  it('a bad state entry stops only its job; a bad state file, base URL or state path stops before any line', async () => {
    const ok = await simulator.submitJob();
    clock += 60_000;
    const env = { ORDO_TOKEN: simulator.token };
    const state = join(dir, 'state.json');
    // Job 999's entry is a snapshot of another job; the job watched alongside it goes on.
    const other = loadScenario('success').at(-1)!.body;
    writeFileSync(state, JSON.stringify({ version: 1, jobs: { '999': parseJobSnapshot(other) } }));
    const mixed = await startScript(script, ['--base-url', simulator.url, '--state', state, '--interval', '5', String(ok.id), '999', String(ok.id)], env).result;
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toBe('');
    const lines = linesOf(mixed.stdout);
    expect(lines.filter((line) => line.type === 'error')).toEqual([
      expect.objectContaining({ jobId: '999', message: expect.stringMatching(/entry for job 999 cannot be used \(it holds a snapshot of job 1\)/) }),
    ]);
    // The id given twice is watched once.
    expect(lines.filter((line) => line.type === 'job' && line.to === 'success')).toHaveLength(1);

    writeFileSync(state, JSON.stringify({ version: 1, jobs: [] }));
    const array = await startScript(script, ['--base-url', simulator.url, '--state', state, String(ok.id)], env).result;
    expect([array.code, array.stdout, array.stderr]).toEqual([1, '', expect.stringMatching(/cannot read .*not a version 1 state file/)]);

    const badUrl = await startScript(script, ['--base-url', 'not a url', '--state', join(dir, 'x.json'), '1'], env).result;
    expect([badUrl.code, badUrl.stdout]).toEqual([2, '']);
    expect(badUrl.stderr).toMatch(/Invalid baseUrl/);

    const nowhere = await startScript(script, ['--base-url', simulator.url, '--state', join(dir, 'missing', 'state.json'), String(ok.id)], env).result;
    expect([nowhere.code, nowhere.stdout]).toEqual([1, '']);
    expect(nowhere.stderr).toMatch(/cannot write .*missing.*ENOENT/);
  });
});
