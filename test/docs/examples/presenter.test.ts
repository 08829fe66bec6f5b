// docs/testing.md: "A presenter of your own". What lies between the example markers is shown in the doc.
// example:start
import { map, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { expect, it } from 'vitest';
import { createOrdoClient, type OrdoClient } from 'ordo-status';
import { jobBody, scriptedTransport } from 'ordo-status/testing';

/** Your code: a one-line label per job update, e.g. for a status bar. */
export function jobLabel$(ordo: OrdoClient, id: number): Observable<string> {
  return ordo.jobStatus$(id).pipe(
    map(({ job, progress }) => `${job.status} · ${progress.completedSteps}/${progress.totalSteps} steps · ${Math.round(progress.fraction * 100)}%`),
  );
}

it('labels every distinct update and completes with the job', () => {
  const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  testScheduler.run(({ cold, expectObservable, flush }) => {
    const transport = scriptedTransport({
      7: [
        jobBody({ id: 7, status: 'running', steps: { reproject: 'running', dem: 'pending' } }),
        // The same answer again: no new label.
        jobBody({ id: 7, status: 'running', steps: { reproject: 'running', dem: 'pending' } }),
        // A slow answer: it arrives 5 ms after the request.
        cold('-----a|', {
          a: jobBody({
            id: 7,
            status: 'running',
            steps: [
              { stepId: 'reproject', status: 'success' },
              { stepId: 'dem', status: 'running', percent: 50 },
            ],
          }),
        }),
        jobBody({ id: 7, status: 'success', steps: { reproject: 'success', dem: 'success' } }),
      ],
    });
    const ordo = createOrdoClient({ transport, intervalMs: 1000 });

    expectObservable(jobLabel$(ordo, 7)).toBe('a 2004ms b 999ms (c|)', {
      a: 'running · 0/2 steps · 0%',
      b: 'running · 1/2 steps · 75%',
      c: 'success · 2/2 steps · 100%',
    });
    flush();
    // The next request goes out an interval after the previous answer arrived.
    expect(transport.requests.map((request) => request.at)).toEqual([0, 1000, 2000, 3005]);
  });
});
// example:end
