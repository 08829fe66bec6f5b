import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jobTransitions, stepTransitions, type TransitionTable } from 'ordo-status';
// @ts-expect-error: a plain .mjs script without types
import { mermaid as fromScript } from '../../scripts/docs.mjs';

/** The generator's Mermaid state diagram of a machine (`npm run docs` writes these into the doc). */
const mermaid = fromScript as (table: TransitionTable<string>) => string;

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
