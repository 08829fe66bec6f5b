// The relay (`ordo-status relay`, src/relay/): upstream requests against consumers, latency from a
// change to the consumers, events per second, memory per event stream, and take-over through
// Redis. Part of `npm run bench`; alone: `node --expose-gc --import tsx bench/relay-only.ts`
// (BENCH_RELAY=requests,fanout,e2e,events,memory,takeover runs only those parts;
// BENCH_RELAY_PROFILE=<dir> writes a CPU profile of each bench/relay-child.mjs there).
// Needs a build (`npm run build`): every server and relay runs from dist/ in a process of its own.
//
// Processes, all on 127.0.0.1: the Ordo side is the simulator (bench/server.mjs, counting) or a
// server whose jobs change when told to (bench/flip-server.mjs); each relay is
// bench/relay-child.mjs (createRelay, memory store, its upstream answers stamped) or, with Redis,
// the CLI (`node dist/cli.js relay … --redis`). The consumers run in this process: raw TCP sockets
// where there are 1,000 and more (the request written by hand, frames found in the chunked answer
// without an HTTP parser), node:http with a small SSE parser where every id is checked (take-over),
// `createOrdoClient({ relay })` end to end. Each chunk is stamped when it arrives, before parsing.
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { connect, createServer } from 'node:net';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { Subscription } from 'rxjs';
import { ordo } from './ordo.js';
import { mark, type BenchSection, type MissedTarget } from './targets.js';

const { createOrdoClient } = ordo;

const section = 'Relay';
const relayToken = 'bench-relay-consumer-token';
const root = new URL('..', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The clock every process of the bench stamps with: milliseconds since the epoch, sub-millisecond. */
const clock = () => performance.timeOrigin + performance.now();
const en = (value: number) => Math.round(value).toLocaleString('en');
const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} ms`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

// ---------------------------------------------------------------------------------------------
// Child processes that talk in JSON lines

interface LineChild {
  /** The first line it printed. */
  readonly first: any;
  readonly process: ChildProcess;
  /** Sends a command that answers one line; answers come in order. */
  ask(command: string): Promise<any>;
  /** Sends a command that answers nothing. */
  send(command: string): void;
  /** "exit", then SIGKILL if it is still there after 5 s. */
  close(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function startLineChild(args: string[]): Promise<LineChild> {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: Array<(line: string) => void> = [];
  const early: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const waiter = waiting.shift();
    if (waiter) waiter(line);
    else early.push(line);
  });
  const next = () =>
    new Promise<any>((resolve, reject) => {
      const line = early.shift();
      if (line !== undefined) return resolve(JSON.parse(line));
      const onExit = () => reject(new Error(`${args.join(' ')} exited`));
      child.once('exit', onExit);
      waiting.push((text) => {
        child.off('exit', onExit);
        resolve(JSON.parse(text));
      });
    });
  const first = await next();
  return {
    first,
    process: child,
    ask(command) {
      child.stdin.write(`${command}\n`);
      return next();
    },
    send(command) {
      child.stdin.write(`${command}\n`);
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin.write('exit\n');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited(child);
        clearTimeout(timer);
      }
      child.stdin.destroy();
      child.stdout.destroy();
    },
  };
}

interface Upstream extends LineChild {
  readonly url: string;
  readonly token: string;
}

/** bench/server.mjs: the simulator with `jobs` jobs at `speed`, counting requests. */
async function startSimulator(jobs: number, speed: number): Promise<Upstream & { readonly ids: number[] }> {
  const child = await startLineChild([new URL('./server.mjs', import.meta.url).pathname, String(jobs), String(speed)]);
  return { ...child, url: child.first.url, token: child.first.token, ids: child.first.ids };
}

/** bench/flip-server.mjs: jobs 1..`jobs` that change (one step transition each time) when told to. */
async function startFlipServer(jobs: number): Promise<Upstream> {
  const child = await startLineChild([new URL('./flip-server.mjs', import.meta.url).pathname, String(jobs)]);
  return { ...child, url: child.first.url, token: child.first.token };
}

interface RelayChild extends LineChild {
  readonly url: string;
}

interface RelayMetrics {
  jobsWanted: number;
  jobsPolled: number;
  consumers: number;
  upstreamRequests: number;
  eventsSent: number;
  slowConsumersDropped: number;
}

/** bench/relay-child.mjs: one relay, memory store, in a process of its own (with --expose-gc). */
async function startRelayChild(upstream: Upstream, intervalMs: number, stamp = false): Promise<RelayChild> {
  const options = JSON.stringify({ baseUrl: upstream.url, token: upstream.token, relayToken, intervalMs, stamp });
  const profile = process.env['BENCH_RELAY_PROFILE'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_RELAY_PROFILE']}`] : [];
  const child = await startLineChild(['--expose-gc', ...profile, new URL('./relay-child.mjs', import.meta.url).pathname, options]);
  return { ...child, url: child.first.url };
}

/**
 * The offset of a child's clock from this one's (child − here), from the "clock" exchange with
 * the shortest round trip of 9: the child's reading against the middle of the round trip.
 */
