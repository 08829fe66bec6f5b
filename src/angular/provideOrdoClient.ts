import { PlatformLocation } from '@angular/common';
import { HttpClient } from '@angular/common/http';
import {
  inject,
  InjectionToken,
  Injector,
  makeEnvironmentProviders,
  runInInjectionContext,
  type EnvironmentProviders,
} from '@angular/core';
import { createOrdoClient, type JobTransport, type OrdoClient, type OrdoClientOptions } from 'ordo-status';
import { createAngularOrdoClient } from './angularOrdoClient.js';
import { httpClientFetch } from './httpClientFetch.js';
import { injectorFor } from './injectorFor.js';

/**
 * What the server render does with a watched job:
 * - `'snapshot'`: one request per job, registered with Angular's `PendingTasks` so the HTML holds
 *   the job's current status; the snapshot goes to the browser with the page (`TransferState`),
 *   and the browser's first request comes one interval after hydration, resuming from it;
 * - `'skip'`: no request on the server; the page is rendered without the job, and the browser
 *   loads it at once.
 *
 * Nothing ever polls on the server, so a render lasts as long as one request, however long the job runs.
 */
export type OrdoServerRendering = 'snapshot' | 'skip';

/**
 * Options of {@link provideOrdoClient}: where the Ordo server is and how requests are made, and
 * the defaults of every watch (`intervalMs`, `retry`, `timeoutMs`, `whenHidden`, `batch`,
 * `retainTerminalMs`…, all as in `createOrdoClient`; durations in milliseconds).
 *
 * By default requests go through Angular's `HttpClient` (`provideHttpClient(withFetch())` is
 * Angular's advice for server-side rendering):
 * interceptors apply and `HttpTestingController` answers them in tests. Give `fetch` to bypass
 * `HttpClient`, or a ready `transport` instead of `baseUrl`/`token`/`fetch`.
 */
export interface OrdoClientProviderOptions extends Omit<OrdoClientOptions, 'baseUrl' | 'fetch' | 'transport' | 'signal'> {
  /**
   * The Ordo server's base URL: absolute (`https://gateway.example.com/ordo`) or a same-origin
   * path (`/ordo`). A path is resolved against the page in the browser and against the URL being
   * rendered on the server; requests through `HttpClient` keep it a path. The real server sends
   * no CORS headers, so browser apps reach it through a same-origin proxy that adds the token on
   * its side (see docs/angular.md). Required unless `transport` is given.
   */
  baseUrl?: string | URL | undefined;
  /**
   * A `fetch` to use instead of `HttpClient` (the app's interceptors then do not apply).
   * @defaultValue requests go through `HttpClient`
   */
  fetch?: typeof globalThis.fetch | undefined;
  /** A transport instead of `baseUrl`, `token` and `fetch` (see `JobTransport`). */
  transport?: JobTransport | undefined;
  /**
   * What the server render does with a watched job; see {@link OrdoServerRendering}.
   * @defaultValue 'snapshot'
   */
  ssr?: OrdoServerRendering | undefined;
}

/** The defaults of {@link OrdoClientProviderOptions} that are not the client's. */
export const defaultOrdoClientProviderOptions = { ssr: 'snapshot' as OrdoServerRendering } as const;

/** The client of the current application, made by {@link provideOrdoClient}. */
export const ORDO_CLIENT = new InjectionToken<OrdoClient>('ordo-status client');

const serverRenderings: readonly unknown[] = ['snapshot', 'skip'];

/** The error for an `ssr` option that is neither `'snapshot'` nor `'skip'`; `undefined` when it is fine (or not given). */
export function invalidServerRendering(ssr: unknown): TypeError | undefined {
  return ssr === undefined || serverRenderings.includes(ssr) ? undefined : new TypeError(`Invalid ssr ${JSON.stringify(ssr)}: expected 'snapshot' or 'skip'`);
}

