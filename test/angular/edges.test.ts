// @vitest-environment jsdom
import { intervalMs, nextRequest, setUpOrdoTestBed, useTestBed } from '../helpers/angular.js'; // first: loads the JIT compiler
import { createEnvironmentInjector, EnvironmentInjector, makeStateKey, signal, TransferState } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { concat, finalize, NEVER, of } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { OrdoIllegalTransitionError, OrdoTimeoutError, parseJobSnapshot } from 'ordo-status';
import { injectJobStatus, injectOrdoClient, provideOrdoClient, type OrdoClientProviderOptions } from 'ordo-status/angular';
import { jobBody, scriptedTransport } from 'ordo-status/testing';

useTestBed();
const setUp = setUpOrdoTestBed;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const transferredSnapshot = (body: unknown) => JSON.parse(JSON.stringify(parseJobSnapshot(body)));

describe('edges: reload() after destroy', () => {
  it('destroy() then reload(): nothing to restart, no request', async () => {
    const http = setUp();
    const job = TestBed.runInInjectionContext(() => injectJobStatus(7));
    (await nextRequest(http, '/ordo/jobs/7')).flush(jobBody({ id: 7, status: 'running', steps: { a: 'running' } }));
    await vi.waitFor(() => expect(job.status()).toBe('resolved'));
    job.destroy();
    expect(job.reload()).toBe(false); // documented: false when there is nothing to restart
    await sleep(3 * intervalMs);
    // A destroyed watch does not poll again (a request already sent when it stopped is cancelled).
    expect(http.match('/ordo/jobs/7').filter((request) => !request.cancelled)).toEqual([]);
  });

  it('the injector is destroyed, then reload(): no watch outlives its injector', async () => {
    const http = setUp();
    const child = createEnvironmentInjector([], TestBed.inject(EnvironmentInjector));
    const job = injectJobStatus(7, { injector: child });
    (await nextRequest(http, '/ordo/jobs/7')).flush({ error: 'boom' }, { status: 500, statusText: 'Internal Server Error' });
    await vi.waitFor(() => expect(job.status()).toBe('error'));
    child.destroy();
    job.reload(); // e.g. a "Try again" button clicked during leave animation
    await sleep(3 * intervalMs);
    expect(http.match('/ordo/jobs/7').filter((request) => !request.cancelled)).toEqual([]);
  });
});

describe('edges: hydration', () => {
  it('a snapshot transferred under job 3 but made for job 4 is not shown as job 3', async () => {
    const http = setUp();
    TestBed.inject(TransferState).set(makeStateKey('ordo-status:job:3'), transferredSnapshot(jobBody({ id: 4, status: 'running', steps: { a: 'running' } })));
    const job = TestBed.runInInjectionContext(() => injectJobStatus(3));
    // "not ours, or tampered with: poll as if nothing was sent" (angularOrdoClient.ts)
    expect(job.value()?.job.id).not.toBe('4');
    job.destroy();
    http.match(() => true);
  });

  it('a terminal snapshot transferred for another job is ignored: this job is asked for', async () => {
    const http = setUp();
    TestBed.inject(TransferState).set(makeStateKey('ordo-status:job:3'), transferredSnapshot(jobBody({ id: 4, status: 'failed', steps: { a: 'failed' } })));
    const job = TestBed.runInInjectionContext(() => injectJobStatus(3));
    await sleep(3 * intervalMs);
    // Job 4's snapshot under job 3's key is not job 3's: ignored, and job 3 is asked for.
    expect(job.isTerminal()).toBe(false);
    expect(http.match('/ordo/jobs/3').length).toBeGreaterThan(0);
  });

  it('jobStatus$ (async pipe) ends with OrdoIllegalTransitionError when the first answer moves back from the transferred snapshot', async () => {
    const http = setUp();
    const running = jobBody({ id: 3, status: 'running', steps: { a: 'running' } });
    TestBed.inject(TransferState).set(makeStateKey('ordo-status:job:3'), transferredSnapshot(running));
    const client = TestBed.runInInjectionContext(() => injectOrdoClient());
    const seen: string[] = [];
    let failure: unknown;
    const subscription = client.jobStatus$(3).subscribe({ next: (s) => seen.push(s.job.status), error: (e) => (failure = e) });
    (await nextRequest(http, '/ordo/jobs/3')).flush(jobBody({ id: 3, status: 'pending', steps: { a: 'pending' } }));
    await sleep(intervalMs / 2);
    subscription.unsubscribe();
    http.match(() => true);
    // As a watch resumed from that snapshot (and injectJobStatus) would: running → pending is illegal.
    expect(seen).toEqual(['running']);
    expect((failure as Error | undefined)?.name).toBe('OrdoIllegalTransitionError');
  });

  it('an interval function returning junk is refused on the hydration path too', async () => {
    const http = setUp({ intervalMs: () => -5 });
    TestBed.inject(TransferState).set(makeStateKey('ordo-status:job:3'), transferredSnapshot(jobBody({ id: 3, status: 'running', steps: { a: 'running' } })));
    const job = TestBed.runInInjectionContext(() => injectJobStatus(3));
    await sleep(20);
    // As pollJob refuses it ("Invalid intervalMs() result -5"), and no request goes out.
    expect(http.match(() => true)).toEqual([]);
    expect(job.error()).toBeInstanceOf(TypeError);
    expect(job.error()?.message).toMatch(/^Invalid intervalMs\(\) result -5/);
  });
});

