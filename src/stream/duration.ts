/** The largest delay a JavaScript timer honours (2^31 − 1 ms); larger ones fire at once in Node. */
export const maxTimerDelayMs = 2_147_483_647;

/** @throws TypeError unless `value` is undefined or a finite number in (0, 2^31 − 1]. */
export function checkDuration(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > maxTimerDelayMs) {
    throw new TypeError(`Invalid ${name} ${String(value)}: expected milliseconds, a number greater than 0 and at most ${maxTimerDelayMs}`);
  }
}
