// Scale: 10,000, 50,000 and 100,000 concurrent watches in one process, each N in a fresh child
// process (bench/scale-child.ts) with Node's default heap, against a fast static batch server in
// a process of its own (bench/batch-server.mjs). Part of `npm run bench`.
//
// BENCH_SCALE=10000,20000 runs other sizes; BENCH_SCALE_TIMEOUT_S sets the watchdog of each run
// (default 240 s): a run that has not finished by then is killed and reported as such.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mark, type BenchSection, type MissedTarget } from './targets.js';

const intervalMs = 3000;
const sizes = (process.env['BENCH_SCALE'] ?? '10000,50000,100000')
  .split(',')
  .map((size) => Number(size.trim()))
  .filter((size) => Number.isInteger(size) && size > 0);
const timeoutMs = Number(process.env['BENCH_SCALE_TIMEOUT_S'] ?? 240) * 1000;

/** What a child reported (merged JSON lines), and how it ended. */
interface Run {
  readonly watches: number;
  phase?: string;
  heapLimitMiB?: number;
  snapshotBytes?: number;
  subscribeMs?: number;
  firstCycleMs?: number;
  firstCycleSeen?: number;
  firstCycleLimitMs?: number;
  /** When the first cycle ended, if after its limit (before the end of the window). */
  firstCycleLateMs?: number;
  /** Server counts from the start to the window: first cycle and warm-up. */
  beforeWindow?: { requests: number; ok: number; notModified: number; other: number; jobAnswers: number };
  /** Watches with a snapshot so far, while the first cycle runs. */
  progressSeen?: number;
  progressAtMs?: number;
  windowMs?: number;
  windowIntervals?: number;
  server?: { requests: number; ok: number; notModified: number; other: number; jobAnswers: number };
  requestsPerInterval?: number;
  notModifiedShare?: number;
  delaySamples?: number;
  p99DelayMs?: number;
  maxDelayMs?: number;
  cores?: number;
  heapPerWatch?: number;
  heapUsedMiB?: number;
  rssMiB?: number;
  errors?: number;
  firstError?: string;
  /** How it ended, when it did not finish: "ran out of heap during …", "did not finish within …". */
  failure?: string;
  wallMs: number;
}

function runChild(watches: number): Promise<Run> {
  // Node's default heap: no --max-old-space-size, from NODE_OPTIONS either.
  const env = { ...process.env, NODE_OPTIONS: (process.env['NODE_OPTIONS'] ?? '').replace(/--max-old-space-size=\S+/g, '') };
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', new URL('./scale-child.ts', import.meta.url).pathname, String(watches), String(intervalMs)], {
    cwd: new URL('..', import.meta.url).pathname,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started = Date.now();
  const run: Run = { watches, wallMs: 0 };
  let stderrTail = '';
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      Object.assign(run, JSON.parse(line));
    } catch {
      process.stderr.write(`scale ${watches}: ${line}\n`);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    stderrTail = (stderrTail + chunk.toString()).slice(-8192);
  });
  let timedOut = false;
  const watchdog = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL'); // its server ends with it (its stdin closes)
  }, timeoutMs);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      clearTimeout(watchdog);
      run.wallMs = Date.now() - started;
      const during = run.phase ? ` during ${run.phase}` : '';
      if (timedOut) run.failure = `did not finish within ${timeoutMs / 1000} s (killed${during})`;
      else if (/heap out of memory|Reached heap limit|allocation failed/i.test(stderrTail)) run.failure = `ran out of heap${during} (${Math.round(run.heapLimitMiB ?? 0)} MiB limit)`;
      else if (code !== 0) run.failure = `exited with ${signal ?? `code ${code}`}${during}: ${stderrTail.trim().split('\n').slice(-3).join(' ').slice(0, 200)}`;
      resolve(run);
    });
  });
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(2)} KiB`;
const en = (value: number) => value.toLocaleString('en');
const pct = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)} %`;

