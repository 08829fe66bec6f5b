import { defer, map, of, timer, type Observable } from 'rxjs';
import type { JobTransport } from 'ordo-status';

export interface Call {
  readonly at: number;
  readonly ids: string;
  readonly signal: AbortSignal;
}

/**
 * A transport with a batch route. `answer(id, n)` is a job's body at its n-th poll (`'missing'`
 * for `{"found": false}`); `batchAnswer` may replace a batch's whole answer; `latencyMs` delays
 * every answer (on the scheduler). Every call is logged with its ids.
 */
export function server(
  scheduler: { now(): number },
  answer: (id: string, n: number) => unknown,
  options: { latencyMs?: number; batchAnswer?: (ids: readonly string[]) => Observable<unknown> | undefined } = {},
) {
  const calls: Call[] = [];
  const polls = new Map<string, number>();
  const next = (id: string) => {
    const n = polls.get(id) ?? 0;
    polls.set(id, n + 1);
    return answer(id, n);
  };
  const later = <T>(value: () => T): Observable<T> =>
    options.latencyMs ? timer(options.latencyMs).pipe(map(() => value())) : defer(() => of(value()));
  const transport: JobTransport = (id, { signal }) => {
    calls.push({ at: scheduler.now(), ids: id, signal });
    return later(() => next(id));
  };
  transport.batch = (ids, { signal }) => {
    calls.push({ at: scheduler.now(), ids: ids.join(','), signal });
    return (
      options.batchAnswer?.(ids) ??
      later(() =>
        ids.map((id) => {
          const value = next(id);
          return value === 'missing' ? { id: Number(id), found: false } : { id: Number(id), found: true, ...(value as object) };
        }),
      )
    );
  };
  return { transport, calls };
}
