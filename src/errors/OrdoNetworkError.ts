import { isOrdoError, OrdoError, type OrdoErrorOptions } from './OrdoError.js';

/**
 * What a system error code looks like: a letter, then letters, digits or `_`, at most 64
 * characters. Node and undici write them in capitals (`ECONNREFUSED`, `EAI_AGAIN`,
 * `UND_ERR_SOCKET`, `ERR_TLS_CERT_ALTNAME_INVALID`), Bun in PascalCase (`ConnectionRefused`).
 * Anything else found in a `code` (a number, a sentence, a DOMException's legacy `20`) is not one.
 */
const systemCodeShape = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** How deep {@link failureChain} follows `cause` and `errors`: undici nests two or three levels. */
const maxChainDepth = 6;

/**
 * The errors behind a failure, in the order they are searched for a system code: the error,
 * then (depth first) each of an `AggregateError`'s `errors`, then its `cause`, at most
 * {@link maxChainDepth} levels deep, each error once (a cycle ends the walk).
 *
 * @param error - anything thrown; a non-object is a chain of itself alone.
 * @returns the thrown value first, then the errors it holds.
 */
export function failureChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  const seen = new Set<unknown>();
  const visit = (node: unknown, depth: number): void => {
    if (seen.has(node) || depth > maxChainDepth) return;
    seen.add(node);
    chain.push(node);
    if (node === null || typeof node !== 'object') return;
    const { errors, cause } = node as { errors?: unknown; cause?: unknown };
    if (Array.isArray(errors)) for (const inner of errors) visit(inner, depth + 1);
    if (cause !== undefined) visit(cause, depth + 1);
  };
  visit(error, 0);
  return chain;
}

/**
 * The system error code of a network failure, wherever Node, undici or another `fetch` put it:
 * `error.code` (Node's `net` errors, node-fetch), `error.cause.code` (undici's `fetch failed`
 * and `terminated` TypeErrors), `error.cause.cause.code` (a wrapped fetch failure), or
 * `errors[0].code` of an `AggregateError` (a happy-eyeballs connect that tried IPv6 and IPv4).
 * The first code found in {@link failureChain} order wins; an ordo-status error gives its own
 * `systemCode`, never its `code` (`NETWORK` is no system code).
 *
 * @param error - anything thrown by a `fetch` or a transport.
 * @returns e.g. `'ECONNREFUSED'`, `'UND_ERR_SOCKET'`; `undefined` when no error in the chain
 *   carries a string `code` of the shape of one (a browser's `TypeError: Failed to fetch`, an
 *   undici redirect loop).
 * @example
 * ```ts
 * systemCodeOf(new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) })); // 'ECONNREFUSED'
 * ```
 * Source: Node.js docs, "Errors" › "Common system errors" and `error.code`; undici docs,
 * "Errors" (`UND_ERR_*`); Node's `net` `autoSelectFamily` (happy eyeballs) fails with an
 * `AggregateError` of one error per address tried.
 */
export function systemCodeOf(error: unknown): string | undefined {
  for (const node of failureChain(error)) {
    if (node === null || typeof node !== 'object') continue;
    const code = isOrdoError(node) ? (node as { systemCode?: unknown }).systemCode : (node as { code?: unknown }).code;
    if (typeof code === 'string' && systemCodeShape.test(code)) return code;
  }
  return undefined;
}

/**
 * No response arrived (code `NETWORK`): DNS failure, connection refused or reset, a body cut
 * off mid-way, or a transport that failed with an error of its own. `cause` holds the original;
 * `systemCode` names the failure (`ECONNREFUSED`), and `createFetchTransport` puts it in the
 * message too: `GET https://ordo.example.com/jobs/42 failed without a complete response (ECONNREFUSED)`.
 * Retried by the watch's retry policy unless `retryable` is `false`.
 *
 * @example
 * ```ts
 * if (error instanceof OrdoNetworkError && error.systemCode === 'ENOTFOUND') console.error('Check ORDO_BASE_URL');
 * ```
 * Source: docs/api.md, "Errors".
 */
export class OrdoNetworkError extends OrdoError {
  override readonly name: string = 'OrdoNetworkError';
  readonly code = 'NETWORK' as const;
  /** The URL that was requested (without credentials), when known. */
  readonly url: string | undefined;
  /**
   * `false` when sending again cannot help: the request could not be built (a token a header
   * cannot carry, a token function that returned something else than a string), or `fetch`
   * refused it for good (a redirect loop, a URL it cannot fetch).
   */
  readonly retryable: boolean;
  /**
   * The system error code of the failure, as Node, undici or the runtime's `fetch` named it: a
   * string of letters, digits and `_` such as `'ECONNREFUSED'` (nothing listens on the port),
   * `'ECONNRESET'`, `'ENOTFOUND'` or `'EAI_AGAIN'` (DNS), `'UND_ERR_SOCKET'` (the server closed
   * the connection mid-response), `'UND_ERR_CONNECT_TIMEOUT'`; Bun writes `'ConnectionRefused'`.
   * `undefined` when the failure has none: a browser's `fetch` never tells, a redirect loop is
   * no system error, a transport may throw errors without a code.
   *
   * Found where undici and Node put it (`cause.code`, `cause.cause.code`, `code`, an
   * `AggregateError`'s `errors[0].code`), also when `cause` itself is
   * left out because it quoted the token. Never holds the token.
   *
   * Source: Node.js docs, "Errors" › "Common system errors"; undici docs, "Errors".
   */
  readonly systemCode: string | undefined;

  /**
   * @param message - what failed, e.g. `GET https://ordo.example.com/jobs/42 failed without a complete response (ECONNREFUSED)`.
   * @param options - `cause`, `jobId`, `url`, `retryable` and `systemCode`.
   */
  constructor(
    message: string,
    options: OrdoErrorOptions & {
      /** The requested URL, without credentials. @defaultValue `undefined` */
      url?: string | undefined;
      /** `false` when sending the request again cannot help. @defaultValue `true` */
      retryable?: boolean;
      /**
       * The system error code, e.g. `'ECONNRESET'`; a value of another shape is ignored.
       * @defaultValue the code found in `cause` (its `code`, its cause's, or an `AggregateError`'s first), or `undefined`
       */
      systemCode?: string | undefined;
    } = {},
  ) {
    super(message, options);
    this.url = options.url;
    this.retryable = options.retryable ?? true;
    const given = options.systemCode;
    this.systemCode = typeof given === 'string' && systemCodeShape.test(given) ? given : systemCodeOf(options.cause);
  }
}
