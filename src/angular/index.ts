/**
 * ordo-status/angular: the Angular way in. `provideOrdoClient` for the application config,
 * `injectJobStatus` for a job as signals, `injectOrdoClient` for observables (`async` pipe,
 * `toSignal`). Zone-safe (polling runs outside the Angular zone) and made for server-side
 * rendering (one request per job on the server, handed to the browser with the page).
 *
 * `@angular/core` and `@angular/common` (20 or newer) are optional peer dependencies: only this
 * entry imports them. This file is the complete list of what it exports.
 * @packageDocumentation
 */
export { provideOrdoClient, injectOrdoClient, ORDO_CLIENT, defaultOrdoClientProviderOptions } from './provideOrdoClient.js';
export type { OrdoClientProviderOptions, OrdoServerRendering, InjectOrdoClientOptions } from './provideOrdoClient.js';
export { injectJobStatus } from './injectJobStatus.js';
export type { JobIdSource, JobStatusRef, JobStatusRefStatus, InjectJobStatusOptions } from './injectJobStatus.js';
