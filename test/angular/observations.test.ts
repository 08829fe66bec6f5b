// @vitest-environment jsdom
import { useTestBed } from '../helpers/angular.js'; // first: loads the JIT compiler
import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { lastValueFrom, map, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { isOrdoError, parseJobSnapshot, type JobUpdate } from 'ordo-status';
import { injectOrdoClient, provideOrdoClient } from 'ordo-status/angular';
import { jobBody, scriptedTransport } from 'ordo-status/testing';

useTestBed();

const running = (id: number) => jobBody({ id, status: 'running', steps: { s: 'running' } });
const success = (id: number) => jobBody({ id, status: 'success', steps: { s: 'success' } });

function angularClient(transport: ReturnType<typeof scriptedTransport>) {
  TestBed.configureTestingModule({ providers: [provideZonelessChangeDetection(), provideOrdoClient({ transport, intervalMs: 5, retry: 0, batch: false })] });
  return TestBed.runInInjectionContext(() => injectOrdoClient());
}

const line = (update: JobUpdate) =>
  update.type === 'error' ? `${update.jobId}:!${isOrdoError(update.error) ? update.error.code : String(update.error)}` : `${update.jobId}:${update.snapshot.job.status}(${update.events.length})`;

describe('the Angular client: observations', () => {
  it('jobObservations$ gives each snapshot with its events, from pending', async () => {
    const ordo = angularClient(scriptedTransport({ 1: [running(1), success(1)] }));
    const seen = await lastValueFrom(ordo.jobObservations$(1).pipe(map(({ snapshot, events }) => [snapshot.job.status, events.map((event) => event.to)]), toArray()));
    expect(seen).toEqual([
      ['running', ['running', 'running']],
      ['success', ['success', 'success']],
    ]);
  });

  it('watchJobs$ reports a missing job as its outcome, resumes from stored snapshots, and completes when all ended', async () => {
    const transport = scriptedTransport({ 1: [running(1), success(1)], 3: [success(3)] });
    const ordo = angularClient(transport);
    const resumeFrom = (jobId: string) => (jobId === '3' ? parseJobSnapshot(success(3)) : undefined);
    const lines = await lastValueFrom(ordo.watchJobs$([1, 2, '1', 3], { resumeFrom }).pipe(map(line), toArray()));
    expect([...lines].sort()).toEqual(['1:running(2)', '1:success(2)', '2:!NOT_FOUND', '3:success(0)']);
    expect(transport.requestCount(3)).toBe(0);
    expect(() => ordo.watchJobs$(['abc'])).toThrow(TypeError);
  });
});
