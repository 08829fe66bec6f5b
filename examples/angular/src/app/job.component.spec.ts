import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { OrdoHttpError } from 'ordo-status';
import { provideOrdoClient } from 'ordo-status/angular';
import { jobBody } from 'ordo-status/testing';
import { JobComponent } from './job.component';

/** Waits for the next request to a URL (the watch's timer sends it). */
async function nextRequest(http: HttpTestingController, url: string): Promise<TestRequest> {
  for (let waited = 0; waited < 2000; waited += 5) {
    const found = http.match(url);
    if (found.length === 1) return found[0]!;
    expect(found.length).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no request to ${url}`);
}

/** Waits until the rendered page shows something. */
async function shows(fixture: ComponentFixture<unknown>, selector: string, text: string): Promise<void> {
  for (let waited = 0; waited < 2000; waited += 5) {
    await fixture.whenStable();
    const element = (fixture.nativeElement as HTMLElement).querySelector(selector);
    if (element?.textContent?.includes(text)) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${selector} never showed ${text}: ${(fixture.nativeElement as HTMLElement).textContent}`);
}

describe('JobComponent (injectJobStatus)', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideHttpClient(),
        provideHttpClientTesting(),
        provideOrdoClient({ baseUrl: '/ordo', intervalMs: 20, retry: 0 }),
      ],
    });
    http = TestBed.inject(HttpTestingController);
  });

  it('renders the job and its steps from the route id; both bindings share one request', async () => {
    const fixture = TestBed.createComponent(JobComponent);
    fixture.componentRef.setInput('id', '7');
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('[data-test=loading]').textContent).toContain('Loading job 7');

    (await nextRequest(http, '/ordo/jobs/7')).flush(jobBody({ id: 7, status: 'running', steps: { reproject: 'success', dem: 'running' } }));
    await shows(fixture, '[data-test=job-status]', 'running');
    expect([...fixture.nativeElement.querySelectorAll('[data-test=step-status]')].map((cell: Element) => cell.textContent)).toEqual(['running', 'success']);
    expect(fixture.nativeElement.querySelector('[data-test=summary]').textContent).toContain('1/2 steps');

    (await nextRequest(http, '/ordo/jobs/7')).flush(jobBody({ id: 7, status: 'success', steps: { reproject: 'success', dem: 'success' } }));
    await shows(fixture, '[data-test=job-status]', 'success');
    expect(fixture.nativeElement.querySelector('[data-test=events]').textContent).toContain('job: running → success');
    http.verify();
  });

  it('shows an error next to the last snapshot, and Try again recovers', async () => {
    const fixture = TestBed.createComponent(JobComponent);
    fixture.componentRef.setInput('id', '8');
    (await nextRequest(http, '/ordo/jobs/8')).flush(jobBody({ id: 8, status: 'running', steps: { dem: 'running' } }));
    await shows(fixture, '[data-test=job-status]', 'running');
    (await nextRequest(http, '/ordo/jobs/8')).flush({ error: 'Internal server error' }, { status: 500, statusText: 'Internal Server Error' });
    await shows(fixture, '[data-test=error]', 'answered 500 Internal Server Error');
    expect(fixture.componentInstance.job.error()).toBeInstanceOf(OrdoHttpError);
    expect(fixture.nativeElement.querySelector('[data-test=job-status]').textContent).toBe('running'); // still there

    fixture.nativeElement.querySelector('[data-test=reload]').click();
    (await nextRequest(http, '/ordo/jobs/8')).flush(jobBody({ id: 8, status: 'success', steps: { dem: 'success' } }));
    await shows(fixture, '[data-test=job-status]', 'success');
    expect(fixture.nativeElement.querySelector('[data-test=error]')).toBeNull();
  });
});
