import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createOrdoClient, OrdoHttpError, OrdoNetworkError } from 'ordo-status';
import { startTestSimulator } from '../helpers/simulator.js';
import { closedPort } from '../helpers/testServer.js';

const doc = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('the docs on submitting a job work as written', () => {
  it("README's \"Submit a job, then watch it\": read the shipped request, submit it, wait for it", async () => {
    const readme = doc('README.md');
    expect(readme).toContain("const request = JSON.parse(await readFile('node_modules/ordo-status/examples/piney-dam-job.json', 'utf8'));");
    expect(readme).toContain('const id = await ordo.submitJob(request); // POST /jobs → "42"; sent once, never retried');
    const simulator = await startTestSimulator({ speed: 20 });
    const ordo = createOrdoClient({ baseUrl: simulator.url, token: simulator.token, intervalMs: 50 });
    // In the repository, the file is where the package puts it.
    const request = JSON.parse(await readFile(new URL('../../examples/piney-dam-job.json', import.meta.url), 'utf8'));
    const id = await ordo.submitJob(request);
    expect(id).toBe('1');
    const done = await ordo.waitForJob(id);
    expect(done.job.status).toBe('success');
  });

  it('the errors tell whether the job may have been created, as README and docs/api.md say', async () => {
    expect(doc('README.md')).toContain('`OrdoNetworkError` with `retryable: true` failed before\nanything was sent');
    expect(doc('docs/api.md')).toContain('`OrdoNetworkError` with `retryable: true` failed before anything was sent');
    const port = await closedPort();
    const refused = await createOrdoClient({ baseUrl: `http://127.0.0.1:${port}` }).submitJob({ recipe_id: 1 }).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(OrdoNetworkError);
    expect((refused as OrdoNetworkError).retryable).toBe(true);
    const simulator = await startTestSimulator();
    const refusedBody = await createOrdoClient({ baseUrl: simulator.url, token: simulator.token }).submitJob({ recipe_id: 99 }).catch((caught: unknown) => caught);
    expect(refusedBody).toBeInstanceOf(OrdoHttpError);
    expect((refusedBody as OrdoHttpError).status).toBe(400);
  });

  it('getting-started, simulator and README show `submit … --watch` with the shipped file', () => {
    const command = 'npx ordo-status submit node_modules/ordo-status/examples/piney-dam-job.json --watch';
    expect(doc('README.md')).toContain(command);
    expect(doc('docs/getting-started.md')).toContain(command);
    expect(doc('docs/simulator.md')).toContain(command);
    expect(doc('docs/getting-started.md')).toContain('id=$(ordo-status submit my-job.json)');
  });
});
