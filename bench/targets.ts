// What each benchmark section gives back to bench/run.ts: its markdown, and the targets it missed,
// so the doc's last section ("Targets missed") is generated from the measurements.

/** One target a run missed. */
export interface MissedTarget {
  /** The target, as the doc names it: "Heap per watch at 10,000 watches". */
  readonly target: string;
  /** The section that measured it: "Scale". */
  readonly section: string;
  /** One line: what was measured against what was wanted. */
  readonly measured: string;
  /** Why, and what would close it (a sentence): kept only where it does not depend on the engine measured. */
  readonly note?: string | undefined;
}

export interface BenchSection {
  readonly markdown: string;
  readonly missed: readonly MissedTarget[];
}

/** "✓ met" or "✗ missed", for a table cell. */
export const mark = (met: boolean): string => (met ? '✓' : '✗');
