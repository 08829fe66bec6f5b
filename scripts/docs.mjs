// Generated documentation: the Mermaid state diagrams in docs/lifecycles.md (from the machines
// themselves) and the API reference in docs/api/ (TypeDoc + typedoc-plugin-markdown, configured
// by typedoc.json, from the TSDoc in src/).
//
//   node scripts/docs.mjs           write both
//   node scripts/docs.mjs --check   write nothing; exit 1 naming every file that would change
//
// The diagrams are read from the built package (dist/), so `npm run build` must have run first:
// `npm run docs` and `npm run docs:check` do that.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application, Converter, ReflectionKind } from 'typedoc';

const root = fileURLToPath(new URL('..', import.meta.url));
const lifecyclesFile = join(root, 'docs', 'lifecycles.md');
const apiDir = join(root, 'docs', 'api');

/**
 * TypeDoc names a module after its path relative to the entry points' common directory
 * (src/index.ts → "index", src/testing/index.ts → "testing"); the reference uses the import
 * paths instead. An entry point missing here is an error, so that a new one gets a name.
 */
const moduleNames = new Map([
  ['index', 'ordo-status'],
  ['testing', 'ordo-status/testing'],
  ['angular', 'ordo-status/angular'],
  ['relay', 'ordo-status/relay'],
]);

const args = process.argv.slice(2);
const check = args.includes('--check');

/** A Mermaid state diagram of a machine, from the table derived from it (test/docs/lifecycles.test.ts uses it too). */
export function mermaid(table) {
  const lines = ['stateDiagram-v2', `    [*] --> ${table.initial}`];
  for (const [from, targets] of table.edges) for (const to of targets) lines.push(`    ${from} --> ${to}`);
  for (const state of table.final) lines.push(`    ${state} --> [*]`);
  return lines.join('\n');
}

/** docs/lifecycles.md with the contents of its ```mermaid fences replaced, job first, then step. */
async function lifecyclesDoc(current) {
  let machines;
  try {
    machines = await import(new URL('../dist/index.js', import.meta.url).href);
  } catch (error) {
    throw new Error(`cannot import dist/index.js (run \`npm run build\` first): ${error.message}`, { cause: error });
  }
  const diagrams = [mermaid(machines.jobTransitions), mermaid(machines.stepTransitions)];
  const fence = /```mermaid\n[\s\S]*?\n```/g;
  const found = current.match(fence)?.length ?? 0;
  if (found !== diagrams.length) {
    throw new Error(`docs/lifecycles.md has ${found} \`\`\`mermaid blocks, expected ${diagrams.length} (job, step)`);
  }
  let index = 0;
  return current.replace(fence, () => `\`\`\`mermaid\n${diagrams[index++]}\n\`\`\``);
}

/** Runs TypeDoc with typedoc.json into `out`; throws on errors (warnings are printed, not fatal). */
async function typedoc(out) {
  const app = await Application.bootstrapWithPlugins({
    options: join(root, 'typedoc.json'),
    out,
    logLevel: 'Warn',
  });
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (_context, reflection) => {
    if (reflection.kind !== ReflectionKind.Module || !reflection.parent?.isProject()) return;
    const name = moduleNames.get(reflection.name);
    if (name === undefined) {
      throw new Error(`scripts/docs.mjs: no import path for the TypeDoc module "${reflection.name}" (see moduleNames)`);
    }
    reflection.name = name;
  });
  const project = await app.convert();
  if (!project || app.logger.hasErrors()) throw new Error('TypeDoc could not convert the project (see above)');
  app.validate(project);
  if (app.logger.hasErrors()) throw new Error('TypeDoc validation failed (see above)');
  await app.generateOutputs(project);
  if (app.logger.hasErrors()) throw new Error('TypeDoc could not write the docs (see above)');
}

/** Relative paths of every file under `dir` ([] when it does not exist), sorted. */
async function filesUnder(dir) {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if (error.code === 'ENOENT') return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath ?? entry.path, entry.name)).split('\\').join('/'))
    .sort();
}

/** Differences between a freshly generated tree and the committed one, as "docs/api/…: reason". */
async function compareTrees(generated, committed) {
  const [fresh, existing] = await Promise.all([filesUnder(generated), filesUnder(committed)]);
  const existingSet = new Set(existing);
  const freshSet = new Set(fresh);
  const label = (file) => relative(root, join(committed, file)).split('\\').join('/');
  const stale = [];
  for (const file of fresh) {
    if (!existingSet.has(file)) stale.push(`${label(file)}: missing (would be added)`);
    else if (!(await readFile(join(generated, file))).equals(await readFile(join(committed, file)))) {
      stale.push(`${label(file)}: out of date`);
    }
  }
  for (const file of existing) if (!freshSet.has(file)) stale.push(`${label(file)}: no longer generated (would be removed)`);
  return stale;
}

async function main() {
  const stale = [];

  const lifecycles = await readFile(lifecyclesFile, 'utf8');
  const nextLifecycles = await lifecyclesDoc(lifecycles);
  const lifecyclesChanged = nextLifecycles !== lifecycles;
  if (lifecyclesChanged) {
    if (check) stale.push('docs/lifecycles.md: Mermaid state diagrams differ from the machines');
    else await writeFile(lifecyclesFile, nextLifecycles);
  }

  if (check) {
    const temp = await mkdtemp(join(tmpdir(), 'ordo-status-docs-'));
    try {
      await typedoc(temp);
      stale.push(...(await compareTrees(temp, apiDir)));
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  } else {
    await typedoc(apiDir);
  }

  if (check && stale.length > 0) {
    console.error(`Generated docs are stale (${stale.length} file${stale.length === 1 ? '' : 's'}):`);
    for (const line of stale) console.error(`  ${line}`);
    console.error('Run `npm run docs` and commit the result.');
    process.exitCode = 1;
  } else if (check) {
    console.log('Generated docs are up to date (docs/lifecycles.md diagrams, docs/api/).');
  } else {
    const files = (await filesUnder(apiDir)).length;
    console.log(
      `docs/lifecycles.md: diagrams ${lifecyclesChanged ? 'updated' : 'unchanged'}; docs/api/: ${files} files written.`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const unknown = args.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    console.error(`usage: node scripts/docs.mjs [--check]  (unknown: ${unknown.join(' ')})`);
    process.exit(2);
  }
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