describe('edges: the same id again', () => {
  it.each([
    ['retainTerminalMs 0', { retainTerminalMs: 0 }],
    ['the default retainTerminalMs', {}],
  ])('a function id that re-runs with the same id after the job ended keeps the watch (%s): no reset, no refetch, no rewritten transitions', async (_, options) => {
    const http = setUp(options);
    const route = signal({ id: '7', tab: 'steps' }); // e.g. a route whose query param changes
    const job = TestBed.runInInjectionContext(() => injectJobStatus(() => route().id));
    TestBed.tick();
    (await nextRequest(http, '/ordo/jobs/7')).flush(jobBody({ id: 7, status: 'running', steps: { a: 'running' } }));
    await vi.waitFor(() => expect(job.status()).toBe('resolved'));
    (await nextRequest(http, '/ordo/jobs/7')).flush(jobBody({ id: 7, status: 'success', steps: { a: 'success' } }));
    await vi.waitFor(() => expect(job.isTerminal()).toBe(true));
    const events = () => job.events().map((e) => `${e.type === 'job' ? 'job' : e.stepId}: ${e.from}→${e.to}${e.inferred ? '*' : ''}`);
    const observed = ['job: pending→running', 'a: pending→running', 'a: running→success', 'job: running→success'];
    expect(events()).toEqual(observed);

    route.set({ id: '7', tab: 'outputs' }); // same job
    TestBed.tick();
    expect(job.status()).toBe('resolved');
    expect(job.value()?.job.status).toBe('success');
    await sleep(20);
    expect(http.match('/ordo/jobs/7')).toHaveLength(0);
    expect(events()).toEqual(observed);
  });
});

describe('edges: provideOrdoClient options', () => {
  for (const baseUrl of [null, 42, {}]) {
    it(`baseUrl ${JSON.stringify(baseUrl)} is refused, not turned into the path "/${String(baseUrl)}"`, () => {
      expect(() => provideOrdoClient({ baseUrl } as never)).toThrow(TypeError);
    });
  }

  it('a protocol-relative baseUrl (//gateway.example.com/ordo) is not sent to the page\'s own origin', async () => {
    const http = setUp({ baseUrl: '//gateway.example.com/ordo' });
    const job = TestBed.runInInjectionContext(() => injectJobStatus(7));
    await sleep(20);
    const urls = http.match(() => true).map((r) => r.request.url);
    job.destroy();
    // Another origin: the request goes there, not to the page's own origin.
    expect(urls).not.toEqual(['/ordo/jobs/7']);
  });

  it('transport together with baseUrl / token is refused at once, as createOrdoClient does', () => {
    const transport = scriptedTransport({ 7: () => jobBody({ id: 7, status: 'running' }) });
    const notBoth = 'Pass either transport, or baseUrl with token, fetch and maxResponseBytes, not both';
    expect(() => provideOrdoClient({ transport, baseUrl: 'https://ordo.example.com' })).toThrow(notBoth);
    expect(() => provideOrdoClient({ transport, token: 'secret-token' })).toThrow(notBoth);
  });

  it('a relative baseUrl without a leading slash ("ordo") is refused: it would depend on the page the app was opened on', () => {
    expect(() => provideOrdoClient({ baseUrl: 'ordo' })).toThrow(
      'Invalid baseUrl "ordo": expected an absolute URL ("https://gateway.example.com/ordo") or a path from the site\'s root ("/ordo")',
    );
  });
});

