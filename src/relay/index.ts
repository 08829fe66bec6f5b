/**
 * `ordo-status/relay` (Node only): a service that polls each job once upstream for any number
 * of consumers and serves it as Ordo does (`GET /jobs/:id`, the batch route, ETag and 304) and as
 * Server-Sent Events (`GET /jobs/:id/events`); several instances share the work through Redis.
 * The CLI's `ordo-status relay` runs it.
 */
export { createRelay } from './createRelay.js';
export type { Relay, RelayMetrics, RelayOptions } from './createRelay.js';
export { createMemoryRelayStore, memoryRelayState } from './relayStore.js';
export type { MemoryRelayState, MemoryRelayStoreOptions, RelayStore, StoredEvent, StoredLatest } from './relayStore.js';
export { createRedisRelayStore } from './redisRelayStore.js';
export type { RedisRelayStoreOptions } from './redisRelayStore.js';
export { createRelayConsumer } from './createRelayConsumer.js';
export type { RelayConsumer, RelayConsumerOptions, RelayedEvent } from './createRelayConsumer.js';
