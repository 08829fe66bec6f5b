// docs/testing.md: "An effect of your own". What lies between the example markers is shown in the doc.
// example:start
import { catchError, filter, map, mergeMap, of, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { expect, it } from 'vitest';
import { createOrdoClient, isTerminalJobStatus, OrdoNotFoundError, type OrdoClient } from 'ordo-status';
import { jobBody, scriptedTransport } from 'ordo-status/testing';

/** Your code: one notification per submitted job, when it ends. */
export function notifyWhenDone(submitted$: Observable<number>, ordo: OrdoClient): Observable<string> {
  return submitted$.pipe(
    mergeMap((id) =>
      ordo.jobEvents$(id).pipe(
        filter((event) => event.type === 'job' && isTerminalJobStatus(event.to)),
        map(({ snapshot }) => {
          const failed = snapshot.steps.filter((step) => step.status === 'failed').map((step) => step.stepId);
          return failed.length === 0 ? `job ${id}: ${snapshot.job.status}` : `job ${id}: ${snapshot.job.status} (${failed.join(', ')} failed)`;
        }),
        catchError((error: unknown) => of(error instanceof OrdoNotFoundError ? `job ${id}: not found` : `job ${id}: ${String(error)}`)),
      ),
    ),
  );
}

it('notifies once per job, in the order the jobs end', () => {
  const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  testScheduler.run(({ hot, expectObservable }) => {
    const transport = scriptedTransport({
      7: [
        jobBody({ id: 7, status: 'running', steps: { dem: 'running', ept: 'running' } }),
        jobBody({ id: 7, status: 'partial', steps: { dem: 'success', ept: 'failed' } }),
      ],
      8: [jobBody({ id: 8, status: 'running', steps: { dem: 'running' } }), jobBody({ id: 8, status: 'success', steps: { dem: 'success' } })],
    });
    const ordo = createOrdoClient({ transport, intervalMs: 100 });
    //                      7 at 0 ms, 8 at 10 ms, 9 (unknown) at 20 ms
    const submitted$ = hot('a 9ms b 9ms c', { a: 7, b: 8, c: 9 });

    expectObservable(notifyWhenDone(submitted$, ordo)).toBe('20ms x 79ms y 9ms z', {
      x: 'job 9: not found',
      y: 'job 7: partial (ept failed)',
      z: 'job 8: success',
    });
  });
});
// example:end
