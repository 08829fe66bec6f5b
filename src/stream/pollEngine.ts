import type { SchedulerLike, Subscriber, Subscription } from 'rxjs';
import { lifecycleStateOf, type LifecycleState } from '../machine/jobLifecycle.js';
import { isTerminalJobStatus } from '../machine/terminal.js';
import type { JobSnapshot } from '../schema/types.js';
import type { Batcher, BatchTarget } from '../transport/batching.js';
import { onAbort } from './abortWith.js';
import { parseJobSnapshot } from '../schema/parseJobSnapshot.js';
import type { PushSource } from '../transport/relayPush.js';
import { isSnapshotBehind } from '../schema/snapshotOrder.js';
import { acceptAnswer, pollInterval, recordFailure, recordRequest, tellRetry, type PollState } from './pollState.js';
import { requestTimeoutError, watchTimeoutError } from './timeoutErrors.js';
import type { RetryInfo } from './retryPolicy.js';
import { documentVisibility, whenShown, type VisibilitySource } from './visibility.js';
import type { ResolvedWatchOptions } from './watchOptions.js';

/** What an engine needs: where requests go, and how long finished jobs are remembered. */
export interface PollEngineOptions {
  /** Sends the requests (batched or not). */
  readonly batcher: Batcher;
  /** The batcher's clock (the client's scheduler): the answer times it gives are on it. */
  readonly scheduler: SchedulerLike;
  /** How long a terminal snapshot is replayed without a request, in milliseconds; 0: not at all. */
  readonly retainTerminalMs: number;
  /** The most terminal snapshots kept at once (the oldest go first). */
  readonly maxRetainedTerminal: number;
  /** Where jobs' snapshots are pushed from (a relay), if anywhere: a pushed job is polled only while its stream is down. */
  readonly push?: PushSource | undefined;
}

/** One client's polling of all its jobs. */
export interface PollEngine {
  /**
   * Adds `subscriber` to the poll of `key` (created on first use, with `settings`): it gets the
   * latest snapshot at once, then every new one, and completes after the terminal one. Its own
   * `timeoutMs`, `signal` and `onRetry` (in `settings`) apply to it alone.
   * @returns the teardown: the poll stops when its last subscriber leaves.
   */
  watch(jobId: string, key: string, settings: ResolvedWatchOptions, subscriber: Subscriber<JobSnapshot>): () => void;
  /** Jobs polled now. */
  readonly size: number;
}

/** A subscriber of a watched job, with its own callback. */
interface Watcher {
  readonly subscriber: Subscriber<JobSnapshot>;
  readonly onRetry: ((info: RetryInfo) => void) | undefined;
}

/** `pushed`: a push stream is (re)connecting or open, and nothing is polled. */
type Phase = 'waiting' | 'requesting' | 'hidden' | 'pushed' | 'ended';

/**
 * The state record of one watched job: its poll state (changed only by the functions of
 * `pollState.ts`), where it is in its cycle, and its subscribers. No RxJS pipeline of its own:
 * the engine's timers and the batcher drive it.
 */
class WatchedJob implements PollState, BatchTarget {
  lifecycle: LifecycleState;
  unchangedPolls = 0;
  failures = 0;
  failingSince: number | undefined = undefined;
  requests = 0;
  totalFailures = 0;
  phase: Phase = 'waiting';
  /** When the current wait ends (scheduler time), and the wait itself, in milliseconds. */
  dueAt = 0;
  delayMs = 0;
  /** When the last good answer came (scheduler time); `undefined` after a failure, whose retry ignores visibility. */
  answeredAt: number | undefined = undefined;
  watchers: Watcher[] = [];
  cancelRequest: (() => void) | undefined = undefined;
  stopHidden: (() => void) | undefined = undefined;
  release: (() => void) | undefined = undefined;
  /** Closes the job's push stream, while it has one. */
  closePush: (() => void) | undefined = undefined;
  /** After a lost stream: pushed snapshots that polls have overtaken are skipped, until one is not. */
  catchingUp = false;

  constructor(
    readonly engine: Engine,
    readonly jobId: string,
    readonly key: string,
    readonly settings: ResolvedWatchOptions,
    readonly startedAt: number,
    readonly visibility: VisibilitySource | undefined,
  ) {
    this.lifecycle = lifecycleStateOf();
  }

  answer(body: unknown, at: number): void {
    this.engine.answered(this, body, at);
  }

  fail(error: unknown, at: number): void {
    this.engine.failed(this, error, at);
  }
}

