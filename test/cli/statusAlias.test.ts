import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseStatusAlias } from '../../src/cli/options.js';

describe('parseStatusAlias (--status-alias word=status, repeatable)', () => {
  it('reads word=status pairs into the statusAliases option, one flag after another', () => {
    const first = parseStatusAlias('completed=success');
    expect(first).toEqual({ completed: 'success' });
    const both = parseStatusAlias(' waiting = blocked ', first);
    expect(both).toEqual({ completed: 'success', waiting: 'blocked' });
    expect(first).toEqual({ completed: 'success' }); // a new object each time
    expect(parseStatusAlias('completed=success', both)).toEqual(both); // the same pair twice is harmless
  });

  it("takes words that are Object's property names like any other", () => {
    const done = parseStatusAlias('done=success');
    for (const word of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
      const aliases = parseStatusAlias(`${word}=failed`, done);
      expect(Object.keys(aliases)).toEqual(['done', word]);
      expect(Object.getOwnPropertyDescriptor(aliases, word)?.value).toBe('failed');
      expect(Object.getPrototypeOf(aliases)).toBe(Object.prototype);
    }
  });

  it('refuses a bad pair with a usage error that says what is expected', () => {
    const message = (value: string, previous?: Record<string, 'success'>) => {
      try {
        parseStatusAlias(value, previous);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidArgumentError);
        return (error as Error).message;
      }
      throw new Error(`accepted ${value}`);
    };
    const expected = "expected word=status, such as completed=success (a deployment's own word, then one of pending, running, success, failed, partial, blocked, skipped).";
    expect(message('completed')).toBe(expected);
    expect(message('=success')).toBe(expected);
    expect(message('success=failed')).toBe('"success" is already a status; only a deployment\'s own words can be mapped, such as completed=success.');
    expect(message('completed=done')).toBe('"done" is no status: expected one of pending, running, success, failed, partial, blocked, skipped, such as completed=success.');
    expect(message('completed=')).toBe('"" is no status: expected one of pending, running, success, failed, partial, blocked, skipped, such as completed=success.');
    expect(message('completed=failed', { completed: 'success' })).toBe('"completed" is already mapped to success.');
  });
});
