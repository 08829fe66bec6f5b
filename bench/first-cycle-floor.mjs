// The floor of a first cycle at N watches, without ordo-status: fetch every batch of 100 ids from
// bench/batch-server.mjs (the scale benchmark's server) and JSON.parse it, CONC requests at a time.
// Usage: node bench/first-cycle-floor.mjs [CONC] (N = 100,000). Prints the wall time in ms.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
const N = 100000;
const server = spawn(process.execPath, [new URL('./batch-server.mjs', import.meta.url).pathname, String(N)], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: server.stdout })[Symbol.asyncIterator]();
const { url, token } = JSON.parse((await lines.next()).value);
const conc = Number(process.argv[2] ?? 1000);
const ids = Array.from({ length: N / 100 }, (_, g) => Array.from({ length: 100 }, (_, i) => g * 100 + i + 1).join(','));
let t = performance.now();
let next = 0; let bytes = 0; let parseMs = 0;
async function worker() { while (next < ids.length) { const g = ids[next++]; const r = await fetch(`${url}/jobs/${g}`, { headers: { Authorization: `Bearer ${token}` } }); const text = await r.text(); bytes += text.length; const p = performance.now(); JSON.parse(text); parseMs += performance.now() - p; } }
await Promise.all(Array.from({ length: conc }, worker));
console.log({ conc, ms: performance.now() - t, MB: bytes / 1e6, parseMs });
server.stdin.write('exit\n'); process.exit(0);
