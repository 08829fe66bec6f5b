// The signature of every public function and the fields of every public class, as users see them
// (`ordo-status` and `ordo-status/testing` by name). index.test-d.ts holds the behavioural type
// tests (narrowing, immutability); this file pins parameters and return types, so a change to
// the public API shows up here first.
import type { Observable, ObservableInput, SchedulerLike } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import { initialTransition, transition, type AnyStateMachine, type EventFromLogic } from 'xstate';
import {
  defaultBatchOptions,
  type BatchOptions,
  createFetchTransport,
  createJobLifecycle,
  createOrdoClient,
  defaultFetchTransportOptions,
  defaultRetryOptions,
  defaultWatchOptions,
  documentVisibility,
  errorFromResponse,
  getJob,
  isOrdoError,
  isTerminalJobStatus,
  isTerminalStepStatus,
  isTransientFailure,
  jobEvents$,
  jobMachine,
  jobSnapshotFromJSON,
  jobStatus$,
  jobStatuses,
  jobTransitions,
  normalizeJobId,
  OrdoAuthError,
  OrdoError,
  OrdoHttpError,
  OrdoIllegalTransitionError,
  OrdoJobFailedError,
  OrdoNetworkError,
  OrdoNotFoundError,
  OrdoSchemaError,
  OrdoTimeoutError,
  parseJobSnapshot,
  stepMachine,
  stepStatuses,
  stepTransitions,
  terminalJobStatuses,
  terminalStepStatuses,
  waitForJob,
  type ClientWatchOptions,
  type FailedResponse,
  type FetchTransportOptions,
  type GetJobOptions,
  type IntervalContext,
  type IntervalFunction,
  type JobEvent,
  type JobId,
  type JobInfo,
  type JobLifecycle,
  type JobLifecycleOptions,
  type JobMachineEvent,
  type JobOutput,
  type JobProgress,
  type JobSnapshot,
  type JobStatus,
  type JobStep,
  type JobTransitionEvent,
  type JobTransport,
  type JobTransportContext,
  type OrdoClient,
  type OrdoClientOptions,
  type OrdoErrorCode,
  type OrdoErrorOptions,
  type OrdoHttpErrorOptions,
  type OrdoSchemaIssue,
  type OrdoTimeoutScope,
  type ParseJobSnapshotOptions,
  type RetryInfo,
  type RetryOptions,
  type StatusEvent,
  type StepMachineEvent,
  type StepStatus,
  type StepTransitionEvent,
  type TokenContext,
  type TokenProvider,
  type TransitionTable,
  type VisibilitySource,
  type WatchOptions,
} from 'ordo-status';
import {
  jobBody,
  scriptedTransport,
  type JobBody,
  type JobBodyInit,
  type JobScript,
  type ScriptedRequest,
  type ScriptedTransport,
  type ScriptedTransportOptions,
  type StepBodyInit,
  simulatorFaultKinds,
  simulatorScenarioNames,
  startOrdoSimulator,
  type OrdoSimulator,
  type OrdoSimulatorOptions,
  type SimulatorFault,
  type SimulatorRequest,
  type SimulatorScenario,
  type SimulatorScenarioName,
  type SubmitJobOptions,
} from 'ordo-status/testing';

