import type { AddressInfo } from 'node:net';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import express, { type Request, type Response } from 'express';
import { closedWhenTestFinishes } from './teardown.js';

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

export interface TestServer {
  readonly url: string;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1:0 that records every request and answers with `handler`, for
 * the test that starts it: it closes when that test finishes (`close()` may be called earlier).
 */
export async function startTestServer(handler: (req: Request, res: Response) => void): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const app = express();
  app.use((req, res) => {
    requests.push({ method: req.method, url: req.originalUrl, headers: req.headers });
    handler(req, res);
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: closedWhenTestFinishes(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  };
}

/** A port on 127.0.0.1 that nothing listens on: bound to port 0, then closed. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
