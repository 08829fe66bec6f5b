import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jobTransitions, OrdoIllegalTransitionError, stepTransitions, type JobStatus, type StepStatus } from 'ordo-status';
import { jobBody } from 'ordo-status/testing';
import { replayEvents } from '../helpers/replay.js';

type Truth = { job: JobStatus; steps: Record<string, StepStatus> };

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
 */
function lifecycle(size: number, edges: boolean[][], choices: number[]): Truth[] {
  const ids = Array.from({ length: size }, (_, index) => `s${index}`);
  const deps = ids.map((_, index) => ids.filter((_, dep) => dep < index && edges[index]![dep]));
  const steps: Record<string, StepStatus> = Object.fromEntries(ids.map((id) => [id, 'pending']));
  const blocks: Record<string, number> = Object.fromEntries(ids.map((id) => [id, 0]));
  let cursor = 0;
  const pick = <T>(options: readonly T[]): T => options[(choices[cursor++ % choices.length] ?? 0) % options.length]!;
  const truths: Truth[] = [{ job: 'pending', steps: { ...steps } }, { job: 'running', steps: { ...steps } }];
  for (let guard = 0; guard < 200; guard += 1) {
    const moves: Array<() => void> = [];
    ids.forEach((id, index) => {
      const status = steps[id]!;
      const depStatuses = deps[index]!.map((dep) => steps[dep]!);
      if (status === 'pending') {
        if (depStatuses.some((s) => s === 'failed' || s === 'skipped')) moves.push(() => (steps[id] = 'skipped'));
        else if (depStatuses.every((s) => s === 'success')) {
          moves.push(() => (steps[id] = 'running'));
          if (blocks[id]! < 2) moves.push(() => ((steps[id] = 'blocked'), (blocks[id]! += 1)));
        }
      } else if (status === 'running') {
        moves.push(() => (steps[id] = 'success'), () => (steps[id] = 'success'), () => (steps[id] = 'failed'));
        if (blocks[id]! < 2) moves.push(() => ((steps[id] = 'blocked'), (blocks[id]! += 1)));
      } else if (status === 'blocked') {
        moves.push(() => (steps[id] = 'running'), () => (steps[id] = 'running'), () => (steps[id] = 'failed'), () => (steps[id] = 'skipped'));
      }
    });
    if (moves.length === 0) break;
    pick(moves)();
    truths.push({ job: 'running', steps: { ...steps } });
  }
  const failedWithDependents = ids.some((id, index) => steps[id] === 'failed' && ids.some((_, other) => deps[other]!.includes(ids[index]!)));
  const anyFailed = ids.some((id) => steps[id] === 'failed');
  truths.push({ job: failedWithDependents ? 'failed' : anyFailed ? 'partial' : 'success', steps: { ...steps } });
  return truths;
}

/** Poll times: a random increasing subset of the true snapshots, always with the terminal one. */
function sample(truths: Truth[], keep: boolean[]): Truth[] {
  const picked = truths.filter((_, index) => index < truths.length - 1 && keep[index % keep.length]);
  picked.push(truths.at(-1)!);
  return picked;
}

const toBody = (truth: Truth) => jobBody({ status: truth.job, steps: truth.steps });

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
