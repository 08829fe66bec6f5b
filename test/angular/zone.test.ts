// @vitest-environment jsdom
import 'zone.js';
import '@angular/compiler';
import { ApplicationRef, NgZone, provideZoneChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { BrowserTestingModule, platformBrowserTesting } from '@angular/platform-browser/testing';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOrdoClient } from 'ordo-status';
import { injectJobStatus, injectOrdoClient, provideOrdoClient } from 'ordo-status/angular';
import { jobBody, scriptedTransport } from 'ordo-status/testing';

beforeAll(() => {
  TestBed.initTestEnvironment(BrowserTestingModule, platformBrowserTesting());
});
afterEach(() => TestBed.resetTestingModule());

const running = jobBody({ id: 4, status: 'running', steps: { dem: 'running' } });

describe('with zone.js', () => {
  it('polls outside the Angular zone, hands results back inside it, and the app becomes stable while a job runs', async () => {
    const zones: boolean[] = [];
    const scripted = scriptedTransport({ 4: () => running });
    // A transport that notes which zone each request starts in.
    const transport = Object.assign((id: string, context: { signal: AbortSignal }) => {
      zones.push(NgZone.isInAngularZone());
      return scripted(id, context);
    });
    TestBed.configureTestingModule({ providers: [provideZoneChangeDetection(), provideOrdoClient({ transport, intervalMs: 20 })] });
    const zone = TestBed.inject(NgZone);
    const delivered: boolean[] = [];
    const job = zone.run(() => TestBed.runInInjectionContext(() => injectJobStatus(4)));
    const subscription = zone.run(() =>
      TestBed.runInInjectionContext(() => injectOrdoClient())
        .jobStatus$(4)
        .subscribe(() => delivered.push(NgZone.isInAngularZone())),
    );
    await vi.waitFor(() => expect(zones.length).toBeGreaterThanOrEqual(3));

    expect(job.value()?.job.status).toBe('running');
    expect(zones.every((inside) => !inside)).toBe(true); // every request started outside the zone
    expect(delivered).toEqual([true]); // the snapshot came back inside it
    expect(zone.hasPendingMacrotasks).toBe(false); // the polling timers do not keep the zone busy
    await TestBed.inject(ApplicationRef).whenStable(); // resolves although the job keeps running
    expect(job.isTerminal()).toBe(false);
    subscription.unsubscribe();
  });

  it('control: the plain client subscribed inside the zone keeps it unstable between polls', async () => {
    TestBed.configureTestingModule({ providers: [provideZoneChangeDetection()] });
    const zone = TestBed.inject(NgZone);
    const plain = createOrdoClient({ transport: scriptedTransport({ 4: () => running }), intervalMs: 20 });
    const statuses: string[] = [];
    const subscription = zone.run(() => plain.jobStatus$(4).subscribe((snapshot) => statuses.push(snapshot.job.status)));
    await vi.waitFor(() => expect(statuses).toEqual(['running']));
    expect(zone.hasPendingMacrotasks).toBe(true); // its timer is the zone's: the app is never stable
    subscription.unsubscribe();
  });
});
