// The build, and whether dist/ is up to date with what it is built from.
//
//   node scripts/dist.mjs --build      builds (npm run build)
//   node scripts/dist.mjs --if-stale   builds only when dist/ is missing or older than its inputs
//                                      (every script that reads dist/ starts with this, so a CI run
//                                      builds once and a second `npm test` builds nothing)
//   node scripts/dist.mjs --check      exits 1, saying why, when dist/ is missing or stale
//
// dist/ is stale when a file package.json points at is missing or empty, or when any input
// (src/**, package.json, tsup.config.ts, tsconfig.json; a file added or removed counts) was changed
// after the oldest of those files was written. The vitest `dist` project refuses to run on
// stale output through `distState()` (test/dist/globalSetup.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const inputs = ['src', 'package.json', 'tsup.config.ts', 'tsconfig.json'];
/** Every file package.json points users at (`exports`, `main`, `module`, `types`, `bin`): all must be built, and none empty. */
function entries() {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const found = new Set();
  const collect = (value) => {
    if (typeof value === 'string') {
      if (value.startsWith('./dist/')) found.add(value.slice(2));
    } else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect([manifest.exports, manifest.main, manifest.module, manifest.types, manifest.bin]);
  return [...found].sort();
}

/** The newest change below `path`: a file's time, or a folder's own (a file added, renamed or deleted). */
function newestFile(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return { path, mtimeMs: stat.mtimeMs };
  let newest = { path: `${path}/ (a file added or removed)`, mtimeMs: stat.mtimeMs };
  for (const name of readdirSync(path)) {
    const found = newestFile(join(path, name));
    if (found.mtimeMs > newest.mtimeMs) newest = found;
  }
  return newest;
}

/**
 * Whether dist/ can be used: `{ fresh: true }`, or `{ fresh: false, reason }` naming the missing
 * entry or the input changed after the build.
 * @returns {{ fresh: true } | { fresh: false, reason: string }}
 */
export function distState() {
  let builtAt = Number.POSITIVE_INFINITY;
  for (const entry of entries()) {
    let stat;
    try {
      stat = statSync(join(root, entry));
    } catch {
      return { fresh: false, reason: `${entry} is missing` };
    }
    if (stat.size === 0) return { fresh: false, reason: `${entry} is empty` };
    builtAt = Math.min(builtAt, stat.mtimeMs);
  }
  for (const input of inputs) {
    const newest = newestFile(join(root, input));
    if (newest.mtimeMs > builtAt) return { fresh: false, reason: `${relative(root, newest.path)} changed after the last build` };
  }
  return { fresh: true };
}

/** Builds dist/ afresh with tsup (tsup.config.ts); a failed build ends this process with tsup's status. */
function build() {
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const tsup = spawnSync(process.execPath, [join(root, 'node_modules/tsup/dist/cli-default.js'), '--silent'], { cwd: root, stdio: 'inherit' });
  if (tsup.status !== 0) {
    console.error('the build failed (see above)');
    process.exit(tsup.status ?? 1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mode = process.argv[2];
  if (mode === '--build') build();
  else if (mode === '--if-stale') {
    const state = distState();
    if (!state.fresh) {
      const first = !existsSync(join(root, 'dist'));
      // A fresh clone's first build (bundles and type declarations) takes about a minute on 2 cores.
      console.error(first ? 'building the library into dist/ first (once, about a minute)…' : `building dist/ (${state.reason})…`);
      const started = performance.now();
      build();
      console.error(`built dist/ in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
  } else if (mode === '--check') {
    const state = distState();
    if (!state.fresh) {
      console.error(`dist/ is stale: ${state.reason}. Run \`npm run build\` (npm test builds when needed).`);
      process.exit(1);
    }
  } else {
    console.error(`${mode === undefined ? 'no mode given' : `unknown mode ${mode}`}; usage: node scripts/dist.mjs --build | --if-stale | --check`);
    process.exit(2);
  }
}
