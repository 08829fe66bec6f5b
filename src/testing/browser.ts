/**
 * `ordo-status/testing` as bundlers resolve it for the browser (the `browser` export
 * condition): the marble-testing kit works as in Node; the simulator, an HTTP server, does not
 * exist here and `startOrdoSimulator` rejects saying so. Run the simulator in Node (for example
 * `npx ordo-status simulate`) and point the browser at it.
 */
import type { OrdoSimulator, OrdoSimulatorOptions } from './startOrdoSimulator.js';

export * from './kit/index.js';
export { simulatorScenarioNames } from './simulator/scenario.js';
export { pineyDamJobRequest } from './pineyDamJob.js';
export { simulatorFaultKinds } from './simulator/faults.js';

/** Rejects with an `Error`: the simulator is an HTTP server and needs Node. */
export function startOrdoSimulator(_options?: OrdoSimulatorOptions): Promise<OrdoSimulator> {
  return Promise.reject(
    new Error('startOrdoSimulator needs Node (it starts an HTTP server); in a browser, run `npx ordo-status simulate` and point the transport at it'),
  );
}
