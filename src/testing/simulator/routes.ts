import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { playFault, type SimulatorFault } from './faults.js';
import type { JobStore } from './jobStore.js';
import { JobRequestError } from './recipe.js';

/** One request the simulator answered, as reported to `OrdoSimulatorOptions.onRequest`. */
export interface SimulatorRequest {
  readonly method: string;
  /** Path and query as requested, e.g. `/jobs/1` or `/jobs/5,6,7`. */
  readonly url: string;
  /** The status it answered; `0` when the connection closed without an answer. */
  readonly status: number;
  /** The kind of the scripted fault played instead of the real answer, if any. */
  readonly fault?: SimulatorFault['kind'];
}

/** What {@link routes} needs: the Bearer token it accepts, the jobs, and who to tell about each response. */
export interface RoutesInit {
  readonly token: string;
  readonly jobs: JobStore;
  /** Called once per request when its connection is done with it (answered or closed). */
  readonly onResponse: (request: SimulatorRequest) => void;
}

/** The largest id PostgreSQL's `int4` holds: past it the real server's query fails with a 500. */
const int4Max = 2_147_483_647;
/** A batch: two or more comma-separated elements (`/jobs/5,` is a single job, parsed leniently). */
const batchRoute = /^[0-9,]+,[0-9,]+$/;
/** The most ids one batch may ask for. */
const maxBatch = 100;

/** A refused id or id list: the status and `{"error"}` message the real server answers. */
interface Refusal {
  readonly status: 400 | 500;
  readonly error: string;
}

/**
 * The simulator's Express app: the real server's routes, auth and error bodies.
 *
 * - `GET /health`: `200 {"status":"ok"}`, no auth;
 * - Bearer auth before routing on everything else (a CORS preflight gets its 401 too);
 * - `POST /jobs`: `201 {"id"}`, `400 {"error"}` for a body the server would refuse, `413` past 1 MB;
 * - `GET /jobs/:id` (lenient id, queued faults played first) and `GET /jobs/:a,:b,…` (2–100 ids);
 * - `404 {"error":"Not found"}` for any other route, `500 {"error":"Internal server error"}` for a throw.
 *
 * Weak ETags and `304 Not Modified` are Express's own, like the real server's.
 *
 * Source: docs/ordo-server.md, "Routes", "Headers and caching" and "Job ids".
 */
export function routes({ token, jobs, onResponse }: RoutesInit): Express {
  const app = express();
  app.use(reportEachResponse(onResponse));
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Like the real server, authentication runs before routing (a CORS preflight gets a 401 too).
  app.use(bearerAuth(token));
  app.post('/jobs', express.json({ limit: '1mb' }), (req, res) => {
    try {
      res.status(201).json(jobs.submit(req.body));
    } catch (error) {
      if (error instanceof JobRequestError) res.status(400).json({ error: error.message });
      else throw error;
    }
  });
  app.get('/jobs/:ids', (req, res) => {
    if (batchRoute.test(req.params.ids)) answerBatch(jobs, req.params.ids, res);
    else answerJob(jobs, req.params.ids, req, res);
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
  return app;
}

/** Reports every request once its connection is done with it: method, URL, status (`0` if unanswered), fault played. */
function reportEachResponse(onResponse: (request: SimulatorRequest) => void): RequestHandler {
  return (req, res, next) => {
    res.on('close', () => {
      const fault = res.locals['fault'] as SimulatorFault['kind'] | undefined;
      const status = res.headersSent && res.writableFinished ? res.statusCode : 0;
      onResponse({ method: req.method, url: req.originalUrl, status, ...(fault ? { fault } : {}) });
    });
    next();
  };
}

/**
 * `Authorization: Bearer <token>` or a 401 with the real server's body: `Missing or invalid
 * Authorization header`, or `Invalid token`.
 *
 * Source: docs/ordo-server.md, "Routes" (every other route).
 */
function bearerAuth(token: string): RequestHandler {
  return (req, res, next) => {
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
  };
}

/**
 * `GET /jobs/:a,:b,…`: a JSON array in request order, `{"id","found":true,…body}` or
 * `{"id","found":false}` per id, duplicates kept.
 */
function answerBatch(jobs: JobStore, list: string, res: Response): void {
  const ids = batchIds(list);
  if (!Array.isArray(ids)) {
    res.status(ids.status).json({ error: ids.error });
    return;
  }
  res.json(ids.map((id) => {
    const body = jobs.read(id);
    return body ? { id, found: true, ...body } : { id, found: false };
  }));
}

/**
 * The ids of a batch, or why it is refused: more than {@link maxBatch} ids, an empty element or
 * a non-positive id are a 400; an id past 32 bits is a 500 (the real server's query fails).
 *
 * Source: docs/ordo-server.md, "Routes" (the batch route).
 */
function batchIds(list: string): number[] | Refusal {
  const parts = list.split(',');
  if (parts.length > maxBatch) return { status: 400, error: `Too many job IDs: at most ${maxBatch}` };
  const ids: number[] = [];
  for (const part of parts) {
    if (part === '') return { status: 400, error: `Invalid job ID: ${JSON.stringify(part)}` };
    const id = Number(part);
    if (!Number.isInteger(id) || id < 1) return { status: 400, error: `Job ID must be a positive integer: ${JSON.stringify(part)}` };
    if (id > int4Max) return { status: 500, error: 'Internal server error' };
    ids.push(id);
  }
  return ids;
}

/** `GET /jobs/:id`: the next queued fault if any, else the job's body, or `404 {"error":"Job not found"}`. */
function answerJob(jobs: JobStore, text: string, req: Request, res: Response): void {
  const id = jobId(text);
  if (typeof id !== 'number') {
    res.status(id.status).json({ error: id.error });
    return;
  }
  const due = jobs.takeFault(id);
  if (due) {
    res.locals['fault'] = due.fault.kind;
    playFault(due.fault, req, res, due.body, due.firstBody);
    return;
  }
  const body = jobs.read(id);
  if (!body) {
    res.status(404).json({ error: 'Job not found' });
    return;
  }
  res.json(body);
}

/**
 * The single-job route's id, parsed like the real server's `parseInt`: trailing garbage is
 * ignored (`8abc` is 8); no leading digits is a 400; past the 32-bit range a 500. Zero and
 * negative ids pass (they are simply not found).
 *
 * Source: docs/ordo-server.md, "Job ids".
 */
function jobId(text: string): number | Refusal {
  const id = Number.parseInt(text, 10);
  if (Number.isNaN(id)) return { status: 400, error: 'Invalid job ID' };
  if (id > int4Max || id < -int4Max - 1) return { status: 500, error: 'Internal server error' };
  return id;
}
