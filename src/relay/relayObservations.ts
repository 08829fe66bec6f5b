import { Observable } from 'rxjs';
import {
  createJobLifecycle,
  normalizeJobId,
  OrdoHttpError,
  OrdoNetworkError,
  OrdoNotFoundError,
  parseJobSnapshot,
  type JobId,
  type JobObservation,
  type JobSnapshot,
} from 'ordo-status';

/** Options of {@link relayObservations$}. */
export interface RelayObservationsOptions {
  /** The relay's base URL, e.g. `http://relay.internal:8788`. */
  readonly relayUrl: string;
  /** The relay's own token (not Ordo's), sent as `Authorization: Bearer …`. */
  readonly token?: string | undefined;
  /** Start from a stored snapshot: only later transitions are emitted. */
  readonly resumeFrom?: JobSnapshot | undefined;
  /** Time before reconnecting after the stream broke, in milliseconds. @defaultValue 1000 */
  readonly reconnectDelayMs?: number | undefined;
  /** Reconnections in a row without an event before the stream fails with the last error. @defaultValue 5 */
  readonly maxReconnects?: number | undefined;
  /** @defaultValue `globalThis.fetch` */
  readonly fetch?: typeof globalThis.fetch | undefined;
}

/** One SSE frame's fields. */
interface Frame {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

/** Splits the text read so far into complete frames (a blank line ends one) and the rest. */
function framesOf(buffer: string): { frames: Frame[]; rest: string } {
  const frames: Frame[] = [];
  let rest = buffer;
  let end: number;
  while ((end = rest.indexOf('\n\n')) >= 0) {
    const fields = new Map<string, string>();
    for (const line of rest.slice(0, end).split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).replace(/^ /, ''));
    }
    rest = rest.slice(end + 2);
    const event = fields.get('event');
    if (event !== undefined) frames.push({ id: fields.get('id'), event, data: fields.get('data') ?? '' });
  }
  return { frames, rest };
}

/**
 * A job's observations pushed by a relay (`GET /jobs/:id/events`) instead of polled: each
 * `snapshot` event's Ordo body goes through the same validation (`parseJobSnapshot`) and lifecycle
 * (`createJobLifecycle`) as a poll, so the snapshots, events and errors are those of
 * `jobObservations$`. Completes after the terminal snapshot. A broken stream reconnects with
 * `Last-Event-ID` (nothing lost, nothing repeated).
 *
 * WIP (issue 13): no fallback to polling yet while the relay is unreachable; not in
 * `createOrdoClient` or the Angular adapter yet.
 */
export function relayObservations$(id: JobId, options: RelayObservationsOptions): Observable<JobObservation> {
  const jobId = normalizeJobId(id);
  const url = `${options.relayUrl.replace(/\/+$/, '')}/jobs/${jobId}/events`;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const reconnectDelayMs = options.reconnectDelayMs ?? 1000;
  const maxReconnects = options.maxReconnects ?? 5;
  return new Observable<JobObservation>((subscriber) => {
    const controller = new AbortController();
    const lifecycle = createJobLifecycle(options.resumeFrom ? { resumeFrom: options.resumeFrom } : {});
    let previous = options.resumeFrom;
    let lastId: string | undefined;

    /** Handles one frame; `true` once the stream is over (end or error). */
    const onFrame = (frame: Frame): boolean => {
      if (frame.id !== undefined) lastId = frame.id;
      if (frame.event === 'snapshot') {
        const snapshot = parseJobSnapshot(JSON.parse(frame.data), { jobId, previous });
        if (snapshot === previous) return false;
        // A resumed stream starts at the stored snapshot again: nothing to emit for it.
        const events = lifecycle.observe(snapshot);
        previous = snapshot;
        subscriber.next({ snapshot, events });
        return false;
      }
      if (frame.event === 'end') {
        subscriber.complete();
        return true;
      }
      if (frame.event === 'error') {
        const { status, error } = JSON.parse(frame.data) as { status: number; error: string };
        const options_ = { status, url, jobId };
        subscriber.error(status === 404 ? new OrdoNotFoundError(`Job ${jobId} not found (relay: ${error})`, options_) : new OrdoHttpError(`relay: ${error}`, options_));
        return true;
      }
      return false; // `transition` events are for consumers without this library: the lifecycle makes its own.
    };

    void (async () => {
      let failures = 0;
      for (;;) {
        try {
          const response = await fetchImpl(url, {
            headers: { Accept: 'text/event-stream', ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}), ...(lastId ? { 'Last-Event-ID': lastId } : {}) },
            signal: controller.signal,
          });
          if (!response.ok || !response.body) throw new OrdoHttpError(`GET ${url} answered ${response.status}`, { status: response.status, url, jobId });
          const reader = response.body.getReader();
          const decoder = new TextDecoder();
          let buffer = '';
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            const { frames, rest } = framesOf(buffer + decoder.decode(value, { stream: true }));
            buffer = rest;
            for (const frame of frames) {
              failures = 0;
              if (onFrame(frame)) return;
            }
          }
          throw new OrdoNetworkError(`GET ${url}: the event stream ended before the job did`, { url, jobId });
        } catch (error) {
          if (controller.signal.aborted || subscriber.closed) return;
          if (error instanceof OrdoHttpError && (error.status === 401 || error.status === 403 || error.status === 404)) {
            subscriber.error(error);
            return;
          }
          if (!(error instanceof OrdoHttpError || error instanceof OrdoNetworkError) && !(error instanceof TypeError)) {
            subscriber.error(error); // a schema or lifecycle error: the stream's data is wrong
            return;
          }
          failures += 1;
          if (failures > maxReconnects) {
            subscriber.error(error);
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, reconnectDelayMs));
        }
      }
    })();
    return () => controller.abort();
  });
}
