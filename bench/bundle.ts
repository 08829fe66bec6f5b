// Bundle size, as a user's bundler would produce it: esbuild, minified, gzip level 9. Part of `npm run bench`.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { mark, type BenchSection, type MissedTarget } from './targets.js';

async function size(contents: string, external: string[]): Promise<{ min: number; gzip: number }> {
  const result = await build({
    stdin: { contents, resolveDir: new URL('..', import.meta.url).pathname, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    external,
  });
  const code = result.outputFiles[0]!.contents;
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

export async function bundleSizes(): Promise<BenchSection> {
  const root = await size("export * from './dist/index.js';", ['rxjs']);
  const own = await size("export * from './dist/index.js';", ['rxjs', 'xstate', 'zod', 'zod/mini']);
  const xstate = await size("export { createMachine } from 'xstate';", []);
  const zod = await size("export { wireJobBodySchema } from './src/schema/wireSchema.ts';", ['xstate', 'rxjs']);
  const rootMet = root.gzip <= 30 * 1024;
  const ownMet = own.gzip <= 8 * 1024;
  const rows: Array<[string, { min: number; gzip: number }, string]> = [
    ['ordo-status, root entry (everything), with xstate and zod; rxjs excluded', root, `≤ 30 KiB ${mark(rootMet)}`],
    ['ordo-status, its own code only (xstate, zod and rxjs excluded)', own, `≤ 8 KiB ${mark(ownMet)}`],
    ['ordo-status, only createOrdoClient (tree-shaken), with xstate and zod', await size("export { createOrdoClient } from './dist/index.js';", ['rxjs']), ''],
    ['of which xstate (createMachine)', xstate, ''],
    ['of which zod/mini (the schema)', zod, ''],
    ['@tanstack/query-core, everything', await size("export * from '@tanstack/query-core';", []), ''],
  ];
  for (const [name, { gzip }] of rows) console.log(`bundle: ${name}: ${kib(gzip)} gzip`);
  const missed: MissedTarget[] = [];
  const section = 'Bundle size';
  if (!rootMet)
    missed.push({
      target: 'Root entry ≤ 30 KiB',
      section,
      measured: `${kib(root.gzip)} gzip`,
      note: `Of it, xstate (\`createMachine\`, ${kib(xstate.gzip)}) and zod/mini (the schema, ${kib(zod.gzip)}) are ${Math.round(((xstate.gzip + zod.gzip) / root.gzip) * 100)} % of it and cannot shrink while the machines and the schema are the contract; the CI budget is in \`.size-limit.json\`. What would close it: the entry split below.`,
    });
  if (!ownMet)
    missed.push({
      target: 'Own code ≤ 8 KiB',
      section,
      measured: `${kib(own.gzip)} gzip`,
      note: 'The root entry has the fetch transport (conditional requests, size limit, token refresh and redaction), the retry policy, batching, shared polls, incremental validation and the error classes. What would close it: moving the fetch transport and batching behind their own entry point, so an app that brings its own transport (Angular\'s `HttpClient`) does not ship them; that is a change of the public contract, left for a decision.',
    });
  const markdown = `## Bundle size

The root entry bundled as a user's bundler would (esbuild, minified, gzip level 9). CI enforces
budgets with size-limit (\`.size-limit.json\`, \`npm run size\`).

| bundle | minified | gzip | target |
| --- | ---: | ---: | ---: |
${rows.map(([name, { min, gzip }, target]) => `| ${name} | ${kib(min)} | ${kib(gzip)} | ${target} |`).join('\n')}
`;
  return { markdown, missed };
}
