import type { StoredEvent } from './relayStore.js';

/**
 * One stored event as a Server-Sent Events frame: `id` (the store's id, which `Last-Event-ID`
 * gives back), `event` (`transition`, `snapshot`, `end` or `error`) and one `data` line (compact
 * JSON has no line break), then a blank line. Source: the HTML standard, "Server-sent events".
 */
export function sseFrame(event: StoredEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${event.data}\n\n`;
}
