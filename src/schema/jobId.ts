/**
 * A job id as callers may pass it: the server's number (`42`), or its decimal string (`"42"`).
 * Either way a positive whole number; {@link normalizeJobId} checks it.
 */
export type JobId = string | number;

/** What a job id is, as every id error says it. */
const whatAJobIdIs = 'a job id is a positive whole number such as 42';

/**
 * The largest job id: the server's ids are a PostgreSQL `int4`, and a larger one answers 500,
 * which a watch would retry for minutes. Source: docs/ordo-server.md, "Job ids".
 */
const maxJobId = 2_147_483_647;

/** What an id past {@link maxJobId} is told. */
const tooLargeNote = ` (at most ${maxJobId}, the largest id an Ordo server has)`;

/**
 * Checks a job id and normalises it to the string used everywhere in this library, so that
 * `jobStatus$(3)` and `jobStatus$("3")` watch the same job. Every function that takes a job id
 * (`jobStatus$`, `jobEvents$`, `waitForJob`, `getJob`, the client's methods) calls it at call
 * time, so a bad id throws there (a function that returns a promise returns one rejected with it)
 * and no request is sent.
 *
 * An Ordo server's job ids are positive 32-bit integers, its single-job route parses the id
 * leniently (`/jobs/8abc` answers job 8) and a larger id answers 500: so only an integer from 1
 * to 2147483647, or its canonical decimal string, is a job id.
 *
 * @param id - an integer from `1` to `2147483647` (PostgreSQL's `int4`), or the same number as a
 *   decimal string without sign, leading zeros, spaces, a fraction or an exponent (`"42"`).
 * @returns the id as a decimal string (`42` → `"42"`).
 * @throws TypeError naming the id and saying what a job id is ("a positive whole number such as
 *   42") for anything else: `0`, a negative, fractional, too large or non-finite number; a string such
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
    if (!Number.isInteger(id) || id < 1 || id > maxJobId) {
      const tooLarge = Number.isInteger(id) && id > maxJobId;
      throw new TypeError(`Invalid job id ${String(id)}: ${whatAJobIdIs}${tooLarge ? tooLargeNote : ''}`);
    }
    return String(id);
  }
  if (typeof id !== 'string') {
    throw new TypeError(`Invalid job id of type ${id === null ? 'null' : typeof id}: ${whatAJobIdIs}, as a number or a string of digits`);
  }
  if (!/^[1-9][0-9]*$/.test(id)) throw new TypeError(`Invalid job id ${JSON.stringify(id)}: ${whatAJobIdIs}`);
  if (id.length > 10 || Number(id) > maxJobId) throw new TypeError(`Invalid job id ${JSON.stringify(id)}: ${whatAJobIdIs}${tooLargeNote}`);
  return id;
}