describe('streams', () => {
  it('jobStatus$, jobEvents$, waitForJob and getJob take an id and options', () => {
    expectTypeOf(jobStatus$).parameters.toEqualTypeOf<[id: JobId, options: WatchOptions]>();
    expectTypeOf(jobStatus$).returns.toEqualTypeOf<Observable<JobSnapshot>>();
    expectTypeOf(jobEvents$).parameters.toEqualTypeOf<[id: JobId, options: WatchOptions]>();
    expectTypeOf(jobEvents$).returns.toEqualTypeOf<Observable<JobEvent>>();
    expectTypeOf(waitForJob).parameters.toEqualTypeOf<[id: JobId, options: WatchOptions]>();
    expectTypeOf(waitForJob).returns.toEqualTypeOf<Promise<JobSnapshot>>();
    expectTypeOf(getJob).parameters.toEqualTypeOf<[id: JobId, options: GetJobOptions]>();
    expectTypeOf(getJob).returns.toEqualTypeOf<Promise<JobSnapshot>>();
    expectTypeOf<JobId>().toEqualTypeOf<string | number>();
  });

  it('watch options', () => {
    expectTypeOf<WatchOptions>().toEqualTypeOf<{
      transport: JobTransport;
      intervalMs?: number | IntervalFunction | undefined;
      scheduler?: SchedulerLike | undefined;
      signal?: AbortSignal | undefined;
      timeoutMs?: number | undefined;
      requestTimeoutMs?: number | undefined;
      retry?: number | RetryOptions | undefined;
      onRetry?: ((info: RetryInfo) => void) | undefined;
      onIllegalTransition?: 'error' | 'skip' | undefined;
      whenHidden?: 'pause' | 'poll' | { intervalMs: number } | undefined;
      visibility?: VisibilitySource | undefined;
      resumeFrom?: JobSnapshot | undefined;
      notFoundGraceMs?: number | undefined;
    }>();
    expectTypeOf<GetJobOptions>().toEqualTypeOf<{
      transport: JobTransport;
      signal?: AbortSignal | undefined;
      requestTimeoutMs?: number | undefined;
      scheduler?: SchedulerLike | undefined;
    }>();
    expectTypeOf<IntervalFunction>().toEqualTypeOf<(context: IntervalContext) => number>();
    expectTypeOf<IntervalContext>().toEqualTypeOf<{ readonly unchangedPolls: number; readonly snapshot: JobSnapshot | undefined }>();
    expectTypeOf<VisibilitySource>().toEqualTypeOf<{ isHidden(): boolean; onChange(listener: () => void): () => void }>();
    expectTypeOf(documentVisibility).parameters.toEqualTypeOf<[]>();
    expectTypeOf(documentVisibility).returns.toEqualTypeOf<VisibilitySource | undefined>();
    expectTypeOf(defaultWatchOptions).toExtend<{
      readonly intervalMs: number;
      readonly scheduler: SchedulerLike;
      readonly timeoutMs: number | undefined;
      readonly requestTimeoutMs: number;
      readonly onIllegalTransition: 'error' | 'skip';
      readonly notFoundGraceMs: number;
      readonly whenHidden: 'pause';
    }>();
  });

  it('retry policy', () => {
    expectTypeOf<RetryOptions>().toEqualTypeOf<{
      maxElapsedMs?: number;
      maxRetries?: number;
      baseDelayMs?: number;
      maxDelayMs?: number;
      maxRetryAfterMs?: number;
      jitter?: number;
    }>();
    expectTypeOf(defaultRetryOptions).toEqualTypeOf<Readonly<Required<RetryOptions>>>();
    expectTypeOf<RetryInfo>().toEqualTypeOf<{
      readonly attempt: number;
      readonly maxRetries: number;
      readonly elapsedMs: number;
      readonly maxElapsedMs: number;
      readonly delayMs: number;
      readonly error: OrdoError;
    }>();
    expectTypeOf(isTransientFailure).parameters.toEqualTypeOf<[error: unknown]>();
    expectTypeOf(isTransientFailure).returns.toEqualTypeOf<boolean>();
  });

  it('createOrdoClient and its methods', () => {
    expectTypeOf(createOrdoClient).parameters.toEqualTypeOf<[options: OrdoClientOptions]>();
    expectTypeOf(createOrdoClient).returns.toEqualTypeOf<OrdoClient>();
    expectTypeOf<ClientWatchOptions>().toEqualTypeOf<Omit<WatchOptions, 'transport'>>();
    expectTypeOf<OrdoClientOptions>().toExtend<Omit<ClientWatchOptions, 'resumeFrom'>>();
    expectTypeOf<OrdoClientOptions>().not.toHaveProperty('resumeFrom');
    expectTypeOf<
      Pick<OrdoClientOptions, 'baseUrl' | 'token' | 'fetch' | 'maxResponseBytes' | 'transport' | 'batch' | 'retainTerminalMs' | 'maxRetainedTerminal'>
    >().toEqualTypeOf<{
      baseUrl?: string | URL | undefined;
      token?: TokenProvider | undefined;
      fetch?: typeof globalThis.fetch | undefined;
      maxResponseBytes?: number | undefined;
      transport?: JobTransport | undefined;
      batch?: boolean | BatchOptions | undefined;
      retainTerminalMs?: number | undefined;
      maxRetainedTerminal?: number | undefined;
    }>();
    expectTypeOf<BatchOptions>().toEqualTypeOf<{ windowMs?: number | undefined; maxWaitMs?: number | undefined; maxInFlight?: number | undefined }>();
    expectTypeOf(defaultBatchOptions).toEqualTypeOf<Readonly<{ windowMs: number; maxWaitMs: number; maxInFlight: number }>>();

    const client = createOrdoClient({ baseUrl: 'https://ordo.example.com' });
    expectTypeOf(client.jobStatus$).parameters.toEqualTypeOf<[id: JobId, options?: ClientWatchOptions]>();
    expectTypeOf(client.jobStatus$).returns.toEqualTypeOf<Observable<JobSnapshot>>();
    expectTypeOf(client.jobEvents$).parameters.toEqualTypeOf<[id: JobId, options?: ClientWatchOptions]>();
    expectTypeOf(client.jobEvents$).returns.toEqualTypeOf<Observable<JobEvent>>();
    expectTypeOf(client.waitForJob).parameters.toEqualTypeOf<[id: JobId, options?: ClientWatchOptions]>();
    expectTypeOf(client.waitForJob).returns.toEqualTypeOf<Promise<JobSnapshot>>();
    expectTypeOf(client.getJob).parameters.toEqualTypeOf<[id: JobId, options?: Omit<GetJobOptions, 'transport'>]>();
    expectTypeOf(client.getJob).returns.toEqualTypeOf<Promise<JobSnapshot>>();
    expectTypeOf(client.transport).toEqualTypeOf<JobTransport>();
    // @ts-expect-error the client's transport is read-only
    client.transport = createFetchTransport({ baseUrl: 'https://ordo.example.com' });
    // @ts-expect-error the client supplies the transport
    client.jobStatus$(1, { transport: client.transport });
    // @ts-expect-error resumeFrom belongs to one watch, not to the client
    createOrdoClient({ baseUrl: 'https://ordo.example.com', resumeFrom: {} as JobSnapshot });
  });
});