/** Timers grouped by due time: jobs answered together come due together, under one scheduled action. */
class DueTimers {
  private readonly buckets = new Map<number, { readonly jobs: Set<WatchedJob>; action: Subscription | undefined }>();

  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly onDue: (job: WatchedJob) => void,
  ) {}

  add(job: WatchedJob, at: number): void {
    const bucket = this.buckets.get(at);
    if (bucket) {
      bucket.jobs.add(job);
      return;
    }
    const created = { jobs: new Set([job]), action: undefined as Subscription | undefined };
    this.buckets.set(at, created);
    // In place before scheduling: a scheduler may run it at once (queueScheduler).
    const action = this.scheduler.schedule(() => this.fire(at), Math.max(0, at - this.scheduler.now()));
    if (this.buckets.get(at) === created) created.action = action;
  }

  remove(job: WatchedJob, at: number): void {
    const bucket = this.buckets.get(at);
    if (!bucket || !bucket.jobs.delete(job) || bucket.jobs.size > 0) return;
    this.buckets.delete(at);
    bucket.action?.unsubscribe();
  }

  private fire(at: number): void {
    const bucket = this.buckets.get(at);
    if (!bucket) return;
    this.buckets.delete(at);
    for (const job of bucket.jobs) this.onDue(job);
  }
}

/** Lets a Node timer behind an RxJS action not hold the process open (no-op for other schedulers). */
function unref(action: Subscription): void {
  const handle = (action as { id?: { unref?: () => void } }).id;
  if (handle !== null && typeof handle === 'object' && typeof handle.unref === 'function') handle.unref();
}

/** The engine behind {@link createPollEngine}. */
class Engine implements PollEngine {
  private readonly jobs = new Map<string, WatchedJob>();
  private readonly timers = new Map<SchedulerLike, { due: DueTimers; timeouts: DueTimers }>();
  /** Finished jobs' terminal snapshots, in the order they finished (oldest first). */
  private readonly retained = new Map<string, { readonly snapshot: JobSnapshot; readonly at: number; readonly scheduler: SchedulerLike }>();
  private expiry: Subscription | undefined;
  /** One jitter draw per failure object (see {@link Engine.failed}). */
  private readonly draws = new WeakMap<object, number>();
  private timeoutDraw = { at: Number.NaN, draw: 0 };
  /** Push streams open now. */
  private streams = 0;

  constructor(private readonly options: PollEngineOptions) {}

  get size(): number {
    return this.jobs.size;
  }

  watch(jobId: string, key: string, settings: ResolvedWatchOptions, subscriber: Subscriber<JobSnapshot>): () => void {
    const { scheduler, signal, timeoutMs } = settings;
    if (signal?.aborted) {
      subscriber.error(signal.reason);
      return () => undefined;
    }
    this.prune(scheduler.now());
    const kept = this.retained.get(key);
    if (kept) {
      // Replays the terminal snapshot with no request (see retainTerminalMs).
      subscriber.next(kept.snapshot);
      subscriber.complete();
      return () => undefined;
    }
    let job = this.jobs.get(key);
    const created = !job;
    if (!job) {
      const visibility = settings.whenHidden === 'poll' ? undefined : (settings.visibility ?? documentVisibility());
      job = new WatchedJob(this, jobId, key, settings, scheduler.now(), visibility);
      this.jobs.set(key, job);
      // Let the transport keep its conditional-request memory (and the batcher its group) while the job is watched.
      job.release = this.options.batcher.track(jobId);
    }
    const watched = job;
    const watcher: Watcher = { subscriber, onRetry: settings.onRetry };
    watched.watchers.push(watcher);
    const last = watched.lifecycle.last;
    if (last !== undefined) subscriber.next(last);

    const deadline =
      timeoutMs === undefined
        ? undefined
        : scheduler.schedule(
            () => subscriber.error(watchTimeoutError(jobId, timeoutMs, { requests: watched.requests, failures: watched.totalFailures, last: watched.lifecycle.last })),
            timeoutMs,
          );
    const stopAbort = signal ? onAbort(signal, () => subscriber.error(signal.reason)) : undefined;
    // Started once its first subscriber is in: a scheduler and a transport that both answer at
    // once (queueScheduler, `() => [body]`) may end the poll right here.
    if (created && watched.phase === 'waiting' && subscriber.closed === false) {
      const { push } = this.options;
      if (push && this.streams < push.maxStreams) this.startPush(watched, push);
      else this.wait(watched, 0);
    }
    return () => {
      deadline?.unsubscribe();
      stopAbort?.();
      const index = watched.watchers.indexOf(watcher);
      if (index >= 0) watched.watchers.splice(index, 1);
      if (watched.watchers.length === 0 && watched.phase !== 'ended') this.stop(watched);
    };
  }

