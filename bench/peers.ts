// Request counts beside the peers, and many watches in one process. Part of `npm run bench`.
// The server is the simulator in a child process (bench/server.mjs), counting requests.
import { spawn } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { createInterface } from 'node:readline';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createWaiter, WaiterState } from '@smithy/util-waiter';
import rxPollingModule from 'rx-polling';
import { defer } from 'rxjs';
import { ordo as ordoStatus } from './ordo.js';
import { mark, type BenchSection, type MissedTarget } from './targets.js';

const { createOrdoClient, parseJobSnapshot } = ordoStatus;

interface Server {
  readonly url: string;
  readonly token: string;
  readonly ids: number[];
  /** Requests, and job answers (a batch of 100 counts 100), since the last reset. */
  count(): Promise<{ requests: number; jobPolls: number }>;
  reset(): void;
  close(): Promise<void>;
}

async function startServer(jobs: number, speed: number): Promise<Server> {
  const child = spawn(process.execPath, [new URL('./server.mjs', import.meta.url).pathname, String(jobs), String(speed)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = JSON.parse(((await lines.next()).value as string) ?? '{}');
  return {
    ...first,
    async count() {
      child.stdin.write('count\n');
      return JSON.parse((await lines.next()).value as string) as { requests: number; jobPolls: number };
    },
    reset: () => void child.stdin.write('reset\n'),
    close: async () => {
      child.stdin.write('exit\n');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A way to watch a job: starts one subscriber, returns how to stop it. */
type Watcher = (server: Server, id: number, intervalMs: number) => () => void;
/**
 * A library: `setup` gives its watcher and, where the library keeps something alive after its
 * subscribers stopped (a cache's timers), how to let go of it, so the bench process can exit.
 */
type Peer = { readonly name: string; readonly setup: (server: Server, intervalMs: number) => { watch: Watcher; dispose?: () => void } };

const fetchJob = (server: Server, id: number, signal?: AbortSignal) =>
  fetch(`${server.url}/jobs/${id}`, { headers: { Authorization: `Bearer ${server.token}` }, ...(signal ? { signal } : {}) }).then((response) => response.json());

/** The polling loop in Ordo's documentation, as written there: fetch, JSON, setTimeout. */
const documentedLoop: Peer = {
  name: "Ordo's documented loop (fetch + setTimeout)",
  setup: () => ({
    watch: (server, id, intervalMs) => {
      let stopped = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      async function pollJob() {
        const res = await fetch(`${server.url}/jobs/${id}`, { headers: { Authorization: `Bearer ${server.token}` } });
        const data = (await res.json()) as { job: { status: string }; steps: Array<{ status: string }> };
        const done = data.steps.filter((s) => ['success', 'failed', 'skipped'].includes(s.status)).length;
        void (data.steps.length > 0 ? done / data.steps.length : 0);
        if (!stopped && !['success', 'failed', 'partial'].includes(data.job.status)) timer = setTimeout(() => void pollJob(), intervalMs);
      }
      void pollJob();
      return () => {
        stopped = true;
        clearTimeout(timer);
      };
    },
  }),
};

// TanStack Query turns refetchInterval off on a server (no `window`): run it as in a browser.
(globalThis as { window?: unknown }).window ??= globalThis;
const { QueryClient, QueryObserver } = await import('@tanstack/query-core');

const tanstack: Peer = {
  name: '@tanstack/query-core (QueryObserver, refetchInterval)',
  setup: () => {
    const client = new QueryClient();
    return {
      watch: (server, id, intervalMs) => {
        const observer = new QueryObserver(client, { queryKey: ['job', id], queryFn: ({ signal }) => fetchJob(server, id, signal), refetchInterval: intervalMs });
        const unsubscribe = observer.subscribe(() => undefined);
        return () => {
          unsubscribe();
          observer.destroy();
        };
      },
      // An unobserved query stays cached for gcTime (5 minutes), a timer each: what kept the
      // bench process alive. clear() removes the queries and their timers.
      dispose: () => client.clear(),
    };
  },
};

const rxPolling: Peer = {
  name: 'rx-polling',
  setup: () => {
    // rx-polling listens to the page's visibility: give it a document that is always visible.
    const page = globalThis as { document?: EventTarget };
    if (!page.document) {
      page.document = Object.assign(new EventTarget(), { hidden: false });
      setMaxListeners(0, page.document); // one listener per watch: a thousand here
    }
    return {
      watch: (server, id, intervalMs) => {
        const polling = (rxPollingModule as unknown as { default: typeof rxPollingModule }).default ?? rxPollingModule;
        const subscription = polling(defer(() => fetchJob(server, id)), { interval: intervalMs }).subscribe();
        return () => subscription.unsubscribe();
      },
    };
  },
};

const smithy: Peer = {
  name: '@smithy/util-waiter (createWaiter)',
  setup: () => ({
    watch: (server, id, intervalMs) => {
      const abortController = new AbortController();
      const seconds = intervalMs / 1000;
      void createWaiter({ client: {}, maxWaitTime: 3600, minDelay: seconds, maxDelay: seconds, abortController }, id, async () => {
        await fetchJob(server, id);
        return { state: WaiterState.RETRY };
      });
      return () => abortController.abort();
    },
  }),
};

const ordo: Peer = {
  name: 'ordo-status (createOrdoClient)',
  setup: (server, intervalMs) => {
    const client = createOrdoClient({ baseUrl: server.url, token: server.token, intervalMs });
    return {
      watch: (_server, id) => {
        const subscription = client.jobStatus$(id).subscribe({ error: () => undefined });
        return () => subscription.unsubscribe();
      },
    };
  },
};

export const peers: Peer[] = [ordo, documentedLoop, tanstack, rxPolling, smithy];

/**
 * Runs `subscribersPerJob` watches of each job (spread over the first interval when several),
 * for `intervals` intervals; returns the requests and how many times each job was polled.
 */
async function run(
  peer: Peer,
  server: Server,
  ids: number[],
  subscribersPerJob: number,
  intervalMs: number,
  intervals: number,
): Promise<{ requests: number; pollsPerJob: number; perInterval: number }> {
  const { watch, dispose } = peer.setup(server, intervalMs);
  server.reset();
  const stops: Array<() => void> = [];
  const total = ids.length * subscribersPerJob;
  const started = Date.now();
  for (let index = 0; index < total; index += 1) {
    stops.push(watch(server, ids[index % ids.length]!, intervalMs));
    // Subscribers arrive over the first interval, as components of a page do.
    if (subscribersPerJob > 1) await sleep(intervalMs / total);
  }
  await sleep(Math.max(0, started + intervals * intervalMs - Date.now()));
  stops.forEach((stop) => stop());
  dispose?.();
  await sleep(50);
  const { requests, jobPolls } = await server.count();
  const pollsPerJob = jobPolls / ids.length;
  // A poll cycle is one interval plus the answer time (and the batch window): count per cycle.
  return { requests, pollsPerJob, perInterval: requests / Math.max(1, Math.min(pollsPerJob, intervals)) };
}

export async function requestCounts(): Promise<BenchSection> {
  const intervalMs = 300;
  const intervals = 10;
  const fanIn = await startServer(1, 0.0001);
  const fanOut = await startServer(1000, 0.0001);
  const rows: string[] = [];
  const missed: MissedTarget[] = [];
  for (const peer of peers) {
    const one = await run(peer, fanIn, fanIn.ids, 100, intervalMs, intervals);
    const many = await run(peer, fanOut, fanOut.ids, 1, intervalMs, intervals);
    if (peer === ordo) {
      if (one.requests > intervals) missed.push({ target: `Fan-in: ${intervals} requests for 100 subscribers of one job`, section: 'Requests: fan-in and fan-out', measured: `${one.requests} requests in ${intervals} intervals` });
      if (Math.round(many.perInterval) > 10) missed.push({ target: 'Fan-out: 10 requests per poll cycle for 1,000 jobs', section: 'Requests: fan-in and fan-out', measured: `${many.perInterval.toFixed(1)} per poll cycle (${many.requests} requests, ${many.pollsPerJob.toFixed(1)} polls per job)` });
    }
    console.log(`requests, ${peer.name}: fan-in ${one.requests}, fan-out ${many.requests} (${many.perInterval.toFixed(0)} per poll cycle)`);
    rows.push(
      `| ${peer.name} | ${one.requests.toLocaleString('en')} | ${many.requests.toLocaleString('en')} | ${many.pollsPerJob.toFixed(1)} | ${Math.round(many.perInterval).toLocaleString('en')} |`,
    );
  }
  await fanIn.close();
  await fanOut.close();
  const markdown = `## Requests: fan-in and fan-out

What the server (the simulator in a child process, counting) sees in ${intervals} intervals of ${intervalMs} ms (${(intervals * intervalMs) / 1000} s).
**Fan-in**: 100 subscribers to one job, arriving over the first interval (as the bindings of an
Angular page do). Target: ${intervals} requests. **Fan-out**: 1,000 jobs, one subscriber each. Target:
10 requests per poll cycle. A poll cycle is the interval plus the answer time (and, for
ordo-status, the batch window), so a job is polled a little less than ${intervals} times in ${(intervals * intervalMs) / 1000} s; the last
column divides the requests by the polls each job got. Every library gets the same fetch and the same interval.

| library | fan-in: requests (100 subscribers, 1 job) | fan-out: requests (1,000 jobs) | polls per job | fan-out: requests per poll cycle |
| --- | ---: | ---: | ---: | ---: |
${rows.join('\n')}
`;
  return { markdown, missed };
}

export async function manyWatches(): Promise<BenchSection> {
  const watches = 10_000;
  const intervalMs = 3000;
  const gc = (globalThis as { gc?: () => void }).gc!;
  // Jobs that change now and then (speed 0.01: each about every 40 s), like a busy server's.
  const server = await startServer(watches, 0.01);

  // The size of what a watch must keep anyway: its latest snapshot.
  const sample = await fetchJob(server, server.ids[0]!);
  gc();
  const beforeSnapshots = process.memoryUsage().heapUsed;
  const kept = Array.from({ length: watches }, () => parseJobSnapshot(structuredClone(sample)));
  gc();
  const snapshotBytes = (process.memoryUsage().heapUsed - beforeSnapshots) / watches;
  kept.length = 0;
  gc();

  const baseline = process.memoryUsage().heapUsed;
  const client = createOrdoClient({ baseUrl: server.url, token: server.token, intervalMs });
  const subscriptions = server.ids.map((id) => client.jobStatus$(id).subscribe({ error: () => undefined }));
  await sleep(2 * intervalMs); // warm up: first answers, steady batching
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  server.reset();
  await sleep(5 * intervalMs);
  delay.disable();
  const { requests } = await server.count();
  gc();
  const perWatch = (process.memoryUsage().heapUsed - baseline) / watches;
  subscriptions.forEach((subscription) => subscription.unsubscribe());
  await server.close();
  const p99 = delay.percentile(99) / 1e6;
  const targetRequests = 5 * Math.ceil(watches / 100);
  const heapMet = perWatch <= snapshotBytes + 2048;
  const delayMet = p99 <= 20;
  const requestsMet = Math.abs(requests / targetRequests - 1) <= 0.03;
  const missed: MissedTarget[] = [];
  const section = 'Many watches';
  if (!heapMet) missed.push({ target: 'Heap per watch (10,000 watches, simulator)', section, measured: `${(perWatch / 1024).toFixed(2)} KiB per watch, target ≤ ${((snapshotBytes + 2048) / 1024).toFixed(2)} KiB (the retained snapshot, ${(snapshotBytes / 1024).toFixed(2)} KiB, + 2 KiB)` });
  if (!delayMet) missed.push({ target: 'Event-loop delay at 10,000 watches', section, measured: `p99 ${p99.toFixed(1)} ms, target ≤ 20 ms` });
  if (!requestsMet)
    missed.push({
      target: 'Requests at 10,000 watches',
      section,
      measured: `${requests} in 5 intervals (${(((requests / targetRequests) - 1) * 100).toFixed(1)} %), target ${targetRequests} ± 3 %`,
      note: 'The simulator answers a cycle\'s 100 batch requests one after another, so their answers, and the next polls, spread over about a second, longer than the batch window; a few partial batches then go out.',
    });
  console.log(`many watches: ${(perWatch / 1024).toFixed(2)} KiB per watch (snapshot ${(snapshotBytes / 1024).toFixed(2)} KiB), p99 delay ${p99.toFixed(1)} ms, ${requests} requests in 5 intervals`);
  const markdown = `## Many watches: 10,000 in one process

${watches.toLocaleString('en')} concurrent watches of 5-step jobs (the reference pipeline) at a ${intervalMs / 1000} s interval, against
the simulator in a child process; jobs change now and then (each about every 40 s). Measured over 5 intervals after 2 of warm-up.

| measure | value | target |
| --- | ---: | ---: |
| heap per watch | ${(perWatch / 1024).toFixed(2)} KiB ${mark(heapMet)} | ≤ snapshot + 2 KiB = ${((snapshotBytes + 2048) / 1024).toFixed(2)} KiB |
| of which the retained snapshot | ${(snapshotBytes / 1024).toFixed(2)} KiB | |
| event-loop delay, p99 | ${p99.toFixed(1)} ms ${mark(delayMet)} | ≤ 20 ms |
| requests in 5 intervals | ${requests.toLocaleString('en')} ${mark(requestsMet)} | ${targetRequests} (⌈N/100⌉ per interval), within 3 % |
`;
  return { markdown, missed };
}
