import type { ObservableInput } from 'rxjs';

/**
 * What a transport returned, as an `ObservableInput` of one body: text returned directly (a
 * `string`, `Uint8Array` or `ArrayBuffer`) is one value, not a sequence of characters or bytes.
 */
export function bodyInput(answer: ObservableInput<unknown>): ObservableInput<unknown> {
  return typeof answer === 'string' || answer instanceof Uint8Array || answer instanceof ArrayBuffer ? [answer] : answer;
}
