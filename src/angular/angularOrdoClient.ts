import { isPlatformServer } from '@angular/common';
import {
  ApplicationRef,
  DestroyRef,
  inject,
  makeStateKey,
  NgZone,
  PendingTasks,
  PLATFORM_ID,
  TransferState,
  type StateKey,
} from '@angular/core';
import { catchError, concat, defer, EMPTY, filter, finalize, from, lastValueFrom, map, mergeMap, Observable, of, ReplaySubject, share, switchMap, tap, timer } from 'rxjs';
import {
  createJobLifecycle,
  defaultWatchOptions,
  isSnapshotBehind,
  isTerminalJobStatus,
  jobSnapshotFromJSON,
  normalizeJobId,
  OrdoIllegalTransitionError,
  OrdoTimeoutError,
  type ClientWatchJobsOptions,
  type ClientWatchOptions,
  type JobId,
  type JobObservation,
  type JobSnapshot,
  type JobUpdate,
  type OrdoClient,
} from 'ordo-status';
import type { OrdoServerRendering } from './provideOrdoClient.js';

/** Where the server render leaves a job's snapshot for the browser (TransferState). */
export function transferKey(jobId: string): StateKey<unknown> {
  return makeStateKey<unknown>(`ordo-status:job:${jobId}`);
}


/**
 * Makes the Angular client of {@link provideOrdoClient}. Must run in an injection context (the
 * provider's factory).
 *
 * @param createBase - makes the plain client, with the signal that stops every watch when the
 *   application is destroyed; called at once, in the same injection context.
 * @param ssr - what the server render does (see {@link OrdoServerRendering}).
 * @param defaults - the client's default `intervalMs` and `scheduler` (for the wait before the
 *   first request after hydration).
 */
