import { provideHttpClient, withInterceptors, type HttpInterceptorFn } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { OrdoAuthError, OrdoNotFoundError, type JobSnapshot } from 'ordo-status';
import { jobBody } from 'ordo-status/testing';
import { JobStatusService } from './job-status.service';

/** An app's own interceptor: the transport is HttpClient, so it applies to every poll. */
/** The first poll of a watch is a `timer(0)`: its request goes out on the next macrotask. */
const firstPoll = () => new Promise<void>((resolve) => setTimeout(resolve));

const traced: HttpInterceptorFn = (request, next) => next(request.clone({ setHeaders: { 'X-Trace': 'job-view' } }));

describe('JobStatusService', () => {
  let service: JobStatusService;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(withInterceptors([traced])), provideHttpClientTesting()],
    });
    service = TestBed.inject(JobStatusService);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => http.verify());

  it('answers with a validated snapshot and completes at the terminal one; interceptors apply', async () => {
    const snapshots: JobSnapshot[] = [];
    let completed = false;
    service.status$('7').subscribe({ next: (snapshot) => snapshots.push(snapshot), complete: () => (completed = true) });
    await firstPoll();

    const request = http.expectOne('/ordo/jobs/7');
    expect(request.request.method).toBe('GET');
    expect(request.request.headers.get('X-Trace')).toBe('job-view');
    request.flush(jobBody({ id: 7, status: 'success', steps: { reproject: 'success', dem: 'success' } }));

    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]!.job.status).toBe('success');
    expect(snapshots[0]!.steps.map((step) => step.stepId)).toEqual(['dem', 'reproject']);
    expect(snapshots[0]!.progress.fraction).toBe(1);
    expect(completed).toBe(true);
  });

  it('shares one request between several bindings of the same job, and stops when they leave', async () => {
    const first: string[] = [];
    const second: string[] = [];
    const a = service.status$('8').subscribe((snapshot) => first.push(snapshot.job.status));
    const b = service.status$('8').subscribe((snapshot) => second.push(snapshot.job.status));
    await firstPoll();

    const request = http.expectOne('/ordo/jobs/8'); // one, not two
    request.flush(jobBody({ id: 8, status: 'running', steps: { dem: 'running' } }));
    expect([first, second]).toEqual([['running'], ['running']]);

    a.unsubscribe();
    b.unsubscribe();
    http.expectNone('/ordo/jobs/8');
  });

  it('turns HttpClient failures into ordo-status errors: 404 is OrdoNotFoundError, 401 OrdoAuthError', async () => {
    let missing: unknown;
    service.status$('9').subscribe({ error: (error: unknown) => (missing = error) });
    await firstPoll();
    http.expectOne('/ordo/jobs/9').flush({ error: 'job not found' }, { status: 404, statusText: 'Not Found' });
    expect(missing).toBeInstanceOf(OrdoNotFoundError);
    expect((missing as OrdoNotFoundError).message).toBe('GET /ordo/jobs/9 answered 404 Not Found: job not found');
    expect((missing as OrdoNotFoundError).jobId).toBe('9');

    let refused: unknown;
    service.events$('10').subscribe({ error: (error: unknown) => (refused = error) });
    await firstPoll();
    http.expectOne('/ordo/jobs/10').flush({ error: 'Missing or invalid Authorization header' }, { status: 401, statusText: 'Unauthorized' });
    expect(refused).toBeInstanceOf(OrdoAuthError);
    expect(refused).toMatchObject({ status: 401, code: 'AUTH' });
  });
});
