import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/transport/retryAfter.js';

const now = Date.parse('2026-11-29T14:26:00Z');

describe('parseRetryAfter', () => {
  it('reads seconds and the three HTTP date forms', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Sun, 29 Nov 2026 14:28:00 GMT', now)).toBe(120_000);
    expect(parseRetryAfter('Sunday, 29-Nov-26 14:28:00 GMT', now)).toBe(120_000);
    expect(parseRetryAfter('Sun Nov 29 14:28:00 2026', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 14:00:00 GMT', now)).toBe(0); // in the past
  });

  it('gives null for anything else', () => {
    for (const value of [null, undefined, '', 'soon', 'soon 2099', 'later 3000', 'x 1', '-3', '1.5', '2026-11-29T14:28:00Z', 'in 5']) {
      expect(parseRetryAfter(value, now), String(value)).toBeNull();
    }
  });
});
