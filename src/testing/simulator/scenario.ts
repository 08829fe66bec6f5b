import { directDependents, topologicalOrder, type RecipeStep } from './recipe.js';

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

/** Running time of one attempt by step type, when the script names none: simulated milliseconds; other types run 2000. */
export const defaultStepDurationsMs: Readonly<Record<string, number>> = {
  REPROJECT_LAS: 2500,
  GENERATE_DEM: 3000,
  GENERATE_HILLSHADE: 2000,
  GENERATE_CONTOURS: 2500,
  BUILD_EPT: 5000,
};

const delayNames = ['jobStartDelayMs', 'claimDelayMs', 'startDelayMs', 'skipDelayMs', 'deliveryDelayMs'] as const;

/** A scenario's worker delays, every default filled in: simulated milliseconds (see {@link SimulatorScenario}). */
export type ScenarioDelaysMs = Readonly<Record<(typeof delayNames)[number], number>>;

/** A scenario's worker delays, each one the scenario does not set at its default (300; `skipDelayMs` 200). */
export function resolveScenarioDelays(scenario: SimulatorScenario): ScenarioDelaysMs {
  return {
    jobStartDelayMs: scenario.jobStartDelayMs ?? 300,
    claimDelayMs: scenario.claimDelayMs ?? 300,
    startDelayMs: scenario.startDelayMs ?? 300,
    skipDelayMs: scenario.skipDelayMs ?? 200,
    deliveryDelayMs: scenario.deliveryDelayMs ?? 300,
  };
}

/** What the worker does with one step: its {@link StepScript} with every default filled in. */
export interface ResolvedStepScript {
  /** Running time of each attempt, simulated milliseconds. */
  readonly durationMs: number;
  /** The last attempt's error message, or `undefined` when it succeeds. */
  readonly failure: string | undefined;
  /** Attempts in all: `blockedAttempts`, then the last one. */
  readonly attempts: number;
  /** Cool-down after a blocked attempt, simulated milliseconds. */
  readonly cooldownMs: number;
  /** Percents written as detailing rows while an attempt runs. */
  readonly detailing: readonly number[];
}

/**
 * The scenario's script for a step, defaults filled in: duration by step type
 * ({@link defaultStepDurationsMs}, else 2000), detailing `[20, 55, 90]`, no blocked attempt,
 * cool-down 1500, and `fail: true` meaning the error `<TYPE> failed (simulated failure)`.
 */
export function resolveStepScript(scenario: SimulatorScenario, step: RecipeStep): ResolvedStepScript {
  const script: StepScript = scenario.steps?.[step.id] ?? {};
  const fail = script.fail;
  return {
    durationMs: script.durationMs ?? defaultStepDurationsMs[step.type] ?? 2000,
    failure: fail === undefined || fail === false ? undefined : typeof fail === 'string' ? fail : `${step.type} failed (simulated failure)`,
    attempts: (script.blockedAttempts ?? 0) + 1,
    cooldownMs: script.cooldownMs ?? 1500,
    detailing: script.detailing ?? [20, 55, 90],
  };
}

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
  const dependents = directDependents(steps);
  const hasDependents = (step: RecipeStep) => (dependents.get(step.id)?.length ?? 0) > 0;
  const withDependents = order.filter(hasDependents);
  const depth = new Map<string, number>();
  for (const step of order) depth.set(step.id, Math.max(0, ...step.dependsOn.map((id) => (depth.get(id) ?? 0) + 1)));
  const leaves = steps
    .filter((step) => !hasDependents(step))
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

const maxDelayMs = 24 * 60 * 60 * 1000;

function checkNumber(value: unknown, where: string, { min, max, integer = false }: { min: number; max: number; integer?: boolean }): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new TypeError(`Invalid ${where} ${String(value)}: expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
}

/**
 * Checks a scenario: a built-in name, or a script whose times are finite, non-negative
 * milliseconds (durations positive), at most a day; `blockedAttempts` an integer 0–100;
 * `detailing` percents 0–100.
 * @throws TypeError naming the first bad field.
 */
export function checkScenario(scenario: unknown, where = 'scenario'): void {
  if (scenario === undefined) return;
  if (typeof scenario === 'string') {
    if (!(simulatorScenarioNames as readonly string[]).includes(scenario)) {
      throw new TypeError(`Unknown ${where} ${JSON.stringify(scenario)}: expected one of ${simulatorScenarioNames.join(', ')}`);
    }
    return;
  }
  if (scenario === null || typeof scenario !== 'object' || Array.isArray(scenario)) {
    throw new TypeError(`Invalid ${where}: expected a scenario name or a script object`);
  }
  const script = scenario as Record<string, unknown>;
  for (const name of delayNames) checkNumber(script[name], `${where}.${name}`, { min: 0, max: maxDelayMs });
  const steps = script['steps'];
  if (steps === undefined) return;
  if (steps === null || typeof steps !== 'object' || Array.isArray(steps)) throw new TypeError(`Invalid ${where}.steps: expected an object of step scripts`);
  for (const [id, step] of Object.entries(steps)) {
    const at = `${where}.steps.${id}`;
    if (step === null || typeof step !== 'object' || Array.isArray(step)) throw new TypeError(`Invalid ${at}: expected a step script object`);
    const { durationMs, fail, blockedAttempts, cooldownMs, detailing } = step as Record<string, unknown>;
    checkNumber(durationMs, `${at}.durationMs`, { min: 1, max: maxDelayMs });
    checkNumber(cooldownMs, `${at}.cooldownMs`, { min: 0, max: maxDelayMs });
    checkNumber(blockedAttempts, `${at}.blockedAttempts`, { min: 0, max: 100, integer: true });
    if (fail !== undefined && typeof fail !== 'boolean' && typeof fail !== 'string') throw new TypeError(`Invalid ${at}.fail: expected true, false or an error message`);
    if (detailing !== undefined) {
      if (!Array.isArray(detailing) || detailing.length > 100) throw new TypeError(`Invalid ${at}.detailing: expected an array of at most 100 percents`);
      detailing.forEach((percent, index) => checkNumber(percent, `${at}.detailing[${index}]`, { min: 0, max: 100 }));
    }
  }
}
