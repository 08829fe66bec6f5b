/**
 * A job id as callers may pass it: the server's number (`42`), or its decimal string (`"42"`).
 * Either way a positive whole number; {@link normalizeJobId} checks it.
 */
export type JobId = string | number;

/** What a job id is, as every id error says it. */
const whatAJobIdIs = 'a job id is a positive whole number such as 42';

/**
 * Checks a job id and normalises it to the string used everywhere in this library, so that
 * `jobStatus$(3)` and `jobStatus$("3")` watch the same job. Every function that takes a job id
 * (`jobStatus$`, `jobEvents$`, `waitForJob`, `getJob`, the client's methods) calls it at call
 * time, so a bad id throws there and no request is sent.
 *
 * An Ordo server's job ids are positive integers, and its single-job route parses the id
 * leniently (`/jobs/8abc` answers job 8): so only a positive safe integer, or its canonical
 * decimal string, is a job id.
 *
 * @param id - a positive safe integer (`1` to `Number.MAX_SAFE_INTEGER`), or the same number as a
 *   decimal string without sign, leading zeros, spaces, a fraction or an exponent (`"42"`).
 * @returns the id as a decimal string (`42` → `"42"`).
 * @throws TypeError naming the id and saying what a job id is ("a positive whole number such as
 *   42") for anything else: `0`, a negative, fractional, unsafe or non-finite number; a string such
 *   as `""`, `"042"`, `"0"`, `"1.5"`, `"1e3"`, `" 4"`, `"abc"` or `"1,2"`; another type.
 * @example
 * ```ts
 * normalizeJobId(42); // "42"
 * normalizeJobId('42'); // "42"
 * normalizeJobId('abc'); // TypeError: Invalid job id "abc": a job id is a positive whole number such as 42
 * ```
 * @see docs/ordo-server.md, "Job ids".
 */
export function normalizeJobId(id: JobId): string {
  if (typeof id === 'number') {
    if (!Number.isSafeInteger(id) || id < 1) {
      const tooLarge = Number.isInteger(id) && id > Number.MAX_SAFE_INTEGER;
      throw new TypeError(`Invalid job id ${String(id)}: ${whatAJobIdIs}${tooLarge ? ` (at most ${Number.MAX_SAFE_INTEGER})` : ''}`);
    }
    return String(id);
  }
  if (typeof id !== 'string') {
    throw new TypeError(`Invalid job id of type ${id === null ? 'null' : typeof id}: ${whatAJobIdIs}, as a number or a string of digits`);
  }
  if (!/^[1-9][0-9]*$/.test(id)) throw new TypeError(`Invalid job id ${JSON.stringify(id)}: ${whatAJobIdIs}`);
  if (!Number.isSafeInteger(Number(id))) {
    throw new TypeError(`Invalid job id ${JSON.stringify(id)}: ${whatAJobIdIs} (at most ${Number.MAX_SAFE_INTEGER})`);
  }
  return id;
}
