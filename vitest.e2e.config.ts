import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

/** End-to-end tests that need a browser and the Angular example built (`npm run test:angular`). */
export default defineConfig({
  resolve: {
    alias: [
      { find: /^ordo-status\/testing$/, replacement: src('testing/index.ts') },
      { find: /^ordo-status$/, replacement: src('index.ts') },
    ],
  },
  test: {
    include: ['test-e2e/**/*.e2e.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
