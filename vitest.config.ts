import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The CLI tests spawn node processes; on a 2-core machine more parallel files only add contention.
    maxWorkers: 2,
  },
});
