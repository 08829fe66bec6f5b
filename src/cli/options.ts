import { InvalidArgumentError } from 'commander';
import ms from 'ms';
import { normalizeJobId } from 'ordo-status';

const maxTimerDelayMs = 2_147_483_647;

/** Parses `500ms`, `3s`, `1.5m`, `30m`, `2h` or a bare number of milliseconds into milliseconds. */
export function parseDuration(value: string): number {
  // `ms` throws on an empty string; every other unreadable value gives NaN or undefined.
  const parsed = value.trim() === '' ? Number.NaN : /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : ms(value as ms.StringValue);
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed <= 0) {
    throw new InvalidArgumentError('expected a duration such as 500ms, 3s, 1m or 2h.');
  }
  if (parsed > maxTimerDelayMs) throw new InvalidArgumentError('expected at most 24 days (2147483647 ms).');
  return parsed;
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

/** Checks a job id. */
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
