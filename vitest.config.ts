import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

// Two projects (the README's "Development" says which to run when):
// - `unit`: everything that runs from source, no build: marble, schema, machine, transport, kit,
//   simulator, Angular adapter (TestBed), docs examples. `npm run test:unit`, `npm run test:watch`.
// - `dist`: what needs the built package (test/dist/): the CLI end to end, the entries as built
//   (CommonJS, the browser entry, ./angular), the Node pipeline example. It refuses a stale
//   dist/ (test/dist/globalSetup.ts); `npm test` and `npm run test:dist` build first when needed.
// Type tests (`*.test-d.ts`) run with `unit`.
export default defineConfig({
  resolve: {
    // Tests import the package by name, the way users do.
    alias: [
      { find: /^ordo-status\/testing$/, replacement: src('testing/index.ts') },
      { find: /^ordo-status\/angular$/, replacement: src('angular/index.ts') },
      { find: /^ordo-status\/relay$/, replacement: src('relay/index.ts') },
      { find: /^ordo-status$/, replacement: src('index.ts') },
    ],
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/dist/**'],
          typecheck: { enabled: true, include: ['test/**/*.test-d.ts'] },
        },
      },
      {
        extends: true,
        test: {
          name: 'dist',
          include: ['test/dist/**/*.test.ts'],
          globalSetup: ['test/dist/globalSetup.ts'],
        },
      },
    ],
  },
});
