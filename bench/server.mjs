// A counting Ordo simulator in its own process, for benchmarks: node bench/server.mjs <jobs> <speed>
// Prints one JSON line {url, token, ids}; then answers "count" on stdin with the request count so far
// and job answers (one line of JSON {requests, jobPolls}); exits on "exit".
import { createInterface } from 'node:readline';
import { startOrdoSimulator } from '../dist/testing/index.js';

const jobs = Number(process.argv[2] ?? 1);
const speed = Number(process.argv[3] ?? 0.01);
let requests = 0;
let jobPolls = 0; // job answers sent: a batch of 100 counts 100
const simulator = await startOrdoSimulator({
  speed,
  onRequest: ({ url, status }) => {
    requests += 1;
    if (url.startsWith('/jobs/') && (status === 200 || status === 304)) jobPolls += url.slice(6).split(',').length;
  },
});
const ids = [];
for (let index = 0; index < jobs; index += 1) ids.push((await simulator.submitJob()).id);
process.stdout.write(`${JSON.stringify({ url: simulator.url, token: simulator.token, ids })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'count') process.stdout.write(`${JSON.stringify({ requests, jobPolls })}\n`);
  if (line === 'reset') requests = jobPolls = 0;
  if (line === 'exit') break;
}
await simulator.close();
process.exit(0);
