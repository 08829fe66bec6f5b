import { defineConfig } from 'tsup';

// Four builds:
// - the library entries (root, ./testing and ./relay) as ESM + CJS with declarations;
// - ./testing for browsers (ESM, no Node built-ins, no simulator);
// - ./angular (ESM with declarations; Angular external);
// - the CLI as one ESM file with a shebang.
// `ordo-status` itself stays external in ./testing, ./angular and the CLI: they import the root entry by
// its package name (Node resolves the self-reference through `exports`), so error classes and
// machines exist once, and the CLI uses only the public API, like any other user.
export default defineConfig([
  {
    entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts', 'relay/index': 'src/relay/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: false,
    target: 'node20',
    external: ['ordo-status'],
    splitting: false,
  },
  {
    // ./testing for bundlers targeting browsers (the `browser` export condition): the kit, no simulator.
    entry: { 'testing/browser': 'src/testing/browser.ts' },
    format: ['esm'],
    sourcemap: true,
    clean: false,
    platform: 'browser',
    target: 'es2022',
    external: ['ordo-status', 'rxjs'],
    splitting: false,
  },
  {
    // ./angular: ESM with declarations (Angular apps are ESM); Angular and the root entry stay external.
    entry: { 'angular/index': 'src/angular/index.ts' },
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: false,
    platform: 'browser',
    target: 'es2022',
    external: ['ordo-status', 'rxjs', /^@angular\//],
    splitting: false,
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    clean: false,
    target: 'node20',
    external: ['ordo-status'],
    banner: { js: '#!/usr/bin/env node' },
  },
]);
