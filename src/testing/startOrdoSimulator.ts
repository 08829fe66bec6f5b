import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  checkRequestAgainstRecipe,
  JobRequestError,
  parseJobRequest,
  type RecipeStep,
} from './simulator/recipe.js';
import { builtInScenario, checkScenario, type SimulatorScenario, type SimulatorScenarioName } from './simulator/scenario.js';
import { checkFault, playFault, type SimulatorFault } from './simulator/faults.js';
import { SimulatedJob } from './simulator/simulatedJob.js';
import { pineyDamJobRequest } from './pineyDamJob.js';

/** One request the simulator answered, as reported to {@link OrdoSimulatorOptions.onRequest}. */
export interface SimulatorRequest {
  readonly method: string;
  /** Path and query as requested, e.g. `/jobs/1` or `/jobs/5,6,7`. */
  readonly url: string;
  /** The status it answered; `0` when the connection closed without an answer. */
  readonly status: number;
  /** The kind of the scripted fault played instead of the real answer, if any. */
  readonly fault?: SimulatorFault['kind'];
}

/** Options of {@link startOrdoSimulator}. */
export interface OrdoSimulatorOptions {
  /** TCP port on 127.0.0.1. @defaultValue 0 (any free port) */
  port?: number;
  /** The Bearer token it accepts. @defaultValue a random `sim-…` token */
  token?: string;
  /**
   * The outcome of submitted jobs: a built-in scenario name or a script.
   * @defaultValue `'success'`
   */
  scenario?: SimulatorScenarioName | SimulatorScenario;
  /** Clock factor: `10` runs every scripted duration ten times faster. @defaultValue 1 */
  speed?: number;
  /**
   * The clock, in milliseconds since the epoch. A manual clock makes every body exact in tests:
   * job state is a function of this clock, no timers run.
   * @defaultValue `Date.now`
   */
  now?: () => number;
  /** Called after each response with its method, URL and status (for counting requests). */
  onRequest?: (request: SimulatorRequest) => void;
}

/** Options of {@link OrdoSimulator.submitJob}. */
export interface SubmitJobOptions {
  /** This job's outcome, instead of the simulator's scenario. */
  scenario?: SimulatorScenarioName | SimulatorScenario;
}

