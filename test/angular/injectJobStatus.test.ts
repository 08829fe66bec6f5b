// @vitest-environment jsdom
import { intervalMs, nextRequest, setUpOrdoTestBed, useTestBed } from '../helpers/angular.js'; // first: loads the JIT compiler
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ApplicationRef, Injector, makeStateKey, PLATFORM_ID, provideZonelessChangeDetection, signal, TransferState } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { OrdoHttpError, OrdoNotFoundError, parseJobSnapshot, type JobEvent } from 'ordo-status';
import { injectJobStatus, injectOrdoClient, provideOrdoClient } from 'ordo-status/angular';
import { jobBody } from 'ordo-status/testing';
import { startTestSimulator } from '../helpers/simulator.js';

useTestBed();
const setUp = setUpOrdoTestBed;

const describeEvent = (event: JobEvent) => `${event.type === 'job' ? 'job' : event.stepId}: ${event.from}→${event.to}${event.inferred ? '*' : ''}`;


/** An answer is read and validated asynchronously (as a fetch body is): wait until it shows. */
const shows = (check: () => void) => vi.waitFor(check);

describe('injectJobStatus in the browser (zoneless)', () => {
  it('holds the snapshot, its status and the transitions in signals; requests go through HttpClient and its interceptors', async () => {
    const http = setUp();
    const job = TestBed.runInInjectionContext(() => injectJobStatus(7));
    expect(job.status()).toBe('loading');
    expect(job.value()).toBeUndefined();
    expect(job.hasValue()).toBe(false);

    const first = await nextRequest(http, '/ordo/jobs/7');
    expect(first.request.headers.get('X-Trace')).toBe('job-page');
    expect(first.request.transferCache).toBe(false);
    first.flush(jobBody({ id: 7, status: 'running', steps: { reproject: 'running', dem: 'pending' } }));
    await shows(() => expect(job.status()).toBe('resolved'));
    expect(job.value()?.job.status).toBe('running');
    expect(job.isTerminal()).toBe(false);
    expect(job.events().map(describeEvent)).toEqual(['job: pending→running', 'reproject: pending→running']);

    (await nextRequest(http, '/ordo/jobs/7')).flush(jobBody({ id: 7, status: 'success', steps: { reproject: 'success', dem: 'success' } }));
    await shows(() => expect(job.value()?.job.status).toBe('success'));
    expect(job.isTerminal()).toBe(true);
    // In the order they happened: jobBody dates reproject's end 2 s and dem's 3 s after creation.
    expect(job.events().map(describeEvent)).toEqual([
      'job: pending→running',
      'reproject: pending→running',
      'reproject: running→success',
      'dem: pending→running*',
      'dem: running→success',
      'job: running→success',
    ]);
    // The job is over: no more requests.
    await new Promise((resolve) => setTimeout(resolve, 3 * intervalMs));
    http.expectNone('/ordo/jobs/7');
  });

  it('holds a failure in error() next to the last snapshot, never throws on read, and reload() recovers', async () => {
    const http = setUp();
    const job = TestBed.runInInjectionContext(() => injectJobStatus('8'));
    (await nextRequest(http, '/ordo/jobs/8')).flush(jobBody({ id: 8, status: 'running', steps: { dem: 'running' } }));
    await shows(() => expect(job.status()).toBe('resolved'));
    (await nextRequest(http, '/ordo/jobs/8')).flush({ error: 'Internal server error' }, { status: 500, statusText: 'Internal Server Error' });

    await shows(() => expect(job.status()).toBe('error'));
    expect(job.error()).toBeInstanceOf(OrdoHttpError);
    expect((job.error() as OrdoHttpError).status).toBe(500);
    expect(job.value()?.job.status).toBe('running'); // the last snapshot is kept
    await new Promise((resolve) => setTimeout(resolve, 3 * intervalMs));
    http.expectNone('/ordo/jobs/8'); // the watch is over until reload()

    expect(job.reload()).toBe(true);
    expect(job.status()).toBe('reloading');
    expect(job.reload()).toBe(false); // already running
    (await nextRequest(http, '/ordo/jobs/8')).flush(jobBody({ id: 8, status: 'success', steps: { dem: 'success' } }));
    await shows(() => expect(job.status()).toBe('resolved'));
    expect(job.error()).toBeUndefined();
    expect(job.value()?.job.status).toBe('success');
    // The lifecycle went on from the kept snapshot: no transition twice.
    expect(job.events().map(describeEvent)).toEqual(['job: pending→running', 'dem: pending→running', 'dem: running→success', 'job: running→success']);
  });

  it('follows a signal id: a new id switches the watch and cancels the old request; null is idle', async () => {
    const http = setUp();
    const id = signal<string | null>('1');
    const job = TestBed.runInInjectionContext(() => injectJobStatus(id));
    TestBed.tick();
    (await nextRequest(http, '/ordo/jobs/1')).flush(jobBody({ id: 1, status: 'running', steps: { dem: 'running' } }));
    await shows(() => expect(job.value()?.job.id).toBe('1'));
    const pending = await nextRequest(http, '/ordo/jobs/1');

    id.set('2');
    TestBed.tick();
    expect(pending.cancelled).toBe(true);
    expect(job.status()).toBe('loading');
    expect(job.value()).toBeUndefined();
    expect(job.events()).toEqual([]);
    (await nextRequest(http, '/ordo/jobs/2')).flush(jobBody({ id: 2, status: 'pending', steps: { dem: 'pending' } }));
    await shows(() => expect(job.value()?.job.id).toBe('2'));

    const inFlight = await nextRequest(http, '/ordo/jobs/2');
    id.set(null);
    TestBed.tick();
    expect(inFlight.cancelled).toBe(true);
    expect(job.status()).toBe('idle');
    expect(job.value()).toBeUndefined();
  });

  it('stops when its injector is destroyed: the request in flight is cancelled and none follows', async () => {
    const http = setUp();
    const job = injectJobStatus(9, { injector: TestBed.inject(Injector) });
    (await nextRequest(http, '/ordo/jobs/9')).flush(jobBody({ id: 9, status: 'running', steps: { dem: 'running' } }));
    await shows(() => expect(job.value()?.job.status).toBe('running'));
    const inFlight = await nextRequest(http, '/ordo/jobs/9');
    job.destroy();
    expect(inFlight.cancelled).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 3 * intervalMs));
    http.expectNone('/ordo/jobs/9');
    expect(job.value()?.job.status).toBe('running');
  });

  it('turns a 404 into OrdoNotFoundError and an invalid id into a TypeError in error(), without throwing', async () => {
    const http = setUp();
    const missing = TestBed.runInInjectionContext(() => injectJobStatus(404));
    (await nextRequest(http, '/ordo/jobs/404')).flush({ error: 'Job not found' }, { status: 404, statusText: 'Not Found' });
    await shows(() => expect(missing.error()).toBeInstanceOf(OrdoNotFoundError));
    expect(missing.error()?.message).toMatch(/^GET http:\/\/\S+\/ordo\/jobs\/404 answered 404 Not Found: Job not found$/);

    const invalid = TestBed.runInInjectionContext(() => injectJobStatus('abc')); // e.g. a route parameter
    expect(invalid.status()).toBe('error');
    expect(invalid.error()).toBeInstanceOf(TypeError);
    expect(invalid.error()?.message).toBe('Invalid job id "abc": a job id is a positive whole number such as 42');
    expect(invalid.value()).toBeUndefined();
  });

  it('fails at once outside an injection context, naming the injector option; and without a client, naming provideOrdoClient', () => {
    setUp();
    expect(() => injectJobStatus(1)).toThrow(/injectJobStatus\(\) must be called in an injection context .*\{ injector \}/);
    expect(() => injectOrdoClient()).toThrow(/injectOrdoClient\(\) must be called in an injection context/);
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({ providers: [provideZonelessChangeDetection()] });
    expect(() => TestBed.runInInjectionContext(() => injectJobStatus(1))).toThrow(/add provideOrdoClient\(\{ baseUrl: '\/ordo' \}\)/);
  });

  it('refuses options that cannot make a client at provide time', () => {
    expect(() => provideOrdoClient({})).toThrow(TypeError);
    expect(() => provideOrdoClient({ baseUrl: '/ordo', ssr: 'never' as 'skip' })).toThrow("Invalid ssr \"never\": expected 'snapshot' or 'skip'");
    expect(() => provideOrdoClient(null as never)).toThrow(/needs options/);
  });

  it('shares one request between injectJobStatus and async-pipe style bindings of the same job', async () => {
    const http = setUp();
    const job = TestBed.runInInjectionContext(() => injectJobStatus(5));
    const client = TestBed.runInInjectionContext(() => injectOrdoClient());
    const statuses: string[] = [];
    const subscription = client.jobStatus$(5).subscribe((snapshot) => statuses.push(snapshot.job.status));
    (await nextRequest(http, '/ordo/jobs/5')).flush(jobBody({ id: 5, status: 'running', steps: { dem: 'running' } }));
    await shows(() => expect(job.value()?.job.status).toBe('running'));
    expect(statuses).toEqual(['running']);
    subscription.unsubscribe();
    job.destroy();
  });
});

