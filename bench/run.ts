// npm run bench: runs every benchmark and writes docs/benchmarks.md. Needs `node --expose-gc`
// (the script passes it) and a build (`npm run build`) for the child-process simulator.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { bundleSizes } from './bundle.js';
import { cpuPerPoll } from './cpu-per-poll.js';
import { manyWatches, requestCounts } from './peers.js';
import { relayBench } from './relay.js';
import { scale } from './scale.js';
import { soak } from './soak.js';
import type { BenchSection } from './targets.js';

const sections: BenchSection[] = [];
sections.push(await cpuPerPoll());
sections.push(await requestCounts());
sections.push(await manyWatches());
sections.push(await scale());
sections.push(soak());
sections.push(await relayBench());
sections.push(await bundleSizes());
const missed = sections.flatMap((section) => section.missed);
const missedSection = missed.length
  ? missed.map(({ target, section, measured, note }) => `- **${target}** (see "${section}"): ${measured}.${note ? ` ${note}` : ''}`).join('\n')
  : 'None: every target above was met in this run.';
const doc = `# Benchmarks

Produced by \`npm run bench\` (\`bench/\`). Do not edit by hand: run it again. Targets are the
project's (issues "One request per job, whatever the number of watchers" and "One engine per
client"); ✓ and ✗ mark them in the tables, and the last section, generated from the
measurements, lists the ones this run missed, by how much.

- Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB
- Node ${process.version}, ${new Date().toISOString().slice(0, 10)}

${sections.map((section) => section.markdown).join('\n')}
## Targets missed, and what would close them

${missedSection}
`;
writeFileSync(new URL('../docs/benchmarks.md', import.meta.url), doc);
console.log(`wrote docs/benchmarks.md (${missed.length} targets missed)`);
// Nothing should be left running (every section closes its servers, clients and caches): report
// what is, rather than hang, and exit.
const left = process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap');
if (left.length) console.log(`still active after the bench: ${left.join(', ')}; exiting anyway`);
process.exit(0);
