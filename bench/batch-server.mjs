// A fast, static Ordo server in its own process, for the scale benchmark (bench/scale.ts); not the
// simulator. Usage: node bench/batch-server.mjs <jobs>
//
// Holds <jobs> running 5-step jobs, ids 1..<jobs>, whose bodies are the captured server's
// (test/fixtures/ordo-server/success/024.json) with the id varied; nothing ever changes.
// Answers `GET /jobs/:id` and `GET /jobs/a,b,…` (2 to 100 ids: an array in request order,
// `{id, found: true, ...body}`, `{id, found: false}` for an unknown id) with Bearer auth, a weak
// ETag as Express sends it (W/"<length hex>-<sha1 base64, 27 chars>") and `304 Not Modified` when
// If-None-Match matches. Prints one JSON line {url, token, jobs}; then on stdin: "count" answers one
// JSON line {requests, ok, notModified, other, jobAnswers} (since the last reset), "reset" resets
// them, "exit" (or the end of stdin: its parent died) stops it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';

const jobs = Number(process.argv[2] ?? 1);
const token = 'bench-scale-token';
const maxBatch = 100;

// The body as text around its id: the template's id (job.id, steps[].job_id, …) is replaced by a
// sentinel, and the text split on it, so a job's body is the parts joined with its id.
const template = JSON.parse(readFileSync(new URL('../test/fixtures/ordo-server/success/024.json', import.meta.url), 'utf8'));
const sentinel = 987654321;
template.job.id = sentinel;
for (const step of template.steps) {
  step.job_id = sentinel;
  if (step.last_detailing) step.last_detailing.job_id = sentinel;
}
const text = JSON.stringify(template);
if (text.split(String(sentinel)).length < 2) throw new Error('template without its id');
const parts = text.split(String(sentinel));
const bodyOf = (id) => parts.join(String(id));
// `{...}` with `id` and `found` first, as the real server's batch elements.
const elementOf = (id) => (id >= 1 && id <= jobs ? `{"id":${id},"found":true,${bodyOf(id).slice(1)}` : `{"id":${id},"found":false}`);

const etagOf = (buffer) => `W/"${buffer.length.toString(16)}-${createHash('sha1').update(buffer).digest('base64').slice(0, 27)}"`;
/** The ETag of each URL path answered so far (bodies never change, so an ETag never does). */
const etags = new Map();

let requests = 0;
let ok = 0;
let notModified = 0;
let other = 0;
let jobAnswers = 0; // job answers sent (200 or 304): a batch of 100 counts 100

function json(res, status, value) {
  const buffer = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': buffer.length, ETag: etagOf(buffer) });
  res.end(buffer);
  other += 1;
}

const server = createServer({ keepAliveTimeout: 10_000 }, (req, res) => {
  requests += 1;
  const header = req.headers.authorization;
  if (header !== `Bearer ${token}`) return json(res, 401, { error: header ? 'Invalid token' : 'Missing or invalid Authorization header' });
  const path = req.url.split('?')[0];
  if (req.method !== 'GET' || !path.startsWith('/jobs/')) return json(res, 404, { error: 'Not found' });
  const raw = path.slice(6);
  const pieces = raw.split(',');
  let ids;
  if (pieces.length > 1) {
    if (pieces.length > maxBatch) return json(res, 400, { error: `Too many job IDs: at most ${maxBatch}` });
    ids = pieces.map(Number);
    const bad = ids.findIndex((id) => !Number.isInteger(id) || id < 1); // '' is 0
    if (bad !== -1) return json(res, 400, { error: `Job ID must be a positive integer: ${JSON.stringify(pieces[bad])}` });
  } else {
    const id = Number.parseInt(raw, 10);
    if (Number.isNaN(id)) return json(res, 400, { error: 'Invalid job ID' });
    if (id < 1 || id > jobs) return json(res, 404, { error: 'Job not found' });
    ids = [id];
  }
  const known = etags.get(raw);
  if (known !== undefined && req.headers['if-none-match'] === known) {
    notModified += 1;
    jobAnswers += ids.length;
    res.writeHead(304, { ETag: known });
    res.end();
    return;
  }
  const buffer = Buffer.from(pieces.length > 1 ? `[${ids.map(elementOf).join(',')}]` : bodyOf(ids[0]));
  const etag = known ?? etagOf(buffer);
  if (known === undefined && etags.size < 1_000_000) etags.set(raw, etag);
  ok += 1;
  jobAnswers += ids.length;
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': buffer.length, ETag: etag });
  res.end(buffer);
});
// A first cycle opens up to a thousand connections at once: a deep accept queue.
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}`, token, jobs })}\n`);
});

for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'count') process.stdout.write(`${JSON.stringify({ requests, ok, notModified, other, jobAnswers })}\n`);
  if (line === 'reset') requests = ok = notModified = other = jobAnswers = 0;
  if (line === 'exit') break;
}
server.closeAllConnections();
server.close();
process.exit(0);