describe('edges: an answer that fails at once, inside subscribe()', () => {
  it('closes that very subscription (not an older one) and holds the error', () => {
    setUp();
    const running = parseJobSnapshot(jobBody({ id: 3, status: 'running', steps: { a: 'running' } }));
    const pending = parseJobSnapshot(jobBody({ id: 3, status: 'pending', steps: { a: 'pending' } }));
    let closed = 0;
    // A client whose poll replays two snapshots at once, the second one backwards, and then stays open.
    const client = { ...TestBed.runInInjectionContext(() => injectOrdoClient()) };
    client.jobStatus$ = () => concat(of(running, pending), NEVER).pipe(finalize(() => closed++));
    const job = TestBed.runInInjectionContext(() => injectJobStatus(3, { client }));
    expect(job.status()).toBe('error');
    expect(job.error()).toBeInstanceOf(OrdoIllegalTransitionError);
    expect(job.value()?.job.status).toBe('running');
    expect(closed).toBe(1);
    expect(job.reload()).toBe(true);
    expect(job.status()).toBe('error'); // the same again
    expect(closed).toBe(2);
  });
});

describe('edges: a function id that throws, then recovers', () => {
  it('watches the job again once the function returns the same id again', async () => {
    const http = setUp();
    const broken = signal(false);
    const job = TestBed.runInInjectionContext(() =>
      injectJobStatus(() => {
        if (broken()) throw new Error('route not ready');
        return '7';
      }),
    );
    TestBed.tick();
    (await nextRequest(http, '/ordo/jobs/7')).flush(jobBody({ id: 7, status: 'running', steps: { a: 'running' } }));
    await vi.waitFor(() => expect(job.status()).toBe('resolved'));
    broken.set(true);
    TestBed.tick();
    expect(job.status()).toBe('error'); // fine: the function's error is held
    broken.set(false); // the function works again, with the same id
    TestBed.tick();
    expect(job.error()).toBeUndefined();
    await sleep(2 * intervalMs);
    expect(http.match('/ordo/jobs/7').length).toBeGreaterThan(0);
    job.destroy();
  });
});

describe('edges: the server render', () => {
  const serverSetUp = (options: Partial<OrdoClientProviderOptions> = {}) => setUpOrdoTestBed(options, 'server');

  it("waitForJob on the server never polls: with ssr: 'skip' it rejects at once, with no request", async () => {
    const http = serverSetUp({ ssr: 'skip' });
    const client = TestBed.runInInjectionContext(() => injectOrdoClient());
    const error = await client.waitForJob(3).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OrdoTimeoutError);
    expect((error as OrdoTimeoutError).message).toBe("waitForJob(3) on the server: ssr is 'skip', and a server render does not poll");
    expect((error as OrdoTimeoutError).lastSnapshot).toBeNull();
    await sleep(2 * intervalMs);
    expect(http.match('/ordo/jobs/3')).toHaveLength(0);
  });

  it('waitForJob on the server settles from the one snapshot: an ended job resolves, a running one rejects carrying it', async () => {
    const http = serverSetUp();
    const client = TestBed.runInInjectionContext(() => injectOrdoClient());
    const running = client.waitForJob(3).catch((caught: unknown) => caught);
    (await nextRequest(http, '/ordo/jobs/3')).flush(jobBody({ id: 3, status: 'running', steps: { a: 'running' } }));
    const error = (await running) as OrdoTimeoutError;
    expect(error).toBeInstanceOf(OrdoTimeoutError);
    expect(error.lastSnapshot?.job.status).toBe('running');
    const done = client.waitForJob(4);
    (await nextRequest(http, '/ordo/jobs/4')).flush(jobBody({ id: 4, status: 'success', steps: { a: 'success' } }));
    expect((await done).job.status).toBe('success');
    await sleep(2 * intervalMs);
    expect(http.match(() => true)).toEqual([]); // no poll after either
  });

  it('a failed server request is not repeated by a second binding of the same job in the same render', async () => {
    const http = serverSetUp();
    const first = TestBed.runInInjectionContext(() => injectJobStatus(3));
    (await nextRequest(http, '/ordo/jobs/3')).flush('down', { status: 503, statusText: 'Service Unavailable' });
    await vi.waitFor(() => expect(first.status()).toBe('error'));
    const second = TestBed.runInInjectionContext(() => injectJobStatus(3)); // e.g. a summary component further down the page
    await sleep(10);
    // docs: "each watched job costs one request, shared by all its bindings in the render"
    expect(http.match('/ordo/jobs/3')).toHaveLength(0);
    second.destroy();
  });
});
