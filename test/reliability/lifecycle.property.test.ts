import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTerminalJobStatus, jobTransitions, OrdoIllegalTransitionError, stepTransitions, type JobEvent, type JobStatus, type StepStatus } from 'ordo-status';
import { jobBody } from 'ordo-status/testing';
import { replayEvents } from '../helpers/replay.js';

/** A step's timestamps (milliseconds since the epoch, or null) and attempt, as the server would send them. */
type StepTimes = { startedAt: number | null; finishedAt: number | null; attempt: number };
type Truth = { job: JobStatus; steps: Record<string, StepStatus>; times: Record<string, StepTimes> };

/** A random DAG: step i may depend on any earlier step. */
const dagArbitrary = fc.integer({ min: 1, max: 8 }).chain((size) =>
  fc.tuple(
    fc.constant(size),
    fc.array(fc.array(fc.boolean(), { minLength: size, maxLength: size }), { minLength: size, maxLength: size }),
  ),
);

/**
 * Runs a random legal lifecycle of the DAG: the job starts; ready steps are claimed (running or
 * blocked first), running steps succeed, fail or block, blocked steps run again, fail or are
 * skipped, and dependents of a failed or skipped step are skipped. Every change is one true
 * snapshot. `choices` drives every random decision (so fast-check can shrink them).
 *
 * The clock (1 s steps from 10:00, sometimes standing still, so times can tie) dates the steps
 * as a real server does: a claimed step may be `running` with no `started_at` yet (a later
 * change writes it); a retry keeps the previous attempt's `started_at` until it writes its own;
 * `finished_at` is written on `success` and `failed`, never on `skipped`.
 */
function lifecycle(size: number, edges: boolean[][], choices: number[]): Truth[] {
  const ids = Array.from({ length: size }, (_, index) => `s${index}`);
  const deps = ids.map((_, index) => ids.filter((_, dep) => dep < index && edges[index]![dep]));
  const steps: Record<string, StepStatus> = Object.fromEntries(ids.map((id) => [id, 'pending']));
  const blocks: Record<string, number> = Object.fromEntries(ids.map((id) => [id, 0]));
  const times: Record<string, StepTimes> = Object.fromEntries(ids.map((id) => [id, { startedAt: null, finishedAt: null, attempt: 0 }]));
  /** Whether a running step's `started_at` is its current attempt's. */
  const started: Record<string, boolean> = Object.fromEntries(ids.map((id) => [id, false]));
  let cursor = 0;
  const pick = <T>(options: readonly T[]): T => options[(choices[cursor++ % choices.length] ?? 0) % options.length]!;
  let now = Date.parse('2026-11-29T10:00:00.000Z');
  const copy = () => structuredClone(times);
  const truths: Truth[] = [{ job: 'pending', steps: { ...steps }, times: copy() }, { job: 'running', steps: { ...steps }, times: copy() }];
  const claim = (id: string, status: 'running' | 'blocked') => {
    steps[id] = status;
    times[id]!.attempt += 1;
    started[id] = false;
    if (status === 'running' && pick([true, false])) start(id);
  };
  const start = (id: string) => ((times[id]!.startedAt = now), (started[id] = true));
  const finish = (id: string, status: 'success' | 'failed') => {
    if (!started[id]) start(id);
    steps[id] = status;
    times[id]!.finishedAt = now;
  };
  for (let guard = 0; guard < 200; guard += 1) {
    const moves: Array<() => void> = [];
    ids.forEach((id, index) => {
      const status = steps[id]!;
      const depStatuses = deps[index]!.map((dep) => steps[dep]!);
      if (status === 'pending') {
        if (depStatuses.some((s) => s === 'failed' || s === 'skipped')) moves.push(() => (steps[id] = 'skipped'));
        else if (depStatuses.every((s) => s === 'success')) {
          moves.push(() => claim(id, 'running'));
          if (blocks[id]! < 2) moves.push(() => (claim(id, 'blocked'), (blocks[id]! += 1)));
        }
      } else if (status === 'running') {
        moves.push(() => finish(id, 'success'), () => finish(id, 'success'), () => finish(id, 'failed'));
        if (blocks[id]! < 2) moves.push(() => ((steps[id] = 'blocked'), (blocks[id]! += 1)));
        if (!started[id]) moves.push(() => start(id));
      } else if (status === 'blocked') {
        moves.push(() => claim(id, 'running'), () => claim(id, 'running'), () => finish(id, 'failed'), () => (steps[id] = 'skipped'));
      }
    });
    if (moves.length === 0) break;
    if (pick([true, true, false])) now += 1000;
    pick(moves)();
    truths.push({ job: 'running', steps: { ...steps }, times: copy() });
  }
  const failedWithDependents = ids.some((id, index) => steps[id] === 'failed' && ids.some((_, other) => deps[other]!.includes(ids[index]!)));
  const anyFailed = ids.some((id) => steps[id] === 'failed');
  truths.push({ job: failedWithDependents ? 'failed' : anyFailed ? 'partial' : 'success', steps: { ...steps }, times: copy() });
  return truths;
}

