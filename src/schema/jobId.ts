/** A job id as callers may pass it: the server's number, or its string form. */
export type JobId = string | number;

/**
 * Normalises a job id to the string used everywhere in this library, so that `jobStatus$(3)`
 * and `jobStatus$("3")` watch the same job.
 *
 * @param id - a non-negative safe integer, or a non-empty string without whitespace, commas or
 *   slashes (ids are one path segment, and a comma would turn `GET /jobs/:id` into a batch).
 * @returns the id as a string.
 * @throws TypeError when the id is of another type, empty, negative, fractional, unsafe, or
 *   contains whitespace, `,`, `/`, `\`, `?`, `#` or a lone UTF-16 surrogate, or is `.` or `..`.
 * @see design.md, "Snapshot" (job ids are normalised to strings).
 */
export function normalizeJobId(id: JobId): string {
  if (typeof id === 'number') {
    if (!Number.isSafeInteger(id) || id < 0) {
      throw new TypeError(`Invalid job id ${String(id)}: expected a non-negative integer or a non-empty string`);
    }
    return String(id);
  }
  if (typeof id !== 'string') {
    throw new TypeError(`Invalid job id of type ${id === null ? 'null' : typeof id}: expected a string or a number`);
  }
  if (id.length === 0) throw new TypeError('Invalid job id "": expected a non-empty string');
  if (/[\s,/\\?#]/.test(id) || id === '.' || id === '..' || /\p{Cs}/u.test(id)) {
    throw new TypeError(`Invalid job id ${JSON.stringify(id)}: a job id is one path segment without whitespace, ",", "/", "\\", "?" or "#"`);
  }
  return id;
}
