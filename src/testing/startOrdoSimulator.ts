import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { checkScenario, type SimulatorScenario, type SimulatorScenarioName } from './simulator/scenario.js';
import type { SimulatorFault } from './simulator/faults.js';
import { JobRequestError } from './simulator/recipe.js';
import { JobStore } from './simulator/jobStore.js';
import { routes, type SimulatorRequest } from './simulator/routes.js';
import { pineyDamJobRequest } from './pineyDamJob.js';

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
export interface SimulatorSubmitOptions {
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
  submitJob(body?: unknown, options?: SimulatorSubmitOptions): Promise<{ id: number }>;
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

/**
 * Starts an Ordo-compatible server on 127.0.0.1 for tests, demos and local development.
 *
 * It speaks the real server's contract (docs/ordo-server.md): `GET /health` (no auth), Bearer auth on
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

  const jobs = new JobStore({ now, speed, scenario: options.scenario });
  let requestCount = 0;
  const app = routes({
    token,
    jobs,
    onResponse: (request) => {
      requestCount += 1;
      options.onRequest?.(request);
    },
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
    injectFaults(jobId: number, faults: readonly SimulatorFault[]) {
      jobs.queueFaults(jobId, faults);
    },
    submitJob(body: unknown = pineyDamJobRequest, submitOptions: SimulatorSubmitOptions = {}) {
      // Rejects, never throws: whatever the executor throws becomes the rejection.
      return new Promise<{ id: number }>((resolve) => {
        checkScenario(submitOptions.scenario, 'scenario');
        try {
          resolve(jobs.submit(body === undefined ? pineyDamJobRequest : body, submitOptions.scenario));
        } catch (error) {
          if (error instanceof JobRequestError) throw new Error(`POST /jobs would answer 400: ${error.message}`, { cause: error });
          throw error;
        }
      });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
