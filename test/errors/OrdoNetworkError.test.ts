import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { OrdoHttpError, OrdoNetworkError } from 'ordo-status';
import { systemCodeOf } from '../../src/errors/OrdoNetworkError.js';
import { closedPort } from '../helpers/testServer.js';

// The errors below are real: Node's net and fetch failing against a port nothing listens on.

/** The error of a TCP connect to a closed port: a Node system error with `code` on itself. */
async function refusedConnect(): Promise<Error> {
  const port = await closedPort();
  return new Promise((resolve) => connect({ host: '127.0.0.1', port }).on('error', resolve));
}

/**
 * The error of a happy-eyeballs connect (`autoSelectFamily`) to a name with an IPv6 and an IPv4
 * address, both refused: an AggregateError with one error per address.
 */
async function refusedDualStackConnect(): Promise<AggregateError> {
  const port = await closedPort();
  return new Promise((resolve) =>
    connect({
      host: 'dual.test',
      port,
      autoSelectFamily: true,
      lookup: (_host, _options, callback) =>
        (callback as (error: null, addresses: Array<{ address: string; family: number }>) => void)(null, [
          { address: '::1', family: 6 },
          { address: '127.0.0.1', family: 4 },
        ]),
    }).on('error', (error) => resolve(error as AggregateError)),
  );
}

async function refusedFetch(): Promise<TypeError> {
  const port = await closedPort();
  return fetch(`http://127.0.0.1:${port}/`).then(
    () => {
      throw new Error('expected the fetch to fail');
    },
    (error: TypeError) => error,
  );
}

describe('OrdoNetworkError.systemCode', () => {
  it('takes the systemCode option, and ignores one that is no code', () => {
    expect(new OrdoNetworkError('m', { systemCode: 'ECONNRESET' }).systemCode).toBe('ECONNRESET');
    expect(new OrdoNetworkError('m', { systemCode: 'UND_ERR_CONNECT_TIMEOUT' }).systemCode).toBe('UND_ERR_CONNECT_TIMEOUT');
    expect(new OrdoNetworkError('m').systemCode).toBeUndefined();
    expect(new OrdoNetworkError('m', { systemCode: 'not a code' }).systemCode).toBeUndefined();
    expect(new OrdoNetworkError('m', { systemCode: '' }).systemCode).toBeUndefined();
    // The message is the caller's: the option does not change it.
    expect(new OrdoNetworkError('m', { systemCode: 'ECONNRESET' }).message).toBe('m');
  });

  it('finds the code in a cause where Node and undici put it', async () => {
    const net = await refusedConnect();
    expect((net as { code?: string }).code).toBe('ECONNREFUSED');
    expect(new OrdoNetworkError('m', { cause: net }).systemCode).toBe('ECONNREFUSED'); // error.code

    const fetchFailed = await refusedFetch();
    expect(fetchFailed.message).toBe('fetch failed');
    expect(new OrdoNetworkError('m', { cause: fetchFailed }).systemCode).toBe('ECONNREFUSED'); // error.cause.code

    const wrapped = new Error('the poll failed', { cause: fetchFailed });
    expect(new OrdoNetworkError('m', { cause: wrapped }).systemCode).toBe('ECONNREFUSED'); // error.cause.cause.code
  });

  it('finds the code of a happy-eyeballs connect in its AggregateError', async () => {
    const aggregate = await refusedDualStackConnect();
    expect(aggregate).toBeInstanceOf(AggregateError);
    // ::1 is refused too where IPv6 works (or fails with its own code where it does not).
    const [first, second] = aggregate.errors as Array<{ code?: string }>;
    expect(second?.code).toBe('ECONNREFUSED');
    expect(first?.code).toMatch(/^E[A-Z]+$/);
    expect(systemCodeOf(aggregate)).toBe(first?.code);
    // An AggregateError built elsewhere has no code of its own: the first of its errors names it.
    const bare = new AggregateError([second], 'all addresses failed');
    expect((bare as { code?: unknown }).code).toBeUndefined();
    expect(systemCodeOf(bare)).toBe('ECONNREFUSED');
    expect(new OrdoNetworkError('m', { cause: new TypeError('fetch failed', { cause: bare }) }).systemCode).toBe('ECONNREFUSED');
  });

  it('prefers an explicit systemCode, and never takes an ordo-status error’s code for one', async () => {
    const fetchFailed = await refusedFetch();
    expect(new OrdoNetworkError('m', { cause: fetchFailed, systemCode: 'ECONNRESET' }).systemCode).toBe('ECONNRESET');
    const inner = new OrdoNetworkError('inner', { cause: fetchFailed });
    expect(new OrdoNetworkError('outer', { cause: inner }).systemCode).toBe('ECONNREFUSED');
    // `HTTP`, `NETWORK`: discriminants of this library, not system codes.
    expect(new OrdoNetworkError('m', { cause: new OrdoHttpError('m', { status: 502, url: 'https://x/jobs/1' }) }).systemCode).toBeUndefined();
    expect(new OrdoNetworkError('m', { cause: new OrdoNetworkError('m') }).systemCode).toBeUndefined();
  });

  it('ignores codes of other shapes and survives a cause cycle', () => {
    const abort = new DOMException('aborted', 'AbortError'); // a numeric legacy code, 20
    expect(abort.code).toBe(20);
    expect(new OrdoNetworkError('m', { cause: abort }).systemCode).toBeUndefined();
    expect(new OrdoNetworkError('m', { cause: Object.assign(new Error('x'), { code: 'two words' }) }).systemCode).toBeUndefined();
    expect(new OrdoNetworkError('m', { cause: 'ECONNREFUSED' }).systemCode).toBeUndefined(); // a bare string is a message
    const looping = new Error('a') as Error & { cause?: unknown };
    looping.cause = new Error('b', { cause: looping });
    expect(new OrdoNetworkError('m', { cause: looping }).systemCode).toBeUndefined();
  });
});
