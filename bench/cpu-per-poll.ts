// CPU per poll: what one answer costs ordo-status (parse + validate + lifecycle + content diff), as a
// ratio to bare JSON.parse of the same bytes, for jobs of 5, 100, 1,000 and 10,000 steps.
// Runs the sources through tsx, so the poll path can use the stream's own diff. Part of `npm run bench`.
import { readFileSync } from 'node:fs';
import { VirtualTimeScheduler } from 'rxjs';
import { Bench } from 'tinybench';
import { jobStatus$ } from '../src/stream/jobStatus.js';
import { createJobLifecycle } from '../src/machine/jobLifecycle.js';
import { parseJobSnapshot } from '../src/schema/parseJobSnapshot.js';

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
const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);

/** Runs the benchmark and returns its section of docs/benchmarks.md. */
export async function cpuPerPoll(): Promise<string> {
  const rows: Array<{ n: number; bytes: number; parse: number; poll: number; firstLook: number; ratio: number }> = [];
  for (const n of sizes) {
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
        return result.latency.p50 as number;
      }) as [number, number, number];
      samples.parse.push(parse);
      samples.poll.push(poll);
      samples.firstLook.push(firstLook);
      samples.ratio.push(poll / parse);
    }
    const row = {
      n,
      bytes: Buffer.byteLength(next),
      parse: median(samples.parse),
      poll: median(samples.poll),
      firstLook: median(samples.firstLook),
      ratio: median(samples.ratio),
    };
    rows.push(row);
    console.log(`cpu per poll, ${n} steps: JSON.parse ${fmt(row.parse)}, poll ${fmt(row.poll)}, ratio ${row.ratio.toFixed(2)}`);
  }
  const unchanged = await unchangedPolls();
  return `## CPU per poll

One answer of a running job whose steps look like the captured server's: half finished, 5 % (at
least one) running with a detailing row, the rest pending; the next answer has one more step
finished, one more claimed, and a new percent on every running step.
"Poll" is what \`jobStatus$\` does with it: \`JSON.parse\`, the content diff against the previous
body, zod validation and camelCase snapshot of what changed (unchanged steps keep their objects),
and the lifecycle check. Target: at most 2.0 × \`JSON.parse\` at every size. "First look" is a late
subscriber's first snapshot of the same job: the lifecycle events of every step from \`pending\`
(table lookups derived from the XState machines, no actors). Each figure is the p50 latency of a
tinybench run; the table shows the median of ${rounds} runs.

| steps | body | JSON.parse | poll | poll ÷ JSON.parse | first look (lifecycle only) |
| ---: | ---: | ---: | ---: | ---: | ---: |
${rows.map((row) => `| ${row.n.toLocaleString('en')} | ${(row.bytes / 1024).toFixed(0)} KiB | ${fmt(row.parse)} | ${fmt(row.poll)} | ${row.ratio.toFixed(2)} | ${fmt(row.firstLook)} |`).join('\n')}

### An answer that says nothing changed

A 304 (or a 200 with the same ETag, or without ETag the same bytes) makes the transport hand back
the previous body object, and the watch drops it by identity: no parsing, no validation, no
lifecycle, no emission. Measured end to end through \`jobStatus$\` (RxJS machinery included: timer,
request, repeat) in virtual time, per poll, for a transport answering the same object every time,
against one answering a changed body every time (the "poll" workload above). Target: at most 0.05
of the full path.

| steps | changed answer, per poll | unchanged answer, per poll | ratio |
| ---: | ---: | ---: | ---: |
${unchanged.map((row) => `| ${row.n.toLocaleString('en')} | ${fmt(row.changed)} | ${fmt(row.same)} | ${(row.same / row.changed).toFixed(3)} |`).join('\n')}
`;
}

/** Per-poll cost through jobStatus$ in virtual time: the same body object every time, or a new changed one. */
async function unchangedPolls(): Promise<Array<{ n: number; changed: number; same: number }>> {
  const rows: Array<{ n: number; changed: number; same: number }> = [];
  for (const n of sizes) {
    const polls = n >= 10000 ? 20 : n >= 1000 ? 200 : 2000;
    const perPoll = (answer: (poll: number) => unknown): number => {
      // The first poll (a full parse and a first look) is left out: it is the same either way.
      const scheduler = new VirtualTimeScheduler(undefined, 5);
      let poll = 0;
      const subscription = jobStatus$(1, { transport: () => [answer(poll++)], intervalMs: 10, scheduler }).subscribe();
      scheduler.flush();
      const first = poll;
      scheduler.maxFrames = polls * 10;
      const started = performance.now();
      scheduler.flush();
      const elapsed = performance.now() - started;
      subscription.unsubscribe();
      return elapsed / (poll - first);
    };
    const same = JSON.parse(bodyText(n, Math.floor(n / 2), 40));
    const samples = { changed: [] as number[], same: [] as number[] };
    for (let round = 0; round < rounds; round += 1) {
      // Changed: a new body each poll (new percents on the running steps).
      samples.changed.push(perPoll((index) => JSON.parse(bodyText(n, Math.floor(n / 2), 40 + (index % 50)))) - textCost(n));
      samples.same.push(perPoll(() => same));
    }
    rows.push({ n, changed: median(samples.changed), same: median(samples.same) });
    console.log(`unchanged answers, ${n} steps: changed ${fmt(median(samples.changed))}, same ${fmt(median(samples.same))}`);
  }
  return rows;
}

/** What building a body's text costs in the changed workload (done by the test transport, not by the library). */
const textCosts = new Map<number, number>();
function textCost(n: number): number {
  let cost = textCosts.get(n);
  if (cost === undefined) {
    const started = performance.now();
    for (let index = 0; index < 5; index += 1) bodyText(n, Math.floor(n / 2), 40 + index);
    cost = (performance.now() - started) / 5;
    textCosts.set(n, cost);
  }
  return cost;
}
