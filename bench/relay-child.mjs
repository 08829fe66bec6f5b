// One relay (createRelay from the build, state in memory) in its own process, for the relay
// benchmark (bench/relay.ts): node --expose-gc bench/relay-child.mjs '<{baseUrl, token, relayToken, intervalMs, stamp}>'
//
// With `stamp`, its upstream fetch is wrapped to stamp answers: for each job in an answer's URL, when the first
// answer of each `X-Flip-Gen` generation (bench/flip-server.mjs) arrived (the fetch resolved:
// headers in, body not yet read), on the clock performance.timeOrigin + performance.now().
// Prints one JSON line {url}; then, on stdin, one JSON line per command:
//   "metrics"  {metrics (the relay's), cpuMicros (user + system), clock}
//   "memory"   after two full GCs: process.memoryUsage()
//   "stamps"   {stamps: {jobId: [[gen, at], …]}, writes: [[jobId, at], …]} since the last "stamps":
//              `writes` are the `transition` frames written to consumers (ServerResponse#write
//              wrapped), to split the fan-out's latency between the relay and the delivery
//   "clock"    {clock}
//   "exit" (or the end of stdin: its parent died) closes the relay and stops.
import { createServer, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { createRelay } from '../dist/relay/index.js';

const options = JSON.parse(process.argv[2] ?? '{}');
const clock = () => performance.timeOrigin + performance.now();
let stamps = new Map();

async function stampingFetch(input, init) {
  const response = await fetch(input, init);
  const at = clock();
  const gen = Number(response.headers.get('x-flip-gen') ?? Number.NaN);
  if (options.stamp && Number.isFinite(gen)) {
    const url = new URL(input instanceof Request ? input.url : String(input));
    for (const id of decodeURIComponent(url.pathname.slice(url.pathname.lastIndexOf('/') + 1)).split(',')) {
      let list = stamps.get(id);
      if (!list) stamps.set(id, (list = []));
      if (list.length === 0 || list.at(-1)[0] < gen) list.push([gen, at]);
    }
  }
  return response;
}

// Each `transition` frame written to a consumer: its job and when (the relay's write call).
let writes = [];
const write = ServerResponse.prototype.write;
ServerResponse.prototype.write = function (chunk, ...rest) {
  if (options.stamp && typeof chunk === 'string' && chunk.includes('\nevent: transition\n')) writes.push([/\/jobs\/([^/]+)\/events/.exec(this.req?.url ?? '')?.[1], clock()]);
  return write.call(this, chunk, ...rest);
};

const relay = createRelay({ baseUrl: options.baseUrl, token: options.token, relayToken: options.relayToken, intervalMs: options.intervalMs, fetch: stampingFetch });
const server = createServer((request, response) => relay.handle(request, response));
await new Promise((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}`, pid: process.pid })}\n`);

const reply = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'metrics') {
    const { user, system } = process.cpuUsage();
    reply({ metrics: relay.metrics(), cpuMicros: user + system, clock: clock() });
  } else if (line === 'memory') {
    globalThis.gc?.();
    globalThis.gc?.();
    reply(process.memoryUsage());
  } else if (line === 'stamps') {
    reply({ stamps: Object.fromEntries(stamps), writes });
    stamps = new Map();
    writes = [];
  } else if (line === 'clock') reply({ clock: clock() });
  else if (line === 'exit') break;
}
await relay.close();
server.closeAllConnections();
server.close();
process.exit(0);