/** A running simulator. */
export interface OrdoSimulator {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  /** The token to send as `Authorization: Bearer <token>`. */
  readonly token: string;
  /**
   * Submits a job as `POST /jobs` would, without HTTP.
   * @param body - a `POST /jobs` body. @defaultValue the reference pipeline ({@link pineyDamJobRequest})
   * @returns `{ id }` of the new job.
   * @throws Error with the server's 400 message for a body the server would refuse; TypeError for
   *   an invalid scenario.
   */
  submitJob(body?: unknown, options?: SubmitJobOptions): Promise<{ id: number }>;
  /**
   * Queues faults for a job: each following `GET /jobs/:id` of that job plays the next fault
   * instead of its real answer (the job's clock is not read for it). Fault injection for tests.
   * @throws TypeError for an unknown job or an invalid fault.
   */
  injectFaults(jobId: number, faults: readonly SimulatorFault[]): void;
  /** How many HTTP requests it has answered (or closed). */
  readonly requestCount: number;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

const int4Max = 2_147_483_647;
const batchRoute = /^[0-9,]+,[0-9,]+$/;
const maxBatch = 100;

/**
 * Starts an Ordo-compatible server on 127.0.0.1 for tests, demos and local development.
 *
 * It speaks the real server's contract (ordo-api.md): `GET /health` (no auth), Bearer auth on
 * every other route with the real 401 bodies, `POST /jobs` (recipe format v2, `201 {"id"}`),
 * `GET /jobs/:id` with the real lenient id parsing (`/jobs/8abc` is job 8, ids past 32 bits are a
 * 500), `GET /jobs/:a,:b,…` (2–100 ids, array in request order, `{"id","found":false}` for
 * unknown ids), weak ETags and `304 Not Modified` (Express, like the real server). A scripted
 * worker advances each job's DAG over time: claims, detailing percentages, artifacts, failures
 * (dependents become `skipped`), `blocked` cool-downs and retries, deliveries, the final status.
 * Bodies have the keys, types, key order and sort orders of the captured fixtures.
 *
 * @param options - see {@link OrdoSimulatorOptions}.
 * @returns the running {@link OrdoSimulator}; call `close()` when done.
 * @throws TypeError for an invalid option; the listen error when the port is taken.
 * @example
 * ```ts
 * const sim = await startOrdoSimulator({ speed: 10 });
 * const { id } = await sim.submitJob();
 * const done = await createOrdoClient({ baseUrl: sim.url, token: sim.token }).waitForJob(id, { intervalMs: 200 });
 * await sim.close();
 * ```
 */
export async function startOrdoSimulator(options: OrdoSimulatorOptions = {}): Promise<OrdoSimulator> {
  const speed = options.speed ?? 1;
  if (typeof speed !== 'number' || !Number.isFinite(speed) || speed <= 0) {
    throw new TypeError(`Invalid speed ${String(speed)}: expected a number greater than 0`);
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`Invalid port ${String(port)}: expected 0–65535`);
  checkScenario(options.scenario, 'scenario');
  const token = options.token ?? `sim-${randomBytes(12).toString('hex')}`;
  if (typeof token !== 'string' || token === '' || /\s/.test(token)) throw new TypeError('Invalid token: expected a non-empty string without spaces');
  const now = options.now ?? Date.now;

  const recipes: Array<{ id: number; name: string; version: string; steps: readonly RecipeStep[] }> = [];
  const jobs = new Map<number, SimulatedJob>();
  const faults = new Map<number, SimulatorFault[]>();
  const firstBodies = new Map<number, unknown>();
  let detailingIds = 0;
  let requestCount = 0;

  function createJob(body: unknown, scenario: SimulatorScenarioName | SimulatorScenario | undefined): { id: number } {
    const request = parseJobRequest(body);
    let recipe;
    if ('id' in request.recipe) {
      const id = request.recipe.id;
      recipe = recipes.find((candidate) => candidate.id === id);
      if (!recipe) throw new JobRequestError(`Recipe ${id} not found`);
    } else {
      const { name, version, steps } = request.recipe;
      recipe = recipes.find((candidate) => candidate.name === name && candidate.version === version);
      if (!recipe) {
        if (!steps) throw new JobRequestError(`Recipe ${name}@${version} not found and no definition given`);
        recipe = { id: recipes.length + 1, name, version, steps };
        recipes.push(recipe);
      }
    }
    checkRequestAgainstRecipe(request, recipe.steps);
    const chosen = scenario ?? options.scenario ?? 'success';
    const script = typeof chosen === 'string' ? builtInScenario(chosen, recipe.steps) : chosen;
    const id = jobs.size + 1;
    jobs.set(
      id,
      new SimulatedJob({
        id,
        recipeId: recipe.id,
        steps: recipe.steps,
        request,
        scenario: script,
        createdAtMs: now(),
        speed,
        nextDetailingId: () => ++detailingIds,
      }),
    );
    return { id };
  }

  function jobBody(id: number): Record<string, unknown> | undefined {
    const job = jobs.get(id);
    if (!job) return undefined;
    job.advanceTo(now());
    const body = job.body();
    if (!firstBodies.has(id)) firstBodies.set(id, body);
    return body;
  }

  const app = express();
  app.use((req, res, next) => {
    res.on('close', () => {
      requestCount += 1;
      const fault = res.locals['fault'] as SimulatorFault['kind'] | undefined;
      const status = res.headersSent && res.writableFinished ? res.statusCode : 0;
      options.onRequest?.({ method: req.method, url: req.originalUrl, status, ...(fault ? { fault } : {}) });
    });
    next();
  });
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Like the real server, authentication runs before routing (a CORS preflight gets a 401 too).
  app.use((req, res, next) => {
    const header = req.get('authorization');
    const match = header === undefined ? null : /^Bearer (\S+)$/.exec(header);
    if (!match) {
      res.status(401).json({ error: 'Missing or invalid Authorization header' });
      return;
    }
    if (match[1] !== token) {
      res.status(401).json({ error: 'Invalid token' });
      return;
    }
    next();
  });
  app.post('/jobs', express.json({ limit: '1mb' }), (req, res) => {
    try {
      res.status(201).json(createJob(req.body, undefined));
    } catch (error) {
      if (error instanceof JobRequestError) res.status(400).json({ error: error.message });
      else throw error;
    }
  });
  app.get('/jobs/:ids', (req, res) => {
    const ids = req.params.ids;
    if (batchRoute.test(ids)) {
      const parts = ids.split(',');
      if (parts.length > maxBatch) {
        res.status(400).json({ error: `Too many job IDs: at most ${maxBatch}` });
        return;
      }
      const numbers: number[] = [];
      for (const part of parts) {
        if (part === '') {
          res.status(400).json({ error: `Invalid job ID: ${JSON.stringify(part)}` });
          return;
        }
        const id = Number(part);
        if (!Number.isInteger(id) || id < 1) {
          res.status(400).json({ error: `Job ID must be a positive integer: ${JSON.stringify(part)}` });
          return;
        }
        if (id > int4Max) {
          res.status(500).json({ error: 'Internal server error' });
          return;
        }
        numbers.push(id);
      }
      res.json(numbers.map((id) => {
        const body = jobBody(id);
        return body ? { id, found: true, ...body } : { id, found: false };
      }));
      return;
    }
    // The real single-job route uses parseInt: trailing garbage is ignored ("8abc" is 8).
    const id = Number.parseInt(ids, 10);
    if (Number.isNaN(id)) {
      res.status(400).json({ error: 'Invalid job ID' });
      return;
    }
    if (id > int4Max || id < -int4Max - 1) {
      res.status(500).json({ error: 'Internal server error' });
      return;
    }
    const fault = faults.get(id)?.shift();
    if (fault) {
      res.locals['fault'] = fault.kind;
      const current = jobs.get(id)?.body() ?? {};
      playFault(fault, req, res, current, firstBodies.get(id));
      return;
    }
    const body = jobBody(id);
    if (!body) {
      res.status(404).json({ error: 'Job not found' });
      return;
    }
    res.json(body);
  });
  app.use((_req, res) => {
    res.status(404).json({ error: 'Not found' });
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: unknown }).status;
    if (status === 400 || status === 413) {
      res.status(status).json({ error: status === 413 ? 'Request body too large' : 'Invalid JSON body' });
      return;
    }
    res.status(500).json({ error: 'Internal server error' });
  });

  const server: Server = await new Promise((resolve, reject) => {
    const listening = app.listen(port, '127.0.0.1');
    listening.once('listening', () => resolve(listening));
    listening.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${address.port}`;

  return {
    url,
    token,
    get requestCount() {
      return requestCount;
    },
    injectFaults(jobId: number, queued: readonly SimulatorFault[]) {
      if (!jobs.has(jobId)) throw new TypeError(`Unknown job ${String(jobId)}: submit it first`);
      if (!Array.isArray(queued)) throw new TypeError('Invalid faults: expected an array');
      queued.forEach(checkFault);
      faults.set(jobId, [...(faults.get(jobId) ?? []), ...queued]);
    },
    async submitJob(body: unknown = pineyDamJobRequest, submitOptions: SubmitJobOptions = {}) {
      checkScenario(submitOptions.scenario, 'scenario');
      try {
        return createJob(body === undefined ? pineyDamJobRequest : body, submitOptions.scenario);
      } catch (error) {
        if (error instanceof JobRequestError) throw new Error(`POST /jobs would answer 400: ${error.message}`);
        throw error;
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
