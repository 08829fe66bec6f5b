import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/cli/options.js';

describe('parseDuration (--interval, --timeout)', () => {
  it('reads units and bare milliseconds', () => {
    expect(['500ms', '3s', '1.5m', '2h', '250'].map(parseDuration)).toEqual([500, 3000, 90_000, 7_200_000, 250]);
  });

  it('rejects empty, unreadable, zero and negative values as a usage error (InvalidArgumentError), never a crash', () => {
    for (const bad of ['', ' ', 'abc', '0', '-5', '0ms']) {
      expect(() => parseDuration(bad)).toThrow(new InvalidArgumentError('expected a duration such as 500ms, 3s, 1m or 2h.'));
    }
    expect(() => parseDuration('25d')).toThrow('expected at most 24 days (2147483647 ms).');
  });
});
