import { describe, expect, it } from 'vitest';
import {
  isOrdoError,
  OrdoAuthError,
  OrdoError,
  OrdoHttpError,
  OrdoIllegalTransitionError,
  OrdoJobFailedError,
  OrdoNetworkError,
  OrdoNotFoundError,
  OrdoSchemaError,
  OrdoTimeoutError,
  parseJobSnapshot,
} from 'ordo-status';

const snapshot = parseJobSnapshot({ job: { id: 1, status: 'failed' }, steps: [] });
const http = { status: 500, url: 'https://x/jobs/1' };

describe('error classes', () => {
  it('have their class name as name, a code, and readonly context fields', () => {
    const cases: Array<[OrdoError, string, string]> = [
      [new OrdoHttpError('m', http), 'OrdoHttpError', 'HTTP'],
      [new OrdoAuthError('m', { ...http, status: 401 }), 'OrdoAuthError', 'AUTH'],
      [new OrdoNotFoundError('m', { ...http, status: 404 }), 'OrdoNotFoundError', 'NOT_FOUND'],
      [new OrdoNetworkError('m', { cause: new Error('reset') }), 'OrdoNetworkError', 'NETWORK'],
      [new OrdoTimeoutError('m', { lastSnapshot: snapshot, timeoutMs: 5 }), 'OrdoTimeoutError', 'TIMEOUT'],
      [new OrdoSchemaError('m', { issues: [] }), 'OrdoSchemaError', 'SCHEMA'],
      [new OrdoIllegalTransitionError('m', { subject: 'job', from: 'success', to: 'running', snapshot }), 'OrdoIllegalTransitionError', 'ILLEGAL_TRANSITION'],
      [new OrdoJobFailedError('m', { snapshot }), 'OrdoJobFailedError', 'JOB_FAILED'],
    ];
    for (const [error, name, code] of cases) {
      expect(error.name).toBe(name);
      expect(error.code).toBe(code);
      expect(error).toBeInstanceOf(OrdoError);
      expect(error).toBeInstanceOf(Error);
      expect(isOrdoError(error)).toBe(true);
      expect(String(error)).toBe(`${name}: m`);
    }
    expect(new OrdoAuthError('m', { ...http, status: 403 })).toBeInstanceOf(OrdoHttpError);
    expect(new OrdoHttpError('m', http)).toMatchObject({ retryAfterMs: null, bodyExcerpt: '' });
    expect(new OrdoNetworkError('m', { cause: 'x' }).cause).toBe('x');
    expect(isOrdoError(new Error('m'))).toBe(false);
    expect(isOrdoError(null)).toBe(false);
  });
});
