/**
 * Page visibility, for polling that pauses in a background tab: where it comes from, and how a
 * watch waits for the page to be shown again.
 *
 * Source: docs/api.md, "Streams" (`whenHidden`); the Page Visibility API (`document.visibilityState`).
 */

/** Tells whether the page is hidden, and when that changes. */
export interface VisibilitySource {
  /** True while the page is hidden. */
  isHidden(): boolean;
  /** Calls `listener` on every change; returns a function that stops it. */
  onChange(listener: () => void): () => void;
}

/**
 * The page's visibility, when there is a page: `document.visibilityState` and the
 * `visibilitychange` event. `undefined` without a document (Node, server-side rendering).
 */
export function documentVisibility(): VisibilitySource | undefined {
  const page = (globalThis as { document?: { visibilityState?: string; addEventListener?: unknown; removeEventListener?: unknown } }).document;
  if (!page || typeof page.addEventListener !== 'function' || typeof page.visibilityState !== 'string') return undefined;
  const doc = page as unknown as Document;
  return {
    isHidden: () => doc.visibilityState === 'hidden',
    onChange: (listener) => {
      doc.addEventListener('visibilitychange', listener);
      return () => doc.removeEventListener('visibilitychange', listener);
    },
  };
}

/**
 * Listens to `source` until `onShown` has been called once (the page was shown again) or the
 * returned function is called. A failing `isHidden()` calls `onError` instead.
 * @throws TypeError when `source.onChange` does not return a function that stops listening.
 */
export function whenShown(source: VisibilitySource, onShown: () => void, onError: (error: unknown) => void): () => void {
  let done = false;
  // Assigned once, after onChange returns; the listener may call finish() before that.
  // eslint-disable-next-line prefer-const
  let stop: (() => void) | undefined;
  const finish = () => {
    done = true;
    try {
      stop?.();
    } catch {
      // A source that cannot stop listening: nothing more a watch can do about it.
    }
  };
  const listening: unknown = source.onChange(() => {
    if (done) return;
    let hidden: boolean;
    try {
      hidden = source.isHidden();
    } catch (error) {
      finish();
      onError(error);
      return;
    }
    if (!hidden) {
      finish();
      onShown();
    }
  });
  if (typeof listening !== 'function') throw new TypeError('Invalid visibility: onChange(listener) must return a function that stops listening');
  stop = listening as () => void;
  if (done) finish();
  return () => {
    if (!done) finish();
  };
}