  /**
   * Opens the job's push stream: nothing is polled while it connects and while it is open; when
   * it breaks, the job is polled until it is back.
   */
  private startPush(job: WatchedJob, push: PushSource): void {
    job.phase = 'pushed';
    this.streams += 1;
    let open = true;
    const close = push.open(
      job.jobId,
      {
        connected: () => this.pushConnected(job),
        snapshot: (body) => this.pushed(job, body),
        lost: () => {
          // Polled at once: the relay is away, the job is not.
          if (job.phase === 'pushed') this.wait(job, 0);
        },
        gone: () => {
          job.closePush?.();
          if (job.phase === 'pushed') this.wait(job, 0);
        },
        failed: (error) => this.end(job, error),
      },
      job.settings.scheduler,
      job.settings.requestTimeoutMs,
    );
    job.closePush = () => {
      if (!open) return;
      open = false;
      this.streams -= 1;
      job.closePush = undefined;
      close();
    };
    if ((job.phase as Phase) === 'ended') job.closePush();
  }

  /** The stream is open: the poll's wait or request stops; what is pushed from now on is the job. */
  private pushConnected(job: WatchedJob): void {
    if (job.phase === 'ended' || !job.closePush) return;
    const timers = this.timersOf(job.settings.scheduler);
    if (job.phase === 'waiting' || job.phase === 'hidden') timers.due.remove(job, job.dueAt);
    if (job.phase === 'requesting') timers.timeouts.remove(job, job.dueAt);
    const cancel = job.cancelRequest;
    const stopHidden = job.stopHidden;
    job.cancelRequest = job.stopHidden = undefined;
    cancel?.();
    stopHidden?.();
    job.phase = 'pushed';
    job.failures = 0;
    job.failingSince = undefined;
    job.catchingUp = job.lifecycle.last !== undefined;
  }

  /**
   * A pushed snapshot body: taken as a poll's answer is ({@link acceptAnswer}: the same validation,
   * distinctness and lifecycle), without a next wait. Right after a reconnection, snapshots older
   * than the last one (see {@link isSnapshotBehind}) are skipped.
   */
  private pushed(job: WatchedJob, body: unknown): void {
    if (job.phase !== 'pushed') return;
    const { settings } = job;
    const last = job.lifecycle.last;
    if (job.catchingUp && last !== undefined) {
      try {
        if (isSnapshotBehind(parseJobSnapshot(body, { jobId: job.jobId, previous: last, statusAliases: settings.statusAliases }), last)) return;
      } catch {
        // acceptAnswer says what is wrong with it.
      }
    }
    job.catchingUp = false;
    let observation;
    try {
      observation = acceptAnswer(job, body, settings);
    } catch (error) {
      const decision = recordFailure(job, error, settings.scheduler.now(), settings);
      if (!decision.retry) return this.end(job, decision.error);
      for (const watcher of [...job.watchers]) tellRetry(watcher.onRetry, decision.info);
      return;
    }
    job.answeredAt = settings.scheduler.now();
    if (!observation) return;
    const { snapshot } = observation;
    if (isTerminalJobStatus(snapshot.job.status)) return this.finish(job, snapshot);
    for (const watcher of [...job.watchers]) watcher.subscriber.next(snapshot);
  }

  private timersOf(scheduler: SchedulerLike): { due: DueTimers; timeouts: DueTimers } {
    let timers = this.timers.get(scheduler);
    if (!timers) {
      timers = { due: new DueTimers(scheduler, (job) => this.due(job)), timeouts: new DueTimers(scheduler, (job) => this.timedOut(job)) };
      this.timers.set(scheduler, timers);
    }
    return timers;
  }

  /** Waits `delayMs` before the next request, counted from `from` (default: now). */
  private wait(job: WatchedJob, delayMs: number, from?: number): void {
    const now = from ?? job.settings.scheduler.now();
    job.phase = 'waiting';
    job.delayMs = delayMs;
    job.dueAt = now + delayMs;
    this.timersOf(job.settings.scheduler).due.add(job, job.dueAt);
  }

