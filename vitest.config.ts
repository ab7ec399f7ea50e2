import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The gateway tests start real LiteLLM processes; keep files from fighting over 2 cores.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
