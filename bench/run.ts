// npm run bench: runs every benchmark and writes docs/benchmarks.md.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { cpuPerPoll } from './cpu-per-poll.js';
import { soak } from './soak.js';

const cpuSection = await cpuPerPoll();
const soakSection = soak();
const doc = `# Benchmarks

Produced by \`npm run bench\` (\`bench/\`). Do not edit by hand: run it again.

- Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB
- Node ${process.version}, ${new Date().toISOString().slice(0, 10)}

${cpuSection}
${soakSection}`;
writeFileSync(new URL('../docs/benchmarks.md', import.meta.url), doc);
console.log('wrote docs/benchmarks.md');
