import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { jobTransitions, stepTransitions } from 'ordo-status';
import { createRelay, type Relay, type RelayOptions } from 'ordo-status/relay';
import { closedWhenTestFinishes } from './teardown.js';

/** A relay on a loopback port for the test that starts it. */
export interface TestRelay {
  readonly relay: Relay;
  readonly server: Server;
  readonly url: string;
  /** Closes the relay, its store and its server (once; also when the test finishes). */
  readonly close: () => Promise<void>;
}

/** Starts `createRelay(options)` behind `node:http` on 127.0.0.1; it and its store close when the test finishes. */
export async function startTestRelay(options: RelayOptions): Promise<TestRelay> {
  const relay = createRelay(options);
  const server = createServer((request, response) => relay.handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = closedWhenTestFinishes(async () => {
    await relay.close();
    await options.store?.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { relay, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close };
}

/**
 * Expects the `transition` frames of an event stream to chain, per subject (the job, each step),
 * from `pending` by legal moves of the machines.
 * @returns the last status of each subject (`'job'` for the job).
 */
export function expectLegalPath(frames: ReadonlyArray<{ readonly event: string; readonly data: string }>): Map<string, string> {
  const last = new Map<string, string>();
  for (const frame of frames.filter((each) => each.event === 'transition')) {
    const event = JSON.parse(frame.data) as { type: string; stepId?: string; from: string; to: string };
    const subject = event.type === 'job' ? 'job' : event.stepId!;
    expect(event.from).toBe(last.get(subject) ?? 'pending');
    expect((event.type === 'job' ? jobTransitions : stepTransitions).edges.get(event.from as never)).toContain(event.to);
    last.set(subject, event.to);
  }
  return last;
}
