import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOrdoClient } from 'ordo-status';
import { createRelay, type Relay } from 'ordo-status/relay';
import { startOrdoSimulator, type OrdoSimulator } from 'ordo-status/testing';

/**
 * The Angular example (examples/angular), an SSR app built twice (zone.js and zoneless), each
 * served by its own built server (`dist/<build>/server/server.mjs`, with the same-origin proxy to
 * the simulator that adds the token), and driven in Debian's Chromium through playwright-core.
 *
 * No assertion reads a stopwatch against an upper bound: "the render does not wait for the job"
 * is shown by a job that runs for simulated minutes being rendered with status `running` from one
 * request; "no request before one interval" and "one request per interval" are lower bounds on
 * the gaps between requests, which a busy machine can only widen. Render times are printed.
 */
const example = fileURLToPath(new URL('../examples/angular/', import.meta.url));
const screenshot = fileURLToPath(new URL('../docs/angular-example.png', import.meta.url));
const intervalMs = 500;
/** Requests the simulator saw, by job. */
const requests: Array<{ at: number; url: string }> = [];

let simulator: OrdoSimulator;
let browser: Browser;

beforeAll(async () => {
  simulator = await startOrdoSimulator({ speed: 4, onRequest: ({ url }) => requests.push({ at: Date.now(), url }) });
  browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await simulator?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const polls = (id: number) => requests.filter((request) => request.url === `/jobs/${id}`);
const gapsOf = (list: Array<{ at: number }>) => list.slice(1).map((request, index) => request.at - list[index]!.at);

/** A job that keeps running: its first step takes ten simulated minutes. Resolves once it runs. */
async function submitRunningJob(): Promise<number> {
  const { id } = await simulator.submitJob(undefined, { scenario: { steps: { reproject: { durationMs: 600_000 } } } });
  const ordo = createOrdoClient({ baseUrl: simulator.url, token: simulator.token });
  while ((await ordo.getJob(id)).job.status !== 'running') await sleep(20);
  requests.length = 0; // only the page's requests count from here
  return id;
}

/**
 * The browser's polls of a job after its document arrived: the server render made one request
 * before; the first from the browser comes an interval after it (no duplicate at hydration), and
 * then one per interval whatever the number of bindings. Lower bounds: a busy machine only widens gaps.
 */
function expectPollsFromHydration(id: number, documentAt: number): void {
  const fromBrowser = polls(id).filter((request) => request.at > documentAt);
  expect(polls(id).length - fromBrowser.length).toBe(1);
  expect(fromBrowser.length).toBeGreaterThanOrEqual(5);
  expect(fromBrowser[0]!.at - documentAt).toBeGreaterThanOrEqual(intervalMs - 50);
  expect(Math.min(...gapsOf(fromBrowser))).toBeGreaterThanOrEqual(intervalMs - 50);
}

/** A job that succeeds after a few seconds (its first step takes 20 simulated seconds: 5 s here). */
async function submitShortJob(): Promise<number> {
  const { id } = await simulator.submitJob(undefined, { scenario: { steps: { reproject: { durationMs: 20_000 } } } });
  return id;
}

/** Starts a built SSR server on a free port, proxying `/ordo` to the simulator (and `/relay` to a relay). */
async function startSsrServer(build: string, relay?: { url: string; token: string }): Promise<{ url: string; process: ChildProcess; output: string[] }> {
  const entry = `${example}dist/${build}/server/server.mjs`;
  if (!existsSync(entry)) throw new Error(`Build the example first (${entry} is missing): npm run test:angular does it`);
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, PORT: '0', ORDO_BASE_URL: simulator.url, ORDO_TOKEN: simulator.token, ...(relay ? { RELAY_URL: relay.url, RELAY_TOKEN: relay.token } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());
      const listening = /listening on (http:\/\/\S+)/.exec(chunk.toString());
      if (listening) resolve(listening[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the SSR server exited (${code}): ${output.join('')}`)));
  });
  return { url, process: child, output };
}

/** A page that records console errors and warnings, uncaught errors, and when its document arrived. */
async function openPage(url: string): Promise<{ page: Page; problems: string[]; documentAt: () => number }> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
  const problems: string[] = [];
  let documentAt = 0;
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning' || /NG0\d+/.test(message.text())) problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('response', (response) => {
    if (response.request().resourceType() === 'document') documentAt = Date.now();
  });
  await page.goto(url);
  return { page, problems, documentAt: () => documentAt };
}

describe.each(['zone', 'zoneless'])('the Angular example, %s build, server-rendered', (build) => {
  let server: Awaited<ReturnType<typeof startSsrServer>>;

  beforeAll(async () => {
    server = await startSsrServer(build);
  });
  afterAll(() => {
    server?.process.kill();
  });

  it.each(['/jobs', '/async/jobs'])("renders a running job's page (%s) with its status from one request, without waiting for the job", async (route) => {
    const id = await submitRunningJob();
    const before = polls(id).length;
    const started = performance.now();
    const response = await fetch(`${server.url}${route}/${id}?interval=${intervalMs}`);
    const html = await response.text();
    const renderMs = performance.now() - started;
    console.log(`[${build}] server render of ${route}/${id}: ${renderMs.toFixed(0)} ms`);

    expect(response.status).toBe(200);
    expect(html).toContain(`Job ${id}:`);
    expect(html).toMatch(/data-test="job-status" class="status-running">running</);
    expect(polls(id).length - before).toBe(1); // one request for all the page's bindings, then nothing
    expect(html).toContain(`ordo-status:job:${id}`); // the snapshot travels with the page (TransferState)
    await sleep(2 * intervalMs);
    expect(polls(id).length - before).toBe(1); // nothing polls on the server after the render
  });

  it('hydrates the snapshot, asks again one interval later, and reaches success with every step at one request per interval', async () => {
    const id = await submitShortJob();
    const { page, problems, documentAt } = await openPage(`${server.url}/jobs/${id}?interval=${intervalMs}`);
    await page.locator('[data-test=job-status]', { hasText: 'success' }).waitFor({ timeout: 60_000 });

    expect(await page.locator('[data-test=title]').innerText()).toBe(`Job ${id}: success`);
    expect(await page.locator('[data-test=step-status]').allInnerTexts()).toEqual(['success', 'success', 'success', 'success', 'success']);
    expect(await page.locator('[data-test=progress]').getAttribute('value')).toBe('1');
    expect(await page.locator('[data-test=events] li').last().innerText()).toBe('job: running → success');
    expect(problems).toEqual([]);
    if (build === 'zoneless') await page.screenshot({ path: screenshot });

    // Two components bind the job (the page and its summary): one request per interval.
    expectPollsFromHydration(id, documentAt());
    await page.close();
  });

  it('the async-pipe page hydrates and reaches success with one request per interval for its three bindings', async () => {
    const id = await submitShortJob();
    const { page, problems, documentAt } = await openPage(`${server.url}/async/jobs/${id}?interval=${intervalMs}`);
    await page.locator('[data-test=job-status]', { hasText: 'success' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-test=step-status]').allInnerTexts()).toEqual(['success', 'success', 'success', 'success', 'success']);
    expect(problems).toEqual([]);
    expectPollsFromHydration(id, documentAt());
    await page.close();
  });

  it('stays stable while a job runs (no NG0506 after 10 s of polling), and stops polling when the page is left', async () => {
    const id = await submitRunningJob();
    const { page, problems, documentAt } = await openPage(`${server.url}/jobs/${id}?interval=${intervalMs}`);
    await page.locator('[data-test=job-status]', { hasText: 'running' }).waitFor();
    // Angular's dev mode reports NG0506 when the app is not stable 10 s after hydration.
    await sleep(11_000);
    expect(problems).toEqual([]);
    expect(polls(id).filter((request) => request.at > documentAt()).length).toBeGreaterThanOrEqual(8);

    await page.getByRole('link', { name: 'Home' }).click();
    await page.getByText('Watch an Ordo job').waitFor();
    await sleep(200);
    const afterLeaving = polls(id).length;
    await sleep(4 * intervalMs);
    expect(polls(id).length).toBe(afterLeaving);
    await page.close();
  });

  it('shows an error next to the last snapshot when the server fails past the retry limit, and Try again recovers', async () => {
    const id = await submitRunningJob();
    const { page, problems } = await openPage(`${server.url}/jobs/${id}?interval=${intervalMs}&retries=1`);
    await page.locator('[data-test=job-status]', { hasText: 'running' }).waitFor();
    simulator.injectFaults(id, [
      { kind: 'status', status: 500 },
      { kind: 'status', status: 500 },
    ]);
    await page.locator('[data-test=error]').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-test=error]').innerText()).toMatch(/^The watch stopped: GET \S+\/ordo\/jobs\/\d+ answered 500 Internal Server Error/);
    expect(await page.locator('[data-test=job-status]').innerText()).toBe('running'); // the last snapshot stays
    expect(await page.locator('[data-test=step]').count()).toBe(5);

    const stopped = polls(id).length;
    await sleep(3 * intervalMs);
    expect(polls(id).length).toBe(stopped); // the watch is over until the user asks
    await page.locator('[data-test=reload]').click(); // the server is back (the faults are spent)
    await page.locator('[data-test=error]').waitFor({ state: 'detached' });
    await sleep(3 * intervalMs);
    expect(polls(id).length).toBeGreaterThanOrEqual(stopped + 2);
    expect(await page.locator('[data-test=job-status]').innerText()).toBe('running');
    // The browser logs the failed requests (500); nothing else may appear.
    expect(problems.filter((problem) => !/status of 500/.test(problem))).toEqual([]);
    await page.close();
  });

  it('pauses while the tab is hidden and polls once when it is shown again', async () => {
    const id = await submitRunningJob();
    const { page } = await openPage(`${server.url}/jobs/${id}?interval=${intervalMs}`);
    await page.locator('[data-test=job-status]', { hasText: 'running' }).waitFor();
    // Headless Chromium has no real background tab: the test plays the browser's part.
    const setHidden = (hidden: boolean) =>
      page.evaluate((value) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (value ? 'hidden' : 'visible') });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await sleep(2 * intervalMs);
    await setHidden(true);
    await sleep(2 * intervalMs); // the poll already waiting may go out
    const hiddenFrom = polls(id).length;
    await sleep(6 * intervalMs);
    expect(polls(id).length).toBe(hiddenFrom);
    const shownAt = Date.now();
    await setHidden(false);
    while (polls(id).length === hiddenFrom && Date.now() - shownAt < 5_000) await sleep(10);
    await sleep(intervalMs / 2);
    expect(polls(id).length).toBe(hiddenFrom + 1); // one request when shown, not a burst of the missed ones
    await page.close();
  });
});

describe.each(['zone', 'zoneless'])('the Angular example, %s build, with transitions pushed by a relay', (build) => {
  const relayToken = 'e2e-relay-token-0123456789';
  /** The relay's own requests to the simulator, by URL path. */
  const upstream: string[] = [];
  let relay: Relay;
  let relayServer: Server;
  let server: Awaited<ReturnType<typeof startSsrServer>>;

  beforeAll(async () => {
    relay = createRelay({
      baseUrl: simulator.url,
      token: simulator.token,
      relayToken,
      intervalMs: 250,
      fetch: (input, init) => {
        upstream.push(new URL(String(input)).pathname);
        return fetch(input, init);
      },
    });
    relayServer = createServer((request, response) => relay.handle(request, response));
    await new Promise<void>((resolve) => relayServer.listen(0, '127.0.0.1', resolve));
    server = await startSsrServer(build, { url: `http://127.0.0.1:${(relayServer.address() as AddressInfo).port}`, token: relayToken });
  });
  afterAll(async () => {
    server?.process.kill();
    await relay?.close();
    relayServer?.closeAllConnections();
    await new Promise((resolve) => relayServer?.close(resolve));
  });

  it('renders from one request, then the browser receives every transition from the relay and polls nothing; stable while the job runs (no NG0506)', async () => {
    // The first step takes 48 simulated seconds: 12 s here, past Angular's 10 s stability check.
    const { id } = await simulator.submitJob(undefined, { scenario: { steps: { reproject: { durationMs: 48_000 } } } });
    const { page, problems } = await openPage(`${server.url}/jobs/${id}?interval=${intervalMs}&relay`);
    await page.locator('[data-test=job-status]', { hasText: 'running' }).waitFor();
    await sleep(11_000);
    expect(problems).toEqual([]);
    await page.locator('[data-test=job-status]', { hasText: 'success' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-test=step-status]').allInnerTexts()).toEqual(['success', 'success', 'success', 'success', 'success']);
    expect(await page.locator('[data-test=events] li').last().innerText()).toBe('job: running → success');
    expect(problems).toEqual([]);
    await sleep(2 * intervalMs);
    // Every request for the job that the simulator saw came from the relay, but one: the server render's.
    const fromRelay = upstream.filter((path) => path === `/jobs/${id}`).length;
    expect(fromRelay).toBeGreaterThan(0);
    expect(polls(id).length - fromRelay).toBe(1);
    expect(relay.metrics().eventsSent).toBeGreaterThan(0);
    await page.close();
  });
});