  /** A wait ended: request, unless the page is hidden after a good answer (no request while hidden). */
  private due(job: WatchedJob): void {
    if (job.phase === 'ended') return;
    if (job.phase === 'waiting' && job.answeredAt !== undefined && job.visibility && this.hidden(job, job.visibility)) return this.hide(job, job.visibility);
    if ((job.phase as Phase) === 'ended') return; // the visibility source failed
    job.stopHidden?.();
    job.stopHidden = undefined;
    this.send(job);
  }

  private hidden(job: WatchedJob, source: VisibilitySource): boolean {
    try {
      return source.isHidden();
    } catch (error) {
      this.end(job, error);
      return false;
    }
  }

  /**
   * The page is hidden: with `'pause'`, wait until it is shown; with `{ intervalMs }`, until then
   * or the hidden interval after the last answer. Shown again, poll at once, but never sooner than
   * one interval after the last answer.
   */
  private hide(job: WatchedJob, source: VisibilitySource): void {
    if (job.phase === 'ended') return;
    job.phase = 'hidden';
    const answeredAt = job.answeredAt as number;
    const { whenHidden, scheduler } = job.settings;
    try {
      job.stopHidden = whenShown(
        source,
        () => {
          job.stopHidden = undefined;
          if (job.phase !== 'hidden') return;
          this.timersOf(scheduler).due.remove(job, job.dueAt);
          job.phase = 'waiting';
          job.dueAt = Math.max(scheduler.now(), answeredAt + job.delayMs);
          // Shown: checked again when due, like any wait.
          this.timersOf(scheduler).due.add(job, job.dueAt);
        },
        (error) => this.end(job, error),
      );
    } catch (error) {
      return this.end(job, error);
    }
    if (typeof whenHidden === 'object' && job.phase === 'hidden') {
      job.dueAt = Math.max(scheduler.now(), answeredAt + whenHidden.intervalMs);
      this.timersOf(scheduler).due.add(job, job.dueAt);
    }
  }

  private send(job: WatchedJob): void {
    const { scheduler, requestTimeoutMs } = job.settings;
    job.phase = 'requesting';
    job.answeredAt = undefined;
    recordRequest(job);
    job.dueAt = scheduler.now() + requestTimeoutMs;
    this.timersOf(scheduler).timeouts.add(job, job.dueAt);
    // Batches run on the client's scheduler: a watch on a scheduler of its own (a test's) asks alone.
    const cancel = this.options.batcher.request(job.jobId, job, scheduler !== this.options.scheduler);
    // A transport may answer at once, inside request().
    if (job.phase === 'requesting') job.cancelRequest = cancel;
  }

  private settleRequest(job: WatchedJob): boolean {
    if (job.phase !== 'requesting') return false;
    this.timersOf(job.settings.scheduler).timeouts.remove(job, job.dueAt);
    job.cancelRequest = undefined;
    return true;
  }

  private timedOut(job: WatchedJob): void {
    if (job.phase !== 'requesting') return;
    const cancel = job.cancelRequest;
    job.cancelRequest = undefined;
    cancel?.();
    const { requestTimeoutMs } = job.settings;
    // The jobs whose requests went out together time out together: one jitter draw for them all.
    if (this.timeoutDraw.at !== job.dueAt) this.timeoutDraw = { at: job.dueAt, draw: Math.random() };
    this.failed(
      job,
      // Counted as of the timeout, the failing request included.
      requestTimeoutError(job.jobId, requestTimeoutMs, job.lifecycle.last ?? null, { requests: job.requests, failures: job.totalFailures + 1 }),
      undefined,
      this.timeoutDraw.draw,
    );
  }

  /** A body for `job`, received at `at` on the batcher's clock (the same for a whole batch). */
  answered(job: WatchedJob, body: unknown, at: number): void {
    if (!this.settleRequest(job)) return;
    let observation;
    try {
      observation = acceptAnswer(job, body, job.settings);
    } catch (error) {
      return this.failed(job, error);
    }
    const { scheduler } = job.settings;
    if (observation) {
      const { snapshot } = observation;
      if (isTerminalJobStatus(snapshot.job.status)) return this.finish(job, snapshot);
      for (const watcher of [...job.watchers]) watcher.subscriber.next(snapshot);
      if (job.phase === 'ended') return;
    }
    let delay: number;
    try {
      delay = pollInterval(job, job.settings);
    } catch (error) {
      // An interval function that fails ends the watch; it is no failure of the request.
      return this.end(job, error);
    }
    // The jobs of one batch come due again together, under one timer, as one group.
    job.answeredAt = scheduler === this.options.scheduler ? at : scheduler.now();
    this.wait(job, delay, job.answeredAt);
  }

