import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jobTransitions, stepTransitions, type TransitionTable } from 'ordo-status';

/** A Mermaid state diagram of a machine, from the table derived from it. */
function mermaid(table: TransitionTable<string>): string {
  const lines = ['stateDiagram-v2', `    [*] --> ${table.initial}`];
  for (const [from, targets] of table.edges) for (const to of targets) lines.push(`    ${from} --> ${to}`);
  for (const state of table.final) lines.push(`    ${state} --> [*]`);
  return lines.join('\n');
}

describe('docs/lifecycles.md', () => {
  const doc = readFileSync(new URL('../../docs/lifecycles.md', import.meta.url), 'utf8');
  const diagrams = [...doc.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((match) => match[1]);

  it('shows the state diagrams of the machines as they are', () => {
    expect(diagrams).toEqual([mermaid(jobTransitions), mermaid(stepTransitions)]);
  });

  it('lists shortest paths that agree with the machines', () => {
    expect(stepTransitions.path('running', 'skipped')).toEqual(['running', 'blocked', 'skipped']);
    expect(stepTransitions.path('blocked', 'success')).toEqual(['blocked', 'running', 'success']);
    expect(doc).toContain('| step `running` → `skipped` | `running → blocked*`, `blocked → skipped` |');
  });
});
