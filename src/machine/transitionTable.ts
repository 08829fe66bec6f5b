import type { AnyStateMachine } from 'xstate';
import { jobStatuses, stepStatuses, type JobStatus, type StepStatus } from './statuses.js';
import { jobMachine } from './jobMachine.js';
import { stepMachine } from './stepMachine.js';

/**
 * Every legal move of one lifecycle, derived once from its machine: for each pair of states
 * `(from, to)`, the shortest path of states from `from` to `to` (both included), or `undefined`
 * when `to` cannot be reached. `path(from, from)` is `[from]`.
 *
 * Calling XState's `transition()` for every step of every poll costs ~13 µs a call (about 25 ms
 * for a first look at a finished 1,000-step job); this table answers in a lookup and holds no
 * actors. Tests check it edge by edge against the machines.
 *
 * Source: docs/lifecycles.md, "Using the machines yourself".
 */
export interface TransitionTable<S extends string> {
  /** The states in declaration order. */
  readonly states: readonly S[];
  /** The machine's initial state (`pending`). */
  readonly initial: S;
  /** States with `type: 'final'`. */
  readonly final: ReadonlySet<S>;
  /** The direct edges out of each state, in declaration order. */
  readonly edges: ReadonlyMap<S, readonly S[]>;
  /** The shortest path from `from` to `to` (both included), or `undefined` when unreachable. */
  path(from: S, to: S): readonly S[] | undefined;
}

/** Reads the states and edges of a flat machine and precomputes all shortest paths (BFS). */
export function deriveTransitionTable<S extends string>(machine: AnyStateMachine, states: readonly S[]): TransitionTable<S> {
  const known = new Set<string>(states);
  const edges = new Map<S, S[]>();
  const final = new Set<S>();
  for (const [key, node] of Object.entries(machine.root.states)) {
    if (!known.has(key)) throw new Error(`Machine ${machine.id} has state "${key}", which is not a known status`);
    const state = key as S;
    if (node.type === 'final') final.add(state);
    const targets: S[] = [];
    for (const definitions of node.transitions.values()) {
      for (const definition of definitions) {
        for (const target of definition.target ?? []) {
          const to = target.key as S;
          if (to !== state && !targets.includes(to)) targets.push(to);
        }
      }
    }
    edges.set(state, targets);
  }
  for (const state of states) {
    if (!edges.has(state)) throw new Error(`Machine ${machine.id} has no state for status "${state}"`);
  }

  const paths = new Map<S, Map<S, readonly S[]>>();
  for (const from of states) {
    const reached = new Map<S, readonly S[]>([[from, Object.freeze([from])]]);
    const queue: S[] = [from];
    for (let head = 0; head < queue.length; head += 1) {
      const current = queue[head] as S;
      const soFar = reached.get(current) as readonly S[];
      for (const next of edges.get(current) ?? []) {
        if (reached.has(next)) continue;
        reached.set(next, Object.freeze([...soFar, next]));
        queue.push(next);
      }
    }
    paths.set(from, reached);
  }

  return {
    states,
    initial: machine.root.initial.target[0]?.key as S,
    final,
    edges,
    path: (from, to) => paths.get(from)?.get(to),
  };
}

/** Legal job status moves, derived from {@link jobMachine}. */
export const jobTransitions: TransitionTable<JobStatus> = /* @__PURE__ */ deriveTransitionTable(jobMachine, jobStatuses);

/** Legal step status moves, derived from {@link stepMachine}. */
export const stepTransitions: TransitionTable<StepStatus> = /* @__PURE__ */ deriveTransitionTable(stepMachine, stepStatuses);
