import { dependentsOf, topologicalOrder, type RecipeStep } from './recipe.js';

/** The built-in outcomes: `success`, `failed` (a step with dependents fails), `partial` (a step without dependents fails), `retry` (a step is blocked once, then succeeds on attempt 2). */
export const simulatorScenarioNames = ['success', 'failed', 'partial', 'retry'] as const;
export type SimulatorScenarioName = (typeof simulatorScenarioNames)[number];

/**
 * What the scripted worker does with one step. Times are simulated milliseconds (divided by the
 * simulator's `speed`).
 */
export interface StepScript {
  /**
   * Running time of each attempt, from `started_at` to the end.
   * @defaultValue by step type: REPROJECT_LAS 2500, GENERATE_DEM 3000, GENERATE_HILLSHADE 2000,
   *   GENERATE_CONTOURS 2500, BUILD_EPT 5000; others 2000
   */
  durationMs?: number;
  /**
   * The last attempt fails half-way (`true`, or the error message). Dependents become `skipped`.
   * @defaultValue false
   */
  fail?: boolean | string;
  /**
   * Attempts that end `blocked` (at 40 % of their time) before the last one; each is followed by
   * a cool-down, then the step is claimed again with `attempt` + 1.
   * @defaultValue 0
   */
  blockedAttempts?: number;
  /** Cool-down between a blocked attempt and the next claim. @defaultValue 1500 */
  cooldownMs?: number;
  /** Percents the worker writes as detailing rows while an attempt runs, evenly spaced. @defaultValue [20, 55, 90] */
  detailing?: readonly number[];
}

/** A script for jobs submitted to the simulator: per-step behaviour and the worker's delays. */
export interface SimulatorScenario {
  /** Step id → script. Steps not named run with the defaults and succeed. */
  steps?: Readonly<Record<string, StepScript>>;
  /** From creation to `running`. @defaultValue 300 */
  jobStartDelayMs?: number;
  /** From a step being ready to its claim (`running`, `attempt` + 1, `started_at` unchanged). @defaultValue 300 */
  claimDelayMs?: number;
  /** From the claim to `started_at`. @defaultValue 300 */
  startDelayMs?: number;
  /** From a failure to its dependents becoming `skipped`. @defaultValue 200 */
  skipDelayMs?: number;
  /** Between output deliveries, and from the last one to the job's terminal status. @defaultValue 300 */
  deliveryDelayMs?: number;
}

export const defaultStepDurationsMs: Readonly<Record<string, number>> = {
  REPROJECT_LAS: 2500,
  GENERATE_DEM: 3000,
  GENERATE_HILLSHADE: 2000,
  GENERATE_CONTOURS: 2500,
  BUILD_EPT: 5000,
};

/**
 * The script of a built-in scenario for a given recipe. The rules hold for any DAG:
 * - `failed`: the last step (in topological order) that has dependents fails — `dem` in the
 *   reference pipeline, as in the captured `failed` lifecycle;
 * - `partial`: the deepest step without dependents fails (the last in recipe order on a tie) —
 *   `contours` in the reference pipeline;
 * - `retry`: the last step that has dependents is blocked once and succeeds on attempt 2.
 * A recipe without a step of the needed kind falls back to its last step.
 */
export function builtInScenario(name: SimulatorScenarioName, steps: readonly RecipeStep[]): SimulatorScenario {
  const order = topologicalOrder(steps);
  const withDependents = order.filter((step) => dependentsOf(steps, step.id).size > 0);
  const depth = new Map<string, number>();
  for (const step of order) depth.set(step.id, Math.max(0, ...step.dependsOn.map((id) => (depth.get(id) ?? 0) + 1)));
  const leaves = steps
    .filter((step) => dependentsOf(steps, step.id).size === 0)
    .sort((a, b) => (depth.get(a.id) ?? 0) - (depth.get(b.id) ?? 0));
  const last = (list: readonly RecipeStep[]) => (list.at(-1) ?? order.at(-1)) as RecipeStep;
  switch (name) {
    case 'success':
      return {};
    case 'failed': {
      const step = last(withDependents);
      return { steps: { [step.id]: { fail: `${step.type} failed: worker exited with code 1 (simulated failure)` } } };
    }
    case 'partial': {
      const step = last(leaves);
      return { steps: { [step.id]: { fail: `${step.type} failed: worker exited with code 1 (simulated failure)` } } };
    }
    case 'retry':
      return { steps: { [last(withDependents).id]: { blockedAttempts: 1 } } };
  }
}
