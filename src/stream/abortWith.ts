import { Observable, type MonoTypeOperatorFunction } from 'rxjs';

interface Registration {
  readonly callbacks: Set<() => void>;
  readonly listener: () => void;
}

/**
 * One `abort` listener per signal while any watch uses it, however many share it (a client-wide
 * signal over hundreds of watches would otherwise trip Node's MaxListenersExceededWarning at 11),
 * and none once the last one is done.
 */
const registrations = new WeakMap<AbortSignal, Registration>();

/** Calls `callback` when `signal` aborts (through the one shared listener); returns a function that stops it. */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let registration = registrations.get(signal);
  if (!registration) {
    const callbacks = new Set<() => void>();
    const listener = () => {
      registrations.delete(signal);
      for (const each of [...callbacks]) each();
    };
    registration = { callbacks, listener };
    registrations.set(signal, registration);
    signal.addEventListener('abort', listener, { once: true });
  }
  registration.callbacks.add(callback);
  const current = registration;
  return () => {
    current.callbacks.delete(callback);
    if (current.callbacks.size === 0 && registrations.get(signal) === current) {
      registrations.delete(signal);
      signal.removeEventListener('abort', current.listener);
    }
  };
}

/**
 * Errors the stream with `signal.reason` when the signal aborts (at once when it already has,
 * before subscribing to the source), and drops its callback on every way out.
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
          const stop = onAbort(signal, () => subscriber.error(signal.reason));
          const subscription = source.subscribe(subscriber);
          return () => {
            stop();
            subscription.unsubscribe();
          };
        });
}
