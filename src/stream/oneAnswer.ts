import { from, Observable, type ObservableInput, type SchedulerLike } from 'rxjs';
import { bodyInput } from '../transport/bodyInput.js';

/** How {@link oneAnswer} ends when the request does not answer. */
export interface OneAnswerOptions {
  /** Abort the request and fail with `timeoutError()` after this many milliseconds; `undefined`: never. */
  readonly timeoutMs?: number | undefined;
  /** The clock of the timeout. */
  readonly scheduler: SchedulerLike;
  /** The error after `timeoutMs` without an answer. */
  readonly timeoutError: () => unknown;
  /** The error for what the request failed with (or threw). */
  readonly failure: (error: unknown) => unknown;
  /** The error when the request completed without an answer. */
  readonly empty: () => unknown;
}

/**
 * One request as a cold observable: emits its first value (the body) and completes. What
 * `requestJob` and `submitJob` share:
 *
 * - `send` may return the body text itself (a `string`, `Uint8Array` or `ArrayBuffer`) rather than
 *   wrapping it: it is taken as one value, not iterated character by character.
 * - The signal `send` is given is made when it is first read (an `AbortController` costs
 *   microseconds). Unsubscribing before the answer aborts it; after the answer nothing is aborted.
 * - No answer within `timeoutMs`: the request is aborted and the observable errors with
 *   `timeoutError()`. A request that fails, throws, or completes without a value errors with
 *   `failure(error)` or `empty()`.
 */
export function oneAnswer(send: (context: { readonly signal: AbortSignal }) => ObservableInput<unknown>, options: OneAnswerOptions): Observable<unknown> {
  return new Observable<unknown>((subscriber) => {
    let controller: AbortController | undefined;
    const context = {
      get signal() {
        return (controller ??= new AbortController()).signal;
      },
    };
    let settled = false;
    let subscription: { unsubscribe(): void } | undefined;
    const timeout =
      options.timeoutMs === undefined
        ? undefined
        : options.scheduler.schedule(() => {
            if (settled) return;
            settled = true;
            subscription?.unsubscribe();
            controller?.abort();
            subscriber.error(options.timeoutError());
          }, options.timeoutMs);
    const settle = () => {
      settled = true;
      timeout?.unsubscribe();
    };
    try {
      subscription = from(bodyInput(send(context))).subscribe({
        next: (body) => {
          if (settled) return;
          settle();
          subscriber.next(body);
          subscriber.complete();
        },
        error: (error: unknown) => {
          if (settled) return;
          settle();
          subscriber.error(options.failure(error));
        },
        complete: () => {
          if (settled) return;
          settle();
          subscriber.error(options.empty());
        },
      });
    } catch (error) {
      settle();
      subscriber.error(options.failure(error));
      return undefined;
    }
    return () => {
      timeout?.unsubscribe();
      subscription?.unsubscribe();
      if (!settled) controller?.abort();
    };
  });
}
