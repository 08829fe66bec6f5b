import type { VisibilitySource } from 'ordo-status';

/** A page whose visibility the test flips. */
export function page(hidden = false) {
  const listeners = new Set<() => void>();
  const source: VisibilitySource = {
    isHidden: () => hidden,
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    source,
    listeners,
    set: (value: boolean) => {
      hidden = value;
      for (const listener of [...listeners]) listener();
    },
  };
}