describe('transport', () => {
  it('createFetchTransport', () => {
    expectTypeOf(createFetchTransport).parameters.toEqualTypeOf<[options: FetchTransportOptions]>();
    expectTypeOf(createFetchTransport).returns.toEqualTypeOf<JobTransport>();
    expectTypeOf<FetchTransportOptions>().toEqualTypeOf<{
      baseUrl: string | URL;
      token?: TokenProvider | undefined;
      fetch?: typeof globalThis.fetch | undefined;
      maxResponseBytes?: number | undefined;
    }>();
    expectTypeOf(defaultFetchTransportOptions).toEqualTypeOf<{ readonly maxResponseBytes: number }>();
    // @ts-expect-error baseUrl is required
    createFetchTransport({ token: 'secret' });
  });

  it('the transport contract and tokens', () => {
    expectTypeOf<JobTransport>().toBeCallableWith('1', { signal: new AbortController().signal });
    expectTypeOf<JobTransport>().parameters.toEqualTypeOf<[id: string, context: JobTransportContext]>();
    expectTypeOf<JobTransport>().returns.toEqualTypeOf<ObservableInput<unknown>>();
    expectTypeOf<JobTransport['track']>().toEqualTypeOf<((id: string) => () => void) | undefined>();
    expectTypeOf<JobTransport['batch']>().toEqualTypeOf<
      ((ids: readonly string[], context: JobTransportContext) => ObservableInput<unknown>) | undefined
    >();
    expectTypeOf<JobTransportContext>().toEqualTypeOf<{ readonly signal: AbortSignal }>();
    expectTypeOf<TokenContext>().toEqualTypeOf<{ readonly refresh: boolean }>();
    expectTypeOf<TokenProvider>().toEqualTypeOf<string | ((context: TokenContext) => string | Promise<string>)>();
  });

  it('errorFromResponse', () => {
    expectTypeOf(errorFromResponse).parameters.toEqualTypeOf<[response: FailedResponse]>();
    expectTypeOf(errorFromResponse).returns.toEqualTypeOf<OrdoError>();
    expectTypeOf<FailedResponse>().toEqualTypeOf<{
      readonly status: number;
      readonly url: string;
      readonly statusText?: string | undefined;
      readonly body?: unknown;
      readonly contentType?: string | null | undefined;
      readonly retryAfter?: string | number | null | undefined;
      readonly jobId?: string | undefined;
      readonly cause?: unknown;
    }>();
    // @ts-expect-error url is required
    errorFromResponse({ status: 500 });
  });
});

