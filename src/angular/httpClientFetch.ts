import { HttpErrorResponse, HttpHeaders, type HttpClient, type HttpResponse } from '@angular/common/http';

/** Statuses whose `Response` may not carry a body (the Fetch standard's "null body status"). */
const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);

/** Copies Angular's response headers into a Fetch `Headers`. */
function fetchHeaders(headers: HttpHeaders | undefined): Headers {
  const copied = new Headers();
  for (const name of headers?.keys() ?? []) {
    for (const value of headers?.getAll(name) ?? []) copied.append(name, value);
  }
  return copied;
}

/** A Fetch `Response` for an answer (or an error page) that `HttpClient` received. */
function fetchResponse(status: number, statusText: string, headers: HttpHeaders | undefined, body: unknown): Response {
  const text = typeof body === 'string' ? body : body === null || body === undefined ? '' : JSON.stringify(body);
  // Bytes, not a string: a string body would add `Content-Type: text/plain` that the server never sent.
  return new Response(nullBodyStatuses.has(status) ? null : new TextEncoder().encode(text), { status, statusText, headers: fetchHeaders(headers) });
}

/**
 * A `fetch` that sends each request through Angular's `HttpClient`, so the app's interceptors
 * apply, `HttpTestingController` can answer it in tests, and on the server Angular resolves a
 * same-origin path against the request being rendered. ordo-status's fetch transport does the
 * rest (conditional requests, batching, the error classes), exactly as with `globalThis.fetch`.
 *
 * - Every request opts out of Angular's HTTP transfer cache (`transferCache: false`): a status
 *   poll asks for news, and the cache would answer it with the body rendered on the server
 *   (see the Angular guide "Server-side rendering", "Caching data when using HttpClient").
 * - An HTTP error status (4xx, 5xx, and the 304 `HttpClient` counts as an error) becomes a
 *   `Response` with that status and body, as `fetch` gives; status 0 (no response: refused,
 *   reset, CORS) becomes a `TypeError` carrying the `HttpErrorResponse` as its `cause`, as
 *   `fetch` rejects.
 * - The method and body of `init` are sent as given (`POST /jobs` from `submitJob` carries its
 *   JSON text and `Content-Type`); without a method it is a `GET`.
 * - Aborting `init.signal` unsubscribes, which cancels the request, and rejects with the signal's
 *   reason.
 *
 * @param http - the app's `HttpClient`.
 * @param origin - when the client was given a same-origin path (`/ordo`), the origin it was
 *   resolved against: requests to it go to `HttpClient` as paths again (`/ordo/jobs/7`), as an
 *   app's own code would write them.
 */
export function httpClientFetch(http: HttpClient, origin: string | undefined): typeof globalThis.fetch {
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const signal = init?.signal ?? undefined;
      if (signal?.aborted) {
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- like fetch: rejects with the signal's reason, whatever it is
        reject(signal.reason);
        return;
      }
      let url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (origin !== undefined && url.startsWith(`${origin}/`)) url = url.slice(origin.length);
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
      const onAbort = () => {
        subscription.unsubscribe();
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- like fetch: rejects with the signal's reason
        reject(signal?.reason);
      };
      // Settled: the signal (which may outlive this request) keeps no listener of it.
      const settle = (outcome: () => void) => {
        signal?.removeEventListener('abort', onAbort);
        outcome();
      };
      const subscription = http
        .request(init?.method ?? 'GET', url, { body: init?.body ?? null, headers: new HttpHeaders(headers), observe: 'response', responseType: 'text', transferCache: false })
        .subscribe({
          next: (response: HttpResponse<string>) =>
            settle(() => resolve(fetchResponse(response.status, response.statusText, response.headers, response.body))),
          error: (error: unknown) =>
            settle(() => {
              if (error instanceof HttpErrorResponse && error.status >= 200 && error.status <= 599) {
                resolve(fetchResponse(error.status, error.statusText, error.headers, error.error));
              } else {
                reject(new TypeError(`HttpClient got no response from ${url}`, { cause: error }));
              }
            }),
        });
      if (!subscription.closed) signal?.addEventListener('abort', onAbort, { once: true });
    });
}
