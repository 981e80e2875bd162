import { defineConfig } from 'vitest/config';

/**
 * Two projects. `unit` (test/unit/): modules on their own, no built dist/, no spawned process,
 * no simulator round trips; `npm run test:unit` runs only these, in seconds. `integration`
 * (everything else): the MCP client against the server against the simulator over loopback, the
 * built CLI and stdio server as child processes. `npm test` builds and runs both. The browser tests
 * (test/browser/) have their own config, vitest.browser.config.ts (`npm run test:browser`).
 */
export default defineConfig({
  test: {
    // sharp (libvips) belongs in processes, not worker threads.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: ['test/unit/**', 'test/browser/**'] },
      },
    ],
  },
});