/** Poll times: a random increasing subset of the true snapshots, always with the terminal one. */
function sample(truths: Truth[], keep: boolean[]): Truth[] {
  const picked = truths.filter((_, index) => index < truths.length - 1 && keep[index % keep.length]);
  picked.push(truths.at(-1)!);
  return picked;
}

const toBody = (truth: Truth) => jobBody({ status: truth.job, steps: truth.steps });

/** A body with the truth's own timestamps and attempts (the kit's `jobBody` dates steps by position). */
function toTimedBody(truth: Truth) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const steps = Object.keys(truth.steps)
    .sort()
    .map((stepId) => {
      const { startedAt, finishedAt, attempt } = truth.times[stepId]!;
      return { step_id: stepId, step_type: 'WORK', status: truth.steps[stepId], attempt, started_at: iso(startedAt), finished_at: iso(finishedAt) };
    });
  return { job: { id: 1, status: truth.job }, steps };
}

/** The events of each snapshot, in emission order (one snapshot's events are contiguous). */
function bySnapshot(events: readonly JobEvent[]): JobEvent[][] {
  const groups: JobEvent[][] = [];
  for (const event of events) {
    if (groups.at(-1)?.[0]?.snapshot === event.snapshot) groups.at(-1)!.push(event);
    else groups.push([event]);
  }
  return groups;
}

/** `type stepId from>to (inferred)`, to compare events as a multiset. */
const key = (event: JobEvent) => `${event.type === 'job' ? 'job' : event.stepId} ${event.from}>${event.to}${event.inferred ? '*' : ''}`;

const arbitraryRun = dagArbitrary.chain(([size, edges]) =>
  fc.record({
    size: fc.constant(size),
    edges: fc.constant(edges),
    choices: fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 60 }),
    keep: fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
  }),
);

