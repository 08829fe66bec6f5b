// The relay section alone, to iterate on it without the whole bench:
//   npm run build && node --expose-gc --import tsx bench/relay-only.ts
// Prints the section's markdown and the targets it missed; writes nothing.
import { relayBench } from './relay.js';

const started = Date.now();
const { markdown, missed } = await relayBench();
console.log(`\n${markdown}`);
console.log(missed.length ? missed.map(({ target, measured, note }) => `missed: ${target}: ${measured}.${note ? ` ${note}` : ''}`).join('\n') : 'missed: none');
console.log(`relayBench: ${((Date.now() - started) / 1000).toFixed(1)} s`);
const left = process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap');
if (left.length) console.log(`still active after the bench: ${left.join(', ')}; exiting anyway`);
process.exit(0);
