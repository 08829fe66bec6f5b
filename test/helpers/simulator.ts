import { startOrdoSimulator, type OrdoSimulator, type OrdoSimulatorOptions } from 'ordo-status/testing';
import { closedWhenTestFinishes } from './teardown.js';

/**
 * Starts the simulator (`startOrdoSimulator` from `ordo-status/testing`) for the test that calls
 * it, in the test or in its `beforeEach`, and closes it when that test finishes, passed or failed.
 * `close()` may also be called earlier (a leak test closing before it counts sockets): the
 * simulator is closed once.
 */
export async function startTestSimulator(options: OrdoSimulatorOptions = {}): Promise<OrdoSimulator> {
  const simulator = await startOrdoSimulator(options);
  return Object.assign(simulator, { close: closedWhenTestFinishes(simulator.close.bind(simulator)) });
}
