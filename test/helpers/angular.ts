import '@angular/compiler';
import { provideHttpClient, withInterceptors, type HttpInterceptorFn } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { PLATFORM_ID, provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { BrowserTestingModule, platformBrowserTesting } from '@angular/platform-browser/testing';
import { afterEach, beforeAll, expect, vi } from 'vitest';
import { provideOrdoClient, type OrdoClientProviderOptions } from 'ordo-status/angular';

/** The poll interval of the Angular tests, in milliseconds. */
export const intervalMs = 40;

/** An app's own interceptor: requests go through HttpClient, so it applies to every poll. */
const traced: HttpInterceptorFn = (request, next) => next(request.clone({ setHeaders: { 'X-Trace': 'job-page' } }));

/** TestBed's browser test environment for this file, reset after each test. */
export function useTestBed(): void {
  beforeAll(() => TestBed.initTestEnvironment(BrowserTestingModule, platformBrowserTesting()));
  afterEach(() => TestBed.resetTestingModule());
}

/**
 * TestBed with HttpClient (and an interceptor adding `X-Trace`), HttpTestingController and the
 * client on `/ordo` (no retries); `'server'` renders on the server platform.
 */
export function setUpOrdoTestBed(options: Partial<OrdoClientProviderOptions> = {}, platform: 'browser' | 'server' = 'browser'): HttpTestingController {
  TestBed.configureTestingModule({
    providers: [
      provideZonelessChangeDetection(),
      provideHttpClient(withInterceptors([traced])),
      provideHttpClientTesting(),
      provideOrdoClient({ baseUrl: '/ordo', intervalMs, retry: 0, ...options }),
      platform === 'server' ? [{ provide: PLATFORM_ID, useValue: 'server' }] : [],
    ],
  });
  return TestBed.inject(HttpTestingController);
}

/** The next request for a URL, once the poll's timer sent it. */
export async function nextRequest(http: HttpTestingController, url: string): Promise<TestRequest> {
  let found: TestRequest[] = [];
  await vi.waitFor(() => {
    found = http.match(url);
    expect(found).toHaveLength(1);
  });
  return found[0]!;
}
