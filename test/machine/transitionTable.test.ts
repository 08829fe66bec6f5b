import { getShortestPaths } from '@xstate/graph';
import { transition, type AnyStateMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import {
  jobMachine,
  jobStatuses,
  jobTransitions,
  stepMachine,
  stepStatuses,
  stepTransitions,
  type TransitionTable,
} from 'ordo-status';

/** Where the machine goes from `from` when the server reports `to` (XState ignores events a state does not accept). */
function next(machine: AnyStateMachine, from: string, to: string): string {
  const [snapshot] = transition(machine, machine.resolveState({ value: from, context: undefined }), { type: `status.${to}` });
  return snapshot.value as string;
}

function checkAgainstMachine(machine: AnyStateMachine, statuses: readonly string[], table: TransitionTable<string>) {
  for (const from of statuses) {
    for (const to of statuses) {
      if (from === to) continue;
      const direct = next(machine, from, to) === to;
      expect(table.edges.get(from)!.includes(to), `${from} → ${to}`).toBe(direct);
    }
    // Shortest paths agree with @xstate/graph's, computed from the machine itself.
    const graphPaths = getShortestPaths(machine, {
      events: statuses.map((status) => ({ type: `status.${status}` })),
      fromState: machine.resolveState({ value: from, context: undefined }),
    });
    const lengths = new Map(graphPaths.map((path) => [path.state.value as string, path.steps.length]));
    for (const to of statuses) {
      const path = table.path(from, to);
      if (!lengths.has(to)) expect(path, `${from} ⇝ ${to}`).toBeUndefined();
      else expect(path?.length, `${from} ⇝ ${to}`).toBe(lengths.get(to));
      // Every edge of a derived path is a real transition of the machine.
      for (let index = 1; index < (path?.length ?? 0); index += 1) {
        expect(next(machine, path![index - 1]!, path![index]!)).toBe(path![index]);
      }
    }
  }
}

describe('transition tables derived from the machines', () => {
  it('agree with the job machine edge by edge and path by path', () => {
    checkAgainstMachine(jobMachine, jobStatuses, jobTransitions);
  });

  it('agree with the step machine edge by edge and path by path', () => {
    checkAgainstMachine(stepMachine, stepStatuses, stepTransitions);
  });

  it('have the documented edges', () => {
    expect(Object.fromEntries(jobTransitions.edges)).toEqual({
      pending: ['running'],
      running: ['success', 'failed', 'partial'],
      success: [],
      failed: [],
      partial: [],
    });
    expect(Object.fromEntries(stepTransitions.edges)).toEqual({
      pending: ['running', 'skipped', 'blocked'],
      running: ['success', 'failed', 'blocked'],
      blocked: ['running', 'failed', 'skipped'],
      success: [],
      failed: [],
      skipped: [],
    });
    expect([...jobTransitions.final]).toEqual(['success', 'failed', 'partial']);
    expect([...stepTransitions.final]).toEqual(['success', 'failed', 'skipped']);
    expect(jobTransitions.initial).toBe('pending');
    expect(stepTransitions.initial).toBe('pending');
  });

  it('give the shortest path, ties going to the edge declared first', () => {
    expect(jobTransitions.path('pending', 'partial')).toEqual(['pending', 'running', 'partial']);
    expect(stepTransitions.path('pending', 'success')).toEqual(['pending', 'running', 'success']);
    expect(stepTransitions.path('pending', 'failed')).toEqual(['pending', 'running', 'failed']);
    expect(stepTransitions.path('running', 'skipped')).toEqual(['running', 'blocked', 'skipped']);
    expect(stepTransitions.path('blocked', 'success')).toEqual(['blocked', 'running', 'success']);
    expect(stepTransitions.path('running', 'running')).toEqual(['running']);
  });

  it('have no way out of a final state and no way back', () => {
    for (const from of ['success', 'failed', 'partial'] as const) {
      for (const to of jobStatuses) if (to !== from) expect(jobTransitions.path(from, to)).toBeUndefined();
    }
    for (const from of ['success', 'failed', 'skipped'] as const) {
      for (const to of stepStatuses) if (to !== from) expect(stepTransitions.path(from, to)).toBeUndefined();
    }
    expect(jobTransitions.path('running', 'pending')).toBeUndefined();
    expect(stepTransitions.path('running', 'pending')).toBeUndefined();
    expect(stepTransitions.path('blocked', 'pending')).toBeUndefined();
  });
});