/** @throws TypeError for options that cannot make a client. */
function checkProviderOptions(options: unknown): asserts options is OrdoClientProviderOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError("provideOrdoClient needs options: { baseUrl: '/ordo' } (a same-origin path or an absolute URL), or { transport }");
  }
  const { baseUrl, transport, ssr, signal, token, fetch, maxResponseBytes } = options as OrdoClientProviderOptions & { signal?: unknown };
  if (transport !== undefined) {
    if (baseUrl !== undefined || token !== undefined || fetch !== undefined || maxResponseBytes !== undefined) {
      throw new TypeError('Pass either transport, or baseUrl with token, fetch and maxResponseBytes, not both');
    }
  } else if (baseUrl === undefined) {
    throw new TypeError("provideOrdoClient needs a baseUrl (a same-origin path such as '/ordo', or an absolute URL) or a transport");
  } else if (!(baseUrl instanceof URL) && (typeof baseUrl !== 'string' || !(baseUrl.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(baseUrl)))) {
    throw new TypeError(
      `Invalid baseUrl ${JSON.stringify(typeof baseUrl === 'string' ? baseUrl : String(baseUrl))}: expected an absolute URL ("https://gateway.example.com/ordo") or a path from the site's root ("/ordo")`,
    );
  }
  const ssrError = invalidServerRendering(ssr);
  if (ssrError) throw ssrError;
  if (signal !== undefined) {
    throw new TypeError('provideOrdoClient takes no signal: the client stops every watch when the application is destroyed');
  }
}

