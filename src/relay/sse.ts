import type { StoredEvent } from './relayStore.js';

/**
 * One stored event as a Server-Sent Events frame: `id` (the store's id, which `Last-Event-ID`
 * gives back), `event` (`transition`, `snapshot`, `end` or `error`) and one `data` line (compact
 * JSON has no line break), then a blank line. Source: the HTML standard, "Server-sent events".
 */
export function sseFrame(event: StoredEvent): string {
  let frame = frames.get(event);
  if (frame === undefined) {
    frame = `id: ${event.id}\nevent: ${event.type}\ndata: ${event.data}\n\n`;
    frames.set(event, frame);
  }
  return frame;
}

/** Frames already made: a store hands the same event object to every stream of its job, which then share one string. */
const frames = new WeakMap<StoredEvent, string>();
