// Bundle size, as a user's bundler would produce it: esbuild, minified, gzip level 9. Part of `npm run bench`.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

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

export async function bundleSizes(): Promise<string> {
  const rows: Array<[string, { min: number; gzip: number }, string]> = [
    ['ordo-status, root entry (everything), with xstate and zod; rxjs excluded', await size("export * from './dist/index.js';", ['rxjs']), '≤ 30 KiB'],
    ['ordo-status, its own code only (xstate, zod and rxjs excluded)', await size("export * from './dist/index.js';", ['rxjs', 'xstate', 'zod', 'zod/mini']), '≤ 8 KiB'],
    ['ordo-status, only createOrdoClient (tree-shaken), with xstate and zod', await size("export { createOrdoClient } from './dist/index.js';", ['rxjs']), ''],
    ['of which xstate (createMachine)', await size("export { createMachine } from 'xstate';", []), ''],
    ['of which zod/mini (the schema)', await size("export { wireJobBodySchema } from './src/schema/wireSchema.ts';", ['xstate', 'rxjs']), ''],
    ['@tanstack/query-core, everything', await size("export * from '@tanstack/query-core';", []), ''],
  ];
  for (const [name, { gzip }] of rows) console.log(`bundle: ${name}: ${kib(gzip)} gzip`);
  return `## Bundle size

The root entry bundled as a user's bundler would (esbuild, minified, gzip level 9). CI enforces
budgets with size-limit (\`.size-limit.json\`, \`npm run size\`).

| bundle | minified | gzip | target |
| --- | ---: | ---: | ---: |
${rows.map(([name, { min, gzip }, target]) => `| ${name} | ${kib(min)} | ${kib(gzip)} | ${target} |`).join('\n')}
`;
}
