// CPU per poll: what one answer costs ordo-status, as a ratio to bare JSON.parse of the same bytes,
// for jobs of 5, 100, 1,000 and 10,000 steps: the incremental parse and lifecycle check alone, the
// full path through jobStatus$ (a changed answer, a first answer, an unchanged answer).
// Public API only (the engine behind it may change). Part of `npm run bench`.
import { readFileSync } from 'node:fs';
import { repeat, timer, VirtualTimeScheduler } from 'rxjs';
import { Bench } from 'tinybench';
import type { JobTransport } from '../src/index.js';
import { ordo } from './ordo.js';
import { mark, type BenchSection, type MissedTarget } from './targets.js';

const { createJobLifecycle, createOrdoClient, jobStatus$, parseJobSnapshot } = ordo;

const template = JSON.parse(readFileSync(new URL('../test/fixtures/ordo-server/success/024.json', import.meta.url), 'utf8'));
const runningStep = template.steps[0]; // running, with a detailing row
const doneStep = template.steps[1]; // success

const pendingStep = { ...structuredClone(template.steps[0]), status: 'pending', attempt: 0, claimed_by: null, claimed_at: null, started_at: null, last_detailing: null };

/**
 * A body with the captured server's keys and sizes and `n` steps: `done` finished, the next
 * `running` (5 % of the job, at least one) running at `percent`, the rest pending.
 */
function bodyText(n: number, done: number, percent: number): string {
  const running = Math.max(1, Math.round(n / 20));
  const steps = Array.from({ length: n }, (_, index) => {
    const step = structuredClone(index < done ? doneStep : index < done + running ? runningStep : pendingStep);
    step.step_id = `s${String(index).padStart(5, '0')}`;
    if (step.status === 'running') step.last_detailing.progress = { progress: percent };
    return step;
  });
  const timeline = steps.map((step) => ({ step: step.step_id, type: step.step_type, status: step.status, started_at: step.started_at, finished_at: step.finished_at, duration_ms: null }));
  return JSON.stringify({ ...template, timeline, steps, progress: { ...template.progress, total_steps: n } });
}