  /**
   * A failed request of `job`, at `at` on the batcher's clock. The jobs of a batch that failed as
   * a whole share one error object: they share one jitter draw too, so they retry together and
   * stay one group.
   */
  failed(job: WatchedJob, error: unknown, at?: number, shared?: number): void {
    if (!this.settleRequest(job)) return;
    const { scheduler } = job.settings;
    const now = at !== undefined && scheduler === this.options.scheduler ? at : scheduler.now();
    let draw = shared;
    if (draw === undefined && error !== null && typeof error === 'object') {
      draw = this.draws.get(error);
      if (draw === undefined) this.draws.set(error, (draw = Math.random()));
    }
    const decision = recordFailure(job, error, now, job.settings, draw === undefined ? undefined : () => draw);
    if (!decision.retry) return this.end(job, decision.error);
    for (const watcher of [...job.watchers]) tellRetry(watcher.onRetry, decision.info);
    if (job.phase === 'ended') return;
    this.wait(job, decision.info.delayMs, now);
  }

  /** The terminal snapshot: remembered for late subscribers, sent to every subscriber, then the end. */
  private finish(job: WatchedJob, snapshot: JobSnapshot): void {
    const watchers = this.stop(job);
    const { retainTerminalMs, maxRetainedTerminal } = this.options;
    if (retainTerminalMs > 0 && maxRetainedTerminal > 0) {
      const { scheduler } = job.settings;
      this.retained.delete(job.key);
      this.retained.set(job.key, { snapshot, at: scheduler.now(), scheduler });
      while (this.retained.size > maxRetainedTerminal) this.retained.delete(this.retained.keys().next().value as string);
      this.armExpiry();
    }
    for (const watcher of watchers) watcher.subscriber.next(snapshot);
    for (const watcher of watchers) watcher.subscriber.complete();
  }

  /** Ends the poll with an error for every subscriber. */
  private end(job: WatchedJob, error: unknown): void {
    if (job.phase === 'ended') return;
    for (const watcher of this.stop(job)) watcher.subscriber.error(error);
  }

  /** Stops everything of the poll (timers, request, visibility, transport memory); returns its subscribers. */
  private stop(job: WatchedJob): Watcher[] {
    const timers = this.timersOf(job.settings.scheduler);
    if (job.phase === 'waiting' || job.phase === 'hidden') timers.due.remove(job, job.dueAt);
    if (job.phase === 'requesting') timers.timeouts.remove(job, job.dueAt);
    job.phase = 'ended';
    if (this.jobs.get(job.key) === job) this.jobs.delete(job.key);
    const cancel = job.cancelRequest;
    const stopHidden = job.stopHidden;
    const release = job.release;
    job.cancelRequest = job.stopHidden = job.release = undefined;
    job.closePush?.();
    cancel?.();
    stopHidden?.();
    release?.();
    const watchers = job.watchers;
    job.watchers = [];
    return watchers;
  }

  /** Forgets the terminal snapshots older than retainTerminalMs (the map is in finishing order). */
  private prune(now: number): void {
    for (const [key, kept] of this.retained) {
      if (now - kept.at < this.options.retainTerminalMs) break;
      this.retained.delete(key);
    }
  }

  /** Frees the oldest retained snapshot when it expires, on its scheduler, without holding a Node process open. */
  private armExpiry(): void {
    if (this.expiry) return;
    const oldest = this.retained.values().next().value;
    if (!oldest) return;
    const { scheduler } = oldest;
    this.expiry = scheduler.schedule(() => {
      this.expiry = undefined;
      this.prune(scheduler.now());
      this.armExpiry();
    }, Math.max(0, oldest.at + this.options.retainTerminalMs - scheduler.now()));
    unref(this.expiry);
  }
}

/**
 * Creates the engine of one client: one plain state record per watched job (its poll state, due
 * time and subscribers), timers grouped by due time on the watch's scheduler, requests through the
 * batcher (stable batch groups), and the same pure parts as the standalone streams (request
 * validation, lifecycle, retry decision). A job's subscribers are held only while it has some;
 * everything users receive stays an Observable, testable in virtual time.
 *
 * Source: issue "One engine per client".
 */
export function createPollEngine(options: PollEngineOptions): PollEngine {
  return new Engine(options);
}
