import { isPlatformServer } from '@angular/common';
import { computed, DestroyRef, effect, PLATFORM_ID, signal, untracked, type Injector, type Signal } from '@angular/core';
import { Subscription } from 'rxjs';
import {
  createJobLifecycle,
  isTerminalJobStatus,
  normalizeJobId,
  type ClientWatchOptions,
  type JobEvent,
  type JobId,
  type JobLifecycle,
  type JobSnapshot,
  type OrdoClient,
} from 'ordo-status';
import { injectorFor } from './injectorFor.js';
import { injectOrdoClient, invalidServerRendering, type OrdoServerRendering } from './provideOrdoClient.js';

/**
 * Which job to watch: a job id, a signal of one (a route parameter bound with
 * `withComponentInputBinding()`, an `input()`), or a function that reads signals. `null` or
 * `undefined` watches nothing (status `'idle'`).
 */
export type JobIdSource = JobId | null | undefined | (() => JobId | null | undefined);

/**
 * Where a {@link JobStatusRef} stands, in the words of Angular's `ResourceStatus`:
 * - `'idle'`: no job id;
 * - `'loading'`: waiting for the first snapshot of this job;
 * - `'reloading'`: after `reload()`, waiting for the first snapshot again (the last one is kept);
 * - `'resolved'`: a snapshot is held; the watch goes on until `isTerminal()`;
 * - `'error'`: the watch ended with `error()` (the last snapshot is kept); `reload()` starts it again.
 */
export type JobStatusRefStatus = 'idle' | 'loading' | 'reloading' | 'resolved' | 'error';

/**
 * Options of {@link injectJobStatus}: the watch options of the client's `jobStatus$`
 * (`intervalMs`, `retry`, `timeoutMs`, `whenHidden`…; durations in milliseconds), and where it runs.
 */
export interface InjectJobStatusOptions extends Omit<ClientWatchOptions, 'signal' | 'resumeFrom'> {
  /** The injector to use outside an injection context (the watch stops when it is destroyed). */
  injector?: Injector | undefined;
  /** The client to watch with. @defaultValue {@link injectOrdoClient}() */
  client?: OrdoClient | undefined;
  /**
   * `'skip'` sends no request for this job on the server (the ref stays `'loading'` there); see
   * {@link OrdoServerRendering}.
   * @defaultValue the client's (`provideOrdoClient`'s `ssr`, `'snapshot'` by default)
   */
  ssr?: OrdoServerRendering | undefined;
}

/**
 * One job watched as signals, modelled on Angular's `ResourceRef`. Reading a signal never throws:
 * a failure is held in `error()`, so a template can always render.
 */
export interface JobStatusRef {
  /** The latest snapshot; kept after an error, cleared when the id changes. */
  readonly value: Signal<JobSnapshot | undefined>;
  /** See {@link JobStatusRefStatus}. */
  readonly status: Signal<JobStatusRefStatus>;
  /**
   * Why the watch ended: an `OrdoError` (`OrdoHttpError`, `OrdoNetworkError`, `OrdoSchemaError`,
   * `OrdoIllegalTransitionError`, `OrdoTimeoutError`… after the retry policy gave up), or a
   * `TypeError` for an invalid job id. `undefined` while all is well.
   */
  readonly error: Signal<Error | undefined>;
  /**
   * The job's transitions seen by this watch, in order, from `pending` (inferred ones marked),
   * as `jobEvents$` emits them.
   */
  readonly events: Signal<readonly JobEvent[]>;
  /** True while `status()` is `'loading'` or `'reloading'`. */
  readonly isLoading: Signal<boolean>;
  /** True once the snapshot is terminal (`success`, `failed`, `partial`): nothing more will come. */
  readonly isTerminal: Signal<boolean>;
  /** True when `value()` holds a snapshot. */
  hasValue(): boolean;
  /**
   * Starts the watch again after an error (or after the job ended), keeping the last snapshot
   * and the transitions; the lifecycle continues from them.
   * @returns `false` when there is nothing to restart (no id, or the watch is running).
   */
  reload(): boolean;
  /** Stops the watch (as destroying its injector does): the request in flight is aborted, no timer is left. */
  destroy(): void;
}

interface WatchState {
  readonly status: JobStatusRefStatus;
  readonly value: JobSnapshot | undefined;
  readonly error: Error | undefined;
  readonly events: readonly JobEvent[];
}

const idle: WatchState = { status: 'idle', value: undefined, error: undefined, events: [] };

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error), { cause: error });
}

/**
 * Watches a job as signals: `value()`, `status()`, `error()`, `events()`, `isTerminal()`, and
 * `reload()` after an error. Every binding of a job in the app shares one poll (through the
 * client of {@link provideOrdoClient}); the watch follows `id` when it is a signal, and stops when
 * the component (or `injector`) is destroyed, aborting the request in flight.
 *
 * On the server it costs one request, which the render waits for, and the browser goes on from
 * that snapshot one interval after hydration (see {@link OrdoServerRendering}).
 *
 * @param id - a job id, a signal of one, or a function reading signals; see {@link JobIdSource}.
 * @param options - watch options, `injector`, `client`, `ssr`.
 * @returns a {@link JobStatusRef}.
 * @throws Error outside an injection context without `injector`, or when no client is provided
 *   (see {@link provideOrdoClient}). An invalid id is no throw: it is `error()`.
 * @example
 * ```ts
 * export class JobPage {
 *   readonly id = input.required<string>(); // the route's :id, with withComponentInputBinding()
 *   readonly job = injectJobStatus(this.id);
 *   // template: @if (job.value(); as s) { {{ s.job.status }} } @if (job.error(); as e) { {{ e.message }} }
 * }
 * ```
 * @see docs/angular.md
 */