describe('schema', () => {
  it('parseJobSnapshot, jobSnapshotFromJSON, normalizeJobId', () => {
    expectTypeOf(parseJobSnapshot).parameters.toEqualTypeOf<[body: unknown, options?: ParseJobSnapshotOptions]>();
    expectTypeOf(parseJobSnapshot).returns.toEqualTypeOf<JobSnapshot>();
    expectTypeOf<ParseJobSnapshotOptions>().toEqualTypeOf<{
      jobId?: JobId | undefined;
      contentType?: string | undefined;
      previous?: JobSnapshot | undefined;
    }>();
    expectTypeOf(jobSnapshotFromJSON).parameters.toEqualTypeOf<[value: unknown]>();
    expectTypeOf(jobSnapshotFromJSON).returns.toEqualTypeOf<JobSnapshot>();
    expectTypeOf(normalizeJobId).parameters.toEqualTypeOf<[id: JobId]>();
    expectTypeOf(normalizeJobId).returns.toEqualTypeOf<string>();
  });

  it('statuses', () => {
    expectTypeOf<JobStatus>().toEqualTypeOf<'pending' | 'running' | 'success' | 'failed' | 'partial'>();
    expectTypeOf<StepStatus>().toEqualTypeOf<'pending' | 'running' | 'blocked' | 'success' | 'failed' | 'skipped'>();
    expectTypeOf(jobStatuses).toEqualTypeOf<readonly ['pending', 'running', 'success', 'failed', 'partial']>();
    expectTypeOf(stepStatuses).toEqualTypeOf<readonly ['pending', 'running', 'blocked', 'success', 'failed', 'skipped']>();
    expectTypeOf(terminalJobStatuses).toEqualTypeOf<readonly JobStatus[]>();
    expectTypeOf(terminalStepStatuses).toEqualTypeOf<readonly StepStatus[]>();
    expectTypeOf(isTerminalJobStatus).parameters.toEqualTypeOf<[status: JobStatus]>();
    expectTypeOf(isTerminalJobStatus).returns.toEqualTypeOf<boolean>();
    expectTypeOf(isTerminalStepStatus).parameters.toEqualTypeOf<[status: StepStatus]>();
    expectTypeOf(isTerminalStepStatus).returns.toEqualTypeOf<boolean>();
    // @ts-expect-error a step status is not a job status
    isTerminalJobStatus('skipped');
  });

  it('snapshots', () => {
    expectTypeOf<JobSnapshot>().toEqualTypeOf<{
      readonly job: JobInfo;
      readonly steps: readonly JobStep[];
      readonly progress: JobProgress;
      readonly durationMs: number | null;
      readonly outputs: readonly JobOutput[];
      readonly raw: unknown;
    }>();
    expectTypeOf<JobInfo>().toEqualTypeOf<{
      readonly id: string;
      readonly status: JobStatus;
      readonly recipeId: number | null;
      readonly createdAt: Date | null;
      readonly startedAt: Date | null;
      readonly finishedAt: Date | null;
      readonly error: string | null;
    }>();
    expectTypeOf<JobStep>().toEqualTypeOf<{
      readonly stepId: string;
      readonly stepType: string;
      readonly status: StepStatus;
      readonly attempt: number;
      readonly startedAt: Date | null;
      readonly finishedAt: Date | null;
      readonly error: string | null;
      readonly progress: number | null;
    }>();
    expectTypeOf<JobOutput>().toEqualTypeOf<{
      readonly artifactName: string;
      readonly path: string;
      readonly producer: { readonly stepId: string; readonly slot: string } | null;
      readonly deliveredUri: string | null;
      readonly deliveredAt: Date | null;
    }>();
    expectTypeOf<JobProgress>().toEqualTypeOf<{ readonly fraction: number; readonly completedSteps: number; readonly totalSteps: number }>();
  });
});

