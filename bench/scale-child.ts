// One run of the scale benchmark (bench/scale.ts), in a fresh process of its own:
//   node --expose-gc --import tsx bench/scale-child.ts <watches> <intervalMs>
// Starts bench/batch-server.mjs (its own child) with <watches> static jobs, then watches every job
// once with createOrdoClient and measures. Node's default heap: the parent passes no
// --max-old-space-size. Writes JSON lines to stdout, each with what is known so far (the parent
// merges them, so a run that dies or hangs still reports how far it got); progress to stderr.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { ordo } from './ordo.js';

const { createOrdoClient, parseJobSnapshot } = ordo;

const watches = Number(process.argv[2]);
const intervalMs = Number(process.argv[3] ?? 3000);
const warmupIntervals = 2;
const windowIntervals = 5;
/** How long the first cycle may take before the run goes on without it. */
const firstCycleLimitMs = Number(process.env['BENCH_SCALE_FIRST_CYCLE_LIMIT_MS'] ?? Math.max(60_000, 20 * intervalMs));

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const report = (fields: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(fields)}\n`);
const log = (message: string) => process.stderr.write(`scale ${watches}: ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fullGc = () => {
  gc();
  gc();
};

report({ phase: 'server', heapLimitMiB: getHeapStatistics().heap_size_limit / 2 ** 20 });

// The server, in its own process: it ends when this process does (its stdin closes).
const serverProcess = spawn(process.execPath, [new URL('./batch-server.mjs', import.meta.url).pathname, String(watches)], { stdio: ['pipe', 'pipe', 'inherit'] });
const serverLines = createInterface({ input: serverProcess.stdout })[Symbol.asyncIterator]();
const { url, token } = JSON.parse((await serverLines.next()).value as string) as { url: string; token: string };
interface Counts {
  requests: number;
  ok: number;
  notModified: number;
  other: number;
  jobAnswers: number;
}
const counts = async (): Promise<Counts> => {
  serverProcess.stdin.write('count\n');
  return JSON.parse((await serverLines.next()).value as string) as Counts;
};

// The size of what a watch must keep anyway, its latest snapshot, as bench/peers.ts measures it:
// N snapshots of the body, parsed and kept, and the heap they take.
report({ phase: 'snapshot size' });
const sample: unknown = await (await fetch(`${url}/jobs/1`, { headers: { Authorization: `Bearer ${token}` } })).json();
fullGc();
const beforeSnapshots = process.memoryUsage().heapUsed;
const kept: unknown[] = Array.from({ length: watches }, () => parseJobSnapshot(structuredClone(sample)));
fullGc();
const snapshotBytes = (process.memoryUsage().heapUsed - beforeSnapshots) / watches;
kept.length = 0;
report({ snapshotBytes });

fullGc();
const baseline = process.memoryUsage().heapUsed;
report({ phase: 'subscribe', baselineMiB: baseline / 2 ** 20 });
const client = createOrdoClient({ baseUrl: url, token, intervalMs });
const firstSeen = new Uint8Array(watches);
let seen = 0;
let errors = 0;
let firstError: string | undefined;
let firstCycleMs: number | undefined;
const started = performance.now();
const subscriptions = new Array(watches);
for (let index = 0; index < watches; index += 1) {
  subscriptions[index] = client.jobStatus$(index + 1).subscribe({
    next: () => {
      if (firstSeen[index] === 0) {
        firstSeen[index] = 1;
        seen += 1;
        if (seen === watches) firstCycleMs = performance.now() - started;
      }
    },
    error: (error: unknown) => {
      errors += 1;
      firstError ??= String(error);
    },
  });
}
const subscribeMs = performance.now() - started;
report({ phase: 'first cycle', subscribeMs });
log(`subscribed in ${subscribeMs.toFixed(0)} ms`);

let lastLog = performance.now();
while (firstCycleMs === undefined && seen + errors < watches && performance.now() - started < firstCycleLimitMs) {
  await sleep(20);
  if (performance.now() - lastLog > 5000) {
    lastLog = performance.now();
    log(`first cycle: ${seen} of ${watches} after ${((lastLog - started) / 1000).toFixed(1)} s`);
    report({ progressSeen: seen, progressAtMs: lastLog - started });
  }
}
const firstCycleSeen = seen;
report({ phase: 'warm-up', firstCycleMs, firstCycleSeen, firstCycleLimitMs, errors, firstError });
log(firstCycleMs === undefined ? `first cycle not complete: ${seen} of ${watches} (${errors} errors)` : `first cycle in ${firstCycleMs.toFixed(0)} ms`);

await sleep(warmupIntervals * intervalMs);
report({ phase: 'window', beforeWindow: await counts() });
serverProcess.stdin.write('reset\n');
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
const cpuBefore = process.cpuUsage();
const windowStart = performance.now();
await sleep(windowIntervals * intervalMs);
const cpu = process.cpuUsage(cpuBefore);
const windowMs = performance.now() - windowStart;
delay.disable();
const server = await counts();
const intervals = windowMs / intervalMs;
report({
  phase: 'heap',
  windowMs,
  windowIntervals,
  server,
  requestsPerInterval: server.requests / intervals,
  notModifiedShare: server.requests > 0 ? server.notModified / server.requests : 0,
  // No samples at all (a loop blocked for the whole window) is no measurement, not a zero delay.
  delaySamples: delay.count,
  p99DelayMs: delay.count > 0 ? delay.percentile(99) / 1e6 : undefined,
  maxDelayMs: delay.count > 0 ? delay.max / 1e6 : undefined,
  cores: (cpu.user + cpu.system) / 1000 / windowMs,
  errors,
  firstError,
});

fullGc();
const heapUsed = process.memoryUsage().heapUsed;
// A first cycle that ran past its limit may have ended since: when.
report({ phase: 'done', firstCycleLateMs: firstCycleMs, heapPerWatch: (heapUsed - baseline) / watches, heapUsedMiB: heapUsed / 2 ** 20, rssMiB: process.memoryUsage().rss / 2 ** 20, seenAtEnd: seen, errors });
log('measured');

// No teardown: unsubscribing N watches is not measured here, and may take long. The server
// ends when its stdin closes with this process.
void subscriptions;
serverProcess.stdin.write('exit\n');
process.exit(0);
