// Locks what the generated API reference (docs/api/, checked by `npm run docs:check`) cannot show:
// what calls infer and emit, how unions narrow, which shorthands and alternatives are accepted and
// which wrong inputs are refused. docs/api is the lock on shapes: signatures, fields, options.
import { of, type Observable } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import { initialTransition, transition, type EventFromLogic } from 'xstate';
import {
  createFetchTransport,
  createJobLifecycle,
  createOrdoClient,
  errorFromResponse,
  getJob,
  isOrdoError,
  isTerminalJobStatus,
  jobEvents$,
  jobMachine,
  jobObservations$,
  jobStatus$,
  jobStatuses,
  OrdoAuthError,
  OrdoError,
  OrdoHttpError,
  OrdoIllegalTransitionError,
  OrdoNotFoundError,
  OrdoSchemaError,
  parseJobSnapshot,
  stepMachine,
  stepStatuses,
  submitJob,
  waitForJob,
  watchJobs$,
  type JobEvent,
  type JobObservation,
  type JobUpdate,
  type JobRequest,
  type JobMachineEvent,
  type JobSnapshot,
  type JobStatus,
  type JobTransport,
  type RetryInfo,
  type StepMachineEvent,
  type StepStatus,
  type StatusAliases,
  jobSnapshotFromJSON,
} from 'ordo-status';
import {
  jobBody,
  pineyDamJobRequest,
  scriptedTransport,
  simulatorFaultKinds,
  simulatorScenarioNames,
  startOrdoSimulator,
  type OrdoSimulator,
  type SimulatorFault,
  type SimulatorScenarioName,
} from 'ordo-status/testing';

declare const transport: JobTransport;
const client = createOrdoClient({ baseUrl: 'https://ordo.example.com' });

describe('what the streams emit', () => {
  it('snapshots, events and promises of snapshots, alone or through a client', () => {
    expectTypeOf(jobStatus$(1, { transport })).toEqualTypeOf<Observable<JobSnapshot>>();
    expectTypeOf(jobEvents$('1', { transport })).toEqualTypeOf<Observable<JobEvent>>();
    expectTypeOf(waitForJob(1, { transport })).toEqualTypeOf<Promise<JobSnapshot>>();
    expectTypeOf(getJob(1, { transport })).toEqualTypeOf<Promise<JobSnapshot>>();
    expectTypeOf(client.jobStatus$(1)).toEqualTypeOf<Observable<JobSnapshot>>();
    expectTypeOf(client.jobEvents$('1')).toEqualTypeOf<Observable<JobEvent>>();
    expectTypeOf(client.waitForJob(1)).toEqualTypeOf<Promise<JobSnapshot>>();
    expectTypeOf(client.getJob(1)).toEqualTypeOf<Promise<JobSnapshot>>();
    expectTypeOf(parseJobSnapshot({})).toEqualTypeOf<JobSnapshot>();
    // @ts-expect-error a transport is required outside a client
    jobStatus$(1, {});
    // @ts-expect-error ids are strings or numbers
    jobStatus$({ id: 1 }, { transport });
  });

  it('observations: a snapshot with its events, read-only; many jobs as a union narrowed on type', () => {
    expectTypeOf(jobObservations$(1, { transport })).toEqualTypeOf<Observable<JobObservation>>();
    expectTypeOf(client.jobObservations$('1')).toEqualTypeOf<Observable<JobObservation>>();
    expectTypeOf<JobObservation>().toEqualTypeOf<{ readonly snapshot: JobSnapshot; readonly events: readonly JobEvent[] }>();
    const observation = {} as JobObservation;
    // @ts-expect-error an observation is read-only
    observation.events = [];
    expectTypeOf(watchJobs$([1, '2'], { transport })).toEqualTypeOf<Observable<JobUpdate>>();
    expectTypeOf(client.watchJobs$(new Set([1, 2]))).toEqualTypeOf<Observable<JobUpdate>>();
    const update = {} as JobUpdate;
    expectTypeOf(update.jobId).toEqualTypeOf<string>();
    if (update.type === 'observation') {
      expectTypeOf(update.snapshot).toEqualTypeOf<JobSnapshot>();
      expectTypeOf(update.events).toEqualTypeOf<readonly JobEvent[]>();
    } else {
      expectTypeOf(update.type).toEqualTypeOf<'error'>();
      expectTypeOf(update.error).toBeUnknown();
    }
    // resumeFrom is a function of the job id for many jobs
    watchJobs$([1], { transport, resumeFrom: (jobId) => (jobId === '1' ? ({} as JobSnapshot) : undefined) });
    // @ts-expect-error not one snapshot for every job
    watchJobs$([1], { transport, resumeFrom: {} as JobSnapshot });
    // @ts-expect-error a transport is required outside a client
    watchJobs$([1], {});
    // @ts-expect-error a list of ids, not one
    client.watchJobs$(1);
  });

  it('waitForJob tells onSnapshot of each snapshot and its events', () => {
    void waitForJob(1, {
      transport,
      onSnapshot: (snapshot, events) => {
        expectTypeOf(snapshot).toEqualTypeOf<JobSnapshot>();
        expectTypeOf(events).toEqualTypeOf<readonly JobEvent[]>();
      },
    });
    expectTypeOf(client.waitForJob(1, { onSnapshot: (snapshot) => void snapshot.progress.fraction })).toEqualTypeOf<Promise<JobSnapshot>>();
    // @ts-expect-error onSnapshot is a callback
    void client.waitForJob(1, { onSnapshot: true });
    // @ts-expect-error onSnapshot belongs to a wait, not to the client's defaults
    createOrdoClient({ baseUrl: 'https://x', onSnapshot: () => undefined });
  });

  it('events narrow on type: a step event has a step id, step statuses and an attempt', () => {
    const event = {} as JobEvent;
    if (event.type === 'step') {
      expectTypeOf(event.stepId).toEqualTypeOf<string>();
      expectTypeOf(event.from).toEqualTypeOf<StepStatus>();
      expectTypeOf(event.to).toEqualTypeOf<StepStatus>();
      expectTypeOf(event.attempt).toEqualTypeOf<number>();
    } else {
      expectTypeOf(event.from).toEqualTypeOf<JobStatus>();
      expectTypeOf(event).not.toHaveProperty('stepId');
    }
    for (const next of createJobLifecycle().observe({} as JobSnapshot)) expectTypeOf(next).toEqualTypeOf<JobEvent>();
  });

  it('snapshots are read-only, with dates as Date and progress as a fraction', () => {
    const snapshot = {} as JobSnapshot;
    expectTypeOf(snapshot.job.startedAt).toEqualTypeOf<Date | null>();
    expectTypeOf(snapshot.progress.fraction).toEqualTypeOf<number>();
    // @ts-expect-error snapshots are immutable
    snapshot.job.status = 'success';
    // @ts-expect-error so are their lists
    snapshot.steps.push(snapshot.steps[0]!);
  });
});

