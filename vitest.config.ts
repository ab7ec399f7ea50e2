import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The gateway tests start real LiteLLM processes; keep files from fighting over 2 cores.
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'core', include: ['tests/**/*.test.ts'], exclude: ['tests/gateway/**'] },
      },
      {
        extends: true,
        // The global setup measures LiteLLM's boot once (only when gateway tests are in the run):
        // their time limits derive from it.
        test: { name: 'gateway', include: ['tests/gateway/**/*.test.ts'], globalSetup: ['tests/setup/litellm-boot.ts'] },
      },
    ],
  },
});
