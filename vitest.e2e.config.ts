import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/** End-to-end tests that need a browser and the Angular example built (`npm run test:angular`). */
export default mergeConfig(
  { ...base, test: { ...base.test, include: [], typecheck: { enabled: false } } },
  defineConfig({
    test: {
      include: ['test-e2e/**/*.e2e.test.ts'],
      testTimeout: 120_000,
      hookTimeout: 120_000,
    },
  }),
);
