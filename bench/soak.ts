// Soak: 1,000 watches polling through a fault script for many cycles, in virtual time (an RxJS
// VirtualTimeScheduler: intervals, backoff, Retry-After and request timeouts cost no wall time).
// The heap is measured after a full GC at the end of each round; it must stay flat.
// Needs `node --expose-gc`. Part of `npm run bench`.
import { NEVER, of, throwError, VirtualTimeScheduler, type Observable } from 'rxjs';
import { ordo } from './ordo.js';
import type { BenchSection, MissedTarget } from './targets.js';

const { jobStatus$, OrdoHttpError, OrdoNetworkError } = ordo;

const watches = 1000;
const rounds = 12;
const cyclesPerRound = 25;
const intervalMs = 3000;

/** One poll's answer for job `id` at poll `n`: mostly a changed running body, with a fault script. */
function answer(id: number, n: number): Observable<unknown> {
  switch (n % 10) {
    case 2:
      return throwError(() => new OrdoHttpError('503', { status: 503, url: 'u', retryAfterMs: 1000 }));
    case 4:
      return throwError(() => new OrdoNetworkError('reset'));
    case 6:
      return NEVER; // hangs: the request timeout fires
    case 8:
      return of({ job: { id, status: 'pending' }, steps: [] }); // a lagging replica: skipped
    default: {
      const percent = n % 100;
      return of({
        job: { id, status: 'running', started_at: '2026-11-29T14:26:05.451Z' },
        steps: ['reproject', 'dem', 'hillshade', 'contours', 'ept'].map((stepId, index) => ({
          step_id: stepId,
          step_type: stepId.toUpperCase(),
          status: index === 0 ? 'success' : 'running',
          attempt: 1,
          last_detailing: { progress: { progress: percent } },
        })),
      });
    }
  }
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

/** Runs the soak and returns its section of docs/benchmarks.md. */
export function soak(): BenchSection {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const scheduler = new VirtualTimeScheduler(undefined, 0);
  let polls = 0;
  let emitted = 0;
  let retries = 0;
  let errors = 0;
  const subscriptions = Array.from({ length: watches }, (_, index) => {
    let n = index % 10; // spread the fault script across watches
    return jobStatus$(index + 1, {
      transport: () => {
        polls += 1;
        return answer(index + 1, n++);
      },
      scheduler,
      intervalMs,
      requestTimeoutMs: 10_000,
      onIllegalTransition: 'skip',
      retry: { maxRetries: 3, baseDelayMs: 1000, jitter: 0.5 },
      onRetry: () => (retries += 1),
    }).subscribe({ next: () => (emitted += 1), error: () => (errors += 1) });
  });

  const heap: number[] = [];
  const started = Date.now();
  for (let round = 0; round < rounds; round += 1) {
    scheduler.maxFrames += cyclesPerRound * intervalMs;
    scheduler.flush();
    gc();
    heap.push(process.memoryUsage().heapUsed);
  }
  const seconds = (Date.now() - started) / 1000;
  for (const subscription of subscriptions) subscription.unsubscribe();
  gc();
  const afterUnsubscribe = process.memoryUsage().heapUsed;

  // Flat: compare the second half with the first (the first round includes warm-up).
  const firstHalf = heap.slice(1, 1 + Math.floor((rounds - 1) / 2));
  const secondHalf = heap.slice(1 + Math.floor((rounds - 1) / 2));
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const drift = (mean(secondHalf) - mean(firstHalf)) / mean(firstHalf);
  const virtualMinutes = (rounds * cyclesPerRound * intervalMs) / 60_000;
  console.log(`soak: ${polls} requests, ${emitted} snapshots, ${retries} retries, ${errors} errors, heap drift ${(drift * 100).toFixed(1)}%`);
  // Flat: within 5 % between the halves; and no watch ends (every fault is retried).
  const missed: MissedTarget[] = [];
  if (!(Math.abs(drift) <= 0.05)) missed.push({ target: 'Soak: a flat heap', section: 'Soak', measured: `${(drift * 100).toFixed(1)} % between the first and the second half of the rounds, target within ±5 %` });
  if (errors > 0) missed.push({ target: 'Soak: no watch ends through the faults', section: 'Soak', measured: `${errors} of ${watches} watches ended by an error` });
  const markdown = `## Soak: 1,000 watches through faults

${watches.toLocaleString('en')} concurrent watches of 5-step jobs, each polling every ${intervalMs / 1000} s through a fault
script that repeats every ten polls: a 503 with \`Retry-After: 1\`, a reset connection, a request
that never answers (the 10 s request timeout fires), and a lagging replica's older snapshot
(\`onIllegalTransition: 'skip'\`); the other polls answer a changed body. Virtual time (RxJS
\`VirtualTimeScheduler\`): ${virtualMinutes} minutes of polling per watch in ${seconds.toFixed(1)} s of wall time.
Heap measured after a full GC at the end of each round of ${cyclesPerRound} cycles.

- ${polls.toLocaleString('en')} requests, ${emitted.toLocaleString('en')} snapshots emitted, ${retries.toLocaleString('en')} retries, ${errors} watches ended by an error
- heap per round (MiB): ${heap.map(mib).join(', ')}
- drift between the first and the second half of the rounds: ${(drift * 100).toFixed(1)} % (target: within ±5 %, flat: no growth with the number of polls)
- after unsubscribing all watches: ${mib(afterUnsubscribe)} MiB
`;
  return { markdown, missed };
}
