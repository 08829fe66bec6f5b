import { Observable, type MonoTypeOperatorFunction } from 'rxjs';

/**
 * Errors the stream with `signal.reason` when the signal aborts (at once when it already has,
 * before subscribing to the source), and removes its listener on every way out.
 */
export function abortWith<T>(signal: AbortSignal | undefined): MonoTypeOperatorFunction<T> {
  return (source) =>
    signal === undefined
      ? source
      : new Observable<T>((subscriber) => {
          if (signal.aborted) {
            subscriber.error(signal.reason);
            return undefined;
          }
          const onAbort = () => subscriber.error(signal.reason);
          signal.addEventListener('abort', onAbort, { once: true });
          const subscription = source.subscribe(subscriber);
          return () => {
            signal.removeEventListener('abort', onAbort);
            subscription.unsubscribe();
          };
        });
}