describe('options: shorthands and alternatives', () => {
  it('retry is a count or a policy; intervalMs a duration or a function of the poll so far', () => {
    jobStatus$(1, { transport, retry: 3 });
    jobStatus$(1, { transport, retry: { maxRetries: 3, baseDelayMs: 500, jitter: 0 } });
    jobStatus$(1, {
      transport,
      intervalMs: ({ unchangedPolls, snapshot }) => {
        expectTypeOf(unchangedPolls).toEqualTypeOf<number>();
        expectTypeOf(snapshot).toEqualTypeOf<JobSnapshot | undefined>();
        return 1000 * 2 ** unchangedPolls;
      },
    });
    jobStatus$(1, { transport, onRetry: (info) => expectTypeOf(info).toEqualTypeOf<RetryInfo>() });
    // @ts-expect-error a retry count is a number
    jobStatus$(1, { transport, retry: '3' });
    // @ts-expect-error an interval function returns a duration
    jobStatus$(1, { transport, intervalMs: () => '5s' });
  });

  it('whenHidden is pause, poll or a slower interval; onIllegalTransition is error or skip', () => {
    for (const whenHidden of ['pause', 'poll', { intervalMs: 30_000 }] as const) jobStatus$(1, { transport, whenHidden });
    jobStatus$(1, { transport, onIllegalTransition: 'skip' });
    // @ts-expect-error not a way to handle a hidden page
    jobStatus$(1, { transport, whenHidden: 'sleep' });
    // @ts-expect-error ignoring an illegal transition is not an option
    jobStatus$(1, { transport, onIllegalTransition: 'ignore' });
  });

  it('statusAliases map a deployment word onto a job or step status, wherever a body is parsed', () => {
    const statusAliases: StatusAliases = { completed: 'success', waiting: 'blocked', halted: 'partial' };
    expectTypeOf<StatusAliases>().toEqualTypeOf<Readonly<Record<string, JobStatus | StepStatus>>>();
    createOrdoClient({ baseUrl: 'https://ordo.example.com', statusAliases });
    client.jobEvents$(1, { statusAliases });
    void client.getJob(1, { statusAliases });
    void getJob(1, { transport, statusAliases });
    parseJobSnapshot({}, { statusAliases });
    jobSnapshotFromJSON('{}', { statusAliases });
    // @ts-expect-error a target is one of the statuses, not any word
    jobStatus$(1, { transport, statusAliases: { completed: 'done' } });
    // @ts-expect-error word=status is the CLI's form; the option is an object
    jobStatus$(1, { transport, statusAliases: 'completed=success' });
  });

  it('a token is a string or a function of the refresh context, sync or async; batch is a switch or options', () => {
    createOrdoClient({ baseUrl: 'https://x', token: 'secret' });
    createOrdoClient({
      baseUrl: new URL('https://x'),
      token: async ({ refresh }) => {
        expectTypeOf(refresh).toEqualTypeOf<boolean>();
        return 'secret';
      },
    });
    createOrdoClient({ transport, batch: false });
    createOrdoClient({ transport, batch: { windowMs: 5 } });
    // @ts-expect-error a token is text
    createOrdoClient({ baseUrl: 'https://x', token: 42 });
    // @ts-expect-error baseUrl is required
    createFetchTransport({ token: 'secret' });
  });

  it('the client supplies the transport and owns it; resumeFrom belongs to one watch', () => {
    client.jobEvents$(1, { resumeFrom: {} as JobSnapshot });
    // @ts-expect-error the client's transport is read-only
    client.transport = createFetchTransport({ baseUrl: 'https://ordo.example.com' });
    // @ts-expect-error the client supplies the transport
    client.jobStatus$(1, { transport });
    // @ts-expect-error resumeFrom belongs to one watch, not to the client
    createOrdoClient({ baseUrl: 'https://ordo.example.com', resumeFrom: {} as JobSnapshot });
  });
});

