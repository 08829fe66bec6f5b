import { provideZoneChangeDetection } from '@angular/core';

/** The `zone` build: zone.js (in angular.json's polyfills), as in most existing apps. */
export const changeDetection = provideZoneChangeDetection({ eventCoalescing: true });
