import { stripVTControlCharacters } from 'node:util';
import { createLogUpdate } from 'log-update';
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';
import type { JobSnapshot } from 'ordo-status';
import { retryLine, summaryLine } from './format.js';
import { liveFrame } from './liveFrame.js';
import { failureText, interruptText, type Clock, type WatchRetry, type WatchView } from './views.js';

type Write = (text: string) => void;

/** The marks of a synchronized update (DEC mode 2026), which log-update puts around each write. */
const synchronizedOutput = { begin: '\u001b[?2026h', end: '\u001b[?2026l' } as const;

/** Options of {@link createLiveView}: the header's facts and the clocks. */
export interface LiveViewOptions {
  /** The server's base URL, shown in the header (credentials removed). `undefined`: not shown. */
  readonly server?: string | undefined;
  /** Time between an answer and the next request, in milliseconds, shown as `every 3 s`. */
  readonly intervalMs: number;
  /**
   * When the server last answered, in milliseconds since the epoch (see {@link recordAnswers}),
   * for "updated N s ago"; `undefined` before the first answer. The library emits only snapshots
   * that changed, so without this the header counts from the last change.
   * @defaultValue the time of the last snapshot
   */
  readonly lastAnswerAtMs?: (() => number | undefined) | undefined;
  /** The clock, in milliseconds since the epoch. @defaultValue `Date.now` */
  readonly now?: Clock | undefined;
}

/** What the live view shows, in one record changed only by {@link liveViewAfter}. */
export interface LiveViewState {
  /** The last snapshot, `undefined` before the first. */
  readonly snapshot: JobSnapshot | undefined;
  /** When the last snapshot came, in milliseconds since the epoch. */
  readonly snapshotAtMs: number | undefined;
  /** A retry's line (`server answered 503 — retrying in 4 s (1/5)`), until `noticeUntilMs`. */
  readonly notice: string | undefined;
  /** When the notice stops being shown (the retry has been sent), in milliseconds since the epoch. */
  readonly noticeUntilMs: number;
  /** Whether the watch ended (done, failed or interrupted): the frame loses its header, and no retry is shown any more. */
  readonly ended: boolean;
}

/** The state of a live view before anything happened. */
export const initialLiveViewState: LiveViewState = { snapshot: undefined, snapshotAtMs: undefined, notice: undefined, noticeUntilMs: 0, ended: false };

/** What can happen to a live view. */
export type LiveViewAction =
  | { readonly type: 'snapshot'; readonly snapshot: JobSnapshot; readonly atMs: number }
  | { readonly type: 'retry'; readonly notice: string; readonly untilMs: number }
  | { readonly type: 'end' };

/**
 * The live view's transitions: a snapshot replaces the last one and clears the notice; a retry
 * sets the notice until its request is sent; the end keeps what the frame showed (a failed or
 * interrupted watch's last retry stays on screen above the job) and takes no further notice.
 */
export function liveViewAfter(state: LiveViewState, action: LiveViewAction): LiveViewState {
  switch (action.type) {
    case 'snapshot':
      return { ...state, snapshot: action.snapshot, snapshotAtMs: action.atMs, notice: undefined, noticeUntilMs: 0 };
    case 'retry':
      return state.ended ? state : { ...state, notice: action.notice, noticeUntilMs: action.untilMs };
    case 'end':
      return { ...state, ended: true };
  }
}

/**
 * Wraps `fetch` to note when the server last answered (any status below 400, `304 Not Modified`
 * included): the live view's "updated N s ago" then counts from the last answer, not from the
 * last change.
 *
 * @param fetch - the fetch to wrap. @defaultValue `globalThis.fetch`, read at each request
 * @param now - the clock, in milliseconds since the epoch. @defaultValue `Date.now`
 * @returns the wrapped `fetch` (pass it to `createOrdoClient`) and `lastAnswerAtMs()`, `undefined` before the first answer.
 */
export function recordAnswers(
  fetch?: typeof globalThis.fetch,
  now: Clock = Date.now,
): { readonly fetch: typeof globalThis.fetch; readonly lastAnswerAtMs: () => number | undefined } {
  let lastAt: number | undefined;
  return {
    fetch: async (input, init) => {
      // globalThis.fetch is read at each request, so a fetch installed later is the one used.
      const response = await (fetch ?? globalThis.fetch)(input, init);
      if (response.status < 400) lastAt = now();
      return response;
    },
    lastAnswerAtMs: () => lastAt,
  };
}

/**
 * Wraps each line of a text at spaces to `width` columns (colours kept), continuation lines
 * indented two more than the line's own indent: what the live view prints around its frame, so a
 * terminal never breaks a word. A word longer than the line (a URI) is left whole, for the
 * terminal to fold: copying it then gives the URI without a line break.
 */