describe('transports', () => {
  it('answer with anything observable-like: an Observable, a Promise or an array; the context carries the signal', () => {
    const promised: JobTransport = async (id, context) => {
      expectTypeOf(id).toEqualTypeOf<string>();
      expectTypeOf(context.signal).toEqualTypeOf<AbortSignal>();
      return {};
    };
    const observed: JobTransport = () => of({});
    const listed: JobTransport = () => [{}];
    listed.batch = (ids) => [ids.map((id) => ({ id, found: false }))];
    expectTypeOf(promised).toExtend<JobTransport>();
    expectTypeOf(observed).toExtend<JobTransport>();
    // @ts-expect-error a transport answers with an ObservableInput, not a plain body
    const _plain: JobTransport = () => ({ job: {} });
  });

  it('errorFromResponse needs the status and the URL', () => {
    expectTypeOf(errorFromResponse({ status: 503, url: '/jobs/1', retryAfter: '2' })).toEqualTypeOf<OrdoError>();
    // @ts-expect-error url is required
    errorFromResponse({ status: 500 });
  });
});

describe('statuses and machines', () => {
  it('the status lists are the status unions; a step status is no job status', () => {
    expectTypeOf<(typeof jobStatuses)[number]>().toEqualTypeOf<JobStatus>();
    expectTypeOf<(typeof stepStatuses)[number]>().toEqualTypeOf<StepStatus>();
    // @ts-expect-error a step status is not a job status
    isTerminalJobStatus('skipped');
  });

  it('the machines accept the status events of their own statuses, never back to pending', () => {
    expectTypeOf<EventFromLogic<typeof jobMachine>>().toEqualTypeOf<JobMachineEvent>();
    expectTypeOf<EventFromLogic<typeof stepMachine>>().toEqualTypeOf<StepMachineEvent>();
    const [start] = initialTransition(jobMachine);
    transition(jobMachine, start, { type: 'status.running' });
    // @ts-expect-error pending is never a target
    transition(jobMachine, start, { type: 'status.pending' });
    // @ts-expect-error blocked is a step status only
    transition(jobMachine, start, { type: 'status.blocked' });
    const [step] = initialTransition(stepMachine);
    transition(stepMachine, step, { type: 'status.blocked' });
  });
});

