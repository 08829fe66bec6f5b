import { onTestFinished } from 'vitest';

/**
 * `close` made safe to call more than once (it runs once; later calls get the same promise) and
 * called when the current test finishes, passed or failed. Call it in a test or its `beforeEach`.
 */
export function closedWhenTestFinishes(close: () => Promise<void>): () => Promise<void> {
  let closed: Promise<void> | undefined;
  const once = () => (closed ??= close());
  onTestFinished(once);
  return once;
}
