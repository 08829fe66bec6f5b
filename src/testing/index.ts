/**
 * `ordo-status/testing`: helpers for tests, demos and local development. The marble-testing kit
 * (`jobBody`, `scriptedTransport`), which also works in browsers, and, in Node, the
 * Ordo-compatible simulator and the reference pipeline.
 *
 * This file is the complete list of what is public here.
 * @packageDocumentation
 */
export * from './kit/index.js';
export { startOrdoSimulator } from './startOrdoSimulator.js';
export type { OrdoSimulator, OrdoSimulatorOptions, SimulatorSubmitOptions } from './startOrdoSimulator.js';
export type { SimulatorRequest } from './simulator/routes.js';
export { simulatorScenarioNames } from './simulator/scenario.js';
export type { SimulatorScenario, SimulatorScenarioName, StepScript } from './simulator/scenario.js';
export { pineyDamJobRequest } from './pineyDamJob.js';
export { simulatorFaultKinds } from './simulator/faults.js';
export type { SimulatorFault } from './simulator/faults.js';
