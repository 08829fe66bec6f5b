import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { minIntervalMs, parseDuration, parseInterval, parseJobId } from '../../src/cli/options.js';

describe('parseDuration (--timeout, and --interval before its minimum)', () => {
  it('reads a bare number as seconds, as `gh run watch -i 3` does', () => {
    expect(['3', '1.5', '0.5', '.25', '90', ' 3 '].map(parseDuration)).toEqual([3000, 1500, 500, 250, 90_000, 3000]);
  });

  it('reads units with the ms library', () => {
    expect(['500ms', '3s', '1.5m', '30m', '2h', '1d'].map(parseDuration)).toEqual([500, 3000, 90_000, 1_800_000, 7_200_000, 86_400_000]);
  });

  it('says "must be greater than 0" for zero and negative values', () => {
    for (const bad of ['0', '0.0', '0ms', '0s', '-5', '-3s']) {
      expect(() => parseDuration(bad)).toThrow(new InvalidArgumentError('must be greater than 0 (a bare number is seconds; units: 500ms, 3s, 1.5m, 2h).'));
    }
  });

  it('rejects empty and unreadable values as a usage error (InvalidArgumentError), never a crash', () => {
    for (const bad of ['', ' ', 'abc', '3 parsecs', '1e3', 'Infinity', 'NaN', '3s5']) {
      expect(() => parseDuration(bad)).toThrow(new InvalidArgumentError('expected a duration such as 3 (seconds), 500ms, 3s, 1.5m or 2h.'));
    }
    expect(() => parseDuration('25d')).toThrow(new InvalidArgumentError('expected at most 24 days (2147483647 ms).'));
    expect(() => parseDuration('2147484')).toThrow('expected at most 24 days');
  });
});

describe('parseInterval (--interval)', () => {
  it('is a duration of at least 100 ms', () => {
    expect(minIntervalMs).toBe(100);
    expect(['3', '100ms', '0.1', '1m'].map(parseInterval)).toEqual([3000, 100, 100, 60_000]);
  });

  it('refuses less than 100 ms, saying the minimum', () => {
    const tooShort = new InvalidArgumentError('must be at least 100ms, so a shared server is not flooded (a bare number is seconds: 3 means 3 s).');
    for (const bad of ['99ms', '3ms', '0.05', '0.099']) expect(() => parseInterval(bad)).toThrow(tooShort);
  });

  it('says "must be greater than 0" for zero, before the minimum', () => {
    expect(() => parseInterval('0')).toThrow(/^must be greater than 0/);
    expect(() => parseInterval('soon')).toThrow(/^expected a duration such as/);
  });
});

describe('parseJobId (watch <id>)', () => {
  it('accepts positive integers', () => {
    expect(['1', '42', '2147483647'].map(parseJobId)).toEqual(['1', '42', '2147483647']);
  });

  // The server's ids are positive integers (docs/ordo-server.md, "Job ids"): anything else is a
  // usage error before any request. normalizeJobId gives the message.
  it.each(['abc', '1.5', '0', '-3', '1,2', '', ' 1'])('refuses %j as a usage error', (id) => {
    expect(() => parseJobId(id)).toThrow(InvalidArgumentError);
    expect(() => parseJobId(id)).toThrow(/^Invalid job id/);
  });
});