describe('errors', () => {
  it('isOrdoError narrows, and each class narrows its code', () => {
    const caught: unknown = undefined;
    if (isOrdoError(caught)) expectTypeOf(caught).toEqualTypeOf<OrdoError>();
    if (caught instanceof OrdoNotFoundError) {
      expectTypeOf(caught.code).toEqualTypeOf<'NOT_FOUND'>();
      expectTypeOf(caught).toExtend<OrdoHttpError>();
    }
    if (caught instanceof OrdoHttpError) expectTypeOf(caught.code).toEqualTypeOf<'HTTP' | 'AUTH' | 'NOT_FOUND'>();
    expectTypeOf<OrdoAuthError>().toExtend<OrdoHttpError>();
    expectTypeOf({} as OrdoIllegalTransitionError).toHaveProperty('subject').toEqualTypeOf<string>();
    // @ts-expect-error OrdoError is abstract
    new OrdoError('x');
    const error = {} as OrdoSchemaError;
    // @ts-expect-error codes are read-only
    error.code = 'SCHEMA';
  });
});

describe('ordo-status/testing', () => {
  it('the simulator takes a scenario by name, and its names and fault kinds come from the lists', () => {
    expectTypeOf(startOrdoSimulator({ scenario: 'retry', speed: 20 })).toEqualTypeOf<Promise<OrdoSimulator>>();
    expectTypeOf<SimulatorScenarioName>().toEqualTypeOf<(typeof simulatorScenarioNames)[number]>();
    expectTypeOf<SimulatorFault['kind']>().toEqualTypeOf<(typeof simulatorFaultKinds)[number]>();
    // @ts-expect-error an unknown scenario
    void startOrdoSimulator({ scenario: 'chaos' });
  });

  it('jobBody takes steps as a list or a short record, of real statuses only', () => {
    expectTypeOf(jobBody({ status: 'running', steps: { dem: 'running' } }).job.status).toEqualTypeOf<JobStatus>();
    jobBody({ status: 'failed', steps: [{ stepId: 'dem', status: 'failed', error: 'out of memory' }] });
    // @ts-expect-error a step status that does not exist
    jobBody({ status: 'running', steps: { dem: 'halted' } });
    // @ts-expect-error the job status is required
    jobBody({ steps: { dem: 'running' } });
  });

  it('scriptedTransport is a JobTransport; a script function gets the request number and context', () => {
    const scripted = scriptedTransport({
      7: (request, context) => {
        expectTypeOf(request).toEqualTypeOf<number>();
        expectTypeOf(context.signal).toEqualTypeOf<AbortSignal>();
        return jobBody({ id: 7, status: 'success' });
      },
    });
    jobStatus$(7, { transport: scripted });
    expectTypeOf(scripted.requests[0]!.signal).toEqualTypeOf<AbortSignal>();
    // @ts-expect-error the request log is read-only
    scripted.requests.push({ jobId: '7', at: 0, signal: new AbortController().signal });
    // @ts-expect-error so is the count of requests in flight
    scripted.maxInFlight = 0;
  });
});

describe('submitting a job', () => {
  it('resolves with the new id as a string, alone or through a client', () => {
    expectTypeOf(client.submitJob({ recipe_id: 3 })).toEqualTypeOf<Promise<string>>();
    expectTypeOf(submitJob({ recipe: { name: 'piney', version: '2.0.0' } }, { transport })).toEqualTypeOf<Promise<string>>();
    void client.submitJob(pineyDamJobRequest, { signal: new AbortController().signal, requestTimeoutMs: 10_000 });
    expectTypeOf(pineyDamJobRequest).toMatchTypeOf<JobRequest>();
    expectTypeOf(transport.submit).toEqualTypeOf<((request: JobRequest, context: { readonly signal: AbortSignal }) => import('rxjs').ObservableInput<unknown>) | undefined>();
  });

  it('a request names its recipe by id or by name and version, not both, not neither', () => {
    const byId: JobRequest = { recipe_id: 3, inputs: { 'job:input_las': { type: 'las', uri: 's3://b/x.laz' } }, params: { dem: { resolution: 1 } } };
    const byName: JobRequest = { recipe: { name: 'piney', version: '2.0.0', definition: { recipe: [] } }, outputs: { 'step:dem.output_dem': { path: 'dem.tif' } } };
    void [byId, byName];
    // @ts-expect-error neither recipe_id nor recipe
    void client.submitJob({ inputs: {} });
    // @ts-expect-error both
    void client.submitJob({ recipe_id: 3, recipe: { name: 'piney', version: '2.0.0' } });
    // @ts-expect-error recipe_id is the server's number
    void client.submitJob({ recipe_id: '3' });
    // @ts-expect-error an input needs a type and a uri
    void client.submitJob({ recipe_id: 3, inputs: { 'job:input_las': { uri: 'x.laz' } } });
    // @ts-expect-error a transport is required outside a client
    void submitJob({ recipe_id: 3 }, {});
  });
});
