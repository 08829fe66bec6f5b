// @vitest-environment jsdom
import 'zone.js';
import '@angular/compiler';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationRef, NgZone, provideZoneChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { BrowserTestingModule, platformBrowserTesting } from '@angular/platform-browser/testing';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { injectJobStatus, provideOrdoClient } from 'ordo-status/angular';
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

describe('provideOrdoClient({ relay }) with zone.js', () => {
  it('receives pushed transitions outside the Angular zone (no poll while the stream is open), and the app becomes stable while the job runs', async () => {
    const simulator = await startTestSimulator({ speed: 4 });
    const { id } = await simulator.submitJob();
    const created = createRelay({ baseUrl: simulator.url, token: simulator.token, relayToken, intervalMs: 100 });
    const server = createServer((request, response) => created.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    relay = { relay: created, server };
    const relayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
});
