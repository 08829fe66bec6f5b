/**
 * `ordo-status/testing`: Node-only helpers for tests, demos and local development. The
 * Ordo-compatible simulator and the reference pipeline.
 *
 * This file is the complete list of what is public here.
 * @packageDocumentation
 */
export { startOrdoSimulator } from './startOrdoSimulator.js';
export type { OrdoSimulator, OrdoSimulatorOptions, SimulatorRequest, SubmitJobOptions } from './startOrdoSimulator.js';
export { simulatorScenarioNames } from './simulator/scenario.js';
export type { SimulatorScenario, SimulatorScenarioName, StepScript } from './simulator/scenario.js';
export { pineyDamJobRequest } from './pineyDamJob.js';
export { simulatorFaultKinds } from './simulator/faults.js';
export type { SimulatorFault } from './simulator/faults.js';
