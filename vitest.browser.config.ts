import { defineConfig } from 'vitest/config';

/**
 * The browser tests (test/browser/): headless Chromium against the gallery page, the real server
 * and the simulator. Their own run (`npm run test:browser`, once in CI), not part of `npm test`,
 * which CI runs on two Node versions.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