export function wrapToWidth(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => {
      if (stringWidth(line) <= width) return line;
      // An output's URI stays on its arrow's line, whole, for the terminal to fold.
      if (/^ *→ \S+$/.test(stripVTControlCharacters(line))) return line;
      const indent = /^ */.exec(line)![0];
      const parts = wrapAnsi(line.slice(indent.length), Math.max(1, width - indent.length - 2), { hard: false }).split('\n');
      return parts.map((part, index) => `${indent}${index === 0 ? '' : '  '}${part}`).join('\n');
    })
    .join('\n');
}

/**
 * The live terminal view: a thin shell around {@link liveFrame}. It keeps a {@link LiveViewState},
 * draws a frame on every change and once a second (durations and "updated N s ago" keep counting),
 * and redraws it in place with log-update (only the changed lines, or the whole frame when its
 * height changed, always in one synchronized write).
 * At the end it leaves the last frame, without its header, and prints the summary wrapped to the
 * terminal's width.
 *
 * @param stream - the terminal (`process.stdout`); its `columns` and `rows` are read at each frame.
 * @param err - where errors go (stderr).
 * @param options - the header's facts and the clocks: {@link LiveViewOptions}.
 */
export function createLiveView(stream: NodeJS.WriteStream, err: Write, options: LiveViewOptions): WatchView {
  const now = options.now ?? Date.now;
  // log-update writes through this proxy, so a whole redraw (an erase, then the frame) can be
  // gathered and sent as one synchronized write: the terminal never shows the erased screen.
  let gathered: string[] | undefined;
  const target = {
    get columns() {
      return stream.columns;
    },
    get rows() {
      return stream.rows;
    },
    get isTTY() {
      return stream.isTTY;
    },
    write(chunk: string) {
      if (gathered) gathered.push(chunk);
      else stream.write(chunk);
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  const draw = createLogUpdate(target);
  /** Runs `redraw` and writes what it wrote at once, inside one pair of synchronized-output marks. */
  function atOnce(redraw: () => void): void {
    gathered = [];
    try {
      redraw();
    } finally {
      const text = gathered.join('').replaceAll(synchronizedOutput.begin, '').replaceAll(synchronizedOutput.end, '');
      gathered = undefined;
      if (text !== '') stream.write(stream.isTTY ? `${synchronizedOutput.begin}${text}${synchronizedOutput.end}` : text);
    }
  }
  let state = initialLiveViewState;
  let drawnLines = 0;
  const width = () => (stream.columns > 0 ? stream.columns : 80);

  function render(): void {
    const at = now();
    const answered = [options.lastAnswerAtMs?.(), state.snapshotAtMs].filter((time): time is number => time !== undefined);
    const notice = state.notice !== undefined && at < state.noticeUntilMs ? state.notice : undefined;
    const lines = liveFrame(state.snapshot, notice, width(), at, {
      server: options.server,
      intervalMs: options.intervalMs,
      answeredAtMs: answered.length > 0 ? Math.max(...answered) : undefined,
      rows: stream.rows > 0 ? stream.rows : undefined,
      // Once ended, the header (server, interval, "Ctrl-C to stop") has nothing left to say.
      ended: state.ended,
    });
    // log-update redraws only the lines that changed, which is right while the frame keeps its
    // height; its patch for a frame that gained or lost a line in the middle (a notice goes, an
    // error row comes) leaves a blank or stale row (log-update 7.2.0), so such a frame is drawn whole.
    const frame = lines.join('\n');
    if (drawnLines > 0 && lines.length !== drawnLines) {
      atOnce(() => {
        draw.clear();
        draw(frame);
      });
    } else draw(frame);
    drawnLines = lines.length;
  }

  function dispatch(action: LiveViewAction): void {
    state = liveViewAfter(state, action);
    render();
  }

  // Durations of running steps and "updated N s ago" keep counting between answers.
  const ticker = setInterval(render, 1000);
  ticker.unref();

  function end(): void {
    clearInterval(ticker);
    dispatch({ type: 'end' });
    draw.done();
    drawnLines = 0;
  }

  return {
    update: (snapshot) => dispatch({ type: 'snapshot', snapshot, atMs: now() }),
    retry: (info: WatchRetry) => dispatch({ type: 'retry', notice: retryLine(info), untilMs: now() + info.delayMs + 100 }),
    done: (snapshot) => {
      state = liveViewAfter(state, { type: 'snapshot', snapshot, atMs: now() });
      end();
      stream.write(`${wrapToWidth(summaryLine(snapshot), width())}\n`);
    },
    fail: (error) => {
      end();
      err(failureText(error));
    },
    interrupt: (_last, diagnosis) => {
      end();
      err(interruptText(diagnosis));
    },
  };
}
