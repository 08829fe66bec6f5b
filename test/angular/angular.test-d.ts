// What the API reference (docs/api/ordo-status/angular/) cannot show: what the Angular entry's
// calls accept and infer, and which wrong inputs they refuse. The reference is the lock on the
// shapes of its options and of JobStatusRef.
import { signal, type EnvironmentProviders } from '@angular/core';
import { describe, expectTypeOf, it } from 'vitest';
import type { JobEvent, JobSnapshot, OrdoClient } from 'ordo-status';
import { injectJobStatus, injectOrdoClient, provideOrdoClient } from 'ordo-status/angular';

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
    expectTypeOf(injectOrdoClient()).toEqualTypeOf<OrdoClient>();
  });

  it('injectJobStatus takes an id, a signal (an input(), a route parameter) or a function, and gives signals', () => {
    const job = injectJobStatus(signal('42'));
    injectJobStatus(42);
    injectJobStatus(() => (Math.random() > 0.5 ? '42' : null));
    expectTypeOf(job.value()).toEqualTypeOf<JobSnapshot | undefined>();
    expectTypeOf(job.events()).toEqualTypeOf<readonly JobEvent[]>();
    expectTypeOf(job.error()).toEqualTypeOf<Error | undefined>();
    expectTypeOf(job.reload()).toEqualTypeOf<boolean>();
    // @ts-expect-error: an id is a string or a number
    injectJobStatus({ id: 42 });
    // @ts-expect-error: a watch of a component stops with it, not with a signal
    injectJobStatus(42, { signal: new AbortController().signal });
  });
});