describe('machines', () => {
  it('jobMachine and stepMachine accept status events only', () => {
    expectTypeOf(jobMachine).toExtend<AnyStateMachine>();
    expectTypeOf(stepMachine).toExtend<AnyStateMachine>();
    expectTypeOf<EventFromLogic<typeof jobMachine>>().toEqualTypeOf<JobMachineEvent>();
    expectTypeOf<EventFromLogic<typeof stepMachine>>().toEqualTypeOf<StepMachineEvent>();
    expectTypeOf<StatusEvent<'x'>>().toEqualTypeOf<{ type: 'status.x' }>();
    expectTypeOf<JobMachineEvent>().toEqualTypeOf<{ type: 'status.running' | 'status.success' | 'status.failed' | 'status.partial' }>();
    expectTypeOf<StepMachineEvent['type']>().toEqualTypeOf<
      'status.running' | 'status.blocked' | 'status.success' | 'status.failed' | 'status.skipped'
    >();
    const [start] = initialTransition(jobMachine);
    transition(jobMachine, start, { type: 'status.running' });
    // @ts-expect-error pending is never a target
    transition(jobMachine, start, { type: 'status.pending' });
    // @ts-expect-error blocked is a step status only
    transition(jobMachine, start, { type: 'status.blocked' });
  });

  it('transition tables', () => {
    expectTypeOf(jobTransitions).toEqualTypeOf<TransitionTable<JobStatus>>();
    expectTypeOf(stepTransitions).toEqualTypeOf<TransitionTable<StepStatus>>();
    expectTypeOf<TransitionTable<JobStatus>>().toEqualTypeOf<{
      readonly states: readonly JobStatus[];
      readonly initial: JobStatus;
      readonly final: ReadonlySet<JobStatus>;
      readonly edges: ReadonlyMap<JobStatus, readonly JobStatus[]>;
      path(from: JobStatus, to: JobStatus): readonly JobStatus[] | undefined;
    }>();
  });

  it('createJobLifecycle', () => {
    expectTypeOf(createJobLifecycle).parameters.toEqualTypeOf<[options?: JobLifecycleOptions]>();
    expectTypeOf(createJobLifecycle).returns.toEqualTypeOf<JobLifecycle>();
    expectTypeOf<JobLifecycleOptions>().toEqualTypeOf<{ resumeFrom?: JobSnapshot | undefined }>();
    expectTypeOf<JobLifecycle>().toEqualTypeOf<{
      observe(snapshot: JobSnapshot): readonly JobEvent[];
      readonly jobStatus: JobStatus;
      stepStatus(stepId: string): StepStatus;
    }>();
  });

  it('events', () => {
    expectTypeOf<JobEvent>().toEqualTypeOf<JobTransitionEvent | StepTransitionEvent>();
    expectTypeOf<JobEvent['type']>().toEqualTypeOf<'job' | 'step'>();
    expectTypeOf<JobTransitionEvent>().toEqualTypeOf<{
      readonly type: 'job';
      readonly jobId: string;
      readonly from: JobStatus;
      readonly to: JobStatus;
      readonly inferred: boolean;
      readonly snapshot: JobSnapshot;
    }>();
    expectTypeOf<StepTransitionEvent>().toEqualTypeOf<{
      readonly type: 'step';
      readonly jobId: string;
      readonly stepId: string;
      readonly stepType: string;
      readonly from: StepStatus;
      readonly to: StepStatus;
      readonly inferred: boolean;
      readonly attempt: number;
      readonly snapshot: JobSnapshot;
    }>();
  });
});

