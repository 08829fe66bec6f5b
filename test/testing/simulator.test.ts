import { afterEach, describe, expect, it } from 'vitest';
import { createJobLifecycle, parseJobSnapshot } from 'ordo-status';
import { pineyDamJobRequest, startOrdoSimulator, type OrdoSimulator, type OrdoSimulatorOptions, type SimulatorScenarioName } from 'ordo-status/testing';
import { allJobBodies, loadScenario } from '../helpers/fixtures.js';
import { startTestSimulator } from '../helpers/simulator.js';

const t0 = Date.parse('2026-11-29T14:26:05.234Z');
let simulator: OrdoSimulator | undefined;
let now = t0;

afterEach(() => {
  simulator = undefined;
  now = t0;
});

/** The simulator of this test, on the clock `now`. */
async function start(options: OrdoSimulatorOptions = {}) {
  simulator = await startTestSimulator({ now: () => now, ...options });
  return simulator;
}

async function get(path: string, init: RequestInit & { token?: string | null } = {}) {
  const sim = simulator!;
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? sim.token : init.token;
  if (token !== null) headers.set('Authorization', `Bearer ${token}`);
  const response = await fetch(`${sim.url}${path}`, { ...init, headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text ? JSON.parse(text) : undefined };
}

/** Bodies of one job every `stepMs` of simulated time until it is terminal. */
async function lifecycleBodies(id: number, stepMs = 100): Promise<any[]> {
  const bodies: any[] = [];
  for (let elapsed = 0; elapsed < 120_000; elapsed += stepMs) {
    now = t0 + elapsed;
    const { json } = await get(`/jobs/${id}`);
    bodies.push(json);
    if (['success', 'failed', 'partial'].includes(json.job.status)) return bodies;
  }
  throw new Error('the job did not end within 120 s of simulated time');
}

// ---- shape of bodies, learned from the captured fixtures ----

type Shapes = Map<string, { keyOrders: Set<string>; types: Set<string> }>;
const freeForm = /^(job\.params|artifacts\[\]\.metadata|steps\[\]\.last_detailing\.progress)\./;

function collect(value: unknown, path: string, shapes: Shapes): void {
  const entry = shapes.get(path) ?? { keyOrders: new Set<string>(), types: new Set<string>() };
  shapes.set(path, entry);
  if (value === null) entry.types.add('null');
  else if (Array.isArray(value)) {
    entry.types.add('array');
    for (const element of value) collect(element, `${path}[]`, shapes);
  } else if (typeof value === 'object') {
    entry.types.add('object');
    entry.keyOrders.add(Object.keys(value).join(','));
    if (freeForm.test(`${path}.`)) return; // free-form JSON written by users or workers
    for (const [key, child] of Object.entries(value)) collect(child, path ? `${path}.${key}` : key, shapes);
  } else entry.types.add(typeof value);
}

function shapesOf(bodies: readonly unknown[]): Shapes {
  const shapes: Shapes = new Map();
  for (const body of bodies) collect(body, '', shapes);
  return shapes;
}

const sortedBy = (values: string[]) => [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

function checkSortOrders(body: any): void {
  expect(body.steps.map((step: any) => step.step_id)).toEqual(sortedBy(body.steps.map((step: any) => step.step_id)));
  expect(body.artifacts.map((artifact: any) => artifact.name)).toEqual(sortedBy(body.artifacts.map((artifact: any) => artifact.name)));
  expect(body.outputs.map((output: any) => output.artifact_name)).toEqual(sortedBy(body.outputs.map((output: any) => output.artifact_name)));
  const started = body.timeline.filter((entry: any) => entry.started_at !== null);
  const notStarted = body.timeline.filter((entry: any) => entry.started_at === null);
  expect(body.timeline).toEqual([...started, ...notStarted]);
  for (let index = 1; index < started.length; index += 1) {
    const [a, b] = [started[index - 1], started[index]];
    expect(a.started_at < b.started_at || (a.started_at === b.started_at && a.step < b.step)).toBe(true);
  }
  expect(notStarted.map((entry: any) => entry.step)).toEqual(sortedBy(notStarted.map((entry: any) => entry.step)));
}

/** The server's progress formula, written out independently of the library's. */
function serverPercentage(steps: any[]): number {
  const weights = steps.map((step) => {
    if (step.status === 'success') return 1;
    if (step.status !== 'running' || !step.last_detailing) return 0;
    const p = step.last_detailing.progress ?? {};
    const percent = p.progress ?? p.percent ?? p.percentage ?? 0;
    return Math.min(100, Math.max(0, percent)) / 100;
  });
  return steps.length === 0 ? 0 : weights.reduce((sum, weight) => sum + weight, 0) / steps.length;
}

describe('the simulator’s bodies match the real server’s', () => {
  const fixtureBodies = allJobBodies().map((fixture) => fixture.body);

  it('the independent progress formula reproduces every captured percentage bit for bit', () => {
    for (const body of fixtureBodies) expect(serverPercentage(body.steps)).toBe(body.progress.percentage);
  });

  it('have the same keys, key order and types, and the same sort orders, in every scenario', async () => {
    const fixtures = shapesOf(fixtureBodies);
    await start();
    const simulated: any[] = [];
    for (const scenario of ['success', 'failed', 'partial', 'retry'] as const) {
      const { id } = await simulator!.submitJob(pineyDamJobRequest, { scenario });
      const before = now;
      simulated.push(...(await lifecycleBodies(id, 150)));
      now = before;
    }
    const shapes = shapesOf(simulated);
    for (const [path, entry] of shapes) {
      const expected = fixtures.get(path);
      expect(expected, `path ${path || '(body)'} is not in the fixtures`).toBeDefined();
      for (const type of entry.types) expect(expected!.types, `type ${type} at ${path}`).toContain(type);
      if (!freeForm.test(`${path}.`)) {
        for (const order of entry.keyOrders) expect([...expected!.keyOrders], `key order at ${path}`).toContain(order);
      }
    }
    for (const path of fixtures.keys()) expect(shapes.has(path), `fixture path ${path} never produced`).toBe(true);
    for (const body of simulated) {
      checkSortOrders(body);
      expect(body.progress.percentage).toBe(serverPercentage(body.steps));
      expect(body.progress.completed_steps).toBe(body.steps.filter((step: any) => ['success', 'failed'].includes(step.status)).length);
      expect(body.progress.total_steps).toBe(5);
      parseJobSnapshot(body, { jobId: body.job.id });
    }
    // The fixtures' own bodies pass the same order checks.
    for (const body of fixtureBodies) checkSortOrders(body);
  });

  it('computes the fraction with the server’s float arithmetic (0.55 / 5 = 0.11000000000000001)', async () => {
    await start();
    const { id } = await simulator!.submitJob();
    now = t0 + 2200; // reproject has written its 55 % detailing row
    const { json } = await get(`/jobs/${id}`);
    expect(json.steps.find((step: any) => step.step_id === 'reproject').last_detailing.progress).toEqual({ progress: 55 });
    expect(json.progress).toEqual({ percentage: 0.11000000000000001, completed_steps: 0, total_steps: 5 });
    expect(json.progress.percentage).toBe(loadScenario('success')[5]!.body.progress.percentage);
  });

  it('stores params as jsonb does: keys by length, then bytewise', async () => {
    await start();
    const { id } = await simulator!.submitJob();
    const { json } = await get(`/jobs/${id}`);
    expect(JSON.stringify(json.job.params)).toBe(JSON.stringify(loadScenario('success')[0]!.body.job.params));
  });
});

describe('scripted worker', () => {
  async function finalBody(scenario: SimulatorScenarioName) {
    await start({ scenario });
    const { id } = await simulator!.submitJob();
    const bodies = await lifecycleBodies(id, 100);
    return { bodies, last: bodies.at(-1) };
  }
  const statuses = (body: any) => Object.fromEntries(body.steps.map((step: any) => [step.step_id, step.status]));

  it('runs the success scenario: every step, every output delivered, job success', async () => {
    const { last, bodies } = await finalBody('success');
    expect(statuses(last)).toEqual({ contours: 'success', dem: 'success', ept: 'success', hillshade: 'success', reproject: 'success' });
    expect(last.job.status).toBe('success');
    expect(last.job.error).toBeNull();
    expect(last.progress).toEqual({ percentage: 1, completed_steps: 5, total_steps: 5 });
    expect(last.duration_ms).toBe(Date.parse(last.job.finished_at) - Date.parse(last.job.started_at));
    expect(last.outputs.map((output: any) => output.delivered_uri)).toEqual([
      's3://ordo-deliverables/final/piney-dam/contours.geojson',
      's3://ordo-deliverables/final/piney-dam/dem.tif',
      's3://ordo-deliverables/final/piney-dam/ept/',
      's3://ordo-deliverables/final/piney-dam/hillshade.tif',
    ]);
    expect(last.artifacts.map((artifact: any) => [artifact.name, artifact.type, artifact.producer_step])).toEqual([
      ['input_las', 'las', null],
      ['output_contours', 'geojson', 'contours'],
      ['output_dem', 'geotiff', 'dem'],
      ['output_ept', 'ept', 'ept'],
      ['output_hillshade', 'geotiff', 'hillshade'],
      ['output_las', 'las', 'reproject'],
    ]);
    // dem waits for reproject; hillshade and contours wait for dem; ept runs beside dem.
    const step = (id: string) => last.steps.find((candidate: any) => candidate.step_id === id);
    expect(step('dem').started_at > step('reproject').finished_at).toBe(true);
    expect(step('hillshade').started_at > step('dem').finished_at).toBe(true);
    expect(step('ept').started_at < step('dem').finished_at).toBe(true);
    // A claimed step runs before it has started (started_at still null), as on the real server.
    expect(bodies.some((body) => body.steps.some((s: any) => s.status === 'running' && s.started_at === null))).toBe(true);
    // The fraction is not monotonic in general, but it ends at 1 here and never exceeds it.
    expect(Math.max(...bodies.map((body) => body.progress.percentage))).toBe(1);
  });

  it('runs the failed scenario: dem fails, its dependents are skipped, nothing is delivered', async () => {
    const { last, bodies } = await finalBody('failed');
    expect(statuses(last)).toEqual({ contours: 'skipped', dem: 'failed', ept: 'success', hillshade: 'skipped', reproject: 'success' });
    expect(last.job.status).toBe('failed');
    expect(last.job.error).toBe(`Step "dem" failed: ${last.steps[1].error}`);
    expect(last.progress).toEqual({ percentage: 0.4, completed_steps: 3, total_steps: 5 });
    for (const skipped of last.steps.filter((step: any) => step.status === 'skipped')) {
      expect(skipped).toMatchObject({ attempt: 0, started_at: null, finished_at: null, error: null, last_detailing: null });
    }
    expect(last.outputs.every((output: any) => output.delivered_uri === null)).toBe(true);
    // The fraction drops when the running dem fails (not monotonic, like the real server).
    const fractions = bodies.map((body) => body.progress.percentage);
    expect(fractions.some((fraction, index) => index > 0 && fraction < fractions[index - 1]!)).toBe(true);
  });

  it('runs the partial scenario: a step without dependents fails, the rest is delivered', async () => {
    const { last } = await finalBody('partial');
    expect(statuses(last)).toEqual({ contours: 'failed', dem: 'success', ept: 'success', hillshade: 'success', reproject: 'success' });
    expect(last.job.status).toBe('partial');
    expect(last.job.error).toMatch(/^Step "contours" failed: /);
    expect(last.outputs.map((output: any) => [output.artifact_name, output.delivered_uri !== null])).toEqual([
      ['step:contours.output_contours', false],
      ['step:dem.output_dem', true],
      ['step:ept.output_ept', true],
      ['step:hillshade.output_hillshade', true],
    ]);
  });

  it('runs the retry scenario: dem is blocked, claimed again as attempt 2, and succeeds', async () => {
    const { last, bodies } = await finalBody('retry');
    expect(last.job.status).toBe('success');
    const dem = (body: any) => body.steps.find((step: any) => step.step_id === 'dem');
    expect(dem(last)).toMatchObject({ status: 'success', attempt: 2, error: null });
    const demStates = bodies.map((body) => `${dem(body).status}#${dem(body).attempt}`).filter((state, index, all) => state !== all[index - 1]);
    expect(demStates).toEqual(['pending#0', 'running#1', 'blocked#1', 'running#2', 'success#2']);
    const blocked = bodies.find((body) => dem(body).status === 'blocked');
    expect(dem(blocked).error).toMatch(/attempt 1 failed/);
    // Attempt 2, claimed but not started: started_at and last_detailing are still attempt 1's.
    const reclaimed = bodies.find((body) => dem(body).status === 'running' && dem(body).attempt === 2);
    expect(dem(reclaimed).started_at).toBe(dem(blocked).started_at);
    expect(dem(reclaimed).last_detailing).toEqual(dem(blocked).last_detailing);
    expect(dem(reclaimed).last_detailing.updated_at < dem(reclaimed).claimed_at).toBe(true);
  });

  it('produces lifecycles the machines accept, in every scenario and at every sampling', async () => {
    await start();
    for (const scenario of ['success', 'failed', 'partial', 'retry'] as const) {
      const { id } = await simulator!.submitJob(undefined, { scenario });
      const bodies = await lifecycleBodies(id, 50);
      now = t0;
      for (const every of [1, 3, 7, 20]) {
        const lifecycle = createJobLifecycle();
        for (let index = 0; index < bodies.length; index += 1) {
          if (index % every === 0 || index === bodies.length - 1) lifecycle.observe(parseJobSnapshot(bodies[index], { jobId: id }));
        }
        expect(lifecycle.jobStatus, `${scenario} every ${every}`).toBe(scenario === 'retry' ? 'success' : scenario);
      }
    }
  });

  it('runs the clock `speed` times faster', async () => {
    await start({ speed: 10 });
    const { id } = await simulator!.submitJob();
    now = t0 + 1500; // 15 s of simulated time
    expect((await get(`/jobs/${id}`)).json.job.status).toBe('success');
  });

  it('takes a custom script per step', async () => {
    await start({ scenario: { steps: { reproject: { durationMs: 100, detailing: [50], fail: 'disk full' } }, jobStartDelayMs: 0 } });
    const { id } = await simulator!.submitJob();
    now = t0 + 60_000;
    const { json } = await get(`/jobs/${id}`);
    expect(json.job.status).toBe('failed');
    expect(json.steps.find((step: any) => step.step_id === 'reproject').error).toBe('disk full');
    expect(json.steps.filter((step: any) => step.status === 'skipped')).toHaveLength(4);
  });
});

describe('the HTTP contract of docs/ordo-server.md', () => {
  it('answers /health without auth, and 401 with the real bodies otherwise', async () => {
    await start({ token: 'right' });
    expect(await get('/health', { token: null })).toMatchObject({ status: 200, json: { status: 'ok' } });
    expect(await get('/jobs/1', { token: null })).toMatchObject({ status: 401, json: { error: 'Missing or invalid Authorization header' } });
    expect(await get('/jobs/1', { token: 'wrong' })).toMatchObject({ status: 401, json: { error: 'Invalid token' } });
    expect(await get('/jobs/1', { token: null, headers: { Authorization: 'Token right' } })).toMatchObject({ status: 401 });
    expect(await get('/jobs/1', { method: 'OPTIONS', token: null })).toMatchObject({ status: 401 });
  });

  it('parses single ids like the real server', async () => {
    await start();
    await simulator!.submitJob();
    expect((await get('/jobs/1abc')).json.job.id).toBe(1);
    expect(await get('/jobs/abc')).toMatchObject({ status: 400, json: { error: 'Invalid job ID' } });
    expect(await get('/jobs/999999')).toMatchObject({ status: 404, json: { error: 'Job not found' } });
    expect(await get('/jobs/-5')).toMatchObject({ status: 404, json: { error: 'Job not found' } });
    expect(await get('/jobs/99999999999')).toMatchObject({ status: 500, json: { error: 'Internal server error' } });
    expect((await get('/jobs/1,')).json.job.id).toBe(1);
  });

  it('answers batches like the real server', async () => {
    await start();
    for (let index = 0; index < 3; index += 1) await simulator!.submitJob();
    const batch = await get('/jobs/3,999999,1');
    expect(batch.status).toBe(200);
    expect(batch.json.map((element: any) => [element.id, element.found])).toEqual([
      [3, true],
      [999999, false],
      [1, true],
    ]);
    expect(Object.keys(batch.json[0])).toEqual(['id', 'found', 'job', 'progress', 'duration_ms', 'timeline', 'steps', 'artifacts', 'outputs']);
    expect(batch.json[1]).toEqual({ id: 999999, found: false });
    expect((await get('/jobs/2,2')).json.map((element: any) => element.id)).toEqual([2, 2]);
    expect(await get('/jobs/1,,2')).toMatchObject({ status: 400, json: { error: 'Invalid job ID: ""' } });
    expect(await get('/jobs/0,1')).toMatchObject({ status: 400, json: { error: 'Job ID must be a positive integer: "0"' } });
    const tooMany = Array.from({ length: 101 }, (_, index) => index + 1).join(',');
    expect((await get(`/jobs/${tooMany}`)).status).toBe(400);
    const hundred = Array.from({ length: 100 }, (_, index) => index + 1).join(',');
    expect((await get(`/jobs/${hundred}`)).json).toHaveLength(100);
  });

  it('sends weak ETags and answers If-None-Match with an empty 304 while the job is unchanged', async () => {
    await start();
    const { id } = await simulator!.submitJob();
    const first = await get(`/jobs/${id}`);
    expect(first.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(first.headers.get('x-powered-by')).toBe('Express');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/);
    // fetch adds `Cache-Control: no-cache` to a conditional request unless one is set, and Express (like
    // the real server) never answers 304 to no-cache: send the conditional request the way curl does.
    const conditional = { 'If-None-Match': etag, 'Cache-Control': 'max-age=0' };
    const again = await get(`/jobs/${id}`, { headers: conditional });
    expect(again).toMatchObject({ status: 304, text: '' });
    expect(again.headers.get('etag')).toBe(etag);
    expect((await get(`/jobs/${id}`, { headers: { 'If-None-Match': etag } })).status).toBe(200);
    now = t0 + 1000;
    expect((await get(`/jobs/${id}`, { headers: conditional })).status).toBe(200);
  });

  it('accepts POST /jobs with the reference body and refuses broken ones with 400', async () => {
    await start();
    const post = (payload: unknown) =>
      get('/jobs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
    expect(await post(pineyDamJobRequest)).toMatchObject({ status: 201, json: { id: 1 } });
    expect(await post({ recipe_id: 1, inputs: pineyDamJobRequest.inputs })).toMatchObject({ status: 201, json: { id: 2 } });
    expect((await get('/jobs/2')).json.job.recipe_id).toBe(1);
    expect(await post({})).toMatchObject({ status: 400, json: { error: 'Either recipe_id or recipe is required' } });
    expect(await post({ recipe_id: 7 })).toMatchObject({ status: 400, json: { error: 'Recipe 7 not found' } });
    const cyclic = structuredClone(pineyDamJobRequest) as any;
    cyclic.recipe.version = '9';
    cyclic.recipe.definition.recipe[0].inputs.input_las = 'step:ept.output_ept';
    expect(await post(cyclic)).toMatchObject({ status: 400, json: { error: 'recipe steps depend on each other in a cycle' } });
    const unknown = structuredClone(pineyDamJobRequest) as any;
    unknown.recipe.version = '10';
    unknown.recipe.definition.recipe[1].inputs.input_las = 'step:nope.out';
    expect((await post(unknown)).json.error).toBe('step "dem" reads step:nope.out, which no step produces');
    const missingInput = { ...structuredClone(pineyDamJobRequest), inputs: {} };
    expect((await post(missingInput)).json.error).toBe('step "reproject" needs input job:input_las, which the job does not provide');
    const notJson = await get('/jobs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{oops' });
    expect(notJson).toMatchObject({ status: 400, json: { error: 'Invalid JSON body' } });
    await expect(simulator!.submitJob({ recipe: {} })).rejects.toThrow('POST /jobs would answer 400: recipe needs a name and a version');
  });

  it('counts requests and reports each one', async () => {
    const seen: string[] = [];
    await start({ onRequest: (request) => seen.push(`${request.method} ${request.url} ${request.status}`) });
    await get('/health');
    await get('/jobs/1');
    expect(seen).toEqual(['GET /health 200', 'GET /jobs/1 404']);
    expect(simulator!.requestCount).toBe(2);
  });

  it('refuses bad options', async () => {
    await expect(startOrdoSimulator({ speed: 0 })).rejects.toThrow('Invalid speed 0');
    await expect(startOrdoSimulator({ port: 70000 })).rejects.toThrow('Invalid port');
    await expect(startOrdoSimulator({ scenario: 'chaos' as never })).rejects.toThrow('Unknown scenario "chaos": expected one of success, failed, partial, retry');
    await expect(startOrdoSimulator({ token: 'has space' })).rejects.toThrow('Invalid token');
  });
});

describe('the simulator refuses what it cannot run', () => {
  it('accepts a 1,000-step chain listed backwards', async () => {
    await start();
    const steps = Array.from({ length: 1000 }, (_, index) => ({
      id: `s${index}`,
      type: 'WORK',
      inputs: index === 999 ? { in: 'job:input_las' } : { in: `step:s${index + 1}.out` },
      outputs: { out: `step:s${index}.out` },
    }));
    const { id } = await simulator!.submitJob(
      { recipe: { name: 'chain', version: '1', definition: { recipe: steps } }, inputs: pineyDamJobRequest.inputs },
      { scenario: 'failed' },
    );
    now = t0 + 24 * 3_600_000;
    const { json } = await get(`/jobs/${id}`);
    expect(json.steps).toHaveLength(1000);
    expect(json.job.status).toBe('failed');
    // The last step with dependents in topological order is s1; s0 reads it and is skipped.
    expect(json.steps.filter((step: any) => step.status === 'failed').map((step: any) => step.step_id)).toEqual(['s1']);
    expect(json.steps.find((step: any) => step.step_id === 's0').status).toBe('skipped');
  });

  it('keeps a "__proto__" key in params as data, and refuses slots named after Object methods', async () => {
    await start();
    const request = JSON.parse(JSON.stringify(pineyDamJobRequest));
    request.params = JSON.parse('{"__proto__": {"polluted": true}, "dem": {"resolution": 2}}');
    const { id } = await simulator!.submitJob(request);
    const { text } = await get(`/jobs/${id}`);
    expect(text).toContain('"params":{"dem":{"resolution":2},"__proto__":{"polluted":true}}');
    expect(({} as any).polluted).toBeUndefined();
    const sneaky = JSON.parse(JSON.stringify(pineyDamJobRequest));
    sneaky.recipe.version = 'sneaky';
    sneaky.recipe.definition.recipe[1].inputs.input_las = 'step:reproject.toString';
    await expect(simulator!.submitJob(sneaky)).rejects.toThrow('step "dem" reads step:reproject.toString, which no step produces');
    const output = JSON.parse(JSON.stringify(pineyDamJobRequest));
    output.outputs['step:dem.hasOwnProperty'] = { path: 'x' };
    await expect(simulator!.submitJob(output)).rejects.toThrow('output step:dem.hasOwnProperty is not produced by any step');
  });

  it('answers 400 to params nested too deeply', async () => {
    await start();
    let deep: unknown = 1;
    for (let index = 0; index < 200; index += 1) deep = { a: deep };
    const response = await get('/jobs', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...pineyDamJobRequest, params: { deep } }),
    });
    expect(response).toMatchObject({ status: 400, json: { error: 'params and metadata may nest at most 64 levels deep' } });
  });

  it('refuses scripts with impossible times or counts', async () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ steps: { a: { durationMs: Number.NaN } } }, /scenario\.steps\.a\.durationMs NaN/],
      [{ steps: { a: { durationMs: -5000 } } }, /durationMs -5000: expected a number from 1/],
      [{ steps: { a: { cooldownMs: -1e9 } } }, /cooldownMs/],
      [{ steps: { a: { blockedAttempts: 1e6 } } }, /blockedAttempts 1000000: expected an integer from 0 to 100/],
      [{ steps: { a: { blockedAttempts: 1.5 } } }, /blockedAttempts/],
      [{ steps: { a: { detailing: [50, 150] } } }, /detailing\[1\] 150/],
      [{ steps: { a: { fail: 1 } } }, /fail: expected true, false or an error message/],
      [{ claimDelayMs: Number.POSITIVE_INFINITY }, /claimDelayMs/],
      [{ steps: [] }, /steps: expected an object/],
    ];
    for (const [scenario, message] of bad) {
      await expect(startOrdoSimulator({ scenario: scenario as never }), String(message)).rejects.toThrow(message);
    }
    await start();
    await expect(simulator!.submitJob(undefined, { scenario: { steps: { dem: { durationMs: 0 } } } })).rejects.toThrow(TypeError);
  });
});
