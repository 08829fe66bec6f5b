import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeJobId, OrdoSchemaError, parseJobSnapshot, type JobId } from 'ordo-status';

const what = 'a job id is a positive whole number such as 42';

describe('normalizeJobId', () => {
  it("accepts an integer from 1 to 2147483647 (the server's int4) or its canonical decimal string, as that string", () => {
    expect(normalizeJobId(42)).toBe('42');
    expect(normalizeJobId('42')).toBe('42');
    expect(normalizeJobId(1)).toBe('1');
    expect(normalizeJobId(2 ** 31 - 1)).toBe('2147483647');
    expect(normalizeJobId('2147483647')).toBe('2147483647');
  });

  it.each<[unknown, string]>([
    [0, `Invalid job id 0: ${what}`],
    [-5, `Invalid job id -5: ${what}`],
    [1.5, `Invalid job id 1.5: ${what}`],
    [Number.NaN, `Invalid job id NaN: ${what}`],
    [Number.POSITIVE_INFINITY, `Invalid job id Infinity: ${what}`],
    [2 ** 31, `Invalid job id 2147483648: ${what} (at most 2147483647, the largest id an Ordo server has)`],
    [2 ** 53, `Invalid job id 9007199254740992: ${what} (at most 2147483647, the largest id an Ordo server has)`],
    ['', `Invalid job id "": ${what}`],
    ['0', `Invalid job id "0": ${what}`],
    ['042', `Invalid job id "042": ${what}`],
    ['-5', `Invalid job id "-5": ${what}`],
    ['+5', `Invalid job id "+5": ${what}`],
    ['1.5', `Invalid job id "1.5": ${what}`],
    ['1e3', `Invalid job id "1e3": ${what}`],
    ['0x1f', `Invalid job id "0x1f": ${what}`],
    [' 4', `Invalid job id " 4": ${what}`],
    ['4\n', `Invalid job id "4\\n": ${what}`],
    ['8abc', `Invalid job id "8abc": ${what}`],
    ['abc', `Invalid job id "abc": ${what}`],
    ['1,2', `Invalid job id "1,2": ${what}`],
    ['..', `Invalid job id "..": ${what}`],
    ['a/b', `Invalid job id "a/b": ${what}`],
    ['٤٢', `Invalid job id "٤٢": ${what}`], // Arabic-Indic digits are not ASCII digits
    ['2147483648', `Invalid job id "2147483648": ${what} (at most 2147483647, the largest id an Ordo server has)`],
    ['99999999999999999999999', `Invalid job id "99999999999999999999999": ${what} (at most 2147483647, the largest id an Ordo server has)`],
    [null, `Invalid job id of type null: ${what}, as a number or a string of digits`],
    [undefined, `Invalid job id of type undefined: ${what}, as a number or a string of digits`],
    [42n, `Invalid job id of type bigint: ${what}, as a number or a string of digits`],
    [{ id: 42 }, `Invalid job id of type object: ${what}, as a number or a string of digits`],
  ])('refuses %o with a TypeError that says what a job id is', (id, message) => {
    expect(() => normalizeJobId(id as JobId)).toThrow(new TypeError(message));
    expect(() => normalizeJobId(id as JobId)).toThrow(TypeError);
  });

  it('maps n and String(n) to the same id for every id from 1 to 2147483647 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (n) => {
        expect(normalizeJobId(n)).toBe(String(n));
        expect(normalizeJobId(String(n))).toBe(String(n));
      }),
    );
  });

  it('accepts a string exactly when it is the decimal form of an integer from 1 to 2147483647 (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9+\-.e ]{1,20}$/)), (text) => {
        const n = Number(text);
        const canonical = Number.isSafeInteger(n) && n > 0 && n <= 2 ** 31 - 1 && String(n) === text;
        if (canonical) expect(normalizeJobId(text)).toBe(text);
        else expect(() => normalizeJobId(text)).toThrow(TypeError);
      }),
      { numRuns: 500 },
    );
  });
});

describe("a body's job.id against the id asked for", () => {
  const body = (id: unknown) => ({ job: { id, status: 'running' }, steps: [] });

  it('matches the number the server sends, and its decimal string', () => {
    expect(parseJobSnapshot(body(8), { jobId: 8 }).job.id).toBe('8');
    expect(parseJobSnapshot(body(8), { jobId: '8' }).job.id).toBe('8');
    expect(parseJobSnapshot(body('8'), { jobId: 8 }).job.id).toBe('8');
  });

  it('refuses another id, however it is written (the server reads /jobs/8abc as job 8)', () => {
    for (const other of [80, '08', '8abc', 0]) {
      expect(() => parseJobSnapshot(body(other), { jobId: 8 }), String(other)).toThrow(OrdoSchemaError);
    }
  });

  it('refuses to ask for an invalid id at all', () => {
    expect(() => parseJobSnapshot(body(8), { jobId: '8abc' })).toThrow(new TypeError(`Invalid job id "8abc": ${what}`));
  });
});