describe('errors', () => {
  it('every error is an OrdoError with a literal code', () => {
    expectTypeOf<OrdoErrorCode>().toEqualTypeOf<
      'HTTP' | 'AUTH' | 'NOT_FOUND' | 'NETWORK' | 'TIMEOUT' | 'SCHEMA' | 'ILLEGAL_TRANSITION' | 'JOB_FAILED'
    >();
    expectTypeOf<OrdoError>().toExtend<Error>();
    expectTypeOf<OrdoError['code']>().toEqualTypeOf<OrdoErrorCode>();
    expectTypeOf<OrdoError['jobId']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<OrdoError['name']>().toEqualTypeOf<string>();
    expectTypeOf<OrdoErrorOptions>().toEqualTypeOf<{ cause?: unknown; jobId?: string | undefined }>();
    expectTypeOf(isOrdoError).parameters.toEqualTypeOf<[value: unknown]>();
    expectTypeOf(isOrdoError).guards.toEqualTypeOf<OrdoError>();
    // @ts-expect-error OrdoError is abstract
    new OrdoError('x');

    expectTypeOf<OrdoHttpError['code']>().toEqualTypeOf<'HTTP' | 'AUTH' | 'NOT_FOUND'>();
    expectTypeOf<OrdoAuthError['code']>().toEqualTypeOf<'AUTH'>();
    expectTypeOf<OrdoNotFoundError['code']>().toEqualTypeOf<'NOT_FOUND'>();
    expectTypeOf<OrdoNetworkError['code']>().toEqualTypeOf<'NETWORK'>();
    expectTypeOf<OrdoTimeoutError['code']>().toEqualTypeOf<'TIMEOUT'>();
    expectTypeOf<OrdoSchemaError['code']>().toEqualTypeOf<'SCHEMA'>();
    expectTypeOf<OrdoIllegalTransitionError['code']>().toEqualTypeOf<'ILLEGAL_TRANSITION'>();
    expectTypeOf<OrdoJobFailedError['code']>().toEqualTypeOf<'JOB_FAILED'>();

    for (const error of [
      {} as OrdoHttpError,
      {} as OrdoNetworkError,
      {} as OrdoTimeoutError,
      {} as OrdoSchemaError,
      {} as OrdoIllegalTransitionError,
      {} as OrdoJobFailedError,
    ]) {
      expectTypeOf(error).toExtend<OrdoError>();
    }
    expectTypeOf<OrdoAuthError>().toExtend<OrdoHttpError>();
    expectTypeOf<OrdoNotFoundError>().toExtend<OrdoHttpError>();
    const error = {} as OrdoSchemaError;
    // @ts-expect-error codes are read-only
    error.code = 'SCHEMA';
  });

  it('HTTP errors', () => {
    expectTypeOf(OrdoHttpError).constructorParameters.toEqualTypeOf<[message: string, options: OrdoHttpErrorOptions]>();
    expectTypeOf(OrdoAuthError).constructorParameters.toEqualTypeOf<[message: string, options: OrdoHttpErrorOptions]>();
    expectTypeOf(OrdoNotFoundError).constructorParameters.toEqualTypeOf<[message: string, options: OrdoHttpErrorOptions]>();
    expectTypeOf<OrdoHttpErrorOptions>().toEqualTypeOf<{
      cause?: unknown;
      jobId?: string | undefined;
      status: number;
      url: string;
      retryAfterMs?: number | null;
      bodyExcerpt?: string;
    }>();
    expectTypeOf<Pick<OrdoHttpError, 'status' | 'url' | 'retryAfterMs' | 'bodyExcerpt'>>().toEqualTypeOf<{
      readonly status: number;
      readonly url: string;
      readonly retryAfterMs: number | null;
      readonly bodyExcerpt: string;
    }>();
  });

  it('network, timeout, schema, illegal transition and job failed errors', () => {
    expectTypeOf(OrdoNetworkError).constructorParameters.toEqualTypeOf<
      [message: string, options?: OrdoErrorOptions & { url?: string | undefined; retryable?: boolean; systemCode?: string | undefined }]
    >();
    expectTypeOf<Pick<OrdoNetworkError, 'url' | 'retryable' | 'systemCode'>>().toEqualTypeOf<{
      readonly url: string | undefined;
      readonly retryable: boolean;
      readonly systemCode: string | undefined;
    }>();

    expectTypeOf(OrdoTimeoutError).constructorParameters.toEqualTypeOf<
      [
        message: string,
        options: OrdoErrorOptions & {
          lastSnapshot: JobSnapshot | null;
          timeoutMs: number;
          scope?: OrdoTimeoutScope;
          requests?: number;
          failures?: number;
        },
      ]
    >();
    expectTypeOf<OrdoTimeoutScope>().toEqualTypeOf<'watch' | 'request'>();
    expectTypeOf<Pick<OrdoTimeoutError, 'scope' | 'lastSnapshot' | 'timeoutMs' | 'requests' | 'failures'>>().toEqualTypeOf<{
      readonly scope: OrdoTimeoutScope;
      readonly lastSnapshot: JobSnapshot | null;
      readonly timeoutMs: number;
      readonly requests: number;
      readonly failures: number;
    }>();

    expectTypeOf(OrdoSchemaError).constructorParameters.toEqualTypeOf<
      [
        message: string,
        options: OrdoErrorOptions & { issues: readonly OrdoSchemaIssue[]; bodyExcerpt?: string; contentType?: string | undefined },
      ]
    >();
    expectTypeOf<OrdoSchemaIssue>().toEqualTypeOf<{ readonly path: string; readonly message: string; readonly received: unknown }>();
    expectTypeOf<Pick<OrdoSchemaError, 'issues' | 'bodyExcerpt' | 'contentType'>>().toEqualTypeOf<{
      readonly issues: readonly OrdoSchemaIssue[];
      readonly bodyExcerpt: string;
      readonly contentType: string | undefined;
    }>();

    expectTypeOf(OrdoIllegalTransitionError).constructorParameters.toEqualTypeOf<
      [
        message: string,
        options: OrdoErrorOptions & {
          subject: string;
          from: JobStatus | StepStatus;
          to: JobStatus | StepStatus;
          snapshot: JobSnapshot;
        },
      ]
    >();
    expectTypeOf<Pick<OrdoIllegalTransitionError, 'subject' | 'from' | 'to' | 'snapshot'>>().toEqualTypeOf<{
      readonly subject: string;
      readonly from: JobStatus | StepStatus;
      readonly to: JobStatus | StepStatus;
      readonly snapshot: JobSnapshot;
    }>();

    expectTypeOf(OrdoJobFailedError).constructorParameters.toEqualTypeOf<
      [message: string, options: OrdoErrorOptions & { snapshot: JobSnapshot }]
    >();
    expectTypeOf<Pick<OrdoJobFailedError, 'snapshot'>>().toEqualTypeOf<{ readonly snapshot: JobSnapshot }>();
  });
});

