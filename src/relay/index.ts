/**
 * `ordo-status/relay` (Node only): a service that watches each job once upstream for any number
 * of consumers and serves it as Ordo does (`GET /jobs/:id`, the batch route, ETag and 304) and as
 * Server-Sent Events (`GET /jobs/:id/events`). The CLI's `ordo-status relay` runs it.
 */
export { createRelay } from './createRelay.js';
export type { Relay, RelayMetrics, RelayOptions } from './createRelay.js';
export { eventsAfter, initialRelayedJob, ordoBodyText, relayedJobAfter, sseFrame, weakEtag } from './relayedJob.js';
export type { RelayedJob, RelayedJobAction, RelayEvent } from './relayedJob.js';
