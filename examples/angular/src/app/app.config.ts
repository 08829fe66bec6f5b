import { PlatformLocation } from '@angular/common';
import { provideHttpClient, withFetch } from '@angular/common/http';
import { inject, provideBrowserGlobalErrorListeners, type ApplicationConfig } from '@angular/core';
import { provideClientHydration, withEventReplay } from '@angular/platform-browser';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { provideOrdoClient } from 'ordo-status/angular';
import { changeDetection } from './change-detection';
import { routes } from './routes';

/**
 * The poll interval, retry budget and relay, from the page's query (`?interval=500&retries=1&relay`)
 * for demos and the end-to-end test; read through PlatformLocation, so the server render sees them too.
 */
function ordoOptions() {
  const query = new URLSearchParams(inject(PlatformLocation).search);
  const retries = query.get('retries');
  return {
    baseUrl: '/ordo', // the same-origin proxy in server.ts
    intervalMs: Number(query.get('interval')) || 3000,
    retry: retries === null ? undefined : Number(retries),
    // `?relay`: transitions pushed by an ordo-status relay, through the same-origin proxy in server.ts.
    relay: query.has('relay') ? { url: '/relay' } : undefined,
  };
}

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    changeDetection,
    provideRouter(routes, withComponentInputBinding()),
    provideClientHydration(withEventReplay()),
    provideHttpClient(withFetch()),
    provideOrdoClient(ordoOptions),
  ],
};
