import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests import the package by name, the way users do.
    alias: [
      { find: /^ordo-status\/testing$/, replacement: src('testing/index.ts') },
      { find: /^ordo-status\/angular$/, replacement: src('angular/index.ts') },
      { find: /^ordo-status$/, replacement: src('index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'] },
  },
});
