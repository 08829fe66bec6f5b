import { createHook } from 'node:async_hooks';

/**
 * Tracks the timers the watch creates (async_hooks: `init`, then `destroy` when cleared or
 * fired) and returns those still pending. Node's own unref'd housekeeping timers (undici's
 * connection ticker, the HTTP date cache) are not the watch's: only timers created through RxJS
 * or this library's code count.
 */
export function trackTimers() {
  const alive = new Map<number, string>();
  const hook = createHook({
    init: (id, type) => {
      if (type !== 'Timeout') return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 60;
      const stack = new Error().stack ?? '';
      Error.stackTraceLimit = limit;
      const ours = /node_modules\/rxjs|\/src\/(stream|transport|schema|machine)\//.test(stack);
      if (ours && !stack.includes('internal/deps/undici')) alive.set(id, stack);
    },
    destroy: (id) => void alive.delete(id),
  }).enable();
  return {
    alive: () => [...alive.values()],
    stop: () => void hook.disable(),
  };
}
