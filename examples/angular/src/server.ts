import { AngularNodeAppEngine, createNodeRequestHandler, isMainModule, writeResponseToNodeResponse } from '@angular/ssr/node';
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const browserDistFolder = join(import.meta.dirname, '../browser');

const app = express();
const angularApp = new AngularNodeAppEngine();

/**
 * The same-origin proxy to the Ordo server: the real server sends no CORS headers, so the page
 * (and the server render, which asks this server for `/ordo/jobs/:id`) reach it here. The proxy
 * adds the Bearer token on the server side: the browser never holds it.
 *   ORDO_BASE_URL=http://127.0.0.1:8787 ORDO_TOKEN=… node dist/zoneless/server/server.mjs
 */
const ordoBaseUrl = process.env['ORDO_BASE_URL'] ?? 'http://127.0.0.1:8787';
const ordoToken = process.env['ORDO_TOKEN'] ?? '';
app.use(
  '/ordo',
  createProxyMiddleware({
    target: ordoBaseUrl,
    changeOrigin: true,
    headers: ordoToken ? { Authorization: `Bearer ${ordoToken}` } : {},
  }),
);

/**
 * The same-origin proxy to an ordo-status relay (when RELAY_URL is set), for pages opened with
 * `?relay`: it adds the relay's token on the server side, like /ordo does Ordo's. Server-Sent
 * Events pass through as they come (nothing here compresses or buffers them).
 *   RELAY_URL=http://127.0.0.1:8788 RELAY_TOKEN=… node dist/zoneless/server/server.mjs
 */
const relayUrl = process.env['RELAY_URL'];
const relayToken = process.env['RELAY_TOKEN'] ?? '';
if (relayUrl) {
  app.use(
    '/relay',
    createProxyMiddleware({
      target: relayUrl,
      changeOrigin: true,
      headers: relayToken ? { Authorization: `Bearer ${relayToken}` } : {},
    }),
  );
}

app.use(express.static(browserDistFolder, { maxAge: '1y', index: false, redirect: false }));

/** Every other request is rendered by Angular. */
app.use((req, res, next) => {
  angularApp
    .handle(req)
    .then((response) => (response ? writeResponseToNodeResponse(response, res) : next()))
    .catch(next);
});

if (isMainModule(import.meta.url) || process.env['pm_id']) {
  const port = Number(process.env['PORT'] ?? 4000);
  const server = app.listen(port, '127.0.0.1', (error) => {
    if (error) throw error;
    console.log(`Node Express server listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
}

/** Request handler used by the Angular CLI (dev server and build). */
export const reqHandler = createNodeRequestHandler(app);