export function createAngularOrdoClient(
  createBase: (signal: AbortSignal) => OrdoClient,
  ssr: OrdoServerRendering,
  defaults: Pick<ClientWatchOptions, 'intervalMs' | 'scheduler' | 'onIllegalTransition' | 'statusAliases'> & {
    /** The client has a relay, whose streams start with a job's path from its start. */
    readonly pushed?: boolean | undefined;
  },
): OrdoClient {
  const zone = inject(NgZone);
  const onServer = isPlatformServer(inject(PLATFORM_ID));
  const pendingTasks = inject(PendingTasks);
  const transferState = inject(TransferState);
  const destroyed = new AbortController();
  inject(DestroyRef).onDestroy(() => destroyed.abort(new DOMException('The Angular application was destroyed', 'AbortError')));
  const base = createBase(destroyed.signal);

  /**
   * Runs the subscription (timers, requests) outside the Angular zone, so that the zone becomes
   * stable between polls, and hands each notification back inside it, so that `async` pipes and
   * signals update the view (Angular's `rxResource` and TanStack's adapter do the same).
   */
  const zoned = <T>(source: Observable<T>): Observable<T> =>
    new Observable<T>((subscriber) =>
      zone.runOutsideAngular(() =>
        source.subscribe({
          next: (value) => zone.run(() => subscriber.next(value)),
          error: (error: unknown) => zone.run(() => subscriber.error(error)),
          complete: () => zone.run(() => subscriber.complete()),
        }),
      ),
    );

  /**
   * The snapshots the server rendered, restored (validated) once per job however many bindings
   * ask, with the body's text for comparing the first answer; `null` when there is none to use.
   */
  const restored = new Map<string, { snapshot: JobSnapshot; body: string } | null>();
  // Snapshots the server rendered are used while the page hydrates, until the application is
  // first stable; then they are dropped (a later visit to the job's page polls as usual).
  let hydrating = !onServer;
  if (hydrating) {
    void inject(ApplicationRef)
      .whenStable()
      .then(() => {
        hydrating = false;
        restored.clear();
      });
  }

  /** The snapshot the server rendered for this job, while the page hydrates. */
  const transferred = (jobId: string): { snapshot: JobSnapshot; body: string } | undefined => {
    if (!hydrating) return undefined;
    let found = restored.get(jobId);
    if (found === undefined) {
      found = null;
      const stored = transferState.get(transferKey(jobId), undefined);
      if (stored !== undefined) {
        try {
          // The body as the server received it: a deployment's own words need the client's mapping again.
          const snapshot = jobSnapshotFromJSON(stored, { statusAliases: defaults.statusAliases });
          if (snapshot.job.id === jobId) found = { snapshot, body: JSON.stringify(snapshot.raw) };
        } catch {
          // not ours, or tampered with: poll as if nothing was sent
        }
      }
      restored.set(jobId, found);
    }
    return found ?? undefined;
  };

  /**
   * On the server: one request per job for the whole render, however many bindings ask (the
   * client lives as long as the render's application), registered as a pending task so the
   * render waits for it; its snapshot is left for the browser. A failure is shared too (the page
   * does not show an error and a status for one job). The request stops when the application is
   * destroyed.
   */
  const served = new Map<string, Observable<JobSnapshot>>();
  const serverSnapshot = (jobId: string, options: ClientWatchOptions | undefined): Observable<JobSnapshot> => {
    if (ssr === 'skip') return EMPTY;
    let snapshot = served.get(jobId);
    if (!snapshot) {
      snapshot = defer(() => {
        const done = pendingTasks.add();
        return from(base.getJob(jobId, { requestTimeoutMs: options?.requestTimeoutMs, statusAliases: options?.statusAliases })).pipe(
          tap((answer) => transferState.set(transferKey(jobId), answer)),
          finalize(done),
        );
      }).pipe(share({ connector: () => new ReplaySubject<JobSnapshot>(1), resetOnError: false, resetOnComplete: false, resetOnRefCountZero: false }));
      served.set(jobId, snapshot);
    }
    return snapshot;
  };

  /**
   * In the browser: a job the server rendered starts from that snapshot (emitted at once, so
   * hydration finds what the server rendered), and its first request comes one interval later,
   * through the shared poll; an answer equal to it is skipped, and one that moves backwards from
   * it is an illegal transition (or skipped, with `onIllegalTransition: 'skip'`), as for a watch
   * resumed from it. Other jobs poll as usual.
   */
  const browserSnapshots = (jobId: string, options: ClientWatchOptions | undefined, polled: Observable<JobSnapshot>): Observable<JobSnapshot> =>
    defer(() => {
      const rendered = options?.resumeFrom === undefined ? transferred(jobId) : undefined;
      if (rendered === undefined) return polled;
      const stored = rendered.snapshot;
      if (isTerminalJobStatus(stored.job.status)) return of(stored);
      const interval = options?.intervalMs ?? defaults.intervalMs ?? defaultWatchOptions.intervalMs;
      const waitMs = typeof interval === 'function' ? interval({ unchangedPolls: 0, snapshot: stored }) : interval;
      if (!Number.isFinite(waitMs) || waitMs < 0) throw new TypeError(`Invalid intervalMs() result ${String(waitMs)}: expected milliseconds ≥ 0`);
      const lifecycle = createJobLifecycle({ resumeFrom: stored });
      let caughtUp = false;
      const skipIllegal = (options?.onIllegalTransition ?? defaults.onIllegalTransition) === 'skip';
      const later = timer(waitMs, options?.scheduler ?? defaults.scheduler ?? defaultWatchOptions.scheduler).pipe(
        switchMap(() => polled),
        filter((snapshot) => {
          if (!caughtUp) {
            // The first answer is often the server's body again: nothing new to show. A relay's
            // stream starts with the job's path from its start: what the server rendered already
            // overtook is skipped too (a poll's first answer that moves back is an error, below).
            if (JSON.stringify(snapshot.raw) === rendered.body || (defaults.pushed === true && isSnapshotBehind(snapshot, stored))) return false;
            caughtUp = true;
          }
          try {
            lifecycle.observe(snapshot);
          } catch (error) {
            if (skipIllegal && error instanceof OrdoIllegalTransitionError) return false;
            throw error;
          }
          return true;
        }),
      );
      return concat(of(stored), later);
    });

  /**
   * A job's snapshots, on the server or in the browser. The id and options are checked at call
   * time, as the plain client does (its cold `jobStatus$` is made, not subscribed, on the server).
   */
  const snapshots = (id: JobId, options: ClientWatchOptions | undefined): Observable<JobSnapshot> => {
    const polled = base.jobStatus$(id, options);
    const jobId = normalizeJobId(id);
    return onServer ? serverSnapshot(jobId, options) : browserSnapshots(jobId, options, polled);
  };

  /**
   * On the server nothing polls: `waitForJob` settles from the render's one snapshot when the
   * job has ended, and otherwise rejects with an `OrdoTimeoutError` carrying that snapshot.
   */
  const serverWait = async (id: JobId, options: ClientWatchOptions | undefined): Promise<JobSnapshot> => {
    const jobId = normalizeJobId(id);
    const snapshot = await lastValueFrom(serverSnapshot(jobId, options), { defaultValue: null });
    if (snapshot !== null && isTerminalJobStatus(snapshot.job.status)) return base.waitForJob(jobId, { ...options, resumeFrom: snapshot });
    const why = snapshot === null ? "ssr is 'skip'" : `the job is ${snapshot.job.status}`;
    throw new OrdoTimeoutError(`waitForJob(${jobId}) on the server: ${why}, and a server render does not poll`, {
      lastSnapshot: snapshot,
      timeoutMs: 0,
      jobId,
    });
  };

  /**
   * A job's observations. Each subscriber runs its own lifecycle over the snapshots, as the plain
   * client does, so the transitions start from `pending` whether the first snapshot came from the
   * server or not.
   */
  const observations = (id: JobId, options: ClientWatchOptions | undefined): Observable<JobObservation> => {
    if (options?.resumeFrom !== undefined) return base.jobObservations$(id, options);
    const source = snapshots(id, options);
    return defer(() => {
      const lifecycle = createJobLifecycle();
      return source.pipe(map((snapshot) => ({ snapshot, events: lifecycle.observe(snapshot) })));
    });
  };

  /**
   * Several jobs through {@link observations}, with the rules of the plain client's `watchJobs$`
   * (which it checks the ids and options with, at call time): distinct ids, a stored terminal
   * snapshot is the job's outcome with no request, one job's error is its last update, the
   * signal's abort ends them all.
   */
  const updates = (ids: Iterable<JobId>, options: ClientWatchJobsOptions | undefined): Observable<JobUpdate> => {
    // Read once (an iterator can be), then checked by the plain client (cold: nothing is subscribed).
    const given: Iterable<JobId> = ids !== null && typeof ids === 'object' && Symbol.iterator in ids ? Array.from(ids) : ids;
    base.watchJobs$(given, options);
    const jobIds = [...new Set(Array.from(given, normalizeJobId))];
    const { resumeFrom, ...watch } = options ?? {};
    const signal = watch.signal ?? destroyed.signal;
    const updatesOf = (jobId: string): Observable<JobUpdate> =>
      defer(() => {
        const resumed = resumeFrom?.(jobId);
        const observed = observations(jobId, { ...watch, resumeFrom: resumed }).pipe(
          map(({ snapshot, events }): JobUpdate => ({ type: 'observation', jobId, snapshot, events })),
        );
        const ended = resumed && isTerminalJobStatus(resumed.job.status);
        return concat(observed, ended ? of<JobUpdate>({ type: 'observation', jobId, snapshot: resumed, events: [] }) : EMPTY);
      }).pipe(
        catchError((error: unknown) => {
          if (signal.aborted && error === signal.reason) throw error;
          return of<JobUpdate>({ type: 'error', jobId, error });
        }),
      );
    return from(jobIds).pipe(mergeMap(updatesOf));
  };

  return {
    transport: base.transport,
    jobStatus$: (id, options) => zoned(snapshots(id, options)),
    jobEvents$: (id, options) => zoned(observations(id, options).pipe(mergeMap((observation) => observation.events))),
    jobObservations$: (id, options) => zoned(observations(id, options)),
    watchJobs$: (ids, options) => zoned(updates(ids, options)),
    waitForJob: (id, options) => zone.runOutsideAngular(() => (onServer ? serverWait(id, options) : base.waitForJob(id, options))),
    getJob: (id, options) =>
      zone.runOutsideAngular(() => {
        const answer = base.getJob(id, options);
        if (onServer) pendingTasks.run(() => answer.catch(() => undefined));
        return answer;
      }),
    // One POST, never retried, outside the zone like getJob (see the plain client's submitJob).
    submitJob: (request, options) => zone.runOutsideAngular(() => base.submitJob(request, options)),
  };
}