/** The page (browser) or the URL being rendered (server) that a same-origin path is resolved against. */
function pageHref(): string | undefined {
  const href = inject(PlatformLocation, { optional: true })?.href;
  if (typeof href === 'string' && /^https?:\/\//i.test(href)) return href;
  const location = (globalThis as { location?: { href?: unknown } }).location?.href;
  return typeof location === 'string' ? location : undefined;
}

/** The relay option with its URL resolved against the page (or the URL being rendered). */
function resolvedRelay(relay: OrdoClientProviderOptions['relay'], page: string | undefined): OrdoClientProviderOptions['relay'] {
  if (relay === undefined || page === undefined) return relay;
  const url = typeof relay === 'string' || relay instanceof URL ? relay : relay !== null && typeof relay === 'object' ? relay.url : undefined;
  if (typeof url !== 'string' || !url.startsWith('/')) return relay;
  const resolved = new URL(url, page);
  return typeof relay === 'string' ? resolved : { ...(relay as Exclude<typeof relay, string | URL>), url: resolved };
}

/** What reads the relay's streams: the relay's own `fetch`, the provider's, else the platform's (called through globalThis). */
function streamFetch(relay: NonNullable<OrdoClientProviderOptions['relay']>, fetch: typeof globalThis.fetch | undefined): typeof globalThis.fetch {
  const own = typeof relay === 'object' && !(relay instanceof URL) ? relay.fetch : undefined;
  return own ?? fetch ?? ((input, init) => globalThis.fetch(input, init));
}

/** The plain client the Angular one wraps: on `HttpClient`, on `fetch`, or on the given transport. */
function createBaseClient(options: OrdoClientProviderOptions, signal: AbortSignal): OrdoClient {
  const { ssr: _ssr, baseUrl, token, fetch, transport, maxResponseBytes, relay, ...rest } = options;
  const page = pageHref();
  // A relay at a same-origin path ('/relay') is resolved like baseUrl, on the server too (where it
  // opens no stream). Its streams are read with fetch: HttpClient would wait for the whole response.
  const resolved = resolvedRelay(relay, page);
  const defaults = {
    ...rest,
    relay: resolved === undefined ? undefined : { ...(typeof resolved === 'string' || resolved instanceof URL ? { url: resolved } : resolved), fetch: streamFetch(resolved, fetch) },
  };
  if (transport !== undefined) return createOrdoClient({ ...defaults, transport, signal });
  let base: URL;
  try {
    base = new URL(baseUrl as string | URL, page);
  } catch {
    throw new TypeError(`Invalid baseUrl ${JSON.stringify(String(baseUrl))}: ${page === undefined ? 'a path needs a page or a rendered URL to resolve against' : 'not a URL'}`);
  }
  // A path (or a URL on the page's own origin) goes to HttpClient as a path again.
  const sameOrigin = page !== undefined && base.origin === new URL(page).origin;
  const send = fetch ?? httpClientFetch(inject(HttpClient), sameOrigin ? base.origin : undefined);
  return createOrdoClient({ ...defaults, baseUrl: base, token, fetch: send, maxResponseBytes, signal });
}

/**
 * Provides an ordo-status client to an Angular application: add it to the application config
 * (`bootstrapApplication(App, { providers: [provideHttpClient(withFetch()), provideOrdoClient({ baseUrl: '/ordo' })] })`),
 * then use {@link injectJobStatus} or {@link injectOrdoClient}.
 *
 * The client is made the way Angular's own `rxResource` and `httpResource` work:
 * - **Zone.js**: polling timers and requests run outside the Angular zone, and only results come
 *   back into it, so an app that watches a running job becomes stable (`ApplicationRef.whenStable()`
 *   resolves, hydration prints no NG0506). Zoneless apps need nothing else.
 * - **Server-side rendering**: see {@link OrdoServerRendering}. On the server, `jobStatus$(id)`
 *   emits one snapshot and completes, `jobEvents$(id)` the transitions up to it, and
 *   `waitForJob(id)` settles from that snapshot if the job has ended (otherwise an
 *   `OrdoTimeoutError` carrying it: a render does not poll).
 * - **Lifetime**: when the application is destroyed (on the server, after each render), every
 *   watch of the client stops.
 *
 * @param options - {@link OrdoClientProviderOptions}, or a function returning them, called once
 *   in an injection context (to read `inject(...)`, e.g. an environment token).
 * @returns providers for `bootstrapApplication` or `ApplicationConfig.providers`.
 * @throws TypeError at once for options without `baseUrl` or `transport` (or with both), a
 *   `baseUrl` that is neither absolute nor a path from the site's root, an invalid `ssr`, or a
 *   `signal`; when the client is first injected, the errors of `createOrdoClient` (invalid watch
 *   options) and of a factory.
 * @example
 * ```ts
 * export const appConfig: ApplicationConfig = {
 *   providers: [provideHttpClient(withFetch()), provideOrdoClient({ baseUrl: '/ordo', intervalMs: 3000 })],
 * };
 * ```
 * @see docs/angular.md
 */
export function provideOrdoClient(options: OrdoClientProviderOptions | (() => OrdoClientProviderOptions)): EnvironmentProviders {
  if (typeof options !== 'function') checkProviderOptions(options);
  return makeEnvironmentProviders([
    {
      provide: ORDO_CLIENT,
      useFactory: () => {
        const resolved = typeof options === 'function' ? runInInjectionContext(inject(Injector), options) : options;
        checkProviderOptions(resolved);
        return createAngularOrdoClient((signal) => createBaseClient(resolved, signal), resolved.ssr ?? defaultOrdoClientProviderOptions.ssr, {
          intervalMs: resolved.intervalMs,
          scheduler: resolved.scheduler,
          onIllegalTransition: resolved.onIllegalTransition,
          statusAliases: resolved.statusAliases,
          pushed: resolved.relay !== undefined,
        });
      },
    },
  ]);
}

/** Options of {@link injectOrdoClient}. */
export interface InjectOrdoClientOptions {
  /** The injector to use outside an injection context. */
  injector?: Injector | undefined;
}

/**
 * The application's ordo-status client (see {@link provideOrdoClient}): `jobStatus$`, `jobEvents$`,
 * `waitForJob` and `getJob`, zone-safe and SSR-safe. Bind its observables with the `async` pipe
 * or `toSignal`; every binding of a job shares one poll.
 *
 * @param options - `injector`, to call it outside an injection context.
 * @returns the client.
 * @throws Error outside an injection context without `injector`, and when no client is provided.
 * @example
 * ```ts
 * readonly job$ = injectOrdoClient().jobStatus$(42); // in a component: {{ (job$ | async)?.job.status }}
 * ```
 */
export function injectOrdoClient(options?: InjectOrdoClientOptions): OrdoClient {
  const injector = injectorFor('injectOrdoClient', options?.injector);
  const client = injector.get(ORDO_CLIENT, null, { optional: true });
  if (!client) {
    throw new Error("No ordo-status client is provided: add provideOrdoClient({ baseUrl: '/ordo' }) to the application's providers");
  }
  return client;
}
