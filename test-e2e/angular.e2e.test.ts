import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrdoSimulator, type OrdoSimulator } from 'ordo-status/testing';

/**
 * The Angular example (examples/angular), built, served with a same-origin proxy to the
 * simulator (the real server sends no CORS headers; the proxy adds the token), and driven in
 * Debian's Chromium through playwright-core.
 */
const dist = fileURLToPath(new URL('../examples/angular/dist/browser/', import.meta.url));
const screenshot = fileURLToPath(new URL('../docs/angular-example.png', import.meta.url));
const intervalMs = 500;

let simulator: OrdoSimulator;
let server: Server;
let browser: Browser;
let base = '';
const requests: Array<{ at: number; url: string }> = [];

beforeAll(async () => {
  if (!existsSync(`${dist}index.html`)) throw new Error('Build the example first: npm run test:angular does it');
  simulator = await startOrdoSimulator({ speed: 4, onRequest: ({ url }) => requests.push({ at: Date.now(), url }) });
  const app = express();
  app.use(
    '/ordo',
    createProxyMiddleware({ target: simulator.url, changeOrigin: true, headers: { Authorization: `Bearer ${simulator.token}` } }),
  );
  app.use(express.static(dist));
  app.get('/{*path}', (_req, res) => res.sendFile(`${dist}index.html`));
  server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await simulator?.close();
});

describe('the Angular example in Chromium', () => {
  it('shows the job reaching success with every step, with one request per interval for all its bindings', async () => {
    const { id } = await simulator.submitJob();
    const page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${base}/jobs/${id}?interval=${intervalMs}`);
    await page.locator('[data-test=job-status]', { hasText: 'success' }).waitFor({ timeout: 60_000 });

    expect(await page.locator('[data-test=title]').innerText()).toBe(`Job ${id}: success`);
    expect(await page.locator('[data-test=step]').count()).toBe(5);
    expect(await page.locator('[data-test=step-status]').allInnerTexts()).toEqual(['success', 'success', 'success', 'success', 'success']);
    expect(await page.locator('[data-test=progress]').getAttribute('value')).toBe('1');
    expect(await page.locator('[data-test=last-event]').innerText()).toBe('job: running → success');
    expect(errors).toEqual([]);
    await page.screenshot({ path: screenshot });

    // Three async-pipe bindings and one toSignal, one poll: requests are an interval apart.
    const polls = requests.filter((request) => request.url === `/jobs/${id}`);
    const gaps = polls.slice(1).map((request, index) => request.at - polls[index]!.at);
    expect(polls.length).toBeGreaterThan(3);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(intervalMs - 50);
    await page.close();
  });

  /** A job that keeps running (its first step takes ten simulated minutes), open in a page, and its request count. */
  async function openRunningJob() {
    const { id } = await simulator.submitJob(undefined, { scenario: { steps: { reproject: { durationMs: 600_000 } } } });
    const page = await browser.newPage();
    await page.goto(`${base}/jobs/${id}?interval=${intervalMs}`);
    await page.locator('[data-test=job-status]', { hasText: 'running' }).waitFor({ timeout: 30_000 });
    return { page, count: () => requests.filter((request) => request.url === `/jobs/${id}`).length };
  }

  it('stops polling when the page is left', async () => {
    const { page, count } = await openRunningJob();
    await new Promise((resolve) => setTimeout(resolve, 3 * intervalMs));
    expect(count()).toBeGreaterThanOrEqual(3);
    await page.getByRole('link', { name: 'Home' }).click();
    await page.getByText('Watch an Ordo job').waitFor();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const afterLeaving = count();
    await new Promise((resolve) => setTimeout(resolve, 4 * intervalMs));
    expect(count()).toBe(afterLeaving);
    await page.close();
  });

  it('pauses while the tab is hidden and polls once at once when it is shown again', async () => {
    const { page, count } = await openRunningJob();
    // Headless Chromium has no real background tab: the test plays the browser's part.
    const setHidden = (hidden: boolean) =>
      page.evaluate((value) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (value ? 'hidden' : 'visible') });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await setHidden(true);
    await new Promise((resolve) => setTimeout(resolve, 2 * intervalMs)); // the poll already waiting may go out
    const hiddenFrom = count();
    await new Promise((resolve) => setTimeout(resolve, 6 * intervalMs));
    expect(count()).toBe(hiddenFrom);
    const shownAt = Date.now();
    await setHidden(false);
    while (count() === hiddenFrom && Date.now() - shownAt < intervalMs - 50) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(count()).toBe(hiddenFrom + 1); // one request at once, not a burst of the missed ones
    await page.close();
  });
});