export function injectJobStatus(id: JobIdSource, options?: InjectJobStatusOptions): JobStatusRef {
  const injector = injectorFor('injectJobStatus', options?.injector);
  const { injector: _injector, client: givenClient, ssr, ...watchOptions } = options ?? {};
  const client = givenClient ?? injectOrdoClient({ injector });
  const ssrError = invalidServerRendering(ssr);
  const skipped = ssr === 'skip' && isPlatformServer(injector.get(PLATFORM_ID));

  const state = signal<WatchState>(idle);
  /** The job watched (or last watched: kept after an error or the end, for `reload()`). */
  let jobId: string | undefined;
  let lifecycle: JobLifecycle = createJobLifecycle();
  let subscription: Subscription | undefined;
  /** A watch is running (subscribed, not ended). */
  let live = false;
  /** The id function threw: the same id, once readable again, starts the watch again. */
  let idFailed = false;
  let destroyed = false;

  const stop = () => {
    subscription?.unsubscribe();
    subscription = undefined;
    live = false;
  };
  const fail = (error: unknown) => {
    stop();
    state.update((current) => ({ ...current, status: 'error', error: asError(error) }));
  };

  /** (Re)starts the watch of `jobId`, keeping what `state` holds. */
  const start = () => {
    stop();
    if (skipped) {
      live = true; // nothing to wait for on the server, nothing to reload
      return;
    }
    // The subscription exists before the first answer, which may come at once (a kept or
    // transferred snapshot): a failure in it then closes this subscription, not an older one.
    const current = new Subscription();
    subscription = current;
    live = true;
    try {
      current.add(
        client.jobStatus$(jobId as string, watchOptions).subscribe({
          next: (snapshot) => {
            let events: readonly JobEvent[];
            try {
              events = lifecycle.observe(snapshot);
            } catch (error) {
              fail(error);
              return;
            }
            state.update((previous) => ({
              status: 'resolved',
              value: snapshot,
              error: undefined,
              events: events.length === 0 ? previous.events : [...previous.events, ...events],
            }));
          },
          error: fail,
          complete: () => {
            if (subscription === current) live = false;
          },
        }),
      );
    } catch (error) {
      fail(error);
    }
  };

  /** Starts the same job's watch again, keeping the snapshot, the transitions and the lifecycle. */
  const restart = () => {
    state.update((current) => ({ ...current, status: current.value === undefined ? 'loading' : 'reloading', error: undefined }));
    start();
  };

  /** Follows the id: a new job starts from nothing; the same job keeps its watch (or its end, or its error). */
  const watch = (next: JobId | null | undefined) => {
    if (next === null || next === undefined) {
      stop();
      jobId = undefined;
      idFailed = false;
      state.set(idle);
      return;
    }
    let normalized: string;
    try {
      normalized = normalizeJobId(next);
    } catch (error) {
      stop();
      jobId = undefined;
      state.set({ ...idle, status: 'error', error: asError(error) });
      return;
    }
    if (normalized === jobId) {
      if (!idFailed) return;
      // The id could not be read for a while: watch the same job again, from what was kept.
      idFailed = false;
      restart();
      return;
    }
    jobId = normalized;
    idFailed = false;
    lifecycle = createJobLifecycle();
    state.set({ ...idle, status: 'loading' });
    start();
  };

  let tracker: { destroy(): void } | undefined;
  if (ssrError !== undefined) {
    state.set({ ...idle, status: 'error', error: ssrError });
  } else if (typeof id === 'function') {
    tracker = effect(
      () => {
        let next: JobId | null | undefined;
        try {
          next = id();
        } catch (error) {
          untracked(() => {
            idFailed = jobId !== undefined;
            fail(error);
          });
          return;
        }
        untracked(() => watch(next));
      },
      { injector },
    );
  } else {
    // A fixed id starts at once: a snapshot the server rendered is there before the first render.
    watch(id);
  }

  const destroy = () => {
    destroyed = true;
    tracker?.destroy();
    stop();
  };
  injector.get(DestroyRef).onDestroy(destroy);

  const value = computed(() => state().value);
  const status = computed(() => state().status);
  return {
    value,
    status,
    error: computed(() => state().error),
    events: computed(() => state().events),
    isLoading: computed(() => status() === 'loading' || status() === 'reloading'),
    isTerminal: computed(() => {
      const snapshot = value();
      return snapshot !== undefined && isTerminalJobStatus(snapshot.job.status);
    }),
    hasValue: () => value() !== undefined,
    reload: () => {
      if (destroyed || jobId === undefined || live || skipped) return false;
      restart();
      return true;
    },
    destroy,
  };
}
