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
    expect(parseRetryAfter('Sun Nov  1 00:00:00 2026', Date.parse('2026-10-31T23:59:00Z'))).toBe(60_000);
  });

  it('reads every form as GMT, whatever the local time zone', () => {
    // The asctime form carries no zone; Date.parse would read it as local time.
    const saved = process.env['TZ'];
    try {
      for (const zone of ['Asia/Tokyo', 'America/New_York', 'UTC']) {
        process.env['TZ'] = zone; // Node applies a change of TZ at once
        expect(new Date(now).getTimezoneOffset(), zone).toBe(zone === 'Asia/Tokyo' ? -540 : zone === 'UTC' ? 0 : 300);
        expect(parseRetryAfter('Sun Nov 29 14:28:00 2026', now), zone).toBe(120_000);
        expect(parseRetryAfter('Sun, 29 Nov 2026 14:28:00 GMT', now), zone).toBe(120_000);
        expect(parseRetryAfter('Sunday, 29-Nov-26 14:28:00 GMT', now), zone).toBe(120_000);
      }
    } finally {
      if (saved === undefined) delete process.env['TZ'];
      else process.env['TZ'] = saved;
    }
  });

  it('pivots two-digit RFC 850 years as RFC 9110 says', async () => {
    const { parseHttpDate } = await import('../../src/transport/retryAfter.js');
    expect(parseHttpDate('Monday, 29-Nov-60 14:26:00 GMT', now)).toBe(Date.parse('2060-11-29T14:26:00Z'));
    expect(parseHttpDate('Friday, 29-Nov-80 14:26:00 GMT', now)).toBe(Date.parse('1980-11-29T14:26:00Z'));
    expect(parseHttpDate('Sunday, 29-Nov-26 14:26:00 GMT', now)).toBe(Date.parse('2026-11-29T14:26:00Z'));
  });

  it('gives null for anything else', () => {
    for (const value of [null, undefined, '', 'soon', 'soon 2099', 'later 3000', 'x 1', '-3', '1.5', '2026-11-29T14:28:00Z', 'in 5']) {
      expect(parseRetryAfter(value, now), String(value)).toBeNull();
    }
  });
});