describe('server-side rendering and hydration', () => {
  const running = jobBody({ id: 3, status: 'running', steps: { reproject: 'success', dem: 'running' } });

  it('on the server: one request, which the app waits for; the snapshot is left in TransferState; nothing polls', async () => {
    const http = setUp({}, 'server');
    const job = TestBed.runInInjectionContext(() => injectJobStatus(3));
    let stable = false;
    void TestBed.inject(ApplicationRef).whenStable().then(() => (stable = true));
    const request = await nextRequest(http, '/ordo/jobs/3');
    await new Promise((resolve) => setTimeout(resolve, 2 * intervalMs));
    expect(stable).toBe(false); // the render waits for the job's status
    request.flush(running);
    await vi.waitFor(() => expect(stable).toBe(true));
    expect(job.value()?.job.status).toBe('running');
    expect(job.events().map(describeEvent)).toEqual(['job: pending→running', 'dem: pending→running', 'reproject: pending→running*', 'reproject: running→success']);
    const stored = TestBed.inject(TransferState).get(makeStateKey<{ raw: unknown }>('ordo-status:job:3'), undefined);
    expect(JSON.parse(JSON.stringify(stored)).raw).toEqual(running);
    // One snapshot, then nothing: the render does not last as long as the job.
    await new Promise((resolve) => setTimeout(resolve, 3 * intervalMs));
    http.expectNone('/ordo/jobs/3');

    // Every other binding of the job in this render gets that snapshot, without a request; the
    // observable API emits it and completes.
    const again = TestBed.runInInjectionContext(() => injectJobStatus(3));
    expect(again.value()).toBe(job.value());
    const client = TestBed.runInInjectionContext(() => injectOrdoClient());
    const snapshots = await lastValueFrom(client.jobStatus$(3).pipe(toArray()));
    expect(snapshots).toEqual([job.value()]);
    const events = await lastValueFrom(client.jobEvents$(3).pipe(toArray()));
    expect(events.map(describeEvent)).toEqual(job.events().map(describeEvent));
    http.expectNone('/ordo/jobs/3');
  });

  it('with fetch instead of HttpClient, against a real server (the simulator): one request in the render, and the snapshot', async () => {
    const simulator = await startTestSimulator({ speed: 20 });
    const { id } = await simulator.submitJob();
    const before = simulator.requestCount;
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideOrdoClient({ baseUrl: simulator.url, token: simulator.token, fetch: (input, init) => fetch(input, init) }),
        { provide: PLATFORM_ID, useValue: 'server' },
      ],
    });
    const job = TestBed.runInInjectionContext(() => injectJobStatus(id));
    await TestBed.inject(ApplicationRef).whenStable();
    expect(job.status()).toBe('resolved');
    expect(job.value()?.job.id).toBe(String(id));
    expect(job.value()?.steps.map((step) => step.stepId)).toHaveLength(5);
    expect(simulator.requestCount - before).toBe(1);
  });

  it('submitJob sends POST /jobs with the JSON request through HttpClient and its interceptors, and resolves with the new id', async () => {
    const http = setUp();
    const client = TestBed.runInInjectionContext(() => injectOrdoClient());
    const submitted = client.submitJob({ recipe_id: 4, params: { dem: { resolution: 1 } } });
    const request = await vi.waitFor(() => http.expectOne('/ordo/jobs'));
    expect(request.request.method).toBe('POST');
    expect(request.request.headers.get('X-Trace')).toBe('job-page');
    expect(request.request.headers.get('Content-Type')).toBe('application/json');
    expect(JSON.parse(request.request.body as string)).toEqual({ recipe_id: 4, params: { dem: { resolution: 1 } } });
    request.flush({ id: 12 }, { status: 201, statusText: 'Created' });
    await expect(submitted).resolves.toBe('12');
  });

  it("behind a reverse proxy: the server's own provideOrdoClient (merged after the app's) sends the render straight to Ordo", async () => {
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideHttpClient(),
        provideHttpClientTesting(),
        provideOrdoClient({ baseUrl: '/ordo', intervalMs }), // app.config.ts
        { provide: PLATFORM_ID, useValue: 'server' },
        provideOrdoClient({ baseUrl: 'http://ordo.internal:8080', token: 'server-side-token' }), // app.config.server.ts
      ],
    });
    const http = TestBed.inject(HttpTestingController);
    const job = TestBed.runInInjectionContext(() => injectJobStatus(3));
    const request = await nextRequest(http, 'http://ordo.internal:8080/jobs/3');
    expect(request.request.headers.get('Authorization')).toBe('Bearer server-side-token');
    request.flush(running);
    await shows(() => expect(job.value()?.job.status).toBe('running'));
  });

  it("on the server with ssr: 'skip': no request, the ref stays loading", async () => {
    const http = setUp({}, 'server');
    const job = TestBed.runInInjectionContext(() => injectJobStatus(3, { ssr: 'skip' }));
    await TestBed.inject(ApplicationRef).whenStable();
    http.expectNone('/ordo/jobs/3');
    expect(job.status()).toBe('loading');
  });

  it('in the browser: a snapshot from the server is there at once; the first request comes one interval later and an unchanged answer emits nothing', async () => {
    const http = setUp();
    const transferred = JSON.parse(JSON.stringify(parseJobSnapshot(running)));
    TestBed.inject(TransferState).set(makeStateKey('ordo-status:job:3'), transferred);
    const job = TestBed.runInInjectionContext(() => injectJobStatus(3));
    // Before any request or timer: hydration renders what the server rendered.
    expect(job.status()).toBe('resolved');
    expect(job.value()?.job.status).toBe('running');
    expect(job.value()?.steps.map((step) => step.status)).toEqual(['running', 'success']); // server order: dem, reproject
    http.expectNone('/ordo/jobs/3');

    const watched = TestBed.runInInjectionContext(() => injectJobStatus(3, { injector: TestBed.inject(Injector) }));
    expect(watched.value()?.job.status).toBe('running'); // a second binding, the same
    const request = await nextRequest(http, '/ordo/jobs/3'); // one request for both
    const before = job.value();
    request.flush(running);
    const next = await nextRequest(http, '/ordo/jobs/3');
    expect(job.value()).toBe(before); // the same body again: nothing new
    expect(job.events()).toHaveLength(4);
    next.flush(jobBody({ id: 3, status: 'success', steps: { reproject: 'success', dem: 'success' } }));
    await shows(() => expect(job.value()?.job.status).toBe('success'));
    expect(watched.value()?.job.status).toBe('success');
    expect(job.events().map(describeEvent).slice(4)).toEqual(['dem: running→success', 'job: running→success']);
  });
});