const sizes = [5, 100, 1000, 10000];
const rounds = 5; // medians of several runs
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(ms < 0.01 ? 1 : 0)} µs` : `${ms.toFixed(2)} ms`);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const intervalMs = 1000; // virtual: costs no wall time
/** Polls (or first polls) timed per round: about 50–500 ms of work each. */
const pollsFor = (n: number) => (n >= 10000 ? 20 : n >= 1000 ? 100 : n >= 100 ? 500 : 3000);

/** Wall time per call of `JSON.parse` over `texts` in turn, `count` calls. */
function parsePerCall(texts: readonly string[], count: number): number {
  gc();
  let sink = 0;
  const started = performance.now();
  for (let index = 0; index < count; index += 1) sink += (JSON.parse(texts[index % texts.length]!) as { steps: unknown[] }).steps.length;
  const elapsed = performance.now() - started;
  if (sink === 0) throw new Error('no steps');
  return elapsed / count;
}

/**
 * Wall time per poll of one `jobStatus$` subscription in virtual time, the first poll left out:
 * the transport answers `answer(poll)` (the body text, or an object) each time; `changed` says
 * whether every poll must emit a snapshot (checked, so the workload is what it claims).
 */
/** Which `jobStatus$`: a client's (its engine, the path at scale) or the standalone one (an RxJS pipeline per watch). */
type Path = 'client' | 'standalone';
function watch(path: Path, transport: JobTransport, scheduler: VirtualTimeScheduler) {
  return path === 'client'
    ? createOrdoClient({ transport, intervalMs, scheduler, batch: false }).jobStatus$(1)
    : jobStatus$(1, { transport, intervalMs, scheduler });
}

function perPoll(path: Path, answer: (poll: number) => unknown, polls: number, changed: boolean): number {
  const scheduler = new VirtualTimeScheduler(undefined, 0);
  let poll = 0;
  let emitted = 0;
  const subscription = watch(path, () => [answer(poll++)], scheduler).subscribe({ next: () => void (emitted += 1) });
  scheduler.flush(); // the first poll: a full parse and a first look, the same either way
  if (poll !== 1 || emitted !== 1) throw new Error(`first poll: ${poll} requests, ${emitted} snapshots`);
  scheduler.maxFrames = polls * intervalMs;
  gc();
  const started = performance.now();
  scheduler.flush();
  const elapsed = performance.now() - started;
  subscription.unsubscribe();
  const done = poll - 1;
  if (done < polls - 1) throw new Error(`only ${done} polls`);
  if (emitted - 1 !== (changed ? done : 0)) throw new Error(`${done} polls emitted ${emitted - 1} snapshots`);
  return elapsed / done;
}

/** Wall time of a fresh `jobStatus$` subscription's first poll, through to its first snapshot. */
function firstPoll(path: Path, text: string, count: number): number {
  gc();
  let emitted = 0;
  // One client for all (a client is made once, its watches come and go); the standalone stream
  // is made per watch anyway.
  const scheduler = new VirtualTimeScheduler(undefined, 0); // only each first poll (frame 0) runs
  const client = createOrdoClient({ transport: () => [text], intervalMs, scheduler, batch: false, retainTerminalMs: 0 });
  const started = performance.now();
  for (let index = 0; index < count; index += 1) {
    const source = path === 'client' ? client.jobStatus$(1) : jobStatus$(1, { transport: () => [text], intervalMs, scheduler });
    const subscription = source.subscribe({ next: () => void (emitted += 1) });
    scheduler.flush();
    subscription.unsubscribe();
  }
  const elapsed = performance.now() - started;
  if (emitted !== count) throw new Error(`${count} first polls emitted ${emitted} snapshots`);
  return elapsed / count;
}

/**
 * What the virtual scheduler itself costs per cycle: a bare `timer(interval)` + `repeat()` loop on
 * it, wall time per cycle. Part of every polled figure below (the queue of a
 * VirtualTimeScheduler is an array sorted on every schedule); shown so it can be told apart.
 */
function schedulerCycle(cycles: number): number {
  const scheduler = new VirtualTimeScheduler(undefined, cycles * intervalMs);
  let count = 0;
  const subscription = timer(intervalMs, scheduler)
    .pipe(repeat())
    .subscribe(() => void (count += 1));
  gc();
  const started = performance.now();
  scheduler.flush();
  const elapsed = performance.now() - started;
  subscription.unsubscribe();
  return elapsed / count;
}

interface IncrementalRow {
  n: number;
  bytes: number;
  parse: number;
  poll: number;
  firstLook: number;
  ratio: number;
}
interface FullRow {
  n: number;
  parse: number;
  changed: number;
  changedRatio: number;
  first: number;
  firstRatio: number;
  same: number;
  sameRatio: number;
}

/** The incremental parse and lifecycle check of one changed answer, beside JSON.parse (tinybench). */
async function incremental(n: number): Promise<IncrementalRow> {
  const previous = bodyText(n, Math.floor(n / 2), 40);
  // One step finished, one more was claimed, and every running step wrote a new percent.
  const next = bodyText(n, Math.floor(n / 2) + 1, 45);
  const previousSnapshot = parseJobSnapshot(JSON.parse(previous));
  const samples = { parse: [] as number[], poll: [] as number[], firstLook: [] as number[], ratio: [] as number[] };
  for (let round = 0; round < rounds; round += 1) {
    const bench = new Bench({ time: n >= 10000 ? 1500 : 400, warmupTime: 100 });
    bench.add('JSON.parse', () => JSON.parse(next));
    // The watch's lifecycle lives across polls: it is set back to the previous answer's state
    // before each iteration, outside the measurement.
    let lifecycle = createJobLifecycle({ resumeFrom: previousSnapshot });
    bench.add(
      'poll',
      () => {
        // What the watch does with one changed answer: parse, validate what changed (against
        // the previous snapshot: unchanged parts are compared and reused), check the lifecycle.
        const snapshot = parseJobSnapshot(JSON.parse(next), { jobId: 1, previous: previousSnapshot });
        if (snapshot.steps.every((step, index) => step === previousSnapshot.steps[index])) throw new Error('the bodies should differ');
        lifecycle.observe(snapshot);
      },
      { beforeEach: () => void (lifecycle = createJobLifecycle({ resumeFrom: previousSnapshot })) },
    );
    bench.add('first look', () => createJobLifecycle().observe(previousSnapshot));
    await bench.run();
    const [parse, poll, firstLook] = bench.tasks.map((task) => {
      const result = task.result;
      if (!('latency' in result)) throw new Error(`${task.name} did not complete`);
      return result.latency.p50;
    }) as [number, number, number];
    samples.parse.push(parse);
    samples.poll.push(poll);
    samples.firstLook.push(firstLook);
    samples.ratio.push(poll / parse);
  }
  const row = { n, bytes: Buffer.byteLength(next), parse: median(samples.parse), poll: median(samples.poll), firstLook: median(samples.firstLook), ratio: median(samples.ratio) };
  console.log(`cpu per poll, ${n} steps: JSON.parse ${fmt(row.parse)}, poll ${fmt(row.poll)}, ratio ${row.ratio.toFixed(2)}`);
  return row;
}

/** The full path through jobStatus$: a changed answer, a first answer, an unchanged answer; wall time per poll. */
function fullPath(path: Path, n: number): FullRow {
  // Two answers of the same running job that differ in the percent of every running step: legal
  // in either order, so the watch can alternate them forever and every poll is a changed answer.
  const texts = [bodyText(n, Math.floor(n / 2), 40), bodyText(n, Math.floor(n / 2), 45)] as const;
  const same = JSON.parse(texts[0]) as unknown;
  const polls = pollsFor(n);
  const firstPolls = Math.max(5, Math.round(polls / 2));
  const samples = { parse: [] as number[], changed: [] as number[], changedRatio: [] as number[], first: [] as number[], firstRatio: [] as number[], same: [] as number[], sameRatio: [] as number[] };
  // Warm-up: the first runs of a path are slower (the JIT), whichever comes first.
  perPoll(path, (poll) => texts[poll % 2], Math.min(polls, 50), true);
  firstPoll(path, texts[0], Math.min(firstPolls, 20));
  perPoll(path, () => same, 1000, false);
  for (let round = 0; round < rounds; round += 1) {
    const parse = parsePerCall(texts, polls);
    const changed = perPoll(path, (poll) => texts[poll % 2], polls, true);
    const first = firstPoll(path, texts[0], firstPolls);
    const parseFirst = parsePerCall([texts[0]], firstPolls);
    const unchanged = perPoll(path, () => same, polls * 2, false);
    samples.parse.push(parse);
    samples.changed.push(changed);
    samples.changedRatio.push(changed / parse);
    samples.first.push(first);
    samples.firstRatio.push(first / parseFirst);
    samples.same.push(unchanged);
    samples.sameRatio.push(unchanged / changed);
  }
  const row = {
    n,
    parse: median(samples.parse),
    changed: median(samples.changed),
    changedRatio: median(samples.changedRatio),
    first: median(samples.first),
    firstRatio: median(samples.firstRatio),
    same: median(samples.same),
    sameRatio: median(samples.sameRatio),
  };
  console.log(
    `full path (${path}), ${n} steps: JSON.parse ${fmt(row.parse)}, changed ${fmt(row.changed)} (${row.changedRatio.toFixed(2)}), first poll ${fmt(row.first)} (${row.firstRatio.toFixed(2)}), unchanged ${fmt(row.same)} (${row.sameRatio.toFixed(3)} of changed)`,
  );
  return row;
}

const targets = { incremental: 2.0, changed: 2.0, first: 3.0, unchanged: 0.05 };

/** Runs the benchmark and returns its section of docs/benchmarks.md, with the targets missed. */
export async function cpuPerPoll(): Promise<BenchSection> {
  const rows: IncrementalRow[] = [];
  for (const n of sizes) rows.push(await incremental(n));
  const full: FullRow[] = [];
  for (const n of sizes) full.push(fullPath('client', n));
  const standalone: FullRow[] = [];
  for (const n of sizes) standalone.push(fullPath('standalone', n));
  schedulerCycle(2000);
  const cycle = median(Array.from({ length: rounds }, () => schedulerCycle(5000)));
  console.log(`virtual scheduler, one bare timer cycle: ${fmt(cycle)}`);

  const missed: MissedTarget[] = [];
  const over = <T extends { n: number }>(list: T[], value: (row: T) => number, limit: number) => list.filter((row) => !(value(row) <= limit));
  const steps = (list: Array<{ n: number }>) => list.map((row) => row.n.toLocaleString('en')).join(', ');
  const incrementalOver = over(rows, (row) => row.ratio, targets.incremental);
  if (incrementalOver.length)
    missed.push({ target: `Incremental poll ≤ ${targets.incremental} × JSON.parse`, section: 'CPU per poll', measured: `at ${steps(incrementalOver)} steps: ${incrementalOver.map((row) => row.ratio.toFixed(2)).join(', ')}` });
  const changedOver = over(full, (row) => row.changedRatio, targets.changed);
  if (changedOver.length)
    missed.push({ target: `Full path (a client's jobStatus$), changed answer ≤ ${targets.changed} × JSON.parse`, section: 'CPU per poll', measured: `at ${steps(changedOver)} steps: ${changedOver.map((row) => row.changedRatio.toFixed(2)).join(', ')}` });
  const firstOver = over(full, (row) => row.firstRatio, targets.first);
  if (firstOver.length)
    missed.push({ target: `First poll (a client's jobStatus$) ≤ ${targets.first} × JSON.parse`, section: 'CPU per poll', measured: `at ${steps(firstOver)} steps: ${firstOver.map((row) => row.firstRatio.toFixed(2)).join(', ')}` });
  const sameOver = over(full, (row) => row.sameRatio, targets.unchanged);
  if (sameOver.length)
    missed.push({
      target: `An unchanged answer (a client's jobStatus$) ≤ ${targets.unchanged} of a changed one`,
      section: 'CPU per poll',
      measured: `at ${steps(sameOver)} steps: ${sameOver.map((row) => `${fmt(row.same)} per poll, ${row.sameRatio.toFixed(3)}`).join('; ')}`,
      note: 'The answer itself is dropped by identity (no parsing, no validation, no emission); what is left is the polling machinery of one cycle (its timer, the request, the next cycle), which is more than 5 % of a small job\'s whole poll.',
    });

  for (const [name, value, limit] of [
    ['changed answer', (row: FullRow) => row.changedRatio, targets.changed],
    ['first poll', (row: FullRow) => row.firstRatio, targets.first],
  ] as const) {
    const list = over(standalone, value, limit);
    if (list.length)
      missed.push({
        target: `Full path (the standalone jobStatus$), ${name} ≤ ${limit} × JSON.parse`,
        section: 'CPU per poll',
        measured: `at ${steps(list)} steps: ${list.map((row) => value(row).toFixed(2)).join(', ')}`,
        note: 'The standalone stream keeps its timer/switchMap/takeWhile composition (the design contract): an RxJS pipeline per watch costs about 10 µs per cycle, more than a small job’s JSON.parse. A client runs the engine instead.',
      });
  }
  const fullTable = (list: FullRow[]) => `| steps | JSON.parse | changed answer | ÷ JSON.parse | first poll | ÷ JSON.parse | unchanged answer | ÷ changed answer |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${list.map((row) => `| ${row.n.toLocaleString('en')} | ${fmt(row.parse)} | ${fmt(row.changed)} | ${row.changedRatio.toFixed(2)} ${mark(row.changedRatio <= targets.changed)} | ${fmt(row.first)} | ${row.firstRatio.toFixed(2)} ${mark(row.firstRatio <= targets.first)} | ${fmt(row.same)} | ${row.sameRatio.toFixed(3)} ${mark(row.sameRatio <= targets.unchanged)} |`).join('\n')}`;

  const markdown = `## CPU per poll

One answer of a running job whose steps look like the captured server's: half finished, 5 % (at
least one) running with a detailing row, the rest pending; the next answer has one more step
finished, one more claimed, and a new percent on every running step.
"Poll" is what \`jobStatus$\` does with it: \`JSON.parse\`, the content diff against the previous
body, zod validation and camelCase snapshot of what changed (unchanged steps keep their objects),
and the lifecycle check. Target: at most ${targets.incremental.toFixed(1)} × \`JSON.parse\` at every size. "First look" is a late
subscriber's first snapshot of the same job: the lifecycle events of every step from \`pending\`.
Each figure is the p50 latency of a tinybench run; the table shows the median of ${rounds} runs.

| steps | body | JSON.parse | poll | poll ÷ JSON.parse | first look (lifecycle only) |
| ---: | ---: | ---: | ---: | ---: | ---: |
${rows.map((row) => `| ${row.n.toLocaleString('en')} | ${(row.bytes / 1024).toFixed(0)} KiB | ${fmt(row.parse)} | ${fmt(row.poll)} | ${row.ratio.toFixed(2)} ${mark(row.ratio <= targets.incremental)} | ${fmt(row.firstLook)} |`).join('\n')}

### The full path through \`jobStatus$\`

End to end through \`jobStatus$\`, in virtual time (an RxJS \`VirtualTimeScheduler\`: intervals
cost no wall time, everything else is measured), per poll in wall time, on the built package
(\`dist/\`, what users run), for a transport handing back the body **text**, so the watch parses
it. Twice: through a client (\`createOrdoClient({ transport }).jobStatus$(id)\`, its engine: the
path at scale) and through the standalone \`jobStatus$(id, { transport })\` (an RxJS pipeline per
watch, the design's \`timer\`/\`switchMap\`/\`takeWhile\`).

- **changed answer**: two answers of the same job, differing in the percent of every running step,
  in turn, so every poll emits a snapshot (checked); the first poll is left out. Divided by
  \`JSON.parse\` of the same texts, timed the same way (wall time of a loop). Target: at most ${targets.changed.toFixed(1)}.
- **first poll**: a fresh subscription whose first answer is the text, through to its first
  snapshot (full validation, lifecycle from \`pending\`, the body frozen). Divided by \`JSON.parse\` of it. Target: at most ${targets.first.toFixed(1)}.
- **unchanged answer**: a transport handing back the same body object every time, as the fetch
  transport does for a 304 (or a 200 with the same ETag, or without ETag the same bytes): the
  watch drops it by identity, no parsing, no validation, no emission (checked). Timed directly,
  per poll, the first poll left out. Target: at most ${targets.unchanged} of a changed answer.

Medians of ${rounds} runs. The virtual scheduler's own cost of one bare \`timer\` + \`repeat\` cycle, part
of every polled figure, is ${fmt(cycle)}.

**A client's \`jobStatus$\`** (the engine):

${fullTable(full)}

**The standalone \`jobStatus$\`** (for comparison; not the path at scale):

${fullTable(standalone)}
`;
  return { markdown, missed };
}

// Alone: `node --expose-gc --import tsx bench/cpu-per-poll.ts` prints the section.
if (process.argv[1] && new URL(import.meta.url).pathname === (await import('node:path')).resolve(process.argv[1])) {
  const { markdown, missed } = await cpuPerPoll();
  console.log(`\n${markdown}`);
  for (const target of missed) console.log(`missed: ${target.target}: ${target.measured}`);
}
