// An Ordo server whose jobs change when told to, in its own process, for the relay benchmark
// (bench/relay.ts); not the simulator. Usage: node bench/flip-server.mjs <jobs>
//
// Holds <jobs> running 5-step jobs, ids 1..<jobs>, whose bodies are the captured server's
// (test/fixtures/ordo-server/success/024.json) with the id varied. Each job has a version v, 0 at
// first: its `contours` step is `running` (attempt ⌊v/2⌋+1) for an even v and `blocked` (same
// attempt) for an odd one, so each flip (v+1) is exactly one step transition, as many times as
// wanted (running → blocked → running, attempt + 1). Answers `GET /jobs/:id` and
// `GET /jobs/a,b,…` (2 to 100 ids) with Bearer auth, a weak ETag, `304 Not Modified`, and an
// `X-Flip-Gen` header: how many flip commands came before this answer (the relay child stamps
// the first answer of each generation it sees).
//
// Prints one JSON line {url, token, jobs}; then, on stdin, one JSON line per command:
//   "flip [from to]"  flips jobs from..to (default: all) now → {gen, at}
//   "schedule <from> <to> <minGapMs> <maxGapMs> <forMs>"  flips each of those jobs on its own,
//                     at random gaps in [minGap, maxGap), for forMs → {ok}
//   "auto <ms>"       flips every job every <ms> (0: stop), not logged → {ok}
//   "log"             the flips since the last "log": {flips: [[id, version, at, gen], …]}
//   "count" / "reset" {requests, ok, notModified, other, jobAnswers} since the last reset
//   "clock"           {clock}: performance.timeOrigin + performance.now(), the clock of "at"
//   "exit" (or the end of stdin: its parent died) stops it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

const jobs = Number(process.argv[2] ?? 1);
const token = 'bench-relay-upstream-token';
const maxBatch = 100;
const clock = () => performance.timeOrigin + performance.now();

const template = JSON.parse(readFileSync(new URL('../test/fixtures/ordo-server/success/024.json', import.meta.url), 'utf8'));
const contours = template.steps.find((step) => step.step_id === 'contours');
const contoursLine = template.timeline.find((line) => line.step === 'contours');
if (!contours || !contoursLine) throw new Error('template without its contours step');

const versions = new Array(jobs + 1).fill(0);
/** The body text of each job at its current version (built on first use). */
const cache = new Map();
function bodyOf(id) {
  const version = versions[id];
  const cached = cache.get(id);
  if (cached && cached.version === version) return cached.text;
  const blocked = version % 2 === 1;
  const attempt = Math.floor(version / 2) + 1;
  template.job.id = id;
  for (const step of template.steps) {
    step.job_id = id;
    if (step.last_detailing) step.last_detailing.job_id = id;
  }
  contours.status = blocked ? 'blocked' : 'running';
  contours.attempt = attempt;
  contours.error = blocked ? `GENERATE_CONTOURS attempt ${attempt} failed: worker lost its lease (bench); retrying` : null;
  contoursLine.status = contours.status;
  const text = JSON.stringify(template);
  cache.set(id, { version, text });
  return text;
}
const elementOf = (id) => (id >= 1 && id <= jobs ? `{"id":${id},"found":true,${bodyOf(id).slice(1)}` : `{"id":${id},"found":false}`);
const etagOf = (buffer) => `W/"${buffer.length.toString(16)}-${createHash('sha1').update(buffer).digest('base64').slice(0, 27)}"`;

let gen = 0;
let flips = [];
function flip(from, to, logged = true) {
  gen += 1;
  const at = clock();
  for (let id = Math.max(1, from); id <= Math.min(jobs, to); id += 1) {
    versions[id] += 1;
    if (logged) flips.push([id, versions[id], at, gen]);
  }
  return { gen, at };
}

let requests = 0;
let ok = 0;
let notModified = 0;
let other = 0;
let jobAnswers = 0;

function json(res, status, value) {
  const buffer = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': buffer.length });
  res.end(buffer);
  other += 1;
}

const server = createServer({ keepAliveTimeout: 10_000 }, (req, res) => {
  requests += 1;
  if (req.headers.authorization !== `Bearer ${token}`) return json(res, 401, { error: 'Invalid token' });
  const path = req.url.split('?')[0];
  if (req.method !== 'GET' || !path.startsWith('/jobs/')) return json(res, 404, { error: 'Not found' });
  const pieces = path.slice(6).split(',');
  if (pieces.length > maxBatch) return json(res, 400, { error: `Too many job IDs: at most ${maxBatch}` });
  const ids = pieces.map(Number);
  if (ids.some((id) => !Number.isInteger(id) || id < 1)) return json(res, 400, { error: 'Invalid job ID' });
  if (ids.length === 1 && ids[0] > jobs) return json(res, 404, { error: 'Job not found' });
  const buffer = Buffer.from(ids.length > 1 ? `[${ids.map(elementOf).join(',')}]` : bodyOf(ids[0]));
  const etag = etagOf(buffer);
  jobAnswers += ids.length;
  if (req.headers['if-none-match'] === etag) {
    notModified += 1;
    res.writeHead(304, { ETag: etag, 'X-Flip-Gen': String(gen) });
    res.end();
    return;
  }
  ok += 1;
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': buffer.length, ETag: etag, 'X-Flip-Gen': String(gen) });
  res.end(buffer);
});
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}`, token, jobs })}\n`);
});

let auto;
const timers = new Set();
const reply = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  const [command, ...args] = line.trim().split(/\s+/);
  const numbers = args.map(Number);
  if (command === 'flip') reply(flip(numbers[0] ?? 1, numbers[1] ?? jobs));
  else if (command === 'schedule') {
    const [from, to, minGap, maxGap, forMs] = numbers;
    const until = Date.now() + forMs;
    for (let id = from; id <= to; id += 1) {
      const next = () => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (Date.now() >= until) return;
          flip(id, id);
          next();
        }, minGap + Math.random() * (maxGap - minGap));
        timers.add(timer);
      };
      next();
    }
    reply({ ok: true });
  } else if (command === 'auto') {
    clearInterval(auto);
    if (numbers[0] > 0) auto = setInterval(() => flip(1, jobs, false), numbers[0]);
    reply({ ok: true });
  } else if (command === 'log') {
    reply({ flips });
    flips = [];
  } else if (command === 'count') reply({ requests, ok, notModified, other, jobAnswers });
  else if (command === 'reset') requests = ok = notModified = other = jobAnswers = 0;
  else if (command === 'clock') reply({ clock: clock() });
  else if (command === 'exit') break;
}
clearInterval(auto);
for (const timer of timers) clearTimeout(timer);
server.closeAllConnections();
server.close();
process.exit(0);