describe('random DAGs and random legal lifecycles, sampled at random poll times', () => {
  it('emit a legal path that contains every observed state and ends at the true terminal state', () => {
    fc.assert(
      fc.property(arbitraryRun, ({ size, edges, choices, keep }) => {
        const truths = lifecycle(size, edges, choices);
        const polls = sample(truths, keep);
        const replay = replayEvents(1, polls.map(toBody));
        expect(replay.error).toBeUndefined();
        expect(replay.completed).toBe(true);

        // Legal: per subject, each event starts where the previous ended, along an edge of its machine.
        const paths = new Map<string, string[]>();
        for (const event of replay.events) {
          const subject = event.type === 'job' ? 'job' : event.stepId;
          const table = event.type === 'job' ? jobTransitions : stepTransitions;
          const path = paths.get(subject) ?? ['pending'];
          expect(event.from).toBe(path.at(-1));
          expect((table.edges.get(event.from as never) as readonly string[]).includes(event.to)).toBe(true);
          // Inferred exactly when the target is not what that snapshot showed.
          const shown = event.type === 'job' ? event.snapshot.job.status : event.snapshot.steps.find((step) => step.stepId === subject)!.status;
          expect(event.inferred).toBe(event.to !== shown);
          path.push(event.to);
          paths.set(subject, path);
        }
        // Complete: every observed state is on the path, in the order it was observed.
        const observed = new Map<string, string[]>();
        for (const poll of polls) {
          for (const [subject, status] of [['job', poll.job] as const, ...Object.entries(poll.steps)]) {
            const seen = observed.get(subject) ?? [];
            if (seen.at(-1) !== status) seen.push(status);
            observed.set(subject, seen);
          }
        }
        for (const [subject, seen] of observed) {
          const path = paths.get(subject) ?? ['pending'];
          let from = 0;
          for (const status of seen) {
            const at = path.indexOf(status, from);
            expect(at, `${subject} ${status} in ${path.join('>')}`).toBeGreaterThanOrEqual(0);
            from = at;
          }
          // An event is observed exactly when its target was one of the observed states there.
          expect(path.at(-1)).toBe(seen.at(-1));
        }
        expect(paths.get('job')!.at(-1)).toBe(truths.at(-1)!.job);
        // Nothing duplicated: one event per step of each path.
        expect(replay.events).toHaveLength([...paths.values()].reduce((sum, path) => sum + path.length - 1, 0));
      }),
      { numRuns: 300 },
    );
  });
});

