import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * End-to-end tests that need a browser and the Angular example built (`npm run test:angular`).
 * Its own run, not a project of vitest.config.ts: only the aliases are shared, none of the unit
 * or dist tests run here.
 */
export default defineConfig({
  resolve: base.resolve ?? {},
  test: {
    include: ['test-e2e/**/*.e2e.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
