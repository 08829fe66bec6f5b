import { inject, Injector } from '@angular/core';

/**
 * The injector to use: the one given, or the current injection context's.
 * @throws Error outside an injection context without one, naming the `injector` option.
 */
export function injectorFor(caller: string, given: Injector | undefined): Injector {
  if (given !== undefined) {
    if (given === null || typeof (given as { get?: unknown }).get !== 'function') throw new TypeError(`Invalid injector option of ${caller}(): expected an Angular Injector`);
    return given;
  }
  try {
    return inject(Injector);
  } catch {
    throw new Error(
      `${caller}() must be called in an injection context (a constructor, a field initializer, a provider factory) ` +
        `or be given one: ${caller}(…, { injector }), with an Injector from inject(Injector)`,
    );
  }
}
