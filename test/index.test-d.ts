import type { Observable } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import {
  createOrdoClient,
  jobEvents$,
  jobStatus$,
  OrdoError,
  OrdoHttpError,
  OrdoIllegalTransitionError,
  parseJobSnapshot,
  waitForJob,
  type JobEvent,
  type JobSnapshot,
  type JobStatus,
  type JobTransport,
  type StepStatus,
} from 'ordo-status';
import { startOrdoSimulator, type OrdoSimulator } from 'ordo-status/testing';

declare const transport: JobTransport;

describe('public types', () => {
  it('streams and promises carry snapshots and events', () => {
    expectTypeOf(jobStatus$(1, { transport })).toEqualTypeOf<Observable<JobSnapshot>>();
    expectTypeOf(jobEvents$('1', { transport })).toEqualTypeOf<Observable<JobEvent>>();
    expectTypeOf(waitForJob(1, { transport })).toEqualTypeOf<Promise<JobSnapshot>>();
    expectTypeOf(createOrdoClient({ baseUrl: 'https://x' }).getJob(1)).toEqualTypeOf<Promise<JobSnapshot>>();
    expectTypeOf(parseJobSnapshot).parameter(1).toEqualTypeOf<
      { jobId?: string | number | undefined; contentType?: string | undefined; previous?: JobSnapshot | undefined } | undefined
    >();
    // @ts-expect-error a transport is required outside a client
    jobStatus$(1, {});
    // @ts-expect-error ids are strings or numbers
    jobStatus$({ id: 1 }, { transport });
  });

  it('events narrow on type', () => {
    const event = {} as JobEvent;
    if (event.type === 'step') {
      expectTypeOf(event.stepId).toEqualTypeOf<string>();
      expectTypeOf(event.from).toEqualTypeOf<StepStatus>();
      expectTypeOf(event.attempt).toEqualTypeOf<number>();
    } else {
      expectTypeOf(event.from).toEqualTypeOf<JobStatus>();
      expectTypeOf(event).not.toHaveProperty('stepId');
    }
  });

  it('snapshots are read-only and use Date and fractions', () => {
    const snapshot = {} as JobSnapshot;
    expectTypeOf(snapshot.job.startedAt).toEqualTypeOf<Date | null>();
    expectTypeOf(snapshot.progress.fraction).toEqualTypeOf<number>();
    // @ts-expect-error snapshots are immutable
    snapshot.job.status = 'success';
  });

  it('errors expose typed context', () => {
    const error = {} as OrdoHttpError;
    expectTypeOf(error).toMatchTypeOf<OrdoError>();
    expectTypeOf(error.status).toEqualTypeOf<number>();
    expectTypeOf(error.retryAfterMs).toEqualTypeOf<number | null>();
    expectTypeOf({} as OrdoIllegalTransitionError).toHaveProperty('subject').toEqualTypeOf<string>();
    expectTypeOf(startOrdoSimulator).returns.toEqualTypeOf<Promise<OrdoSimulator>>();
  });
});
