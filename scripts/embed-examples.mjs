// Copies each example test into the Markdown that shows it, so every example in the docs is
// also a test. A doc marks the place with
//   <!-- example: test/docs/examples/name.test.ts -->
// followed by a ```ts fence; the fence gets what lies between `// example:start` and
// `// example:end` in that file.
//   node scripts/embed-examples.mjs          rewrite the docs
//   node scripts/embed-examples.mjs --check  change nothing; exit 1 naming each stale doc
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const docs = ['docs/testing.md', 'docs/node.md'];
const marker = /(<!-- example: (\S+) -->\n```ts\n)([\s\S]*?)(\n```)/g;

/** The example region of a test file. */
export function exampleOf(file) {
  const text = readFileSync(root + file, 'utf8');
  const match = /\/\/ example:start\n([\s\S]*?)\n\/\/ example:end/.exec(text);
  if (!match) throw new Error(`${file} has no // example:start … // example:end region`);
  return match[1];
}

/** The doc with every example fence filled from its file. */
export function embedded(doc) {
  return doc.replace(marker, (_, open, file, _old, close) => open + exampleOf(file) + close);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  const stale = [];
  for (const file of docs) {
    let text;
    try {
      text = readFileSync(root + file, 'utf8');
    } catch {
      continue;
    }
    const next = embedded(text);
    if (next === text) continue;
    stale.push(file);
    if (!check) writeFileSync(root + file, next);
  }
  if (check && stale.length > 0) {
    console.error(`Examples out of date in ${stale.join(', ')}: run node scripts/embed-examples.mjs`);
    process.exit(1);
  }
  if (!check) console.log(stale.length === 0 ? 'examples: up to date' : `examples: rewrote ${stale.join(', ')}`);
}
