/**
 * The browser-safe part of `ordo-status/testing`: body builders and a scripted transport for
 * marble tests. Imports only `ordo-status` and `rxjs`.
 */
export { jobBody } from './jobBody.js';
export type { JobBody, JobBodyInit, JobBodyStep, StepBodyInit } from './jobBody.js';
export { scriptedTransport } from './scriptedTransport.js';
export type { JobScript, ScriptedRequest, ScriptedTransport, ScriptedTransportOptions } from './scriptedTransport.js';
