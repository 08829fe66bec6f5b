// @vitest-environment jsdom
import 'zone.js';
import '@angular/compiler';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { provideHttpClient } from '@angular/common/http';
import { ApplicationRef, makeStateKey, NgZone, provideZoneChangeDetection, TransferState } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { BrowserTestingModule, platformBrowserTesting } from '@angular/platform-browser/testing';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isSnapshotBehind, parseJobSnapshot, type JobSnapshot } from 'ordo-status';
import { injectJobStatus, injectOrdoClient, provideOrdoClient } from 'ordo-status/angular';
import { createRelay, type Relay } from 'ordo-status/relay';
import { startTestSimulator } from '../helpers/simulator.js';

beforeAll(() => {
  TestBed.initTestEnvironment(BrowserTestingModule, platformBrowserTesting());
});
let relay: { relay: Relay; server: Server } | undefined;
afterEach(async () => {
  TestBed.resetTestingModule();
  await relay?.relay.close();
  relay?.server.closeAllConnections();
  await new Promise((resolve) => relay?.server.close(resolve) ?? resolve(undefined));
  relay = undefined;
});

const relayToken = 'angular-relay-token-0123456789';

async function startRelay(ordoUrl: string, ordoToken: string): Promise<string> {
  const created = createRelay({ baseUrl: ordoUrl, token: ordoToken, relayToken, intervalMs: 100 });
  const server = createServer((request, response) => created.handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  relay = { relay: created, server };
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('provideOrdoClient({ relay }) with zone.js', () => {
  it('receives pushed transitions outside the Angular zone (no poll while the stream is open), and the app becomes stable while the job runs', async () => {
    const simulator = await startTestSimulator({ speed: 4 });
    const { id } = await simulator.submitJob();
    const relayUrl = await startRelay(simulator.url, simulator.token);
    const requests: Array<{ url: string; inZone: boolean }> = [];
    const counting: typeof fetch = (input, init) => {
      requests.push({ url: String(input), inZone: NgZone.isInAngularZone() });
      return fetch(input, init);
    };
    TestBed.configureTestingModule({
      providers: [provideZoneChangeDetection(), provideOrdoClient({ baseUrl: relayUrl, token: relayToken, fetch: counting, relay: { url: relayUrl, token: relayToken } })],
    });
    const zone = TestBed.inject(NgZone);
    const job = zone.run(() => TestBed.runInInjectionContext(() => injectJobStatus(id)));
    await vi.waitFor(() => expect(job.value()?.job.status).toBe('running'), { timeout: 10_000 });
    // The stream is open and the job runs: the zone has nothing pending, the app is stable.
    await TestBed.inject(ApplicationRef).whenStable();
    expect(job.isTerminal()).toBe(false);
    await vi.waitFor(() => expect(job.isTerminal()).toBe(true), { timeout: 20_000, interval: 50 });
    expect(job.value()?.job.status).toBe('success');
    // One event stream, opened outside the zone; no poll.
    expect(requests).toEqual([{ url: `${relayUrl}/jobs/${id}/events`, inZone: false }]);
  }, 30_000);
  it('after hydration: the relay replays the job from its start, and what the server rendered already overtook is skipped (no illegal move back)', async () => {
    const simulator = await startTestSimulator({ speed: 4 });
    const { id } = await simulator.submitJob();
    const relayUrl = await startRelay(simulator.url, simulator.token);
    // What a server render stored: the job once a step has finished.
    const auth = { Authorization: `Bearer ${relayToken}` };
    let rendered: JobSnapshot | undefined;
    while (!rendered?.steps.some((step) => step.status === 'success')) {
      rendered = parseJobSnapshot(await (await fetch(`${relayUrl}/jobs/${id}`, { headers: auth })).json());
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    TestBed.configureTestingModule({
      providers: [provideZoneChangeDetection(), provideOrdoClient({ baseUrl: relayUrl, token: relayToken, fetch, intervalMs: 50, relay: { url: relayUrl, token: relayToken } })],
    });
    TestBed.inject(TransferState).set(makeStateKey(`ordo-status:job:${id}`), JSON.parse(JSON.stringify(rendered)));
    const seen: JobSnapshot[] = [];
    const failures: unknown[] = [];
    const done = new Promise<void>((resolve) =>
      TestBed.runInInjectionContext(() => injectOrdoClient())
        .jobStatus$(id)
        .subscribe({ next: (snapshot) => seen.push(snapshot), error: (error: unknown) => (failures.push(error), resolve()), complete: resolve }),
    );
    await done;
    expect(failures).toEqual([]);
    expect(JSON.stringify(seen[0]!.raw)).toBe(JSON.stringify(rendered.raw)); // the rendered snapshot first
    for (let index = 1; index < seen.length; index += 1) expect(isSnapshotBehind(seen[index]!, seen[index - 1]!)).toBe(false);
    expect(seen.at(-1)!.job.status).toBe('success');
  }, 30_000);
  it("with HttpClient for polls: the streams are read with the platform's fetch, so each transition arrives while the stream is open", async () => {
    const simulator = await startTestSimulator({ speed: 4 });
    const { id } = await simulator.submitJob();
    const relayUrl = await startRelay(simulator.url, simulator.token);
    const platformFetch = vi.spyOn(globalThis, 'fetch');
    try {
      TestBed.configureTestingModule({
        providers: [provideZoneChangeDetection(), provideHttpClient(), provideOrdoClient({ baseUrl: relayUrl, intervalMs: 100, relay: { url: relayUrl, token: relayToken } })],
      });
      const job = TestBed.runInInjectionContext(() => injectJobStatus(id));
      await vi.waitFor(() => expect(job.value()?.job.status).toBe('running'), { timeout: 10_000, interval: 10 });
      // Seen while the job runs and its stream is open (HttpClient would hand over the body only at its end).
      expect(job.isTerminal()).toBe(false);
      expect(relay!.relay.metrics().consumers).toBe(1);
      await vi.waitFor(() => expect(job.value()?.job.status).toBe('success'), { timeout: 20_000, interval: 50 });
      expect(platformFetch.mock.calls.map(([input]) => String(input))).toEqual([`${relayUrl}/jobs/${id}/events`]);
    } finally {
      platformFetch.mockRestore();
    }
  }, 30_000);
});
