import { describe, expect, it } from 'vitest';
import { formatDuration, formatPercent, printable, retryLine } from '../../src/cli/format.js';

describe('CLI formatting', () => {
  it('writes retry delays in tenths of a second below 10 s, whole seconds above', () => {
    const line = (delayMs: number) => retryLine({ attempt: 2, maxRetries: 5, delayMs, error: { code: 'NETWORK' } });
    expect(line(4000)).toBe('connection lost — retrying in 4 s (2/5)');
    expect(line(996)).toBe('connection lost — retrying in 1 s (2/5)');
    expect(line(750)).toBe('connection lost — retrying in 0.8 s (2/5)');
    expect(line(0)).toBe('connection lost — retrying in 0 s (2/5)');
    expect(line(12_345)).toBe('connection lost — retrying in 12 s (2/5)');
    expect(retryLine({ attempt: 1, maxRetries: 3, delayMs: 2000, error: { code: 'HTTP', status: 503 } as never })).toBe(
      'server answered 503 — retrying in 2 s (1/3)',
    );
  });

  it('floors percents without float noise, and formats durations', () => {
    expect(formatPercent(0.29)).toBe('29%');
    expect(formatPercent(0.996)).toBe('99%');
    expect(formatPercent(null)).toBe('–');
    expect(formatDuration(1234)).toBe('1.2 s');
    expect(formatDuration(75_000)).toBe('1 m 15 s');
    expect(formatDuration(3 * 3_600_000 + 5 * 60_000)).toBe('3 h 5 m');
    expect(formatDuration(null)).toBe('–');
  });

  it('escapes control characters', () => {
    expect(printable('a\u001b[2Jb\r\nc')).toBe('a\\x1b[2Jb\\x0d\\x0ac');
  });
});