describe("the order of one snapshot's events (real timestamps, random polls)", () => {
  it('is the order they happened: timed step transitions by time, inferred ones just before, untimed last, ties in server order', () => {
    fc.assert(
      fc.property(arbitraryRun, ({ size, edges, choices, keep }) => {
        const polls = sample(lifecycle(size, edges, choices), keep);
        const bodies = polls.map(toTimedBody);
        const replay = replayEvents(1, bodies);
        expect(replay.error).toBeUndefined();
        expect(replay.completed).toBe(true);

        for (const events of bySnapshot(replay.events)) {
          const at = bodies.indexOf(events[0]!.snapshot.raw as never);
          expect(at).toBeGreaterThanOrEqual(0);
          const now = polls[at]!;
          const before = at > 0 ? polls[at - 1] : undefined;
          const serverIndex = (stepId: string) => events[0]!.snapshot.steps.findIndex((step) => step.stepId === stepId);

          // The multiset of events, and each step's path, are those of the old order (job into
          // non-terminal, steps in server order, job into terminal), computed here from the paths.
          const jobPath = jobTransitions.path(before?.job ?? 'pending', now.job)!;
          const jobEvents = jobPath.slice(1).map((to, index) => ({ to, text: `job ${jobPath[index]}>${to}${index < jobPath.length - 2 ? '*' : ''}` }));
          const stepTexts = Object.keys(now.steps)
            .sort()
            .flatMap((stepId) => {
              const path = stepTransitions.path(before?.steps[stepId] ?? 'pending', now.steps[stepId]!)!;
              return path.slice(1).map((to, index) => `${stepId} ${path[index]}>${to}${index < path.length - 2 ? '*' : ''}`);
            });
          const oldOrder = [
            ...jobEvents.filter((event) => !isTerminalJobStatus(event.to)).map((event) => event.text),
            ...stepTexts,
            ...jobEvents.filter((event) => isTerminalJobStatus(event.to)).map((event) => event.text),
          ];
          expect(events.map(key).sort()).toEqual([...oldOrder].sort());
          // Job transitions around the steps, as before.
          const rank = (event: JobEvent) => (event.type === 'step' ? 1 : isTerminalJobStatus(event.to) ? 2 : 0);
          expect(events.map(rank)).toEqual([...events.map(rank)].sort());
          // Re-sorted into server order (stable), the step events are exactly the old order: each
          // step's transitions are in path order and contiguous.
          const steps = events.filter((event) => event.type === 'step');
          const serverOrder = steps.map((event, index) => ({ event, index })).sort((a, b) => serverIndex(a.event.stepId) - serverIndex(b.event.stepId) || a.index - b.index);
          expect(serverOrder.map(({ event }) => key(event))).toEqual(stepTexts);
          steps.forEach((event, index) => {
            if (event.inferred) expect(steps[index + 1], `${key(event)} leads to the next`).toMatchObject({ stepId: event.stepId, from: event.to });
          });

          // The time of each observed step transition, by the documented rule: into running at
          // started_at, into success / failed / skipped at finished_at; unknown (Infinity) for
          // blocked, a missing timestamp, or one the step already had in the previous poll.
          const timeOf = (stepId: string, to: StepStatus): number => {
            const field = to === 'running' ? 'startedAt' : to === 'success' || to === 'failed' || to === 'skipped' ? 'finishedAt' : undefined;
            const time = field === undefined ? null : now.times[stepId]![field];
            if (time === null || (before !== undefined && before.times[stepId]![field!] === time)) return Infinity;
            return time;
          };
          const observed = steps.filter((event) => !event.inferred).map((event) => ({ time: timeOf(event.stepId, event.to), index: serverIndex(event.stepId) }));
          observed.forEach((current, index) => {
            const previous = observed[index - 1];
            if (previous === undefined) return;
            // Non-decreasing time (untimed ones, Infinity, after every timed one) ...
            expect(current.time).toBeGreaterThanOrEqual(previous.time);
            // ... and the server's step order among equal times.
            if (current.time === previous.time) expect(current.index).toBeGreaterThan(previous.index);
          });
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('random illegal mutations', () => {
  it('error at the first illegal snapshot, and nothing of that snapshot is emitted', () => {
    fc.assert(
      fc.property(arbitraryRun, fc.nat(), fc.nat(), fc.nat(), ({ size, edges, choices, keep }, whereSeed, whoSeed, toSeed) => {
        const polls = sample(lifecycle(size, edges, choices), keep);
        fc.pre(polls.length >= 2);
        const at = 1 + (whereSeed % (polls.length - 1));
        const before = polls[at - 1]!;
        // Subjects that can be moved somewhere unreachable from their status at the previous poll.
        const candidates: Array<{ subject: string; from: string; targets: string[] }> = [];
        const jobTargets = (['pending', 'running', 'success', 'failed', 'partial'] as const).filter((to) => !jobTransitions.path(before.job, to));
        if (jobTargets.length > 0) candidates.push({ subject: 'job', from: before.job, targets: jobTargets });
        for (const [id, status] of Object.entries(before.steps)) {
          const targets = (['pending', 'running', 'blocked', 'success', 'failed', 'skipped'] as const).filter((to) => !stepTransitions.path(status, to));
          if (targets.length > 0) candidates.push({ subject: id, from: status, targets });
        }
        fc.pre(candidates.length > 0);
        const { subject, from, targets } = candidates[whoSeed % candidates.length]!;
        const to = targets[toSeed % targets.length]!;
        // The previous poll with only this subject changed: the mutation is the one change.
        const mutated: Truth = structuredClone(before);
        if (subject === 'job') mutated.job = to as JobStatus;
        else mutated.steps[subject] = to as StepStatus;
        const bodies = [...polls.slice(0, at), mutated, ...polls.slice(at)].map(toBody);
        const legalPrefix = replayEvents(1, polls.slice(0, at).map(toBody));
        const replay = replayEvents(1, bodies);
        expect(replay.error).toBeInstanceOf(OrdoIllegalTransitionError);
        expect(replay.error).toMatchObject({ subject, from, to });
        expect(replay.requests).toBe(at + 1);
        // Exactly the events of the polls before it.
        expect(replay.events.map((event) => event.snapshot.raw)).toEqual(legalPrefix.events.map((event) => event.snapshot.raw));
      }),
      { numRuns: 300 },
    );
  });
});
