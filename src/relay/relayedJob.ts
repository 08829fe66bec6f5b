import { createHash } from 'node:crypto';
import type { JobObservation } from 'ordo-status';

/**
 * One event of a relayed job, as Server-Sent Events carry it: `id` is the job's own sequence
 * number (1, 2, 3…), stable for the life of the relay, so `Last-Event-ID` resumes exactly after it.
 *
 * - `transition`: a job or step transition (a `JobEvent` without its snapshot), in the order the
 *   library emits them (docs/lifecycles.md, "Order of events within one snapshot");
 * - `snapshot`: the Ordo body of a new distinct snapshot, after the transitions it brought, so a
 *   consumer validates it with the same schema as a poll;
 * - `end`: the job is terminal; nothing follows.
 */
export interface RelayEvent {
  readonly seq: number;
  readonly type: 'transition' | 'snapshot' | 'end';
  /** The event's data, compact JSON on one line. */
  readonly data: string;
}

/** What the relay knows of one job, changed only by {@link relayedJobAfter}. */
export interface RelayedJob {
  readonly jobId: string;
  /** The Ordo body of the latest snapshot (compact JSON), `undefined` before the first. */
  readonly body: string | undefined;
  /** A weak ETag of `body`, `undefined` before the first snapshot. */
  readonly etag: string | undefined;
  /** The latest events, oldest first, at most `maxEvents`; `events[0].seq` is the oldest kept. */
  readonly events: readonly RelayEvent[];
  /** The sequence number the next event gets. */
  readonly nextSeq: number;
  /** Whether the job reached a terminal status (the `end` event is in `events`). */
  readonly ended: boolean;
  /** Why watching it upstream failed (a 404 from Ordo…), as the HTTP status and body to answer; `undefined` while it is fine. */
  readonly failure: { readonly status: number; readonly body: string } | undefined;
}

/** What can happen to a relayed job. */
export type RelayedJobAction =
  | { readonly type: 'observed'; readonly observation: JobObservation; readonly terminal: boolean }
  | { readonly type: 'failed'; readonly status: number; readonly body: string };

/** A relayed job before anything was seen. */
export function initialRelayedJob(jobId: string): RelayedJob {
  return { jobId, body: undefined, etag: undefined, events: [], nextSeq: 1, ended: false, failure: undefined };
}

/**
 * The Ordo body of a snapshot as the relay answers it: the server's body (`snapshot.raw`), without
 * the `id`/`found` keys a batch element adds (docs/ordo-server.md, "Routes"), compact JSON.
 */
export function ordoBodyText(raw: unknown): string {
  if (raw !== null && typeof raw === 'object' && 'job' in raw && ('found' in raw || 'id' in raw)) {
    const { id: _id, found: _found, ...body } = raw as Record<string, unknown>;
    return JSON.stringify(body);
  }
  return JSON.stringify(raw);
}

/** A weak ETag of a body text: the SHA-1 of its bytes, base64url (as Express makes its own weak ETags from a hash). */
export function weakEtag(text: string): string {
  return `W/"${createHash('sha1').update(text).digest('base64url')}"`;
}

/**
 * The relayed job's transitions: an observation appends its transitions, then its snapshot (and
 * `end` after a terminal one), each with the next sequence number, and keeps only the latest
 * `maxEvents`; a failure is kept to answer consumers with. Nothing changes after `end`.
 *
 * @param maxEvents - how many events a job keeps for consumers that resume (at least 1).
 */
export function relayedJobAfter(job: RelayedJob, action: RelayedJobAction, maxEvents: number): RelayedJob {
  if (job.ended) return job;
  if (action.type === 'failed') return { ...job, failure: { status: action.status, body: action.body } };
  const { snapshot, events } = action.observation;
  const body = ordoBodyText(snapshot.raw);
  const added: RelayEvent[] = events.map(({ snapshot: _snapshot, ...event }, index) => ({
    seq: job.nextSeq + index,
    type: 'transition',
    data: JSON.stringify(event),
  }));
  added.push({ seq: job.nextSeq + added.length, type: 'snapshot', data: body });
  if (action.terminal) added.push({ seq: job.nextSeq + added.length, type: 'end', data: JSON.stringify({ jobId: job.jobId, status: snapshot.job.status }) });
  const all = job.events.length + added.length > maxEvents ? [...job.events, ...added].slice(-maxEvents) : [...job.events, ...added];
  return {
    ...job,
    body,
    etag: weakEtag(body),
    events: all,
    nextSeq: job.nextSeq + added.length,
    ended: action.terminal,
    failure: undefined,
  };
}

/**
 * The events a consumer that last saw `lastSeq` has not seen, in order: all of them for a new
 * consumer (`lastSeq` 0). `gap` is true when some were dropped from the bounded log (the consumer
 * then gets the latest snapshot in the replay, so it never acts on a stale state).
 */
export function eventsAfter(job: RelayedJob, lastSeq: number): { readonly events: readonly RelayEvent[]; readonly gap: boolean } {
  const oldest = job.events[0]?.seq ?? job.nextSeq;
  const events = job.events.filter((event) => event.seq > lastSeq);
  return { events, gap: lastSeq + 1 < oldest };
}

/** One event as a Server-Sent Events frame: `id`, `event` and one `data` line, then a blank line. */
export function sseFrame(event: RelayEvent): string {
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${event.data}\n\n`;
}
