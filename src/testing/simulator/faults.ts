import type { Request, Response } from 'express';

/**
 * A scripted fault: what the simulator answers to one `GET /jobs/:id` instead of the job.
 *
 * - `status`: that HTTP status with the real server's JSON error body (`{"error": …}`), or `body`;
 *   `retryAfter` is sent as `Retry-After` verbatim (seconds, an HTTP date, or garbage).
 * - `html`: a gateway's HTML error page with that status (default 502).
 * - `reset`: the connection is destroyed before any answer.
 * - `hang`: no answer at all, until the client gives up (or the simulator closes).
 * - `truncate`: a 200 whose headers promise the whole body, then the connection closes half-way.
 * - `partial-json`: a complete 200 whose JSON is cut short (valid HTTP, invalid JSON).
 * - `invalid`: a 200 with a well-formed body that fails validation (`job.status` `"paused"`).
 * - `regress`: the first body this job ever answered, as a lagging replica or cache would.
 * - `not-modified`: `304 Not Modified` with an empty body, although no conditional request was made.
 */
export type SimulatorFault =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string; readonly body?: string }
  | { readonly kind: 'html'; readonly status?: number; readonly retryAfter?: string }
  | { readonly kind: 'reset' }
  | { readonly kind: 'hang' }
  | { readonly kind: 'truncate' }
  | { readonly kind: 'partial-json' }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'regress' }
  | { readonly kind: 'not-modified' };

export const simulatorFaultKinds = ['status', 'html', 'reset', 'hang', 'truncate', 'partial-json', 'invalid', 'regress', 'not-modified'] as const;

const reasons: Readonly<Record<number, string>> = {
  400: 'Bad request',
  401: 'Invalid token',
  403: 'Forbidden',
  404: 'Job not found',
  408: 'Request timeout',
  429: 'Too many requests',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

/** @throws TypeError for a fault the simulator cannot play. */
export function checkFault(fault: unknown): asserts fault is SimulatorFault {
  const kind = (fault as { kind?: unknown } | null)?.kind;
  if (!(simulatorFaultKinds as readonly unknown[]).includes(kind)) {
    throw new TypeError(`Invalid fault ${JSON.stringify(fault)}: kind must be one of ${simulatorFaultKinds.join(', ')}`);
  }
  const status = (fault as { status?: unknown }).status;
  if ((kind === 'status' || status !== undefined) && (!Number.isInteger(status) || (status as number) < 100 || (status as number) > 599)) {
    throw new TypeError(`Invalid fault status ${String(status)}: expected an HTTP status 100–599`);
  }
}

/**
 * Answers one request with a fault.
 * @param body - the job's current body (for `truncate`, `partial-json`, `invalid`).
 * @param firstBody - the first body the job answered (for `regress`).
 */
export function playFault(fault: SimulatorFault, req: Request, res: Response, body: Record<string, unknown>, firstBody: unknown): void {
  switch (fault.kind) {
    case 'status':
      if (fault.retryAfter !== undefined) res.set('Retry-After', fault.retryAfter);
      if (fault.body !== undefined) res.status(fault.status).type('application/json').send(fault.body);
      else res.status(fault.status).json({ error: reasons[fault.status] ?? 'Error' });
      return;
    case 'html': {
      const status = fault.status ?? 502;
      if (fault.retryAfter !== undefined) res.set('Retry-After', fault.retryAfter);
      res
        .status(status)
        .type('text/html')
        .send(`<html>\r\n<head><title>${status} Bad Gateway</title></head>\r\n<body>\r\n<center><h1>${status} Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`);
      return;
    }
    case 'reset':
      req.socket.destroy();
      return;
    case 'hang':
      return;
    case 'truncate': {
      const text = JSON.stringify(body);
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
      res.write(text.slice(0, Math.floor(text.length / 2)), () => req.socket.destroy());
      return;
    }
    case 'partial-json':
      res.status(200).type('application/json').send(JSON.stringify(body).slice(0, 100));
      return;
    case 'invalid':
      res.json({ ...body, job: { ...(body['job'] as object), status: 'paused' } });
      return;
    case 'regress':
      res.json(firstBody ?? body);
      return;
    case 'not-modified':
      res.status(304).end();
      return;
  }
}