async function clockOffset(child: LineChild): Promise<{ offsetMs: number; roundTripMs: number }> {
  let best = { offsetMs: 0, roundTripMs: Number.POSITIVE_INFINITY };
  for (let index = 0; index < 9; index += 1) {
    const before = clock();
    const { clock: theirs } = (await child.ask('clock')) as { clock: number };
    const after = clock();
    if (after - before < best.roundTripMs) best = { offsetMs: theirs - (before + after) / 2, roundTripMs: after - before };
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Event-stream consumers (node:http, one socket each)

interface Received {
  /** This process's clock when the chunk that completed the frame arrived. */
  readonly at: number;
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

interface Consumer {
  readonly jobId: string;
  /** Frames with an `event` (not comments, not `retry`); in `drain` mode, none are parsed. */
  readonly frames: Received[];
  bytes: number;
  ended: boolean;
  error: string | undefined;
  close(): void;
}

/**
 * Opens `GET {relay}/jobs/:jobId/events` with the relay's token; resolves once the headers are in.
 * `parse`: every frame is kept (with when it arrived); `drain`: the bytes are only counted.
 */
function openConsumer(relayUrl: string, jobId: string, mode: 'parse' | 'drain'): Promise<Consumer> {
  const url = new URL(`/jobs/${jobId}/events`, relayUrl);
  return new Promise((resolve, reject) => {
    const consumer: Consumer = { jobId, frames: [], bytes: 0, ended: false, error: undefined, close: () => request.destroy() };
    let buffer = '';
    const request = httpRequest(url, { agent: false, headers: { Authorization: `Bearer ${relayToken}`, Accept: 'text/event-stream' } }, (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`GET ${url.pathname}: ${response.statusCode}`));
        response.resume();
        return;
      }
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        const at = clock();
        consumer.bytes += chunk.length;
        if (mode === 'drain') return;
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          let id: string | undefined;
          let event: string | undefined;
          let data = '';
          for (const line of buffer.slice(0, end).split('\n')) {
            if (line.startsWith('id: ')) id = line.slice(4);
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data = line.slice(6);
          }
          buffer = buffer.slice(end + 2);
          if (event !== undefined) consumer.frames.push({ at, id, event, data });
        }
      });
      response.on('end', () => (consumer.ended = true));
      response.on('error', (error) => (consumer.error ??= error.message));
      resolve(consumer);
    });
    request.on('error', (error) => {
      consumer.error ??= error.message;
      reject(error);
    });
    request.end();
  });
}

/**
 * A lighter consumer for the sections with 1,000 and more streams, where they all share this
 * process's event loop: a raw TCP socket, the request written by hand, the (chunked) answer read
 * as latin1 text (the bodies are ASCII) and searched for frames, without an HTTP parser.
 * `transitions`: each `transition` frame's data is kept (and `snapshot` frames counted), stamped
 * with its chunk's arrival; `drain`: the bytes are only counted.
 */
