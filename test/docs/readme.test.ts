import { readFileSync } from 'node:fs';
import { lastValueFrom, map, mergeMap, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { createOrdoClient, jobStatus$, OrdoJobFailedError } from 'ordo-status';
import { startTestSimulator } from '../helpers/simulator.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('the README examples work as written', () => {
  it('the marble test', () => {
    expect(readme).toContain("expectObservable(status$).toBe('-a---(b|)', { a: 'running', b: 'success' });");
    const body = (status: string) => ({ job: { id: 7, status }, steps: [] });
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
      const answers = [cold('-a|', { a: body('running') }), cold('-b|', { b: body('success') })];
      let request = 0;
      const status$ = jobStatus$(7, { transport: () => answers[request++]!, intervalMs: 3 }).pipe(map((s) => s.job.status));
      expectObservable(status$).toBe('-a---(b|)', { a: 'running', b: 'success' });
    });
  });

  it('the Node example: waitForJob with onSnapshot, OrdoJobFailedError, and watchJobs$ as NDJSON', async () => {
    expect(readme).toContain('ordo.watchJobs$([41, 42, 43]).subscribe((update) => {');
    expect(readme).toContain("onSnapshot: (snapshot) => console.log(`${Math.round(snapshot.progress.fraction * 100)}%`),");
    const simulator = await startTestSimulator({ speed: 20 });
    const ok = await simulator.submitJob();
    const failed = await simulator.submitJob(undefined, { scenario: 'failed' });
    const ordo = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, intervalMs: 50 });
    const percents: number[] = [];
    const done = await ordo.waitForJob(ok.id, { timeoutMs: 30 * 60_000, onSnapshot: (snapshot) => percents.push(Math.round(snapshot.progress.fraction * 100)) });
    expect(done.outputs.map((output) => output.deliveredUri)).toHaveLength(4);
    expect(percents.at(-1)).toBe(100);
    const error = await ordo.waitForJob(failed.id).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OrdoJobFailedError);
    expect((error as OrdoJobFailedError).snapshot.job.error).toMatch(/^Step "dem" failed/);

    // Two real jobs and a wrong id: the wrong one is an error line, the others run to their end.
    const ids = [(await simulator.submitJob()).id, 999, (await simulator.submitJob()).id];
    const lines = await lastValueFrom(
      ordo.watchJobs$(ids).pipe(
        mergeMap((update) => {
          if (update.type === 'error') {
            const { jobId, error } = update;
            return [`${JSON.stringify({ type: 'error', jobId, message: String(error) })}\n`];
          }
          return update.events.map(({ snapshot, ...fields }) => `${JSON.stringify({ ...fields, progress: snapshot.progress.fraction })}\n`);
        }),
        toArray(),
      ),
    );
    const parsed = lines.map((line) => JSON.parse(line));
    expect(parsed.filter((line) => line.type === 'error')).toEqual([{ type: 'error', jobId: '999', message: expect.stringMatching(/^OrdoNotFoundError: Job 999 not found/) }]);
    for (const id of [ids[0], ids[2]]) {
      const jobLines = parsed.filter((line) => line.jobId === String(id) && line.type === 'job');
      expect(jobLines.map((line) => line.to)).toEqual(['running', 'success']);
      expect(parsed.filter((line) => line.jobId === String(id)).at(-1).progress).toBe(1);
    }
  });

  it('a relative baseUrl is resolved against the page in a browser', async () => {
    const seen: string[] = [];
    const page = globalThis as { location?: { href: string } };
    page.location = { href: 'https://app.example.com/dashboard/jobs' };
    try {
      const ordo = createOrdoClient({
        baseUrl: '/ordo',
        fetch: async (url) => {
          seen.push(String(url));
          return new Response(JSON.stringify({ job: { id: 3, status: 'success' }, steps: [] }), { status: 200 });
        },
      });
      expect((await ordo.getJob(3)).job.status).toBe('success');
    } finally {
      delete page.location;
    }
    expect(seen).toEqual(['https://app.example.com/ordo/jobs/3']);
  });
});

describe('docs/reliability.md', () => {
  it('the fault-injection example: a watch carries on through every transient fault listed', async () => {
    const doc = readFileSync(new URL('../../docs/reliability.md', import.meta.url), 'utf8');
    expect(doc).toContain("{ kind: 'status', status: 503, retryAfter: '2' },");
    const simulator = await startTestSimulator({ speed: 20 });
    const { id } = await simulator.submitJob();
    simulator.injectFaults(id, [
      { kind: 'status', status: 503, retryAfter: '2' },
      { kind: 'html', status: 502 },
      { kind: 'reset' },
      { kind: 'hang' },
      { kind: 'truncate' },
      { kind: 'regress' },
    ]);
    const retries: string[] = [];
    const ordo = createOrdoClient({
      baseUrl: simulator.url,
      token: simulator.token,
      intervalMs: 20,
      requestTimeoutMs: 200,
      retry: { maxRetries: 6, baseDelayMs: 5, maxRetryAfterMs: 10, jitter: 0 },
      onRetry: ({ attempt, delayMs, error }) => retries.push(`${attempt}:${delayMs}:${error.code}`),
      onIllegalTransition: 'skip',
    });
    const events = await lastValueFrom(ordo.jobEvents$(id).pipe(toArray()));
    expect(retries).toEqual(['1:10:HTTP', '2:10:HTTP', '3:20:NETWORK', '4:40:TIMEOUT', '5:80:NETWORK']);
    expect(events.filter((event) => event.type === 'job').map((event) => event.to)).toEqual(['running', 'success']);
  });
});
