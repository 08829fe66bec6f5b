import type { EnvironmentProviders, Signal } from '@angular/core';
import { describe, expectTypeOf, it } from 'vitest';
import type { JobEvent, JobId, JobSnapshot, OrdoClient } from 'ordo-status';
import { injectJobStatus, injectOrdoClient, provideOrdoClient, type JobIdSource, type JobStatusRef, type JobStatusRefStatus } from 'ordo-status/angular';

describe('ordo-status/angular types', () => {
  it('provideOrdoClient takes options or a function of them, and gives environment providers', () => {
    expectTypeOf(provideOrdoClient({ baseUrl: '/ordo' })).toEqualTypeOf<EnvironmentProviders>();
    expectTypeOf(provideOrdoClient(() => ({ baseUrl: '/ordo', intervalMs: 5000, ssr: 'skip' }))).toEqualTypeOf<EnvironmentProviders>();
    // @ts-expect-error: ssr is 'snapshot' or 'skip'
    provideOrdoClient({ baseUrl: '/ordo', ssr: 'never' });
    // @ts-expect-error: the client stops its watches with the application, not a signal
    provideOrdoClient({ baseUrl: '/ordo', signal: new AbortController().signal });
  });

  it('injectOrdoClient gives the plain client interface', () => {
    expectTypeOf(injectOrdoClient).returns.toEqualTypeOf<OrdoClient>();
  });

  it('injectJobStatus takes an id, a signal or a function, and gives signals', () => {
    expectTypeOf(injectJobStatus).parameter(0).toEqualTypeOf<JobIdSource>();
    expectTypeOf<JobIdSource>().toEqualTypeOf<JobId | null | undefined | (() => JobId | null | undefined)>();
    expectTypeOf<Signal<string>>().toExtend<JobIdSource>(); // an input() or a route parameter
    expectTypeOf(injectJobStatus).returns.toEqualTypeOf<JobStatusRef>();
    expectTypeOf<JobStatusRef['value']>().toEqualTypeOf<Signal<JobSnapshot | undefined>>();
    expectTypeOf<JobStatusRef['error']>().toEqualTypeOf<Signal<Error | undefined>>();
    expectTypeOf<JobStatusRef['events']>().toEqualTypeOf<Signal<readonly JobEvent[]>>();
    expectTypeOf<JobStatusRefStatus>().toEqualTypeOf<'idle' | 'loading' | 'reloading' | 'resolved' | 'error'>();
    expectTypeOf<JobStatusRef['reload']>().returns.toEqualTypeOf<boolean>();
  });
});
