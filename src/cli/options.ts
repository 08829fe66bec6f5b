import { InvalidArgumentError } from 'commander';
import ms from 'ms';
import { jobStatuses, normalizeJobId, stepStatuses, type JobStatus, type StatusAliases, type StepStatus } from 'ordo-status';

const maxTimerDelayMs = 2_147_483_647;

/**
 * The shortest `--interval` a person may ask for, in milliseconds: a shorter one floods a shared
 * server (`--interval 3` once meant 3 ms, about 250 requests a second). The demo's own computed
 * default may be shorter; only what a user types is checked.
 */
export const minIntervalMs = 100;

/** A bare number, with or without a fraction: seconds in the CLI (`3`, `1.5`, `.5`). */
const bareNumber = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * Parses a duration as people type it into milliseconds: a bare number is **seconds** (`3` →
 * 3000, `0.5` → 500, as in `gh run watch -i 3`); with a unit it is read by the `ms` library
 * (`500ms`, `3s`, `1.5m`, `2h`, `1d`).
 *
 * @param value - the option's text.
 * @returns milliseconds, greater than 0 and at most 2147483647 (24.8 days, the longest timer).
 * @throws InvalidArgumentError (a usage error, exit 2) for text that is no duration, for 0 or
 *   less ("must be greater than 0") and for more than 24 days.
 */
export function parseDuration(value: string): number {
  const text = value.trim();
  // A bare number is seconds; `ms` would read it as milliseconds. `ms` throws on an empty string
  // and gives NaN (or undefined) for every other unreadable value.
  const parsed: unknown = text === '' ? Number.NaN : bareNumber.test(text) ? Number(text) * 1000 : ms(text as ms.StringValue);
  if (typeof parsed !== 'number' || !Number.isFinite(parsed)) {
    throw new InvalidArgumentError('expected a duration such as 3 (seconds), 500ms, 3s, 1.5m or 2h.');
  }
  if (parsed <= 0) throw new InvalidArgumentError('must be greater than 0 (a bare number is seconds; units: 500ms, 3s, 1.5m, 2h).');
  if (parsed > maxTimerDelayMs) throw new InvalidArgumentError('expected at most 24 days (2147483647 ms).');
  return parsed;
}

/**
 * Parses `--interval`: {@link parseDuration}, and at least {@link minIntervalMs} (100 ms).
 *
 * @throws InvalidArgumentError as {@link parseDuration} does, and "must be at least 100ms" below it.
 */
export function parseInterval(value: string): number {
  const intervalMs = parseDuration(value);
  if (intervalMs < minIntervalMs) {
    throw new InvalidArgumentError(`must be at least ${minIntervalMs}ms, so a shared server is not flooded (a bare number is seconds: 3 means 3 s).`);
  }
  return intervalMs;
}

/** Parses a positive clock factor such as `10` or `0.5`. */
export function parseSpeed(value: string): number {
  const speed = Number(value);
  if (value.trim() === '' || !Number.isFinite(speed) || speed <= 0 || speed > 1000) {
    throw new InvalidArgumentError('expected a number greater than 0 and at most 1000, such as 10 or 0.5.');
  }
  return speed;
}

/** Parses a TCP port 0–65535. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535.');
  return port;
}

/**
 * Checks a job id before any request: the server's ids are positive integers (`normalizeJobId`).
 * @throws InvalidArgumentError (a usage error, exit 2) with `normalizeJobId`'s message.
 */
export function parseJobId(value: string): string {
  try {
    return normalizeJobId(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** Checks an environment variable name. */
export function parseEnvName(value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) throw new InvalidArgumentError('expected an environment variable name such as ORDO_TOKEN.');
  return value;
}

/** Parses a number of retries 0–100. */
export function parseRetries(value: string): number {
  const retries = Number(value);
  if (!/^\d+$/.test(value) || retries > 100) throw new InvalidArgumentError('expected a whole number from 0 to 100.');
  return retries;
}

/**
 * Parses one `--status-alias <word=status>` (repeatable) and adds it to the ones before it: a
 * deployment's own status word and the status it means, e.g. `completed=success`. The result is
 * the library's `statusAliases` option.
 *
 * @param value - the option's text, `word=status`.
 * @param previous - the pairs of the earlier `--status-alias` flags (commander passes them).
 * @returns a new object with every pair so far.
 * @throws InvalidArgumentError (a usage error, exit 2) for text without `=`, an empty word, a word
 *   that is already a status, a status that is no job or step status, or a word given twice with
 *   different statuses.
 */
export function parseStatusAlias(value: string, previous?: StatusAliases): StatusAliases {
  const at = value.indexOf('=');
  const word = at < 0 ? '' : value.slice(0, at).trim();
  const status = at < 0 ? '' : value.slice(at + 1).trim();
  const statuses: readonly string[] = [...new Set<string>([...jobStatuses, ...stepStatuses])];
  if (at < 0 || word === '') throw new InvalidArgumentError(`expected word=status, such as completed=success (a deployment's own word, then one of ${statuses.join(', ')}).`);
  if (statuses.includes(word)) throw new InvalidArgumentError(`"${word}" is already a status; only a deployment's own words can be mapped, such as completed=success.`);
  if (!statuses.includes(status)) throw new InvalidArgumentError(`"${status}" is no status: expected one of ${statuses.join(', ')}, such as completed=success.`);
  // Own pairs only: `constructor` or `toString` are words like any other, not Object's.
  const before = previous !== undefined && Object.hasOwn(previous, word) ? previous[word] : undefined;
  if (before !== undefined && before !== status) throw new InvalidArgumentError(`"${word}" is already mapped to ${before}.`);
  return { ...previous, [word]: status as JobStatus | StepStatus };
}