function openRawConsumer(relayUrl: string, jobId: string, mode: 'transitions' | 'drain'): Promise<Consumer> {
  const url = new URL(`/jobs/${jobId}/events`, relayUrl);
  const transitionMark = '\nevent: transition\ndata: ';
  const snapshotMark = '\nevent: snapshot\n';
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const consumer: Consumer = { jobId, frames: [], bytes: 0, ended: false, error: undefined, close: () => socket.destroy() };
    let text = '';
    let started = false;
    socket.on('connect', () => socket.write(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${relayToken}\r\nAccept: text/event-stream\r\n\r\n`));
    socket.on('data', (chunk: Buffer) => {
      const at = clock();
      consumer.bytes += chunk.length;
      if (!started) {
        started = true;
        const status = chunk.toString('latin1', 0, 12);
        if (status !== 'HTTP/1.1 200') {
          socket.destroy();
          reject(new Error(`GET ${url.pathname}: ${status}`));
          return;
        }
        resolve(consumer);
      }
      if (mode === 'drain') return;
      text += chunk.toString('latin1');
      let from = 0;
      for (;;) {
        const transition = text.indexOf(transitionMark, from);
        const snapshot = text.indexOf(snapshotMark, from);
        if (snapshot >= 0 && (transition < 0 || snapshot < transition)) {
          consumer.frames.push({ at, id: undefined, event: 'snapshot', data: '' });
          from = snapshot + snapshotMark.length;
          continue;
        }
        if (transition < 0) break;
        const start = transition + transitionMark.length;
        const end = text.indexOf('\n', start);
        if (end < 0) {
          from = transition; // the data line is not all here yet
          break;
        }
        consumer.frames.push({ at, id: undefined, event: 'transition', data: text.slice(start, end) });
        from = end;
      }
      // Keep what a mark cut by the chunk's end may start with, and an incomplete data line.
      text = text.slice(Math.max(from, text.length - transitionMark.length));
    });
    socket.on('end', () => (consumer.ended = true));
    socket.on('error', (error) => {
      consumer.error ??= error.message;
      reject(error);
    });
  });
}

/** Opens one consumer per job id given, `parallel` at a time. */
async function openConsumers(relayUrl: string, jobIds: readonly string[], mode: 'parse' | 'drain' | 'transitions', parallel = 200): Promise<Consumer[]> {
  const consumers: Consumer[] = [];
  const open = (jobId: string) => (mode === 'parse' ? openConsumer(relayUrl, jobId, mode) : openRawConsumer(relayUrl, jobId, mode));
  for (let start = 0; start < jobIds.length; start += parallel) {
    consumers.push(...(await Promise.all(jobIds.slice(start, start + parallel).map(open))));
  }
  return consumers;
}

async function relayGet(relayUrl: string, path: string): Promise<any> {
  const response = await fetch(new URL(path, relayUrl), { headers: { Authorization: `Bearer ${relayToken}` } });
  return response.json();
}

/** Jobs 1..`jobs` asked for at once through the relay's batch route (100 ids a request). */
async function askForAll(relayUrl: string, jobs: number): Promise<void> {
  const batches: string[] = [];
  for (let first = 1; first <= jobs; first += 100) batches.push(Array.from({ length: Math.min(100, jobs - first + 1) }, (_, index) => first + index).join(','));
  await Promise.all(batches.map((ids) => relayGet(relayUrl, `/jobs/${ids}`)));
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(stepMs);
  }
  return condition();
}

/** The nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** The version a `contours` step transition of bench/flip-server.mjs brings its job to (see there). */
function versionOf(data: string): number | undefined {
  const event = JSON.parse(data) as { type?: string; stepId?: string; to?: string; attempt?: number };
  if (event.type !== 'step' || event.stepId !== 'contours' || event.attempt === undefined) return undefined;
  if (event.to === 'blocked') return 2 * event.attempt - 1;
  if (event.to === 'running' && event.attempt > 1) return 2 * (event.attempt - 1);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// 1. Upstream requests against consumers

interface RequestsRow {
  readonly label: string;
  readonly consumers: number;
  readonly jobsWanted: number;
  readonly requests: number;
  readonly pollsPerJob: number;
  readonly perCycle: number;
  readonly relayCounted: number;
  readonly target: number;
  readonly met: boolean;
}

async function upstreamRequests(missed: MissedTarget[]): Promise<string> {
  const jobs = 200;
  const intervalMs = 1000;
  const windowIntervals = 4;
  // Jobs that stay put (speed 0.0001: pending for an hour): a steady window, answered 304.
  const simulator = await startSimulator(jobs, 0.0001);
  const ids = simulator.ids.map(String);
  type Arrival = 'gets' | 'consumers' | 'batch';
  const plans: Array<{ consumers: number; arrival: Arrival }> = [
    { consumers: 1, arrival: 'gets' },
    { consumers: 10, arrival: 'gets' },
    { consumers: 100, arrival: 'gets' },
    { consumers: 1000, arrival: 'gets' },
    { consumers: 1000, arrival: 'consumers' },
    { consumers: 1000, arrival: 'batch' },
  ];
  const rows: RequestsRow[] = [];
  try {
    for (const plan of plans) {
      const relay = await startRelayChild(simulator, intervalMs);
      const consumers: Consumer[] = [];
      try {
        // How the 200 jobs come to be wanted: one `GET /jobs/:id` each through the relay (an Ordo
        // client pointed at it), spread over one interval; or both batch GETs at once; or only
        // by the consumers themselves.
        if (plan.arrival === 'gets') {
          const gets: Array<Promise<unknown>> = [];
          for (const id of ids) {
            gets.push(relayGet(relay.url, `/jobs/${id}`));
            await sleep(intervalMs / jobs);
          }
          await Promise.all(gets);
        } else if (plan.arrival === 'batch') {
          await Promise.all([relayGet(relay.url, `/jobs/${ids.slice(0, 100).join(',')}`), relayGet(relay.url, `/jobs/${ids.slice(100).join(',')}`)]);
        }
        // The consumers, round-robin over the jobs, arriving over one interval.
        const opening: Array<Promise<Consumer>> = [];
        for (let index = 0; index < plan.consumers; index += 1) {
          opening.push(openRawConsumer(relay.url, ids[index % jobs]!, 'drain'));
          await sleep(intervalMs / plan.consumers);
        }
        consumers.push(...(await Promise.all(opening)));
        await sleep(1.5 * intervalMs); // settle
        simulator.send('reset');
        const before = (await relay.ask('metrics')) as { metrics: RelayMetrics };
        await sleep(windowIntervals * intervalMs);
        const count = (await simulator.ask('count')) as { requests: number; jobPolls: number };
        const after = (await relay.ask('metrics')) as { metrics: RelayMetrics };
        const jobsWanted = after.metrics.jobsWanted;
        const pollsPerJob = count.jobPolls / jobsWanted;
        const perCycle = count.requests / Math.max(1, pollsPerJob);
        const target = Math.ceil(jobs / 100);
        const met = perCycle <= target * 1.05;
        const label =
          plan.arrival === 'gets'
            ? `${en(plan.consumers)}`
            : plan.arrival === 'consumers'
              ? `${en(plan.consumers)}, no GETs first (the consumers make the jobs wanted)`
              : `${en(plan.consumers)}, the 200 jobs asked for at once (two batch GETs)`;
        rows.push({ label, consumers: plan.consumers, jobsWanted, requests: count.requests, pollsPerJob, perCycle, relayCounted: after.metrics.upstreamRequests - before.metrics.upstreamRequests, target, met });
        console.log(`relay, upstream requests, ${label} consumers: ${count.requests} requests, ${pollsPerJob.toFixed(2)} polls per job, ${perCycle.toFixed(2)} per poll cycle (target ${target})`);
        if (!met) {
          missed.push({
            target: `Relay: ⌈200/100⌉ = 2 upstream requests per poll cycle for 200 jobs; consumers: ${label}`,
            section,
            measured: `${perCycle.toFixed(2)} requests per poll cycle (${count.requests} requests, ${pollsPerJob.toFixed(2)} polls per job in ${windowIntervals} intervals), target 2`,
          });
        }
      } finally {
        consumers.forEach((consumer) => consumer.close());
        await relay.close();
      }
    }
  } finally {
    await simulator.close();
  }
  // Where the jobs asked for at once meet the target and the others do not, say why.
  const atOnce = rows.at(-1);
  if (atOnce?.met) {
    for (const target of missed) {
      if (target.target.startsWith('Relay: ⌈200/100⌉'))
        Object.assign(target, { note: 'The relay polls every job on one beat and the batcher merges partial groups (docs/relay.md, "Operations", upstream load); a miss here means answers of one beat came back too far apart to be pooled (a busy machine).' });
    }
  }
  return `### Upstream requests against consumers

200 jobs on the simulator (bench/server.mjs, in its own process, counting every request it
answers; the jobs stay pending, so answers are 304s), one relay (bench/relay-child.mjs,
\`intervalMs: ${intervalMs}\`, a fresh process per row). Unless the row says otherwise, the 200 jobs are first
asked for once each through the relay's \`GET /jobs/:id\` (as an Ordo client pointed at the relay
would), spread over one interval, so the relay polls all 200 in every row; then the consumers
open event streams, round-robin over the 200 jobs, spread over the next interval. After 1.5
intervals to settle, the requests the simulator saw in ${windowIntervals} intervals; a poll cycle is the interval
plus the answer time and the batch window, so requests are divided by the polls each job got
(job answers ÷ jobs wanted). Target: ⌈200/100⌉ = 2 requests per poll cycle whatever the consumers.

| consumers (event streams) | jobs wanted | upstream requests in the window (the relay's count) | polls per job | requests per poll cycle |
| --- | ---: | ---: | ---: | ---: |
${rows.map((row) => `| ${row.label} | ${row.jobsWanted} | ${row.requests} (${row.relayCounted}) | ${row.pollsPerJob.toFixed(2)} | ${row.perCycle.toFixed(2)} ${mark(row.met)} |`).join('\n')}

The last three rows have the same 1,000 consumers and differ only in how the 200 jobs first came
to be wanted.
`;
}

// ---------------------------------------------------------------------------------------------
// 2a. Fan-out latency: from the relay's upstream answer to 1,000 consumers

async function fanOutLatency(flip: Upstream, missed: MissedTarget[]): Promise<string> {
  const jobs = 200;
  const perJob = 5;
  const intervalMs = 1000;
  const flips = 5;
  const relay = await startRelayChild(flip, intervalMs, true);
  let consumers: Consumer[] = [];
  try {
    // The jobs asked for at once first, so the relay polls them in ⌈200/100⌉ = 2 batches.
    await askForAll(relay.url, jobs);
    const jobIds = Array.from({ length: jobs * perJob }, (_, index) => String((index % jobs) + 1));
    consumers = await openConsumers(relay.url, jobIds, 'transitions');
    const ready = await until(() => consumers.every((consumer) => consumer.frames.some((frame) => frame.event === 'snapshot')), 15_000, 100);
    if (!ready) throw new Error('fan-out: not every consumer got its first snapshot in 15 s');
    await sleep(1500);
    const { offsetMs, roundTripMs } = await clockOffset(relay);
    await flip.ask('log'); // forget earlier flips
    await relay.ask('stamps');
    const armedAt = clock();
    for (let index = 0; index < flips; index += 1) {
      await flip.ask(`flip 1 ${jobs}`);
      await sleep(1300 + Math.random() * 1000); // more than a poll cycle: each poll sees one flip
    }
    await sleep(1000);
    const { flips: log } = (await flip.ask('log')) as { flips: Array<[number, number, number, number]> };
    const { stamps, writes } = (await relay.ask('stamps')) as { stamps: Record<string, Array<[number, number]>>; writes: Array<[string, number]> };
    const metrics = ((await relay.ask('metrics')) as { metrics: RelayMetrics }).metrics;
    const genOf = new Map(log.map(([id, version, , gen]) => [`${id}:${version}`, gen]));
    /** Each upstream answer that carried a change (one batch of jobs, one flip): its stamp, its frames' writes and receipts, relative to it. */
    const answers = new Map<number, { written: number[]; received: number[] }>();
    const answerOf = (at: number) => {
      let answer = answers.get(at);
      if (!answer) answers.set(at, (answer = { written: [], received: [] }));
      return answer;
    };
    let unmatched = 0;
    for (const consumer of consumers) {
      for (const frame of consumer.frames) {
        if (frame.event !== 'transition' || frame.at < armedAt) continue;
        const version = versionOf(frame.data);
        const gen = version === undefined ? undefined : genOf.get(`${consumer.jobId}:${version}`);
        const stamp = gen === undefined ? undefined : stamps[consumer.jobId]?.find(([seen]) => seen >= gen);
        if (!stamp) {
          unmatched += 1;
          continue;
        }
        // The arrival here, on the relay's clock, minus when the relay's answer came.
        answerOf(stamp[1]).received.push(frame.at + offsetMs - stamp[1]);
      }
    }
    // The relay's part: each `transition` frame written, against its job's latest answer before.
    for (const [jobId, at] of writes) {
      const stamp = stamps[jobId]?.filter(([, stampedAt]) => stampedAt <= at).at(-1);
      if (stamp && answers.has(stamp[1])) answerOf(stamp[1]).written.push(at - stamp[1]);
    }
    const latencies = [...answers.values()].flatMap((answer) => answer.received).sort((a, b) => a - b);
    const written = [...answers.values()].flatMap((answer) => answer.written).sort((a, b) => a - b);
    const perAnswer = [...answers.values()].map(({ written: w, received: r }) => ({ lastWritten: Math.max(...w), firstReceived: Math.min(...r), lastReceived: Math.max(...r), frames: r.length }));
    const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
    const worst = (values: number[]) => Math.max(...values);
    const expected = flips * consumers.length;
    const p99 = percentile(latencies, 99);
    const met = p99 <= 100;
    // Whether an answer's first frame reached a consumer only once the relay had written its last.
    const heldBack = median(perAnswer.map((answer) => answer.firstReceived)) >= 0.8 * median(perAnswer.map((answer) => answer.lastWritten));
    const complete = latencies.length === expected;
    if (!met)
      missed.push({
        target: 'Relay fan-out: p99 ≤ 100 ms from the upstream answer to 1,000 consumers',
        section,
        measured: `p99 ${ms(p99)} (p50 ${ms(percentile(latencies, 50))}, max ${ms(latencies.at(-1) ?? Number.NaN)}), target ≤ 100 ms`,
        note: heldBack
          ? 'The relay handles a whole batch answer (100 jobs) in one go, and node:http corks each response until the next tick: no frame leaves before the last job of the batch is written, then all of them go out at once.'
          : undefined,
      });
    if (!complete) missed.push({ target: 'Relay fan-out: every consumer receives every transition', section, measured: `${en(latencies.length)} of ${en(expected)} transitions received and matched (${unmatched} unmatched)` });
    console.log(
      `relay, fan-out: ${latencies.length}/${expected} transitions, p50 ${ms(percentile(latencies, 50))}, p99 ${ms(p99)}, max ${ms(latencies.at(-1) ?? Number.NaN)} (written: p50 ${ms(percentile(written, 50))}, p99 ${ms(percentile(written, 99))}; ${answers.size} answers); clock offset ${offsetMs.toFixed(2)} ms ± ${(roundTripMs / 2).toFixed(2)}`,
    );
    return `### Latency from a change to 1,000 consumers: the relay's fan-out

${en(consumers.length)} event streams (${perJob} per job, 200 jobs) on one relay (bench/relay-child.mjs, \`intervalMs: ${intervalMs}\`,
memory store); the 200 jobs asked for at once first (two batch GETs), so the relay polls them in 2
requests. The consumers run in this process as raw TCP sockets (the request written by hand, the
answer searched for \`transition\` frames without an HTTP parser), so that 1,000 of them sharing one
event loop cost little. The Ordo side is bench/flip-server.mjs: on command, every job's \`contours\`
step moves (running → blocked → running, attempt + 1), one transition per job; ${flips} such changes,
more than a poll cycle apart. The relay's \`fetch\` is wrapped to stamp when each answer carrying a
change arrives (the fetch resolved: headers in, body not yet read), and \`ServerResponse#write\` to
stamp each \`transition\` frame it writes; each consumer stamps the chunk that completes the frame
when it arrives. The clocks are \`performance.timeOrigin + performance.now()\` in each process,
aligned by the shortest of 9 ping-pongs over the relay's stdin/stdout: offset ${offsetMs.toFixed(2)} ms, ± ${(roundTripMs / 2).toFixed(2)} ms.
The latency covers reading and validating the batch body (100 jobs), the lifecycle, the store
append, the writes to each stream, loopback and this process's event loop; not the wait for the poll.

| measure | value | target |
| --- | ---: | ---: |
| transitions received (${flips} changes × ${en(consumers.length)} consumers) | ${en(latencies.length)} of ${en(expected)} ${mark(complete)} | all |
| answer → received by the consumer: p50 | ${ms(percentile(latencies, 50))} | |
| p99 | ${ms(p99)} ${mark(met)} | ≤ 100 ms |
| max | ${ms(latencies.at(-1) ?? Number.NaN)} | |
| answer → frame written by the relay: p50 / p99 / max | ${ms(percentile(written, 50))} / ${ms(percentile(written, 99))} / ${ms(written.at(-1) ?? Number.NaN)} | |
| per answer (100 jobs, 500 streams; median / worst of ${answers.size}): answer → last frame written | ${ms(median(perAnswer.map((answer) => answer.lastWritten)))} / ${ms(worst(perAnswer.map((answer) => answer.lastWritten)))} | |
| per answer: answer → first frame received | ${ms(median(perAnswer.map((answer) => answer.firstReceived)))} / ${ms(worst(perAnswer.map((answer) => answer.firstReceived)))} | |
| per answer: answer → last frame received | ${ms(median(perAnswer.map((answer) => answer.lastReceived)))} / ${ms(worst(perAnswer.map((answer) => answer.lastReceived)))} | |
| events written by the relay (its \`eventsSent\`, connection replays included) | ${en(metrics.eventsSent)} | |
${
      heldBack
        ? `
The first frame of an answer reaches a consumer only about when the relay has written the last
one: the relay handles the whole batch in one go, and node:http corks each response until the next
tick, so nothing leaves before the batch is done.
`
        : ''
    }`;
  } finally {
    consumers.forEach((consumer) => consumer.close());
    await relay.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 2b. End to end, beside plain polling

async function endToEnd(flip: Upstream): Promise<string> {
  const jobs = 40;
  const intervalMs = 3000;
  const scheduleMs = 18_000;
  const relay = await startRelayChild(flip, intervalMs);
  const relayClient = createOrdoClient({ relay: relay.url, token: relayToken });
  const pollClient = createOrdoClient({ baseUrl: flip.url, token: flip.token, intervalMs });
  const received: Array<{ client: 'relay' | 'poll'; jobId: string; version: number; at: number }> = [];
  const subscriptions: Subscription[] = [];
  try {
    for (let id = 1; id <= jobs; id += 1) {
      for (const [name, client] of [
        ['relay', relayClient],
        ['poll', pollClient],
      ] as const) {
        subscriptions.push(
          client.jobEvents$(String(id)).subscribe({
            next: (event) => {
              const at = clock();
              if (event.type !== 'step' || event.stepId !== 'contours') return;
              const version = event.to === 'blocked' ? 2 * event.attempt - 1 : event.to === 'running' && event.attempt > 1 ? 2 * (event.attempt - 1) : undefined;
              if (version !== undefined) received.push({ client: name, jobId: String(id), version, at });
            },
            error: (error: unknown) => console.error(`relay, end to end, ${name} ${id}: ${String(error)}`),
          }),
        );
      }
    }
    await sleep(intervalMs + 1500); // both have their first snapshot
    const { offsetMs, roundTripMs } = await clockOffset(flip);
    await flip.ask('log');
    received.length = 0;
    // Each job changes on its own, at random gaps longer than a poll cycle, so each change is seen
    // alone and falls at a random point of the poll cycles.
    await flip.ask(`schedule 1 ${jobs} ${intervalMs + 400} ${2 * intervalMs + 400} ${scheduleMs}`);
    await sleep(scheduleMs + intervalMs + 1000);
    const { flips: log } = (await flip.ask('log')) as { flips: Array<[number, number, number, number]> };
    const flippedAt = new Map(log.map(([id, version, at]) => [`${id}:${version}`, at - offsetMs]));
    const rows = (['relay', 'poll'] as const).map((name) => {
      const latencies = received
        .filter((entry) => entry.client === name)
        .map((entry) => {
          const at = flippedAt.get(`${entry.jobId}:${entry.version}`);
          return at === undefined ? Number.NaN : entry.at - at;
        })
        .filter((value) => Number.isFinite(value))
        .sort((a, b) => a - b);
      return { name, latencies };
    });
    for (const { name, latencies } of rows) console.log(`relay, end to end, ${name}: ${latencies.length}/${log.length} changes, mean ${ms(mean(latencies))}, p99 ${ms(percentile(latencies, 99))}`);
    const label = { relay: `\`createOrdoClient({ relay })\` ← relay (interval ${intervalMs / 1000} s) ← server`, poll: `\`createOrdoClient({ baseUrl, intervalMs: ${intervalMs} })\` ← server` };
    return `### Latency from a change to a consumer, end to end, beside plain polling

${jobs} jobs on bench/flip-server.mjs, each changing on its own ${log.length ? `${log.length} times in all` : ''} at random gaps of
${(intervalMs + 400) / 1000}–${(2 * intervalMs + 400) / 1000} s (longer than a poll cycle, so a change lands at a random point of the cycle). In this process,
two clients watch every job with \`jobEvents$\`: one through the relay (\`createOrdoClient({ relay,
token })\`, pushed over its event stream, validated like a poll), one polling the server itself at
the same ${intervalMs / 1000} s. Latency: from the change at the server (its clock, aligned by the shortest of 9
ping-pongs: offset ${offsetMs.toFixed(2)} ms ± ${(roundTripMs / 2).toFixed(2)} ms) to the transition in \`jobEvents$\`.
Both wait for the next poll, about half an interval on average (at most a whole one, plus the
batch window and the answer); the relay adds its fan-out (above) and a hop. Its gain is not a
shorter wait but one poll for every consumer.

| path | changes seen | mean | p50 | p99 | max |
| --- | ---: | ---: | ---: | ---: | ---: |
${rows.map(({ name, latencies }) => `| ${label[name]} | ${latencies.length} of ${log.length} | ${ms(mean(latencies))} | ${ms(percentile(latencies, 50))} | ${ms(percentile(latencies, 99))} | ${ms(latencies.at(-1) ?? Number.NaN)} |`).join('\n')}
`;
  } finally {
    subscriptions.forEach((subscription) => subscription.unsubscribe());
    await relay.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Events per second per relay instance

async function eventsPerSecond(flip: Upstream): Promise<string> {
  const jobs = 200;
  const intervalMs = 100;
  const flipMs = 100;
  const windowMs = 6000;
  const levels = [1000, 3000];
  const rows: string[] = [];
  for (const consumerCount of levels) {
    const relay = await startRelayChild(flip, intervalMs);
    let consumers: Consumer[] = [];
    try {
      await askForAll(relay.url, jobs); // polled in 2 batches
      consumers = await openConsumers(
        relay.url,
        Array.from({ length: consumerCount }, (_, index) => String((index % jobs) + 1)),
        'drain',
      );
      await until(async () => ((await relay.ask('metrics')) as { metrics: RelayMetrics }).metrics.jobsPolled === jobs, 10_000, 100);
      await flip.ask(`auto ${flipMs}`);
      await sleep(1500);
      const before = (await relay.ask('metrics')) as { metrics: RelayMetrics; cpuMicros: number; clock: number };
      const bytesBefore = consumers.reduce((sum, consumer) => sum + consumer.bytes, 0);
      const ownBefore = process.cpuUsage();
      const flipCount = (await flip.ask('count')) as { requests: number };
      await sleep(windowMs);
      const after = (await relay.ask('metrics')) as { metrics: RelayMetrics; cpuMicros: number; clock: number };
      const own = process.cpuUsage(ownBefore);
      const flipAfter = (await flip.ask('count')) as { requests: number };
      await flip.ask('auto 0');
      const bytes = consumers.reduce((sum, consumer) => sum + consumer.bytes, 0) - bytesBefore;
      const seconds = (after.clock - before.clock) / 1000;
      const events = (after.metrics.eventsSent - before.metrics.eventsSent) / seconds;
      const cores = (after.cpuMicros - before.cpuMicros) / 1e6 / seconds;
      const ownCores = (own.user + own.system) / 1e6 / seconds;
      const upstream = (after.metrics.upstreamRequests - before.metrics.upstreamRequests) / seconds;
      const dropped = after.metrics.slowConsumersDropped;
      const open = consumers.filter((consumer) => !consumer.ended && consumer.error === undefined).length;
      console.log(`relay, events per second, ${consumerCount} consumers: ${en(events)} events/s, ${mib(bytes / seconds)}/s, relay ${cores.toFixed(2)} cores, consumers ${ownCores.toFixed(2)} cores, ${upstream.toFixed(1)} upstream requests/s, ${dropped} dropped`);
      rows.push(
        `| ${en(consumerCount)} (${consumerCount / jobs} per job) | ${en(events)} | ${en(events / cores)} | ${mib(bytes / seconds)}/s | ${cores.toFixed(2)} | ${ownCores.toFixed(2)} | ${upstream.toFixed(1)} (${((flipAfter.requests - flipCount.requests) / seconds).toFixed(1)} at the server) | ${dropped} (${en(open)} open at the end) |`,
      );
    } finally {
      await flip.ask('auto 0');
      consumers.forEach((consumer) => consumer.close());
      await relay.close();
    }
  }
  return `### Events per second per relay instance

200 jobs on bench/flip-server.mjs, every one changing every ${flipMs} ms (one step transition); one relay
(bench/relay-child.mjs, the 200 jobs asked for at once, so 2 batches) polling at \`intervalMs: ${intervalMs}\` (the
CLI's floor), so nearly every poll of every job brings a change, which the relay writes to each of
the job's consumers as two frames (\`transition\`, then \`snapshot\` with the ~4.6 KB body). The
consumers are raw sockets in this process, counting bytes. Over ${windowMs / 1000} s after 1.5 s of warm-up: events
the relay wrote (its \`eventsSent\`) per second, the bytes the consumers received, the CPU of the
relay process and of this one (\`process.cpuUsage\`). The machine has 2 cores: when the relay uses
less than one while the consumers do not use the other, something else had it (events per
CPU-second of the relay is the figure that depends least on that). The interval runs from the
answer, so a relay busy writing polls a little less often.

| consumers | events written per second | per CPU-second of the relay | received | relay CPU (cores) | consumers' CPU (cores) | upstream requests per second | slow consumers dropped |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}
`;
}

// ---------------------------------------------------------------------------------------------
// 4. Memory per event stream

async function memoryPerStream(flip: Upstream): Promise<string> {
  const jobs = 200;
  const steps = [0, 1000, 2000];
  const relay = await startRelayChild(flip, 3000);
  const consumers: Consumer[] = [];
  try {
    // The 200 jobs wanted and polled before any stream, so the steps differ by the streams only.
    await askForAll(relay.url, jobs);
    await sleep(1000);
    const samples: Array<{ streams: number; memory: NodeJS.MemoryUsage }> = [];
    for (const streams of steps) {
      const more = streams - consumers.length;
      consumers.push(...(await openConsumers(relay.url, Array.from({ length: more }, (_, index) => String(((consumers.length + index) % jobs) + 1)), 'drain')));
      await until(async () => ((await relay.ask('metrics')) as { metrics: RelayMetrics }).metrics.consumers === streams, 10_000, 100);
      await sleep(1000); // replays written, idle
      samples.push({ streams, memory: (await relay.ask('memory')) as NodeJS.MemoryUsage });
    }
    const base = samples[0]!.memory;
    const last = samples.at(-1)!;
    const per = (key: keyof NodeJS.MemoryUsage) => (last.memory[key] - base[key]) / last.streams;
    console.log(`relay, memory: ${kib(per('heapUsed'))} heap, ${kib(per('rss'))} RSS per stream`);
    return `### Memory per event stream

One relay (bench/relay-child.mjs, memory store) with the 200 jobs wanted and polled (two batch GETs
first), then 1,000 and 2,000 idle event streams (10 per job at the end; nothing changes, the
consumers read in this process); after each step, once the streams' replays are written, the
relay process reports \`process.memoryUsage()\` after two full GCs. Per stream: the difference
from 0 streams, divided by the streams.

| event streams | heap used | RSS | external + array buffers |
| ---: | ---: | ---: | ---: |
${samples.map(({ streams, memory }) => `| ${en(streams)} | ${mib(memory.heapUsed)} | ${mib(memory.rss)} | ${mib(memory.external + memory.arrayBuffers)} |`).join('\n')}
| **per stream** (0 → ${en(last.streams)}) | **${kib(per('heapUsed'))}** | **${kib(per('rss'))}** | ${kib(per('external') + per('arrayBuffers'))} |
`;
  } finally {
    consumers.forEach((consumer) => consumer.close());
    await relay.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 5. Take-over through Redis

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.resume();
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGKILL');
      await exited(child);
      child.stdout.destroy();
      child.stderr.destroy();
    },
  };
}

interface CliRelay {
  readonly url: string;
  readonly process: ChildProcess;
}

async function startCliRelay(upstream: Upstream, redisUrl: string, intervalMs: number, leaseMs: number): Promise<CliRelay> {
  const child = spawn(
    process.execPath,
    [`${root}dist/cli.js`, 'relay', '--base-url', upstream.url, '--token-env', 'BENCH_ORDO_TOKEN', '--relay-token-env', 'BENCH_RELAY_TOKEN', '--port', '0', '--interval', `${intervalMs}ms`, '--redis', redisUrl, '--lease', `${leaseMs}ms`],
    { cwd: root, env: { ...process.env, BENCH_ORDO_TOKEN: upstream.token, BENCH_RELAY_TOKEN: relayToken, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /listening on (http:\/\/\S+)/.exec(output);
      if (found) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve(found[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`ordo-status relay exited with ${code}: ${output}`)));
  });
  return { url, process: child };
}

async function stopCli(relay: CliRelay): Promise<void> {
  const child = relay.process;
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited(child);
    clearTimeout(timer);
  }
  child.stdout?.destroy();
}

/** Orders Redis stream ids (`<ms>-<seq>`). */
function compareIds(a: string, b: string): number {
  const [aMs = 0n, aSeq = 0n] = a.split('-').map(BigInt);
  const [bMs = 0n, bSeq = 0n] = b.split('-').map(BigInt);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

interface TakeOver {
  readonly takeOverMs: number | undefined;
  /** Whether the instance that took over is the one the consumers read from. */
  readonly consumersOnNewHolder: boolean | undefined;
  readonly firstEventMs: number | undefined;
  readonly consumers: number;
  readonly eventsBefore: number;
  readonly eventsAfter: number;
  readonly outOfOrder: number;
  readonly duplicateIds: number;
  readonly duplicateTransitions: number;
  readonly consumersWithoutEventsAfter: number;
  readonly skippedVersions: number;
}

async function takeOverTrial(flip: Upstream, intervalMs: number, leaseMs: number): Promise<TakeOver> {
  const jobs = 20;
  const perJob = 5;
  const redis = await startRedis();
  const relays: CliRelay[] = [];
  let consumers: Consumer[] = [];
  try {
    for (let index = 0; index < 3; index += 1) relays.push(await startCliRelay(flip, redis.url, intervalMs, leaseMs));
    const metricsOf = (relay: CliRelay) => relayGet(relay.url, '/metrics') as Promise<RelayMetrics>;
    // The jobs wanted (through instance 0), then which instance polls them.
    await relayGet(relays[0]!.url, `/jobs/${Array.from({ length: jobs }, (_, index) => index + 1).join(',')}`);
    let holder = -1;
    await until(async () => {
      const all = await Promise.all(relays.map(metricsOf));
      holder = all.findIndex((metrics) => metrics.jobsPolled > 0);
      return holder >= 0;
    }, 10_000);
    if (holder < 0) throw new Error('take-over: no instance polls');
    const home = relays.findIndex((_, index) => index !== holder);
    const survivors = relays.filter((_, index) => index !== holder);
    consumers = await openConsumers(
      relays[home]!.url,
      Array.from({ length: jobs * perJob }, (_, index) => String((index % jobs) + 1)),
      'parse',
    );
    await until(() => consumers.every((consumer) => consumer.frames.some((frame) => frame.event === 'snapshot')), 10_000, 100);
    await flip.ask(`auto ${Math.round(intervalMs * 1.4)}`);
    await sleep(2 * leaseMs);
    const before = await Promise.all(survivors.map(metricsOf));
    const killedAt = clock();
    relays[holder]!.process.kill('SIGKILL');
    let takeOverMs: number | undefined;
    let newHolder: CliRelay | undefined;
    await until(async () => {
      const now = await Promise.all(survivors.map(metricsOf));
      const index = now.findIndex((metrics, at) => metrics.upstreamRequests > before[at]!.upstreamRequests);
      if (index >= 0) {
        takeOverMs = clock() - killedAt;
        newHolder = survivors[index];
      }
      return takeOverMs !== undefined;
    }, 5 * leaseMs, 20);
    await sleep(leaseMs);
    await flip.ask('auto 0');
    await sleep(500);
    // After the kill: events whose Redis stream id (the XADD time, this machine's clock) is later.
    const killedAtMs = BigInt(Math.floor(killedAt));
    const isAfter = (id: string | undefined) => id !== undefined && BigInt(id.split('-')[0]!) > killedAtMs;
    let firstEventAt = Number.POSITIVE_INFINITY;
    let outOfOrder = 0;
    let duplicateIds = 0;
    let duplicateTransitions = 0;
    let eventsBefore = 0;
    let eventsAfter = 0;
    let consumersWithoutEventsAfter = 0;
    let skippedVersions = 0;
    for (const consumer of consumers) {
      const seen = new Set<string>();
      const transitions = new Set<string>();
      let previous: string | undefined;
      let after = 0;
      let lastVersion: number | undefined;
      for (const frame of consumer.frames) {
        if (frame.id === undefined) continue;
        if (seen.has(frame.id)) duplicateIds += 1;
        seen.add(frame.id);
        if (previous !== undefined && compareIds(frame.id, previous) <= 0) outOfOrder += 1;
        previous = frame.id;
        if (frame.event === 'transition') {
          if (transitions.has(frame.data)) duplicateTransitions += 1;
          transitions.add(frame.data);
          const version = versionOf(frame.data);
          if (version !== undefined) {
            if (lastVersion !== undefined && version > lastVersion + 1) skippedVersions += version - lastVersion - 1;
            lastVersion = version;
          }
        }
        if (isAfter(frame.id)) {
          after += 1;
          firstEventAt = Math.min(firstEventAt, frame.at);
        }
      }
      eventsAfter += after;
      eventsBefore += seen.size - after;
      if (after === 0) consumersWithoutEventsAfter += 1;
    }
    return {
      takeOverMs,
      consumersOnNewHolder: newHolder === undefined ? undefined : newHolder === relays[home],
      firstEventMs: Number.isFinite(firstEventAt) ? firstEventAt - killedAt : undefined,
      consumers: consumers.length,
      eventsBefore,
      eventsAfter,
      outOfOrder,
      duplicateIds,
      duplicateTransitions,
      consumersWithoutEventsAfter,
      skippedVersions,
    };
  } finally {
    await flip.ask('auto 0');
    consumers.forEach((consumer) => consumer.close());
    await Promise.all(relays.map(stopCli));
    await redis.stop();
  }
}

async function takeOver(flip: Upstream, missed: MissedTarget[]): Promise<string> {
  const intervalMs = 500;
  const leaseMs = 2000;
  const trials = 2;
  const results: TakeOver[] = [];
  for (let trial = 0; trial < trials; trial += 1) {
    const result = await takeOverTrial(flip, intervalMs, leaseMs);
    results.push(result);
    console.log(
      `relay, take-over ${trial + 1}: upstream again after ${result.takeOverMs === undefined ? 'never' : ms(result.takeOverMs)}, first event after ${result.firstEventMs === undefined ? 'never' : ms(result.firstEventMs)}; ${result.outOfOrder} out of order, ${result.duplicateIds} duplicate ids, ${result.duplicateTransitions} duplicate transitions`,
    );
  }
  const lease = (value: number | undefined) => (value === undefined ? 'never' : `${ms(value)} (${(value / leaseMs).toFixed(2)} leases)`);
  const rows = results.map((result, index) => {
    const met = result.takeOverMs !== undefined && result.takeOverMs <= 2 * leaseMs;
    const clean = result.outOfOrder === 0 && result.duplicateIds === 0 && result.duplicateTransitions === 0 && result.consumersWithoutEventsAfter === 0;
    if (!met) missed.push({ target: 'Relay take-over: ≤ 2 lease periods', section, measured: `trial ${index + 1}: ${lease(result.takeOverMs)}, target ≤ ${2 * leaseMs} ms` });
    if (!clean)
      missed.push({
        target: "Relay take-over: each consumer's event ids strictly increasing, no duplicates",
        section,
        measured: `trial ${index + 1}: ${result.outOfOrder} ids out of order, ${result.duplicateIds} duplicate ids, ${result.duplicateTransitions} duplicate transitions, ${result.consumersWithoutEventsAfter} consumers without events after the kill`,
      });
    const by = result.consumersOnNewHolder === undefined ? '' : result.consumersOnNewHolder ? ' (by the consumers\' instance)' : ' (by the third instance)';
    return `| ${index + 1} | ${lease(result.takeOverMs)}${by} ${mark(met)} | ${lease(result.firstEventMs)} | ${en(result.eventsBefore)} / ${en(result.eventsAfter)} | ${result.outOfOrder} / ${result.duplicateIds} / ${result.duplicateTransitions} ${mark(clean)} | ${result.consumersWithoutEventsAfter} | ${result.skippedVersions} |`;
  });
  return `### Take-over through Redis

A redis-server of its own (no persistence), three relays as the CLI runs them (\`node dist/cli.js
relay … --interval ${intervalMs}ms --redis redis://… --lease ${leaseMs / 1000}s\`, each a process), 20 jobs of bench/flip-server.mjs asked
for through one instance and changing every ${(intervalMs * 1.4) / 1000} s. The lease holder is the instance whose
\`/metrics\` shows \`jobsPolled\` > 0; 100 event streams (5 per job) read from another instance. After
2 lease periods, the holder is killed (\`SIGKILL\`). Take-over: from the kill to the first upstream
request another instance counts (its \`/metrics\`, read every 20 ms). First event: from the kill to
the first event a consumer receives whose Redis stream id (the time of its \`XADD\`) is after the
kill. Then every consumer's ids are checked: strictly increasing, none twice, no transition twice.
Target: take-over ≤ 2 lease periods (${(2 * leaseMs) / 1000} s). The lease is renewed every third of it, so it expires
⅔ to 1 lease after the kill; the others try every third of a lease, so one should poll ⅔ to 1⅓
leases after the kill. Versions skipped: changes
the consumers never saw as a transition (the server changed more than once while no one polled;
polling cannot see those, relay or not).

| trial | take-over | first event after the kill | events before / after the kill | out of order / duplicate ids / duplicate transitions | consumers without events after | versions skipped |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}
`;
}

// ---------------------------------------------------------------------------------------------

/** Every relay measurement, as one section of docs/benchmarks.md. */
export async function relayBench(): Promise<BenchSection> {
  const started = Date.now();
  const loadBefore = loadavg()[0]!;
  const missed: MissedTarget[] = [];
  const parts: string[] = [];
  // BENCH_RELAY=fanout,takeover runs only those parts (to iterate on one).
  const only = process.env['BENCH_RELAY']?.split(',').map((name) => name.trim());
  const run = async (name: string, part: () => Promise<string>) => {
    if (only && !only.includes(name)) return;
    const partStarted = Date.now();
    parts.push(await part());
    console.log(`relay, ${name}: ${((Date.now() - partStarted) / 1000).toFixed(1)} s`);
  };
  await run('requests', () => upstreamRequests(missed));
  const flip = await startFlipServer(200);
  try {
    await run('fanout', () => fanOutLatency(flip, missed));
    await run('e2e', () => endToEnd(flip));
    await run('events', () => eventsPerSecond(flip));
    await run('memory', () => memoryPerStream(flip));
    await run('takeover', () => takeOver(flip, missed));
  } finally {
    await flip.close();
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(`relay: ${seconds.toFixed(0)} s`);
  const markdown = `## Relay: one poll per job, pushed to many consumers

\`ordo-status/relay\` (docs/relay.md), measured with real processes on loopback: the Ordo side, each
relay and redis-server are processes of their own; the consumers run in the bench process. This
section took ${seconds.toFixed(0)} s; the machine's load average (1 min) was ${loadBefore.toFixed(1)} when it started and
${loadavg()[0]!.toFixed(1)} when it ended (latencies and rates here move with what else runs).

${parts.join('\n')}`;
  return { markdown, missed };
}
