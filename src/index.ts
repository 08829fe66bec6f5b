/**
 * ordo-status: watch Ordo jobs. Validated snapshots (zod), lifecycle machines (XState) and
 * RxJS streams of job status and transitions. Browser-safe: no `node:` imports.
 *
 * This file is the complete list of what is public.
 * @packageDocumentation
 */

// Streams
export { createOrdoClient } from './stream/createOrdoClient.js';
export type { OrdoClient, OrdoClientOptions, ClientWatchOptions } from './stream/createOrdoClient.js';
export type { ClientWaitForJobOptions, ClientWatchJobsOptions } from './stream/createOrdoClient.js';
export { jobStatus$ } from './stream/jobStatus.js';
export { jobEvents$ } from './stream/jobEvents.js';
export { jobObservations$ } from './stream/jobObservations.js';
export type { JobObservation } from './stream/jobObservations.js';
export { watchJobs$ } from './stream/watchJobs.js';
export type { JobUpdate, JobObservationUpdate, JobErrorUpdate, WatchJobsOptions } from './stream/watchJobs.js';
export { waitForJob } from './stream/waitForJob.js';
export type { WaitForJobOptions } from './stream/waitForJob.js';
export { getJob } from './stream/getJob.js';
export type { GetJobOptions } from './stream/getJob.js';
export { submitJob } from './stream/submitJob.js';
export type { SubmitJobOptions } from './stream/submitJob.js';
export { defaultWatchOptions } from './stream/watchOptions.js';
export type { WatchOptions, IntervalContext, IntervalFunction } from './stream/watchOptions.js';
export { documentVisibility } from './stream/visibility.js';
export type { VisibilitySource } from './stream/visibility.js';
export { defaultRetryOptions, isTransientFailure } from './stream/retryPolicy.js';
export type { RetryOptions, RetryInfo } from './stream/retryPolicy.js';

// Transport
export { createFetchTransport, defaultFetchTransportOptions } from './transport/createFetchTransport.js';
export type { FetchTransportOptions } from './transport/createFetchTransport.js';
export { defaultBatchOptions } from './transport/batching.js';
export type { BatchOptions } from './transport/batching.js';
export { errorFromResponse } from './transport/errorFromResponse.js';
export type { FailedResponse } from './transport/errorFromResponse.js';
export type { JobTransport, JobTransportContext, TokenContext, TokenProvider } from './transport/types.js';
export { defaultRelayClientOptions } from './transport/relayPush.js';
export type { RelayClientOptions } from './transport/relayPush.js';
export type { JobRequest, JobRequestRecipe, JobRequestInput, JobRequestOutput, JobRequestParts } from './transport/jobRequest.js';

// Schema
export { parseJobSnapshot } from './schema/parseJobSnapshot.js';
export { jobSnapshotFromJSON } from './schema/snapshotJson.js';
export { computeJobProgress } from './schema/progress.js';
export { isSnapshotBehind } from './schema/snapshotOrder.js';
export type { ProgressStepInput } from './schema/progress.js';
export type { ParseJobSnapshotOptions } from './schema/parseJobSnapshot.js';
export type { JobSnapshotFromJSONOptions } from './schema/snapshotJson.js';
export type { StatusAliases } from './schema/statusAliases.js';
export { normalizeJobId } from './schema/jobId.js';
export type { JobId } from './schema/jobId.js';
export type { JobSnapshot, JobInfo, JobStep, JobOutput, JobProgress } from './schema/types.js';

// Machines
export { jobStatuses, stepStatuses } from './machine/statuses.js';
export type { JobStatus, StepStatus } from './machine/statuses.js';
export { jobMachine } from './machine/jobMachine.js';
export type { JobMachineEvent, StatusEvent } from './machine/jobMachine.js';
export { stepMachine } from './machine/stepMachine.js';
export type { StepMachineEvent } from './machine/stepMachine.js';
export { jobTransitions, stepTransitions } from './machine/transitionTable.js';
export type { TransitionTable } from './machine/transitionTable.js';
export { terminalJobStatuses, terminalStepStatuses, isTerminalJobStatus, isTerminalStepStatus } from './machine/terminal.js';
export { createJobLifecycle } from './machine/jobLifecycle.js';
export type { JobLifecycle, JobLifecycleOptions } from './machine/jobLifecycle.js';
export type { JobEvent, JobTransitionEvent, StepTransitionEvent } from './machine/jobEvent.js';

// Errors
export {
  OrdoError,
  isOrdoError,
  OrdoHttpError,
  OrdoAuthError,
  OrdoNotFoundError,
  OrdoNetworkError,
  OrdoTimeoutError,
  OrdoSchemaError,
  OrdoIllegalTransitionError,
  OrdoJobFailedError,
} from './errors/index.js';
export type { OrdoErrorCode, OrdoErrorOptions, OrdoHttpErrorOptions, OrdoSchemaIssue, OrdoTimeoutScope } from './errors/index.js';
