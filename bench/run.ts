// npm run bench: runs every benchmark and writes docs/benchmarks.md. Needs `node --expose-gc`
// (the script passes it) and a build (`npm run build`) for the child-process simulator.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { bundleSizes } from './bundle.js';
import { cpuPerPoll } from './cpu-per-poll.js';
import { manyWatches, requestCounts } from './peers.js';
import { soak } from './soak.js';

const cpuSection = await cpuPerPoll();
const countsSection = await requestCounts();
const manySection = await manyWatches();
const soakSection = soak();
const bundleSection = await bundleSizes();
const doc = `# Benchmarks

Produced by \`npm run bench\` (\`bench/\`). Do not edit by hand: run it again. Targets are the
project's (issue "One request per job, whatever the number of watchers"); where one is missed, the
last section says by how much, why, and what would close it.

- Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB
- Node ${process.version}, ${new Date().toISOString().slice(0, 10)}

${cpuSection}
${countsSection}
${manySection}
${soakSection}
${bundleSection}
## Targets missed, and what would close them

- **Heap per watch** (see "Many watches"): the target is the retained snapshot plus 2 KiB. Each
  watch is an RxJS pipeline of its own (\`timer\` → \`switchMap\` → request → validation →
  \`repeat\` → \`takeWhile\`, shared through \`share\` with a \`ReplaySubject\`), as the design
  asks; the bare \`timer\`/\`switchMap\`/\`repeat\` loop alone costs about 2.6 KiB per watch (measured
  with a V8 heap snapshot: closures, contexts and subscribers are most of the rest). What would
  close it: one scheduling loop per client (a timer wheel grouping due polls, which batching
  already wants) driving a small state object per job, with one RxJS subject per job for its
  subscribers, instead of one operator pipeline per watch.
- **Root entry ≤ 30 KiB** (see "Bundle size"): met at 29.4 KiB until resuming (\`resumeFrom\`,
  \`jobSnapshotFromJSON\`), browser-aware polling (\`whenHidden\`, visibility) and
  \`errorFromResponse\` added about 1.3 KiB of own code; the CI budget is now 31 KiB. xstate
  (\`createMachine\`) and zod/mini are two thirds of it and cannot shrink while the machines and
  the schema are the contract. What would close it: the entry split below.
- **Own code ≤ 8 KiB** (see "Bundle size"): the root entry has the fetch transport (conditional
  requests, size limit, token refresh and redaction), the retry policy, batching, shared polls,
  incremental validation and the error classes. What would close it: moving the fetch transport
  and batching behind their own entry point, so an app that brings its own transport (Angular's
  \`HttpClient\`) does not ship them; that is a change of the public contract, left for a decision.
- **Requests at 10,000 watches** (see "Many watches"): 100 per poll cycle is met in some runs
  and missed by a few percent in others (518 in 5 intervals in an earlier run). The simulator
  answers a cycle's 100 batch requests one after another, so their answers, and the next polls,
  spread over about a second, longer than the batch window; then a few partial batches go out
  (no poll waits more than twice \`maxWaitMs\`). What would close it for good: the client-level
  scheduling loop above, which would poll each job group on a common beat instead of one
  interval after each answer.
- **An unchanged answer at 5 steps** (see "CPU per poll"): the answer itself costs nothing (no
  parsing, no validation, no emission), but the polling machinery of one cycle (timer, request,
  \`repeat\`) is a few microseconds, which is more than 5 % of a 5-step job's whole poll.
`;
writeFileSync(new URL('../docs/benchmarks.md', import.meta.url), doc);
console.log('wrote docs/benchmarks.md');