describe('ordo-status/testing', () => {
  it('startOrdoSimulator and the simulator', () => {
    expectTypeOf(startOrdoSimulator).parameters.toEqualTypeOf<[options?: OrdoSimulatorOptions]>();
    expectTypeOf(startOrdoSimulator).returns.toEqualTypeOf<Promise<OrdoSimulator>>();
    expectTypeOf<OrdoSimulatorOptions>().toEqualTypeOf<{
      port?: number;
      token?: string;
      scenario?: SimulatorScenarioName | SimulatorScenario;
      speed?: number;
      now?: () => number;
      onRequest?: (request: SimulatorRequest) => void;
    }>();
    expectTypeOf<OrdoSimulator['url']>().toEqualTypeOf<string>();
    expectTypeOf<OrdoSimulator['token']>().toEqualTypeOf<string>();
    expectTypeOf<OrdoSimulator['requestCount']>().toEqualTypeOf<number>();
    expectTypeOf<OrdoSimulator['submitJob']>().parameters.toEqualTypeOf<[body?: unknown, options?: SubmitJobOptions]>();
    expectTypeOf<OrdoSimulator['submitJob']>().returns.toEqualTypeOf<Promise<{ id: number }>>();
    expectTypeOf<OrdoSimulator['injectFaults']>().parameters.toEqualTypeOf<[jobId: number, faults: readonly SimulatorFault[]]>();
    expectTypeOf<OrdoSimulator['injectFaults']>().returns.toEqualTypeOf<void>();
    expectTypeOf<OrdoSimulator['close']>().toEqualTypeOf<() => Promise<void>>();
    expectTypeOf<SubmitJobOptions>().toEqualTypeOf<{ scenario?: SimulatorScenarioName | SimulatorScenario }>();
  });

  it('scenario names and fault kinds', () => {
    expectTypeOf(simulatorScenarioNames).toEqualTypeOf<readonly ['success', 'failed', 'partial', 'retry']>();
    expectTypeOf<SimulatorScenarioName>().toEqualTypeOf<(typeof simulatorScenarioNames)[number]>();
    expectTypeOf<SimulatorFault['kind']>().toEqualTypeOf<(typeof simulatorFaultKinds)[number]>();
    // @ts-expect-error an unknown scenario
    void startOrdoSimulator({ scenario: 'chaos' });
  });

  it('the marble-testing kit', () => {
    expectTypeOf(jobBody).parameters.toEqualTypeOf<[init: JobBodyInit]>();
    expectTypeOf(jobBody).returns.toEqualTypeOf<JobBody>();
    expectTypeOf<JobBodyInit['status']>().toEqualTypeOf<JobStatus>();
    expectTypeOf<JobBodyInit['steps']>().toEqualTypeOf<readonly StepBodyInit[] | Readonly<Record<string, StepStatus>> | undefined>();
    expectTypeOf<JobBody['job']['status']>().toEqualTypeOf<JobStatus>();
    expectTypeOf<JobBody['steps'][number]['status']>().toEqualTypeOf<StepStatus>();
    expectTypeOf(scriptedTransport).parameters.toEqualTypeOf<[script: Readonly<Record<string, JobScript>>, options?: ScriptedTransportOptions]>();
    expectTypeOf(scriptedTransport).returns.toEqualTypeOf<ScriptedTransport>();
    expectTypeOf<ScriptedTransport>().toExtend<JobTransport>();
    expectTypeOf<ScriptedTransport['requests']>().toEqualTypeOf<readonly ScriptedRequest[]>();
    expectTypeOf<ScriptedTransport['requestCount']>().toEqualTypeOf<(id: JobId) => number>();
    expectTypeOf<ScriptedTransportOptions['scheduler']>().toEqualTypeOf<SchedulerLike | undefined>();
    expectTypeOf<Extract<JobScript, Function>>().returns.toEqualTypeOf<unknown>();
    // @ts-expect-error a step status that does not exist
    jobBody({ status: 'running', steps: { dem: 'halted' } });
  });
});