/** Runs each size in its own process and returns the section, with the targets missed. */
export async function scale(): Promise<BenchSection> {
  const runs: Run[] = [];
  for (const watches of sizes) {
    console.log(`scale: ${en(watches)} watches…`);
    const run = await runChild(watches);
    runs.push(run);
    console.log(
      run.failure
        ? `scale, ${en(watches)} watches: ${run.failure}`
        : `scale, ${en(watches)} watches: ${run.requestsPerInterval?.toFixed(1)} requests per interval (target ${Math.ceil(watches / 100)}), ${((run.notModifiedShare ?? 0) * 100).toFixed(1)} % 304, p99 delay ${run.p99DelayMs?.toFixed(1)} ms (max ${run.maxDelayMs?.toFixed(0)}), ${run.cores?.toFixed(2)} cores, heap ${kib(run.heapPerWatch ?? 0)} per watch (snapshot ${kib(run.snapshotBytes ?? 0)}), first cycle ${run.firstCycleMs === undefined ? 'incomplete' : `${(run.firstCycleMs / 1000).toFixed(1)} s`}`,
    );
  }

  const missed: MissedTarget[] = [];
  const at = (watches: number) => runs.find((run) => run.watches === watches);
  /** A cell: the value, or why there is none; with ✓/✗ where a target applies to this column. */
  type Check = { readonly watches: number; readonly name: string; readonly target: string; readonly met: (run: Run) => boolean | undefined; readonly measured: (run: Run) => string };
  const checks: Check[] = [
    { watches: 10_000, name: 'Heap per watch at 10,000 watches', target: 'retained snapshot + 2 KiB', met: (run) => (run.heapPerWatch === undefined ? undefined : run.heapPerWatch <= (run.snapshotBytes ?? 0) + 2048), measured: (run) => `${kib(run.heapPerWatch ?? NaN)} per watch, target ≤ ${kib((run.snapshotBytes ?? 0) + 2048)} (snapshot + 2 KiB)` },
    { watches: 100_000, name: 'Requests per interval at 100,000 watches', target: 'within 3 % of 1,000', met: (run) => (run.requestsPerInterval === undefined ? undefined : Math.abs(run.requestsPerInterval / 1000 - 1) <= 0.03), measured: (run) => `${(run.requestsPerInterval ?? NaN).toFixed(0)} per interval (${pct((run.requestsPerInterval ?? NaN) / 1000 - 1)}), target 1,000 ± 3 %` },
    { watches: 100_000, name: '304 share at 100,000 watches', target: '≥ 95 %', met: (run) => (run.notModifiedShare === undefined || !run.server?.requests ? undefined : run.notModifiedShare >= 0.95), measured: (run) => (run.server?.requests === 0 ? 'no request in the window, target ≥ 95 % answered 304' : `${((run.notModifiedShare ?? NaN) * 100).toFixed(1)} % of requests answered 304, target ≥ 95 %`) },
    { watches: 100_000, name: 'Event-loop delay at 100,000 watches', target: 'p99 ≤ 50 ms', met: (run) => (run.p99DelayMs === undefined ? (run.windowMs === undefined ? undefined : false) : run.p99DelayMs <= 50), measured: (run) => (run.p99DelayMs === undefined ? `no sample in the ${((run.windowMs ?? 0) / 1000).toFixed(0)} s window (the loop was blocked), target ≤ 50 ms` : `p99 ${run.p99DelayMs.toFixed(1)} ms (max ${(run.maxDelayMs ?? NaN).toFixed(0)} ms), target ≤ 50 ms`) },
    { watches: 100_000, name: 'CPU at 100,000 watches', target: '≤ 0.5 core', met: (run) => (run.cores === undefined ? undefined : run.cores <= 0.5), measured: (run) => `${(run.cores ?? NaN).toFixed(2)} cores, target ≤ 0.5` },
    { watches: 100_000, name: 'First cycle at 100,000 watches', target: '≤ 2 intervals (6 s)', met: (run) => (run.phase === undefined || ['server', 'snapshot size', 'subscribe', 'first cycle'].includes(run.phase) ? undefined : run.firstCycleMs !== undefined && run.firstCycleMs <= 2 * intervalMs), measured: (run) => (run.firstCycleMs === undefined ? `not complete after ${((run.firstCycleLimitMs ?? 0) / 1000).toFixed(0)} s (${en(run.firstCycleSeen ?? 0)} of ${en(run.watches)} watches had a snapshot${run.firstCycleLateMs !== undefined ? `; all by ${(run.firstCycleLateMs / 1000).toFixed(1)} s` : ''}), target ≤ ${(2 * intervalMs) / 1000} s` : `${(run.firstCycleMs / 1000).toFixed(1)} s, target ≤ ${(2 * intervalMs) / 1000} s`) },
  ];
  const verdicts = new Map<Check, boolean | undefined>();
  for (const check of checks) {
    const run = at(check.watches);
    if (!run) continue; // not run (BENCH_SCALE): no verdict
    // A run that failed after measuring keeps its measurements; one without them misses.
    const met = check.met(run) ?? false;
    verdicts.set(check, met);
    if (!met) missed.push({ target: check.name, section: 'Scale', measured: run.failure && check.met(run) === undefined ? `no measurement: the run ${run.failure}` : `${check.measured(run)}${run.failure ? `; the run ${run.failure}` : ''}` });
  }
  const verdict = (name: string, run: Run) => {
    const check = checks.find((candidate) => candidate.name.startsWith(name) && candidate.watches === run.watches);
    if (!check || !verdicts.has(check)) return '';
    return ` ${mark(verdicts.get(check)!)}`;
  };

  const cell = (run: Run, value: number | undefined, format: (value: number) => string, suffix = '') =>
    `${value === undefined || !Number.isFinite(value) ? (run.failure ? '—' : 'n/a') : format(value)}${suffix}`;
  const row = (label: string, target: string, value: (run: Run) => string) => `| ${label} | ${runs.map(value).join(' | ')} | ${target} |`;
  const rows = [
    row('outcome', '', (run) => (run.failure ? `**${run.failure}**` : `finished in ${(run.wallMs / 1000).toFixed(0)} s`)),
    row('requests per interval (target ⌈N/100⌉)', 'within 3 % at 100,000', (run) => cell(run, run.requestsPerInterval, (value) => `${value.toFixed(1)} / ${en(Math.ceil(run.watches / 100))} (${pct(value / Math.ceil(run.watches / 100) - 1)})`, verdict('Requests', run))),
    row('answered 304', '≥ 95 % at 100,000', (run) => (run.server && run.server.requests === 0 ? `no request in the window${verdict('304', run)}` : cell(run, run.notModifiedShare, (value) => `${(value * 100).toFixed(1)} %`, verdict('304', run)))),
    row('event-loop delay, p99 (max)', '≤ 50 ms at 100,000', (run) =>
      run.windowMs !== undefined && run.p99DelayMs === undefined
        ? `no sample: the loop was blocked${verdict('Event-loop', run)}`
        : cell(run, run.p99DelayMs, (value) => `${value.toFixed(1)} ms (${(run.maxDelayMs ?? NaN).toFixed(0)} ms)`, verdict('Event-loop', run)),
    ),
    row('CPU of the client process', '≤ 0.5 core at 100,000', (run) => cell(run, run.cores, (value) => `${value.toFixed(2)} cores`, verdict('CPU', run))),
    row('heap per watch', '≤ snapshot + 2 KiB at 10,000', (run) => cell(run, run.heapPerWatch, kib, verdict('Heap', run))),
    row('retained snapshot (N parsed copies)', '', (run) => cell(run, run.snapshotBytes, kib)),
    row('first cycle (first subscribe → every watch has a snapshot)', '≤ 2 intervals at 100,000', (run) =>
      run.firstCycleMs !== undefined
        ? `${(run.firstCycleMs / 1000).toFixed(1)} s${verdict('First cycle', run)}`
        : run.firstCycleSeen !== undefined
          ? `not complete after ${((run.firstCycleLimitMs ?? 0) / 1000).toFixed(0)} s: ${en(run.firstCycleSeen)} of ${en(run.watches)}${run.firstCycleLateMs !== undefined ? ` (all by ${(run.firstCycleLateMs / 1000).toFixed(1)} s)` : ''}${verdict('First cycle', run)}`
          : run.progressSeen !== undefined
            ? `${en(run.progressSeen)} of ${en(run.watches)} after ${((run.progressAtMs ?? 0) / 1000).toFixed(0)} s${verdict('First cycle', run)}`
            : `${run.failure ? '—' : 'n/a'}${verdict('First cycle', run)}`,
    ),
    row('subscribing all watches', '', (run) => cell(run, run.subscribeMs, (value) => `${(value / 1000).toFixed(1)} s`)),
    row(`the window's wall time (planned ${(5 * intervalMs) / 1000} s), event-loop delay samples`, '', (run) => cell(run, run.windowMs, (value) => `${(value / 1000).toFixed(1)} s, ${en(run.delaySamples ?? 0)}`)),
    row('requests before the window (first cycle, warm-up): 200 / 304 / other', '', (run) => (run.beforeWindow ? `${en(run.beforeWindow.ok)} / ${en(run.beforeWindow.notModified)} / ${en(run.beforeWindow.other)}` : '—')),
    row('requests in the window: 200 / 304 / other', '', (run) => (run.server ? `${en(run.server.ok)} / ${en(run.server.notModified)} / ${en(run.server.other)}` : '—')),
    row('watches ended by an error', '', (run) => (run.errors === undefined ? '—' : `${en(run.errors)}${run.firstError ? ` (${run.firstError.slice(0, 80)})` : ''}`)),
    row('heap used after GC (RSS)', '', (run) => (run.heapUsedMiB === undefined ? '—' : `${run.heapUsedMiB.toFixed(0)} MiB (${(run.rssMiB ?? 0).toFixed(0)} MiB)`)),
  ];
  const heapLimit = runs.find((run) => run.heapLimitMiB)?.heapLimitMiB;
  const markdown = `## Scale: up to 100,000 watches in one process

Each size runs in a fresh Node process of its own (\`bench/scale-child.ts\`, \`--expose-gc\`, Node's
default heap${heapLimit ? `: ${en(Math.round(heapLimit))} MiB here` : ''}), one \`createOrdoClient({ baseUrl, token, intervalMs: ${intervalMs} })\` and one
\`jobStatus$(id).subscribe()\` per job, against a fast static server in another process
(\`bench/batch-server.mjs\`: running 5-step jobs whose bodies are the captured server's, batch route
of up to 100 ids, weak ETags and 304s; nothing ever changes). After the first cycle and 2 intervals
of warm-up, measured over 5 intervals (${(5 * intervalMs) / 1000} s of wall time): requests the server saw (per interval
of wall time), event-loop delay (\`monitorEventLoopDelay\`, 1 ms resolution) and CPU
(\`process.cpuUsage\`) of the client process. Heap per watch: heap used after a full GC, minus
before the client was created, divided by N. The first cycle may take at most ${((runs[0]?.firstCycleLimitMs ?? 60_000) / 1000).toFixed(0)} s before the run goes on
without it; each run is killed if not done in ${timeoutMs / 1000} s. ✓/✗ mark the targets, in the column they apply to.

| measure | ${runs.map((run) => `${en(run.watches)} watches`).join(' | ')} | target |
| --- | ${runs.map(() => '---:').join(' | ')} | --- |
${rows.join('\n')}
`;
  return { markdown, missed };
}

// Alone: `node --import tsx bench/scale.ts` (BENCH_SCALE=10000 for one size) prints the section.
if (process.argv[1] && new URL(import.meta.url).pathname === (await import('node:path')).resolve(process.argv[1])) {
  const { markdown, missed } = await scale();
  console.log(`\n${markdown}`);
  for (const target of missed) console.log(`missed: ${target.target}: ${target.measured}`);
}
